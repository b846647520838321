/// The time-intensity curve (TIC) of one region: mean linear echo power per frame.
public struct TimeIntensityCurve: Sendable, Equatable {
    /// Region name.
    public let region: String
    /// Pixels in the region.
    public let pixelCount: Int
    /// Frame times (s).
    public let times: [Double]
    /// Mean linear echo power of the region per frame (a.u., P_top = 1).
    public let intensities: [Double]
    /// Percentage of the region's pixels at the largest display value, per frame (%).
    public let saturatedPercent: [Double]
    /// Whether each frame is excluded from fits.
    public let excluded: [Bool]
    /// Why each frame is excluded by a frame rule (nil when it is not, or only as an isolated outlier of this
    /// region).
    public let exclusions: [FrameExclusion?]

    init(
        region: String, pixelCount: Int, times: [Double], intensities: [Double], saturatedPercent: [Double],
        excluded: [Bool], exclusions: [FrameExclusion?]? = nil
    ) {
        self.region = region
        self.pixelCount = pixelCount
        self.times = times
        self.intensities = intensities
        self.saturatedPercent = saturatedPercent
        self.excluded = excluded
        self.exclusions = exclusions ?? excluded.map { $0 ? .manual : nil }
    }

    /// Largest per-frame saturated percentage (%).
    public var maximumSaturatedPercent: Double { saturatedPercent.max() ?? 0 }

    /// The same curve with `frames` (indices from 0) excluded as well.
    public func excluding(_ frames: [Int]) -> TimeIntensityCurve {
        var flags = excluded
        for f in frames where flags.indices.contains(f) { flags[f] = true }
        return TimeIntensityCurve(
            region: region, pixelCount: pixelCount, times: times, intensities: intensities,
            saturatedPercent: saturatedPercent, excluded: flags, exclusions: exclusions)
    }

    /// Indices of the frames that are not excluded.
    public var includedFrames: [Int] { times.indices.filter { !excluded[$0] } }

    /// Times and intensities of the frames that are not excluded.
    public var includedSamples: (times: [Double], values: [Double]) {
        var t: [Double] = []
        var y: [Double] = []
        for i in times.indices where !excluded[i] {
            t.append(times[i])
            y.append(intensities[i])
        }
        return (t, y)
    }
}
