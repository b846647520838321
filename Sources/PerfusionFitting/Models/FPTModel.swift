/// First-passage-time (inverse Gaussian) bolus model (docs/METHODS.md §4):
///
///     f(t) = O + AUC (e^lambda / mu) sqrt(lambda / (2 pi)) (mu / x)^(3/2) exp(-(lambda / 2)(mu / x + x / mu))
///
/// Parameters: AUC (a.u. s), mu (s), lambda, t0 (s), O (a.u.); value and gradient in ``RandomWalkForm``
/// with s = 1/2, q = 3/2. Closed forms: TTP = t0 + (mu / (2 lambda))(sqrt(9 + 4 lambda^2) - 3),
/// mean = t0 + mu, integral = AUC.
///
/// Reference: M. Mischi, J. A. den Boer, H. H. M. Korsten, "On the physical and stochastic representation of
/// an indicator dilution curve as a gamma variate", Physiol. Meas. 29 (2008), doi:10.1088/0967-3334/29/3/001.
struct FPTModel: RandomWalkModel {
    /// The model (it has no settings).
    init() {}

    static let modelName = "fpt"
    static let s = 0.5
    static let q = 1.5
    static let muMeaning = "mean first-passage time mu"
    static func modeRatio(_ lambda: Double) -> Double {
        ((9 + 4 * lambda * lambda).squareRoot() - 3) / (2 * lambda)
    }
    static func meanRatio(_ lambda: Double) -> Double { 1 }
}
