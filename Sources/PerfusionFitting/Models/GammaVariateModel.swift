import RealModule

/// Gamma-variate bolus model, written with the peak height and the rise time as parameters:
///
///     f(t) = O + P u^alpha exp(alpha (1 - u)),   u = (t - t0) / tp,   f = O for t <= t0
///
/// which is `O + K x^alpha exp(-x / beta)` with `beta = tp / alpha`, `K = P e^alpha / tp^alpha`. Peak height
/// and rise time keep the normal equations well conditioned (K alone spans many decades as alpha varies).
/// Parameters, in vector order: `P` (peak, a.u.), `alpha`, `tp` (s from t0 to the peak), `t0` (s), `O` (a.u.).
/// With `h = u^alpha exp(alpha (1 - u))`:
///
///     df/dP = h
///     df/dalpha = P h (ln u + 1 - u)
///     df/dtp = -P h alpha (1 - u) / tp
///     df/dt0 = -P h alpha (1 / x - 1 / tp)
///     df/dO = 1
///
/// Closed forms (docs/METHODS.md §4): TTP = t0 + alpha beta, mTT = t0 + (alpha + 1) beta,
/// AUC = K beta^(alpha + 1) Gamma(alpha + 1), inflection points at x = beta (alpha -/+ sqrt(alpha)).
///
/// Reference: H. K. Thompson et al., "Indicator transit time considered as a gamma variate", Circ. Res. 14
/// (1964), doi:10.1161/01.RES.14.6.502; M. Madsen, "A simplified formulation of the gamma variate function",
/// Phys. Med. Biol. 37 (1992), doi:10.1088/0031-9155/37/7/010.
struct GammaVariateModel: CurveModel {
    init() {}

    var name: String { "gamma" }
    var parameterCount: Int { 5 }
    var parameters: [ParameterDescriptor] {
        [
            ParameterDescriptor(symbol: "P", name: "pe_au", unit: "a.u.", meaning: "peak height P above the offset"),
            ParameterDescriptor(symbol: "alpha", name: "alpha", unit: "", meaning: "shape alpha"),
            ParameterDescriptor(
                symbol: "tp", name: "rise_s", unit: "s", meaning: "time tp from t0 to the peak (alpha beta)"),
            ParameterDescriptor(symbol: "t0", name: "t0_s", unit: "s", meaning: "appearance time t0"),
            ParameterDescriptor(symbol: "O", name: "offset_au", unit: "a.u.", meaning: "baseline offset O"),
        ]
    }

    func value(at t: Double, parameters p: ParameterVector) -> Double {
        let x = t - p[3]
        guard x > 0 else { return p[4] }
        let u = x / p[2]
        return p[4] + p[0] * Double.exp(p[1] * (Double.log(u) + 1 - u))
    }

    func valueAndGradient(at t: Double, parameters p: ParameterVector) -> (
        value: Double, gradient: ParameterVector
    ) {
        let x = t - p[3]
        guard x > 0 else { return (p[4], ParameterVector(0, 0, 0, 0, 1, 0, 0, 0)) }
        let (peak, alpha, tp) = (p[0], p[1], p[2])
        let u = x / tp
        let shape = Double.log(u) + 1 - u
        let h = Double.exp(alpha * shape)
        let ph = peak * h
        return (
            p[4] + ph,
            ParameterVector(h, ph * shape, -ph * alpha * (1 - u) / tp, -ph * alpha * (1 / x - 1 / tp), 1, 0, 0, 0)
        )
    }

    @inline(__always)
    func block(at t: SampleLanes, parameters p: SIMD8<Float>) -> ModelBlock {
        let x = t - p[3]
        let positive = x .> SampleLanes(repeating: 1e-30)
        let xs = SampleLanes(repeating: 1).replacing(with: x, where: positive)
        let inverseTp = 1 / p[2]
        let u = xs * inverseTp
        let shape = VectorMath.log(u) + (1 - u)
        let h = VectorMath.exp(p[1] * shape).replacing(with: 0, where: .!positive)
        let ph = p[0] * h
        return ModelBlock(
            value: ph + p[4], d0: h, d1: ph * shape, d2: -(ph * p[1]) * (1 - u) * inverseTp,
            d3: -(ph * p[1]) * (1 / xs - inverseTp), d4: SampleLanes(repeating: 1))
    }

    /// `t0` from the arrival, `tp` from the observed peak, `alpha` from the first moment:
    /// mTT - t0 = tp (alpha + 1) / alpha, so alpha = tp / (mTT - t0 - tp), kept in [1.5, 12].
    func initialGuess(for curve: CurveSamples) -> Result<ParameterVector, CurveRejection> {
        let features = CurveFeatures(curve)
        if let rejection = BolusScreen.reject(features) { return .failure(rejection) }
        let t0 = features.arrivalTime
        let tp = max(features.peakTime - t0, 1e-3)
        let excess = features.firstMoment - t0 - tp
        let alpha = excess > 0 ? min(max(tp / excess, 1.5), 12) : 4
        return .success(ParameterVector(features.enhancement, alpha, tp, t0, features.baseline, 0, 0, 0))
    }

    func alternativeStarts(for curve: CurveSamples, from start: ParameterVector) -> [ParameterVector] {
        [1.5, 3, 8].map { ParameterVector(start[0], $0, start[2], start[3], start[4], 0, 0, 0) }
    }

    /// `P >= 0`; `alpha` in [0.1, 100]; `tp` from a quarter frame interval to 20 spans; `t0` within the
    /// span (one span earlier at most); `O` free.
    func bounds(for curve: CurveSamples) -> ParameterBounds {
        let (first, last, span, interval) = BolusScreen.timeScale(curve)
        return ParameterBounds(
            lower: ParameterVector(0, 0.1, interval / 4, first - span, -.infinity, 0, 0, 0),
            upper: ParameterVector(.infinity, 100, 20 * span, last, .infinity, 0, 0, 0))
    }

    func bolusShape(_ p: ParameterVector) -> (any BolusShape)? { shape(p) }

    func shape(_ p: ParameterVector) -> GammaVariateShape {
        GammaVariateShape(peak: p[0], alpha: p[1], rise: p[2], appearanceTime: p[3])
    }
}

/// Closed forms of the gamma variate (offset removed). See ``GammaVariateModel``.
struct GammaVariateShape: BolusShape, Equatable {
    let peak: Double
    let alpha: Double
    /// tp = alpha beta (s).
    let rise: Double
    let appearanceTime: Double

    init(peak: Double, alpha: Double, rise: Double, appearanceTime: Double) {
        self.peak = peak
        self.alpha = alpha
        self.rise = rise
        self.appearanceTime = appearanceTime
    }

    /// The classical form's parameters: `K = P e^alpha / tp^alpha`, `beta = tp / alpha`.
    init(k: Double, alpha: Double, beta: Double, appearanceTime: Double) {
        let tp = alpha * beta
        self.init(
            peak: k * Double.pow(tp, alpha) * Double.exp(-alpha), alpha: alpha, rise: tp, appearanceTime: appearanceTime
        )
    }

    var beta: Double { rise / alpha }

    func enhancement(at t: Double) -> Double {
        let x = t - appearanceTime
        guard x > 0 else { return 0 }
        let u = x / rise
        return peak * Double.exp(alpha * (Double.log(u) + 1 - u))
    }

    /// `f' = f alpha (1 / x - 1 / tp)`.
    func slope(at t: Double) -> Double {
        let x = t - appearanceTime
        guard x > 0 else { return 0 }
        return enhancement(at: t) * alpha * (1 / x - 1 / rise)
    }

    func integral(from a: Double, to b: Double) -> Double {
        ShapeNumerics.integral(enhancement, from: max(a, appearanceTime), to: b)
    }

    var timeToPeak: Double { appearanceTime + rise }
    var peakEnhancement: Double { peak }
    var meanTransitTime: Double { appearanceTime + (alpha + 1) * beta }
    /// `K beta^(alpha + 1) Gamma(alpha + 1) = P tp e^alpha alpha^-(alpha + 1) Gamma(alpha + 1)`.
    var area: Double {
        peak * rise * Double.exp(alpha - (alpha + 1) * Double.log(alpha) + Double.logGamma(alpha + 1))
    }
    /// `x = beta (alpha - sqrt(alpha))` (for alpha <= 1 the slope is largest right after t0).
    var steepestRiseTime: Double {
        alpha > 1 ? appearanceTime + beta * (alpha - alpha.squareRoot()) : appearanceTime + 1e-9 * rise
    }
    var steepestFallTime: Double { appearanceTime + beta * (alpha + alpha.squareRoot()) }
}
