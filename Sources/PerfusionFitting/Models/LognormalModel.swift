import RealModule

/// Lognormal bolus model, the default model of Echoflow.
///
///     f(t) = O + A / (x sigma sqrt(2 pi)) exp(-(ln x - mu)^2 / (2 sigma^2)),   x = t - t0 > 0
///     f(t) = O                                                              for t <= t0
///
/// Parameters, in vector order: `A` (area, a.u. s), `mu` (ln s), `sigma` (dimensionless), `t0` (s),
/// `O` (offset, a.u.). Gradient, with `L = ln x - mu` and `phi = exp(-L^2 / (2 sigma^2)) / (x sigma sqrt(2 pi))`:
///
///     df/dA = phi
///     df/dmu = A phi L / sigma^2
///     df/dsigma = A phi (L^2 / sigma^3 - 1 / sigma)
///     df/dt0 = (A phi / x) (1 + L / sigma^2)
///     df/dO = 1
///
/// References: docs/METHODS.md §4; M. Strouthos et al., "Indicator dilution models for the quantification of
/// microvascular blood flow with bolus administration of ultrasound contrast agents", IEEE TUFFC 57 (2010),
/// doi:10.1109/TUFFC.2010.1545.
public struct LognormalModel: CurveModel {
    /// The model (it has no settings).
    public init() {}

    /// Name used on the command line and in outputs.
    public var name: String { "lognormal" }
    /// Number of fitted parameters.
    public var parameterCount: Int { 5 }
    /// The parameters in vector order, with the names and units of their output columns.
    public var parameters: [ParameterDescriptor] {
        [
            ParameterDescriptor(symbol: "A", name: "auc_au_s", unit: "a.u. s", meaning: "area A under the enhancement"),
            ParameterDescriptor(symbol: "mu", name: "mu_ln_s", unit: "ln s", meaning: "mean mu of ln(t - t0)"),
            ParameterDescriptor(
                symbol: "sigma", name: "sigma", unit: "", meaning: "standard deviation sigma of ln(t - t0)"),
            ParameterDescriptor(symbol: "t0", name: "t0_s", unit: "s", meaning: "appearance time t0"),
            ParameterDescriptor(symbol: "O", name: "offset_au", unit: "a.u.", meaning: "baseline offset O"),
        ]
    }

    static let inverseRootTwoPi = 1 / (2 * Double.pi).squareRoot()

    /// Model value (offset included) at `t` (s).
    @inline(__always)
    public func value(at t: Double, parameters p: ParameterVector) -> Double {
        let x = t - p[3]
        guard x > 0 else { return p[4] }
        let sigma = p[2]
        let l = Double.log(x) - p[1]
        let phi = Double.exp(-l * l / (2 * sigma * sigma)) * Self.inverseRootTwoPi / (x * sigma)
        return p[4] + p[0] * phi
    }

    /// Sum of squared unweighted residuals (the QOF's), four samples at a time: ``value(at:parameters:)`` in lanes,
    /// with the `exp` and `log` of `DoubleLanes` (within one unit in the last place of the C library's, which the
    /// scalar sum called 600 times a curve, more time than the fit took) and four partial sums. It agrees with the
    /// scalar sum to about 1e-15 relative. Samples at or before the appearance time take the offset, whatever their
    /// lanes computed; a subnormal time since it (log about -709 in lanes, at most -708 exactly) gives a zero bolus
    /// either way for every sigma the bounds allow.
    public func residualSumOfSquares(_ curve: CurveSamples, parameters p: ParameterVector) -> Double {
        let n = curve.count
        typealias Lanes = DoubleLanes.Lanes
        let (t0, mu, sigma) = (Lanes(repeating: p[3]), Lanes(repeating: p[1]), p[2])
        let (area, offset) = (Lanes(repeating: p[0]), Lanes(repeating: p[4]))
        let twoVariance = Lanes(repeating: 2 * sigma * sigma)
        let sigmaLanes = Lanes(repeating: sigma)
        return curve.times.withUnsafeBufferPointer { tb in
            curve.values.withUnsafeBufferPointer { yb in
                let (tp, yp) = (tb.baseAddress!, yb.baseAddress!)
                var sums = Lanes.zero
                var sum = 0.0
                var i = 0
                while i + 4 <= n {
                    let x = UnsafeRawPointer(tp + i).loadUnaligned(as: Lanes.self) - t0
                    let y = UnsafeRawPointer(yp + i).loadUnaligned(as: Lanes.self)
                    let after = x .> 0
                    let l = DoubleLanes.log(x) - mu
                    let phi = DoubleLanes.exp(-l * l / twoVariance) * Self.inverseRootTwoPi / (x * sigmaLanes)
                    let r = y - offset.replacing(with: offset + area * phi, where: after)
                    sums += r * r
                    i += 4
                }
                while i < n {
                    let r = yp[i] - value(at: tp[i], parameters: p)
                    sum += r * r
                    i += 1
                }
                return sum + ((sums[0] + sums[1]) + (sums[2] + sums[3]))
            }
        }
    }

    /// Model value and its gradient with respect to the parameters at `t` (s).
    @inline(__always)
    public func valueAndGradient(at t: Double, parameters p: ParameterVector) -> (
        value: Double, gradient: ParameterVector
    ) {
        let x = t - p[3]
        guard x > 0 else {
            return (p[4], ParameterVector(0, 0, 0, 0, 1, 0, 0, 0))
        }
        let a = p[0]
        let sigma = p[2]
        let s2 = sigma * sigma
        let l = Double.log(x) - p[1]
        let phi = Double.exp(-l * l / (2 * s2)) * Self.inverseRootTwoPi / (x * sigma)
        let aphi = a * phi
        let gradient = ParameterVector(
            phi,
            aphi * l / s2,
            aphi * (l * l / (s2 * sigma) - 1 / sigma),
            aphi / x * (1 + l / s2),
            1, 0, 0, 0)
        return (p[4] + aphi, gradient)
    }

    /// Value and gradient for the sixteen samples of a ``SampleLanes`` block at once, in `Float` lanes (the SIMD twin of `valueAndGradient`).
    @inline(__always)
    public func block(at t: SampleLanes, parameters p: SIMD8<Float>) -> ModelBlock {
        weightedBlock(at: t, weight: SampleLanes(repeating: 1), parameters: p)
    }

    /// The block times the weights `w`, folded into `phi` (every derivative but `df/dO` is a multiple of it).
    @inline(__always)
    public func weightedBlock(at t: SampleLanes, weight w: SampleLanes, parameters p: SIMD8<Float>) -> ModelBlock {
        let x = t - p[3]
        // Lanes after the appearance time (x > 1e-30); the others evaluate at x = 1 and are zeroed. (A comparison
        // and masked moves: one instruction each with AVX-512.)
        let positive = x .> SampleLanes(repeating: 1e-30)
        let xs = SampleLanes(repeating: 1).replacing(with: x, where: positive)
        let inverseX = 1 / xs
        let inverseSigma = 1 / p[2]
        let inverseSigma2 = inverseSigma * inverseSigma
        let l = VectorMath.log(xs) - p[1]
        let lScaled = l * inverseSigma2
        let gauss = VectorMath.expOfNonPositive(-0.5 * l * lScaled)
        let phi = (gauss * inverseX * w * (Float(Self.inverseRootTwoPi) * inverseSigma))
            .replacing(with: 0, where: .!positive)
        let aphi = p[0] * phi
        return ModelBlock(
            value: VectorMath.fma(SampleLanes(repeating: p[4]), w, aphi),
            d0: phi,
            d1: aphi * lScaled,
            d2: aphi * (l * lScaled - 1) * inverseSigma,
            d3: aphi * inverseX * (1 + lScaled),
            d4: w)
    }

    /// Start from the curve's features (docs/METHODS.md §4): `t0` is the arrival time, and with the observed
    /// TTP and first moment mTT,
    ///
    ///     sigma^2 = (2/3) ln((mTT - t0) / (TTP - t0)),   mu = ln(TTP - t0) + sigma^2,
    ///     A = PE sigma sqrt(2 pi) exp(mu - sigma^2 / 2).
    ///
    /// `sigma` is kept in [0.2, 1.5] because truncated clips bias the first moment.
    public func initialGuess(for curve: CurveSamples) -> Result<ParameterVector, CurveRejection> {
        let features = CurveFeatures(curve)
        if let rejection = BolusScreen.reject(features) { return .failure(rejection) }
        let t0 = features.arrivalTime
        let rise = max(features.peakTime - t0, 1e-3)
        let ratio = (features.firstMoment - t0) / rise
        var sigma2 = ratio > 1 ? (2.0 / 3.0) * Double.log(ratio) : 0.25
        sigma2 = min(max(sigma2, 0.04), 2.25)
        let sigma = sigma2.squareRoot()
        let mu = Double.log(rise) + sigma2
        let area = features.enhancement * sigma * (2 * Double.pi).squareRoot() * Double.exp(mu - sigma2 / 2)
        return .success(ParameterVector(area, mu, sigma, t0, features.baseline, 0, 0, 0))
    }

    /// Narrower and wider shapes with the same peak time, and an earlier appearance time.
    public func alternativeStarts(for curve: CurveSamples, from start: ParameterVector) -> [ParameterVector] {
        let ttp = start[3] + Double.exp(start[1] - start[2] * start[2])
        return [(0.45, 0.0), (1.1, 0.0), (0.78, -0.5)].map { sigma, shift in
            let t0 = start[3] + shift * (ttp - start[3])
            let mu = Double.log(max(ttp - t0, 1e-3)) + sigma * sigma
            // Keep the peak height: A scales with sigma exp(mu - sigma^2 / 2).
            let peak = start[0] / (start[2] * Double.exp(start[1] - start[2] * start[2] / 2))
            return ParameterVector(peak * sigma * Double.exp(mu - sigma * sigma / 2), mu, sigma, t0, start[4], 0, 0, 0)
        }
    }

    /// `A >= 0`; `exp(mu)` between a quarter of the median frame interval and 20 times the span;
    /// `sigma` in [0.02, 4]; `t0` from one span before the first sample to the last sample; `O` free.
    public func bounds(for curve: CurveSamples) -> ParameterBounds {
        let first = curve.times.first ?? 0
        let last = curve.times.last ?? 1
        let span = max(last - first, 1e-6)
        let interval = span / Double(max(curve.count - 1, 1))
        return ParameterBounds(
            lower: ParameterVector(0, Double.log(interval / 4), 0.02, first - span, -.infinity, 0, 0, 0),
            upper: ParameterVector(.infinity, Double.log(20 * span), 4, last, .infinity, 0, 0, 0))
    }

    /// The fitted bolus with its closed forms.
    public func bolusShape(_ p: ParameterVector) -> (any BolusShape)? { shape(p) }

    func shape(_ p: ParameterVector) -> LognormalShape {
        LognormalShape(area: p[0], mu: p[1], sigma: p[2], appearanceTime: p[3])
    }
}

/// Closed forms of the lognormal bolus `A phi(t)` (offset removed). See ``LognormalModel``.
///
///     TTP = t0 + exp(mu - sigma^2)          mTT = t0 + exp(mu + sigma^2 / 2)
///     PE = A / (sigma sqrt(2 pi)) exp(sigma^2 / 2 - mu)       AUC = A
///     w(+/-) = (-1 +/- sqrt(1 + 4 / sigma^2)) / 2,   t(in/out) = t0 + exp(mu + sigma^2 (w(-/+) - 1))
///     integral from a to b = A [Phi((ln(b - t0) - mu) / sigma) - Phi((ln(a - t0) - mu) / sigma)]
public struct LognormalShape: BolusShape, Equatable {
    /// A (a.u. s).
    public let area: Double
    /// mu (ln s).
    let mu: Double
    /// sigma (dimensionless).
    let sigma: Double
    /// t0 (s).
    let appearanceTime: Double

    /// The bolus with area A (a.u. s), mu (ln s), sigma and appearance time t0 (s).
    public init(area: Double, mu: Double, sigma: Double, appearanceTime: Double) {
        self.area = area
        self.mu = mu
        self.sigma = sigma
        self.appearanceTime = appearanceTime
    }

    /// Enhancement above the offset at `t` (s), in a.u.
    public func enhancement(at t: Double) -> Double {
        let x = t - appearanceTime
        guard x > 0 else { return 0 }
        let l = Double.log(x) - mu
        return area * Double.exp(-l * l / (2 * sigma * sigma)) * LognormalModel.inverseRootTwoPi / (x * sigma)
    }

    /// d/dt of the enhancement: `-(f / x) (1 + L / sigma^2)`.
    public func slope(at t: Double) -> Double {
        let x = t - appearanceTime
        guard x > 0 else { return 0 }
        let l = Double.log(x) - mu
        return -enhancement(at: t) / x * (1 + l / (sigma * sigma))
    }

    /// Integral of the enhancement from `a` to `b` (a.u. s).
    public func integral(from a: Double, to b: Double) -> Double {
        area * (cumulative(b) - cumulative(a))
    }

    /// Fraction of the area before `t`: `Phi((ln(t - t0) - mu) / sigma)`.
    func cumulative(_ t: Double) -> Double {
        let x = t - appearanceTime
        guard x > 0 else { return 0 }
        let z = (Double.log(x) - mu) / sigma
        return 0.5 * Double.erfc(-z / 2.0.squareRoot())
    }

    /// TTP: time of the maximum (s).
    public var timeToPeak: Double { appearanceTime + Double.exp(mu - sigma * sigma) }
    /// PE: the maximum enhancement (a.u.).
    public var peakEnhancement: Double {
        area / (sigma * (2 * Double.pi).squareRoot()) * Double.exp(sigma * sigma / 2 - mu)
    }
    /// mTT: first moment of the enhancement on the clip time axis (s).
    public var meanTransitTime: Double { appearanceTime + Double.exp(mu + sigma * sigma / 2) }
    /// Full width at half maximum (s): `2 exp(mu - sigma^2) sinh(sigma sqrt(2 ln 2))`.
    var fullWidthHalfMaximum: Double {
        2 * Double.exp(mu - sigma * sigma) * Double.sinh(sigma * (2 * Double.log(2.0)).squareRoot())
    }
    /// Time of the largest slope (s).
    public var steepestRiseTime: Double {
        let w = (-1 - (1 + 4 / (sigma * sigma)).squareRoot()) / 2
        return appearanceTime + Double.exp(mu + sigma * sigma * (w - 1))
    }
    /// Time of the most negative slope (s).
    public var steepestFallTime: Double {
        let w = (-1 + (1 + 4 / (sigma * sigma)).squareRoot()) / 2
        return appearanceTime + Double.exp(mu + sigma * sigma * (w - 1))
    }
}
