/// The enhancement of a fitted bolus curve above its offset, with the features the perfusion parameters
/// are computed from. Times are in seconds on the clip time axis; amplitudes in linear a.u.
///
/// A model with closed forms implements them here; the perfusion parameters (docs/METHODS.md §6) are then
/// derived from these members only, so every model gets the same definitions.
public protocol BolusShape: Sendable {
    /// Enhancement `f(t) - O` at `t`.
    func enhancement(at t: Double) -> Double
    /// Time derivative of the enhancement at `t` (a.u./s).
    func slope(at t: Double) -> Double
    /// Integral of the enhancement from `a` to `b` (a.u. s); `a <= b`.
    func integral(from a: Double, to b: Double) -> Double
    /// Time of the maximum (TTP, s).
    var timeToPeak: Double { get }
    /// Maximum enhancement (PE, a.u.).
    var peakEnhancement: Double { get }
    /// First moment of the enhancement (mTT, s, clip time axis).
    var meanTransitTime: Double { get }
    /// Total area under the enhancement (AUC, a.u. s).
    var area: Double { get }
    /// Time of the steepest rise (largest slope, s).
    var steepestRiseTime: Double { get }
    /// Time of the steepest fall (most negative slope, s).
    var steepestFallTime: Double { get }
}
