/// The samples of one time-intensity curve handed to a fit: times (s) and intensities (a.u.).
///
/// Times must be finite and strictly increasing; the caller leaves excluded frames out.
public struct CurveSamples: Sendable, Equatable {
    /// Sample times in seconds, strictly increasing.
    public let times: [Double]
    /// Intensities in linear a.u., one per time.
    public let values: [Double]

    /// - Precondition: `times.count == values.count`.
    public init(times: [Double], values: [Double]) {
        precondition(times.count == values.count, "times and values differ in length")
        self.times = times
        self.values = values
    }

    /// Number of samples.
    public var count: Int { times.count }
}
