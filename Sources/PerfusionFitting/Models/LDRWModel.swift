/// Local density random walk (diffusion with drift) bolus model (REFERENCE.md §2):
///
///     f(t) = O + AUC (e^lambda / mu) sqrt(mu lambda / (2 pi x)) exp(-(lambda / 2)(mu / x + x / mu))
///
/// Parameters: AUC (a.u. s), mu (s), lambda, t0 (s), O (a.u.); value and gradient in ``RandomWalkForm``
/// with s = -1/2, q = 1/2. Closed forms: TTP = t0 + (mu / (2 lambda))(sqrt(1 + 4 lambda^2) - 1),
/// first moment = t0 + mu (1 + 1 / lambda), integral = AUC.
///
/// Reference: C. W. Sheppard, "Basic Principles of the Tracer Method" (1962); M. Mischi et al., "Contrast
/// echocardiography for pulmonary blood volume quantification", IEEE TUFFC 51 (2004),
/// doi:10.1109/TUFFC.2004.1334838.
public struct LDRWModel: CurveModel {
    let form = RandomWalkForm(s: -0.5, q: 0.5)

    public init() {}

    public var name: String { "ldrw" }
    public var parameterCount: Int { 5 }
    public var parameters: [ParameterDescriptor] {
        [
            ParameterDescriptor(name: "auc_au_s", meaning: "area AUC"),
            ParameterDescriptor(name: "mu_s", meaning: "mean transit time mu of the walk"),
            ParameterDescriptor(name: "lambda", meaning: "skewness lambda"),
            ParameterDescriptor(name: "t0_s", meaning: "appearance time t0"),
            ParameterDescriptor(name: "offset_au", meaning: "baseline offset O"),
        ]
    }

    static func modeRatio(_ lambda: Double) -> Double { ((1 + 4 * lambda * lambda).squareRoot() - 1) / (2 * lambda) }
    static func meanRatio(_ lambda: Double) -> Double { 1 + 1 / lambda }

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
