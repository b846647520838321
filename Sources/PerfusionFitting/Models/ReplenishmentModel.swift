/// Mono-exponential destruction-replenishment model (docs/METHODS.md §4), for curves recorded after a
/// destruction flash at `t_f`:
///
///     f(t) = O + A (1 - exp(-beta (t - t_f)))   for t > t_f,   f = O before
///
/// Parameters, in vector order: `A` (rBV, a.u.), `beta` (1/s), `t_f` (s), `O` (a.u.). With `e = exp(-beta x)`,
/// `x = t - t_f`:
///
///     df/dA = 1 - e,   df/dbeta = A x e,   df/dt_f = -A beta e,   df/dO = 1
///
/// Derived (``ReplenishmentParameters``): rBV = A, mTT = 1 / beta, PI = rBV / mTT = A beta, WiR = A beta
/// (the largest slope, at t_f).
///
/// Reference: K. Wei et al., "Quantification of myocardial blood flow with ultrasound-induced destruction of
/// microbubbles administered as a constant venous infusion", Circulation 97 (1998), doi:10.1161/01.CIR.97.5.473.
public struct ReplenishmentModel: CurveModel {
    /// The model (it has no settings).
    public init() {}

    /// Name used on the command line and in outputs.
    public var name: String { "replenishment" }
    /// Number of fitted parameters.
    public var parameterCount: Int { 4 }
    /// The parameters in vector order, with the names and units of their output columns.
    public var parameters: [ParameterDescriptor] {
        [
            ParameterDescriptor(symbol: "A", name: "a_au", unit: "a.u.", meaning: "plateau A above the offset (rBV)"),
            ParameterDescriptor(symbol: "beta", name: "beta_per_s", unit: "1/s", meaning: "refill rate beta"),
            ParameterDescriptor(symbol: "t_f", name: "t_flash_s", unit: "s", meaning: "flash time t_f"),
            ParameterDescriptor(symbol: "O", name: "offset_au", unit: "a.u.", meaning: "offset O"),
        ]
    }

    /// Model value (offset included) at `t` (s).
    public func value(at t: Double, parameters p: ParameterVector) -> Double {
        let x = t - p[2]
        guard x > 0 else { return p[3] }
        return p[3] + p[0] * (1 - Double.exp(-p[1] * x))
    }

    /// Model value and its gradient with respect to the parameters at `t` (s).
    public func valueAndGradient(at t: Double, parameters p: ParameterVector) -> (
        value: Double, gradient: ParameterVector
    ) {
        let x = t - p[2]
        guard x > 0 else { return (p[3], ParameterVector(0, 0, 0, 1, 0, 0, 0, 0)) }
        let e = Double.exp(-p[1] * x)
        return (p[3] + p[0] * (1 - e), ParameterVector(1 - e, p[0] * x * e, -p[0] * p[1] * e, 1, 0, 0, 0, 0))
    }

    /// Value and gradient for the sixteen samples of a ``SampleLanes`` block at once, in `Float` lanes (the SIMD twin of `valueAndGradient`).
    @inline(__always)
    public func block(at t: SampleLanes, parameters p: SIMD8<Float>) -> ModelBlock {
        let x = t - p[2]
        let positive = x .> SampleLanes(repeating: 0)
        let xs = SampleLanes(repeating: 0).replacing(with: x, where: positive)
        let e = VectorMath.exp(-p[1] * xs)
        let rise = (1 - e).replacing(with: 0, where: .!positive)
        let ae = (p[0] * e).replacing(with: 0, where: .!positive)
        return ModelBlock(
            value: p[0] * rise + p[3], d0: rise, d1: ae * xs, d2: -p[1] * ae, d3: SampleLanes(repeating: 1))
    }

    /// The flash at the lowest smoothed sample in the first third; the offset there; the plateau from the last
    /// tenth; beta from the time the curve first reaches 63 % of the way up.
    public func initialGuess(for curve: CurveSamples) -> Result<ParameterVector, CurveRejection> {
        let features = CurveFeatures(curve)
        if let ratio = features.faintPeakOverNoise { return .failure(.noEnhancement(peakOverNoise: ratio)) }
        let t = curve.times
        let y = curve.values
        let n = curve.count
        var lowest = 0
        for i in 0..<max(1, n / 3) where y[i] < y[lowest] { lowest = i }
        let offset = y[lowest]
        let tail = y[(n - max(1, n / 10))...]
        let plateau = tail.reduce(0, +) / Double(tail.count) - offset
        guard plateau > 0 else {
            return .failure(.notBolus(reason: "the curve does not rise after its lowest point (no replenishment)"))
        }
        var reach = n - 1
        for i in lowest..<n where y[i] - offset >= 0.632 * plateau {
            reach = i
            break
        }
        let beta = 1 / max(t[reach] - t[lowest], (t[n - 1] - t[0]) / Double(n))
        return .success(ParameterVector(plateau, beta, t[lowest], offset, 0, 0, 0, 0))
    }

    /// Further starting points tried when the fit from the initial guess does not converge.
    public func alternativeStarts(for curve: CurveSamples, from start: ParameterVector) -> [ParameterVector] {
        [0.3, 3].map { ParameterVector(start[0], start[1] * $0, start[2], start[3], 0, 0, 0, 0) }
    }

    /// `A >= 0`; `beta` between 1/(100 spans) and 10 per sample interval; `t_f` within the span (one span
    /// earlier at most); `O` free.
    public func bounds(for curve: CurveSamples) -> ParameterBounds {
        let (first, last, span, interval) = BolusScreen.timeScale(curve)
        return ParameterBounds(
            lower: ParameterVector(0, 0.01 / span, first - span, -.infinity, 0, 0, 0, 0),
            upper: ParameterVector(.infinity, 10 / interval, last, .infinity, 0, 0, 0, 0))
    }

    /// Not a bolus: the perfusion parameters of a bolus do not apply, and `--model auto` never chooses it.
    public var isBolus: Bool { false }

    /// None: replenishment is not a bolus.
    public func bolusShape(_ p: ParameterVector) -> (any BolusShape)? { nil }

    /// rBV, mTT and PI of the fitted parameters `p`.
    public func parameters(_ p: ParameterVector) -> ReplenishmentParameters {
        ReplenishmentParameters(relativeBloodVolume: p[0], meanTransitTime: 1 / p[1], perfusionIndex: p[0] * p[1])
    }
}

/// Destruction-replenishment parameters.
public struct ReplenishmentParameters: Sendable, Equatable {
    /// rBV: relative blood volume, the plateau A (a.u.).
    public let relativeBloodVolume: Double
    /// mTT = 1 / beta (s).
    public let meanTransitTime: Double
    /// PI = rBV / mTT = A beta (a.u./s); also the wash-in rate WiR, the slope at the flash.
    public let perfusionIndex: Double
}
