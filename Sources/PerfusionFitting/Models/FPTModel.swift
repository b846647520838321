/// First-passage-time (inverse Gaussian) bolus model (REFERENCE.md §2):
///
///     f(t) = O + AUC (e^lambda / mu) sqrt(lambda / (2 pi)) (mu / x)^(3/2) exp(-(lambda / 2)(mu / x + x / mu))
///
/// Parameters: AUC (a.u. s), mu (s), lambda, t0 (s), O (a.u.); value and gradient in ``RandomWalkForm``
/// with s = 1/2, q = 3/2. Closed forms: TTP = t0 + (mu / (2 lambda))(sqrt(9 + 4 lambda^2) - 3),
/// mean = t0 + mu, integral = AUC.
///
/// Reference: M. Mischi, J. A. den Boer, H. H. M. Korsten, "On the physical and stochastic representation of
/// an indicator dilution curve as a gamma variate", Physiol. Meas. 29 (2008), doi:10.1088/0967-3334/29/3/001.
public struct FPTModel: CurveModel {
    let form = RandomWalkForm(s: 0.5, q: 1.5)

    public init() {}

    public var name: String { "fpt" }
    public var parameterCount: Int { 5 }
    public var parameters: [ParameterDescriptor] {
        [
            ParameterDescriptor(name: "auc_au_s", meaning: "area AUC"),
            ParameterDescriptor(name: "mu_s", meaning: "mean first-passage time mu"),
            ParameterDescriptor(name: "lambda", meaning: "skewness lambda"),
            ParameterDescriptor(name: "t0_s", meaning: "appearance time t0"),
            ParameterDescriptor(name: "offset_au", meaning: "baseline offset O"),
        ]
    }

    static func modeRatio(_ lambda: Double) -> Double { ((9 + 4 * lambda * lambda).squareRoot() - 3) / (2 * lambda) }
    static func meanRatio(_ lambda: Double) -> Double { 1 }

    public func value(at t: Double, parameters p: ParameterVector) -> Double { form.value(at: t, parameters: p) }

    public func valueAndGradient(at t: Double, parameters p: ParameterVector) -> (
        value: Double, gradient: ParameterVector
    ) {
        form.valueAndGradient(at: t, parameters: p)
    }

    @inline(__always)
    public func block(at t: SIMD8<Float>, parameters p: SIMD8<Float>) -> ModelBlock { form.block(at: t, parameters: p) }

    public func initialGuess(for curve: CurveSamples) -> Result<ParameterVector, CurveRejection> {
        form.initialGuess(for: curve, modeRatio: Self.modeRatio, meanRatio: Self.meanRatio)
    }

    public func alternativeStarts(for curve: CurveSamples, from start: ParameterVector) -> [ParameterVector] {
        form.alternativeStarts(from: start)
    }

    public func bounds(for curve: CurveSamples) -> ParameterBounds { form.bounds(for: curve) }

    public func shape(_ p: ParameterVector) -> RandomWalkShape {
        RandomWalkShape(
            area: p[0], mu: p[1], lambda: p[2], appearanceTime: p[3], s: form.s, q: form.q,
            modeRatio: Self.modeRatio(p[2]), meanRatio: Self.meanRatio(p[2]))
    }
}
