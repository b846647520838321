/// Local density random walk (diffusion with drift) bolus model (docs/METHODS.md §4):
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
struct LDRWModel: RandomWalkModel {
    /// The model (it has no settings).
    init() {}

    static let modelName = "ldrw"
    static let s = -0.5
    static let q = 0.5
    static let muMeaning = "mean transit time mu of the walk"
    static func modeRatio(_ lambda: Double) -> Double {
        ((1 + 4 * lambda * lambda).squareRoot() - 1) / (2 * lambda)
    }
    static func meanRatio(_ lambda: Double) -> Double { 1 + 1 / lambda }
}
