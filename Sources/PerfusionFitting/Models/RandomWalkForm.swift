import RealModule

/// The form shared by the LDRW and FPT models, written with a non-positive exponent for stability:
///
///     f(t) = O + AUC sqrt(lambda / (2 pi)) mu^s x^-q exp(-lambda (x - mu)^2 / (2 mu x)),   x = t - t0 > 0
///
/// (`e^lambda exp(-(lambda/2)(mu/x + x/mu))` = `exp(-lambda (x - mu)^2 / (2 mu x))`). LDRW has
/// `s = -1/2, q = 1/2`; FPT has `s = 1/2, q = 3/2`. Parameters: AUC (a.u. s), mu (s), lambda, t0 (s), O (a.u.).
/// With `f_e = f - O`:
///
///     df/dAUC = f_e / AUC
///     df/dmu = f_e (s / mu - (lambda / 2)(1 / x - x / mu^2))
///     df/dlambda = f_e (1 / (2 lambda) - (x - mu)^2 / (2 mu x))
///     df/dt0 = f_e (q / x - (lambda / 2)(mu / x^2 - 1 / mu))
///     df/dO = 1
struct RandomWalkForm: Sendable {
    let s: Double
    let q: Double

    static let inverseRootTwoPi = 1 / (2 * Double.pi).squareRoot()

    func value(at t: Double, parameters p: ParameterVector) -> Double {
        let x = t - p[3]
        guard x > 0 else { return p[4] }
        return p[4] + unit(x, mu: p[1], lambda: p[2]) * p[0]
    }

    /// The curve with AUC = 1 at x > 0.
    func unit(_ x: Double, mu: Double, lambda: Double) -> Double {
        let d = x - mu
        return (lambda.squareRoot() * Self.inverseRootTwoPi)
            * Double.exp(s * Double.log(mu) - q * Double.log(x) - lambda * d * d / (2 * mu * x))
    }

    func valueAndGradient(at t: Double, parameters p: ParameterVector) -> (value: Double, gradient: ParameterVector) {
        let x = t - p[3]
        guard x > 0 else { return (p[4], ParameterVector(0, 0, 0, 0, 1, 0, 0, 0)) }
        let (area, mu, lambda) = (p[0], p[1], p[2])
        let u = unit(x, mu: mu, lambda: lambda)
        let fe = area * u
        let d = x - mu
        return (
            p[4] + fe,
            ParameterVector(
                u,
                fe * (s / mu - 0.5 * lambda * (1 / x - x / (mu * mu))),
                fe * (0.5 / lambda - d * d / (2 * mu * x)),
                fe * (q / x - 0.5 * lambda * (mu / (x * x) - 1 / mu)),
                1, 0, 0, 0)
        )
    }

    @inline(__always)
    func block(at t: SampleLanes, parameters p: SIMD8<Float>) -> ModelBlock {
        let x = t - p[3]
        let positive = x .> SampleLanes(repeating: 1e-30)
        let xs = SampleLanes(repeating: 1).replacing(with: x, where: positive)
        let (area, mu, lambda) = (p[0], p[1], p[2])
        let inverseX = 1 / xs
        let inverseMu = 1 / mu
        let d = xs - mu
        let exponent =
            Float(s) * Float.log(mu) - Float(q) * VectorMath.log(xs) - (0.5 * lambda * inverseMu) * d * d * inverseX
        let u = (VectorMath.exp(exponent) * (lambda.squareRoot() * Float(Self.inverseRootTwoPi))).replacing(
            with: 0, where: .!positive)
        let fe = area * u
        return ModelBlock(
            value: fe + p[4],
            d0: u,
            d1: fe * (Float(s) * inverseMu - (0.5 * lambda) * (inverseX - xs * inverseMu * inverseMu)),
            d2: fe * (0.5 / lambda - (0.5 * inverseMu) * d * d * inverseX),
            d3: fe * (Float(q) * inverseX - (0.5 * lambda) * (mu * inverseX * inverseX - inverseMu)),
            d4: SampleLanes(repeating: 1))
    }

    /// Start from the arrival time and the observed peak and first moment; `modeRatio(lambda)` gives
    /// (TTP - t0) / mu and `meanRatio(lambda)` gives (mean - t0) / mu for the model. Lambda is chosen on a
    /// log grid so that the mode-to-mean ratio matches the data; then mu from the mean, AUC from the peak.
    func initialGuess(
        for curve: CurveSamples, modeRatio: (Double) -> Double, meanRatio: (Double) -> Double
    ) -> Result<ParameterVector, CurveRejection> {
        let features = CurveFeatures(curve)
        if let rejection = BolusScreen.reject(features) { return .failure(rejection) }
        let t0 = features.arrivalTime
        let rise = max(features.peakTime - t0, 1e-3)
        let mean = max(features.firstMoment - t0, rise * 1.05)
        let target = rise / mean
        var best = (lambda: 1.0, error: Double.infinity)
        for i in 0...80 {
            let lambda = Double.exp(Double.log(0.1) + Double(i) / 80 * Double.log(2000.0))
            let error = abs(modeRatio(lambda) / meanRatio(lambda) - target)
            if error < best.error { best = (lambda, error) }
        }
        let lambda = best.lambda
        let mu = mean / meanRatio(lambda)
        let peak = unit(modeRatio(lambda) * mu, mu: mu, lambda: lambda)
        let area = peak > 0 ? features.enhancement / peak : features.enhancement * mean
        return .success(ParameterVector(area, mu, lambda, t0, features.baseline, 0, 0, 0))
    }

    func alternativeStarts(from start: ParameterVector) -> [ParameterVector] {
        [0.5, 3, 20].map { lambda in
            ParameterVector(start[0], start[1], lambda, start[3], start[4], 0, 0, 0)
        }
    }

    func bounds(for curve: CurveSamples) -> ParameterBounds {
        let (first, last, span, interval) = BolusScreen.timeScale(curve)
        return ParameterBounds(
            lower: ParameterVector(0, interval / 4, 0.02, first - span, -.infinity, 0, 0, 0),
            upper: ParameterVector(.infinity, 20 * span, 1000, last, .infinity, 0, 0, 0))
    }
}

/// A random-walk bolus model (``LDRWModel`` or ``FPTModel``): parameters AUC (a.u. s), mu (s), lambda, t0 (s),
/// O (a.u.); value and gradient in ``RandomWalkForm``. A conforming type states what distinguishes it (the
/// exponents of the form, and the peak and mean times as fractions of mu); every `CurveModel` member comes from
/// the extension, so each concrete model gets its own specialized fit.
protocol RandomWalkModel: CurveModel {
    static var modelName: String { get }
    static var s: Double { get }
    static var q: Double { get }
    static var muMeaning: String { get }
    /// (TTP - t0) / mu.
    static func modeRatio(_ lambda: Double) -> Double
    /// (mean - t0) / mu.
    static func meanRatio(_ lambda: Double) -> Double
}

extension RandomWalkModel {
    var form: RandomWalkForm { RandomWalkForm(s: Self.s, q: Self.q) }

    /// Name used on the command line and in outputs.
    var name: String { Self.modelName }
    /// Number of fitted parameters.
    var parameterCount: Int { 5 }
    /// The parameters in vector order, with the names and units of their output columns.
    var parameters: [ParameterDescriptor] {
        [
            ParameterDescriptor(symbol: "AUC", name: "auc_au_s", unit: "a.u. s", meaning: "area AUC"),
            ParameterDescriptor(symbol: "mu", name: "mu_s", unit: "s", meaning: Self.muMeaning),
            ParameterDescriptor(symbol: "lambda", name: "lambda", unit: "", meaning: "skewness lambda"),
            ParameterDescriptor(symbol: "t0", name: "t0_s", unit: "s", meaning: "appearance time t0"),
            ParameterDescriptor(symbol: "O", name: "offset_au", unit: "a.u.", meaning: "baseline offset O"),
        ]
    }

    func value(at t: Double, parameters p: ParameterVector) -> Double { form.value(at: t, parameters: p) }

    func valueAndGradient(at t: Double, parameters p: ParameterVector) -> (
        value: Double, gradient: ParameterVector
    ) {
        form.valueAndGradient(at: t, parameters: p)
    }

    @inline(__always)
    func block(at t: SampleLanes, parameters p: SIMD8<Float>) -> ModelBlock { form.block(at: t, parameters: p) }

    func initialGuess(for curve: CurveSamples) -> Result<ParameterVector, CurveRejection> {
        form.initialGuess(for: curve, modeRatio: Self.modeRatio, meanRatio: Self.meanRatio)
    }

    func alternativeStarts(for curve: CurveSamples, from start: ParameterVector) -> [ParameterVector] {
        form.alternativeStarts(from: start)
    }

    func bounds(for curve: CurveSamples) -> ParameterBounds { form.bounds(for: curve) }

    func bolusShape(_ p: ParameterVector) -> (any BolusShape)? { shape(p) }

    func shape(_ p: ParameterVector) -> RandomWalkShape {
        RandomWalkShape(
            area: p[0], mu: p[1], lambda: p[2], appearanceTime: p[3], s: Self.s, q: Self.q,
            modeRatio: Self.modeRatio(p[2]), meanRatio: Self.meanRatio(p[2]))
    }
}

/// A random-walk bolus (LDRW or FPT) with its closed forms; inflection points and partial areas numerically.
struct RandomWalkShape: BolusShape, Equatable {
    let area: Double
    let mu: Double
    let lambda: Double
    let appearanceTime: Double
    let s: Double
    let q: Double
    /// (TTP - t0) / mu and (mean - t0) / mu.
    let modeRatio: Double
    let meanRatio: Double

    var form: RandomWalkForm { RandomWalkForm(s: s, q: q) }

    func enhancement(at t: Double) -> Double {
        let x = t - appearanceTime
        return x > 0 ? area * form.unit(x, mu: mu, lambda: lambda) : 0
    }

    func slope(at t: Double) -> Double {
        let x = t - appearanceTime
        guard x > 0 else { return 0 }
        // d ln f / dx = -q / x + (lambda / 2)(mu / x^2 - 1 / mu)
        return enhancement(at: t) * (-q / x + 0.5 * lambda * (mu / (x * x) - 1 / mu))
    }

    func integral(from a: Double, to b: Double) -> Double {
        ShapeNumerics.integral(enhancement, from: max(a, appearanceTime), to: b)
    }

    var timeToPeak: Double { appearanceTime + modeRatio * mu }
    var peakEnhancement: Double { enhancement(at: timeToPeak) }
    var meanTransitTime: Double { appearanceTime + meanRatio * mu }
    var steepestRiseTime: Double { ShapeNumerics.argmax(slope, in: appearanceTime, timeToPeak) }
    var steepestFallTime: Double {
        // The most negative slope lies within a few widths (sd = mu / sqrt(lambda)) after the peak.
        let reach = timeToPeak + 20 * max(meanTransitTime - appearanceTime, mu / lambda.squareRoot())
        return ShapeNumerics.argmax({ -slope(at: $0) }, in: timeToPeak, reach)
    }
}
