/// The samples of one time-intensity curve handed to a fit: times (s), intensities (a.u.) and, optionally,
/// residual weights.
///
/// Times must be finite and strictly increasing; the caller leaves excluded frames out.
public struct CurveSamples: Sendable, Equatable {
    /// Sample times in seconds, strictly increasing.
    public let times: [Double]
    /// Intensities in linear a.u., one per time.
    public let values: [Double]
    /// Residual weights, one per sample, or nil for ordinary least squares (every weight 1). The fit minimises
    /// `sum_i (w_i (y_i - f(t_i)))^2`, so `w_i` is proportional to `1 / sd(y_i)`.
    public let weights: [Double]?

    /// - Precondition: `times.count == values.count`, and `weights` (when given) as long, finite and positive.
    public init(times: [Double], values: [Double], weights: [Double]? = nil) {
        precondition(times.count == values.count, "times and values differ in length")
        if let weights {
            precondition(weights.count == times.count, "weights and values differ in length")
            precondition(weights.allSatisfy { $0.isFinite && $0 > 0 }, "weights must be finite and positive")
        }
        self.times = times
        self.values = values
        self.weights = weights
    }

    /// Number of samples.
    public var count: Int { times.count }

    /// The same samples with `weights` (nil: unweighted).
    public func weighted(_ weights: [Double]?) -> CurveSamples {
        CurveSamples(times: times, values: values, weights: weights)
    }
}
