import Foundation

/// Builds time-intensity curves from a clip: decodes frames in parallel, one at a time per core (memory does
/// not grow with the clip), screens each frame (flash, duplicate, and with motion compensation its displacement and
/// match to the reference frame), linearizes the contrast pane and averages each region, moved with the frame when
/// motion is compensated (docs/METHODS.md §9).
public struct CurveExtractor: Sendable {
    let clip: Clip
    let masks: [RegionMask]
    /// The motion reference named by the region file (`referenceFrame`); a flag's (`Clip.motionReference`) wins.
    let regionReferenceFrame: Int?
    /// What the frame screen found on an earlier extraction of the same clip, reused (the viewer).
    let screen: FrameScreen?

    /// - Parameters:
    ///   - clip: the opened clip.
    ///   - masks: the regions' pixels, one mask per region.
    ///   - referenceFrame: the frame the regions were drawn on (the motion reference), when the region file names
    ///     it.
    ///   - screen: keeps what does not depend on the regions (each frame's pane level and checksum, the
    ///     duplicates) from one extraction of `clip` for the next; nil computes them every time.
    /// - Precondition: masks were built for the clip's contrast pane size.
    public init(clip: Clip, masks: [RegionMask], referenceFrame: Int? = nil, screen: FrameScreen? = nil) {
        self.clip = clip
        self.masks = masks
        regionReferenceFrame = referenceFrame
        self.screen = screen
    }

    /// One curve per mask, in mask order.
    public func curves(progress: (@Sendable (Int) -> Void)? = nil) throws -> [TimeIntensityCurve] {
        try extract(progress: progress).curves
    }

    /// What one frame gave: region sums, the pane level, a checksum and the motion measured.
    struct FrameSample: Sendable {
        var sums: [(sum: Double, saturated: Int, pixels: Int)]
        var paneMean: Double
        /// Pane pixels sampled for the pane mean, and those no colour-map entry matched.
        var unmatched: Int
        var sampled: Int
        var checksum: UInt64
        var motion: (dx: Double, dy: Double, correlation: Double, trusted: Bool)?
        var regionLeftPane = false
    }

    /// Curves per mask and the frame log: why frames are excluded and, with motion compensation, how they moved.
    ///
    /// - Parameter progress: called with the number of frames done so far (from worker threads).
    /// - Complexity: O(frames x (region pixels + pane pixels / 4)), plus two FFTs of the motion pane per frame
    ///   with motion compensation; frames decoded concurrently on all cores.
    public func extract(progress: (@Sendable (Int) -> Void)? = nil) throws -> Extraction {
        let pane = clip.contrastPane
        let frameWidth = clip.source.width
        let count = clip.frameCount
        let rules = clip.frameRules
        let manual = Set(clip.excludedFrames)
        // Region pixels as (row, col) in the pane and as frame sample offsets (before the channel count).
        let pixels: [[(row: Int, col: Int)]] = masks.map { mask in
            mask.indices.map { (row: $0 / mask.paneWidth, col: $0 % mask.paneWidth) }
        }
        let offsets: [[Int]] = pixels.map { region in
            region.map { (pane.y + $0.row) * frameWidth + pane.x + $0.col }
        }
        let tables = LinearizationTables(linearization: clip.linearization, colorMap: clip.colorMap)
        let source = clip.source

        // Motion: the reference frame (a flag, then the region file, then the most similar frame), and the pane
        // it is measured on (B-mode when the clip has one).
        var track: (reference: Int, rule: MotionReferenceRule, estimator: MotionEstimator)?
        if rules.motion {
            let motionPane = clip.bmodePane ?? pane
            guard motionPane.width >= 4, motionPane.height >= 4 else {
                throw CEUSImagingError.invalidField(
                    path: clip.path, field: "motion",
                    detail: "the pane motion is measured on is \(motionPane), too small to align (at least 4x4 pixels)")
            }
            let reference: Int
            let rule: MotionReferenceRule
            if let flag = clip.motionReference {
                (reference, rule) = (flag, .flag)
            } else if let named = regionReferenceFrame {
                guard named < count else {
                    throw CEUSImagingError.invalidField(
                        path: "region file", field: "referenceFrame",
                        detail: "frame index \(named) is outside 0...\(count - 1) (indices count from 0)")
                }
                (reference, rule) = (named, .regionFile)
            } else {
                if let known = screen?.mostSimilarFrame {
                    reference = known
                } else {
                    let allowed = (0..<count).filter { !manual.contains($0) }
                    reference = try MotionEstimator.mostSimilarFrame(
                        source, pane: motionPane, allowed: allowed.isEmpty ? Array(0..<count) : allowed)
                    screen?.keep(mostSimilarFrame: reference)
                }
                rule = .mostSimilar
            }
            let estimator = MotionEstimator(reference: try source.frame(at: reference), pane: motionPane)
            // A pane without texture (one grey level) gives nothing to align on: every frame would correlate 0.
            guard estimator.hasTexture else {
                throw CEUSImagingError.invalidField(
                    path: clip.path, field: "motion",
                    detail:
                        "the \(clip.bmodePane != nil ? "B-mode" : "contrast") pane \(motionPane) of the reference frame \(reference) is flat (a single grey level), so motion cannot be measured on it; check the pane rectangle, or analyse without --motion"
                )
            }
            track = (reference, rule, estimator)
        }

        let done = ProgressCounter()
        let estimator = track?.estimator
        let screened = screen?.levels
        let measured = track.flatMap { screen?.motion(reference: $0.reference) }
        let samples: [FrameSample] = try parallelMap(count) { index in
            let frame = try source.frame(at: index)
            var sample: FrameSample
            if let known = screened?[index] {
                sample = FrameSample(
                    sums: [], paneMean: known.paneMean, unmatched: known.unmatched, sampled: known.sampled,
                    checksum: known.checksum, motion: nil)
            } else {
                let level = tables.paneMean(frame, pane)
                sample = FrameSample(
                    sums: [], paneMean: level.mean, unmatched: level.unmatched, sampled: level.sampled,
                    checksum: frame.checksum, motion: nil)
            }
            if let estimator {
                let m = measured?[index] ?? estimator.measure(frame)
                // A displacement is trusted when the aligned frame matches the reference and it stays within a
                // quarter of the pane; an untrusted frame's regions are not moved (and on a B-mode pane the frame
                // is out of plane).
                let trusted =
                    m.correlation >= rules.minimumCorrelation && abs(m.dx) <= Double(estimator.pane.width) / 4
                    && abs(m.dy) <= Double(estimator.pane.height) / 4
                sample.motion = (m.dx, m.dy, m.correlation, trusted)
                // The frame's content moved by (dx, dy): each region is read where its pixels moved to, rounded to
                // whole pixels; pixels moved out of the pane are left out.
                let (sx, sy) = trusted ? (Int(m.dx.rounded()), Int(m.dy.rounded())) : (0, 0)
                sample.sums = pixels.map { region in
                    var moved: [Int] = []
                    moved.reserveCapacity(region.count)
                    for p in region {
                        let (r, c) = (p.row + sy, p.col + sx)
                        if r >= 0 && r < pane.height && c >= 0 && c < pane.width {
                            moved.append((pane.y + r) * frameWidth + pane.x + c)
                        }
                    }
                    let s = tables.accumulate(frame, offsets: moved)
                    return (s.sum, s.saturated, moved.count)
                }
                sample.regionLeftPane = zip(sample.sums, pixels).contains { $0.pixels * 2 < $1.count }
            } else {
                sample.sums = offsets.map {
                    let s = tables.accumulate(frame, offsets: $0)
                    return (s.sum, s.saturated, $0.count)
                }
            }
            if let progress { progress(done.increment()) }
            return sample
        }

        // Reasons, in order of precedence: manual, flash, duplicate, out of plane.
        var reasons = [FrameExclusion?](repeating: nil, count: count)
        func mark(_ i: Int, _ reason: FrameExclusion) {
            if reasons[i] == nil || reason < reasons[i]! { reasons[i] = reason }
        }
        for i in manual { mark(i, .manual) }
        if rules.automatic {
            for i in FlashRule.flashes(samples.map(\.paneMean)) { mark(i, .flash) }
            // Equal checksums are confirmed by comparing the decoded frames.
            var duplicates: [Int] = []
            if let known = screen?.duplicates {
                duplicates = known
            } else {
                for i in 1..<max(count, 1) where samples[i].checksum == samples[i - 1].checksum {
                    if try source.frame(at: i) == source.frame(at: i - 1) { duplicates.append(i) }
                }
            }
            for i in duplicates { mark(i, .duplicate) }
            screen?.keep(duplicates: duplicates)
            if rules.motion {
                let onBmode = clip.bmodePane != nil
                for i in 0..<count {
                    if samples[i].regionLeftPane { mark(i, .outOfPlane) }
                    if onBmode, let m = samples[i].motion, !m.trusted { mark(i, .outOfPlane) }
                }
            }
        }

        screen?.keep(
            levels: samples.map {
                FrameScreen.Level(
                    paneMean: $0.paneMean, unmatched: $0.unmatched, sampled: $0.sampled, checksum: $0.checksum)
            })
        if let track, measured == nil {
            screen?.keep(
                motion: samples.map { ($0.motion?.dx ?? 0, $0.motion?.dy ?? 0, $0.motion?.correlation ?? 0) },
                reference: track.reference)
        }
        let excluded = reasons.map { $0 != nil }
        let curves = masks.enumerated().map { r, mask in
            TimeIntensityCurve(
                region: mask.name, pixelCount: mask.pixelCount, times: clip.times,
                intensities: samples.map { $0.sums[r].pixels > 0 ? $0.sums[r].sum / Double($0.sums[r].pixels) : .nan },
                saturatedPercent: samples.map {
                    $0.sums[r].pixels > 0 ? 100 * Double($0.sums[r].saturated) / Double($0.sums[r].pixels) : 0
                },
                excluded: excluded.enumerated().map { i, e in e || samples[i].sums[r].pixels == 0 },
                exclusions: reasons)
        }
        let motion = track.map { t in
            MotionTrack(
                referenceFrame: t.reference, rule: t.rule, onBmodePane: clip.bmodePane != nil,
                dx: samples.map { m in m.motion.map { $0.trusted ? $0.dx : .nan } ?? 0 },
                dy: samples.map { m in m.motion.map { $0.trusted ? $0.dy : .nan } ?? 0 },
                correlation: samples.map { $0.motion?.correlation ?? 1 })
        }
        return Extraction(
            curves: curves,
            frames: FrameLog(
                times: clip.times, exclusions: reasons, paneMeanPower: samples.map(\.paneMean), motion: motion,
                colorMap: clip.colorMap?.name,
                colorMapUnmatchedPercent: clip.colorMap.map { _ in
                    100 * Double(samples.map(\.unmatched).reduce(0, +))
                        / Double(max(1, samples.map(\.sampled).reduce(0, +)))
                }))
    }
}

/// Curves and the frame log of one extraction.
public struct Extraction: Sendable {
    /// One curve per region, in region order.
    public let curves: [TimeIntensityCurve]
    /// Per frame: why it is excluded, the pane level and the motion.
    public let frames: FrameLog
}

/// How the motion reference frame was chosen.
public enum MotionReferenceRule: String, Sendable, Codable {
    /// `--motion-reference`.
    case flag = "--motion-reference"
    /// `referenceFrame` of the region file.
    case regionFile = "referenceFrame in the region file"
    /// Neither was given: the frame most similar to the others (`MotionEstimator`).
    case mostSimilar = "the frame most similar to the others"
}

/// The motion of every frame against the reference frame.
public struct MotionTrack: Sendable {
    /// The reference frame (index from 0).
    public let referenceFrame: Int
    /// How it was chosen.
    public let rule: MotionReferenceRule
    /// Whether motion was measured on a B-mode pane (else on the contrast pane).
    public let onBmodePane: Bool
    /// Displacement of each frame's content relative to the reference frame (px); NaN where it could not be
    /// trusted (correlation below the threshold, or more than a quarter of the pane): those frames' regions were
    /// not moved.
    public let dx: [Double]
    public let dy: [Double]

    /// Frames whose displacement could not be trusted.
    public var unmeasured: [Int] { dx.indices.filter { !dx[$0].isFinite } }
    /// Normalised correlation of each aligned frame with the reference frame.
    public let correlation: [Double]
}

/// Per-frame screening results of a clip.
public struct FrameLog: Sendable {
    /// Frame times (s).
    public let times: [Double]
    /// Why each frame is excluded (nil: included).
    public let exclusions: [FrameExclusion?]
    /// Mean linear power of the contrast pane (every second pixel of every second row), a.u.
    public let paneMeanPower: [Double]
    /// Motion, when compensated.
    public let motion: MotionTrack?
    /// The tinted colour map inverted (nil for grey).
    public var colorMap: String? = nil
    /// Share of sampled contrast-pane pixels (every frame) that no colour-map entry matched within
    /// `ColorMap.tolerance` (%); nil without a colour map.
    public var colorMapUnmatchedPercent: Double? = nil

}

extension Frame {
    /// Checksum of the decoded samples (``ContentHasher``).
    var checksum: UInt64 {
        var hasher = ContentHasher()
        switch samples {
        case .uint8(let s): s.withUnsafeBytes { hasher.mix($0) }
        case .uint16(let s): s.withUnsafeBytes { hasher.mix($0) }
        }
        return hasher.state
    }
}

/// Power lookup tables for 8- and 16-bit, grey and colour frames, built lazily once per extraction.
struct LinearizationTables: Sendable {
    let grey8: [Double]
    let color8: [[Double]]
    let linearization: Linearization
    let grey16: LazyTable
    /// Colour-to-level inversion of a tinted map (nil: grey or luminance).
    let inverter: ColorMapInverter?

    init(linearization: Linearization, colorMap: ColorMap? = nil) {
        self.linearization = linearization
        grey8 = linearization.lookupTable(maxValue: 255)
        color8 = linearization.colorLookupTables(maxValue: 255)
        grey16 = LazyTable(linearization: linearization)
        inverter = colorMap.map(ColorMapInverter.init)
    }

    /// Mean linear power over every second pixel of every second row of `pane` (the flash rule's level), the
    /// pixels sampled and, with a colour map, how many matched no entry.
    func paneMean(_ frame: Frame, _ pane: PixelRect) -> (mean: Double, sampled: Int, unmatched: Int) {
        // The common case, 8-bit grey without a colour map, without building an offset list.
        if inverter == nil, !frame.isColor, case .uint8(let s) = frame.samples {
            let c = frame.channels
            var (sum, count) = (0.0, 0)
            s.withUnsafeBufferPointer { px in
                grey8.withUnsafeBufferPointer { table in
                    for row in stride(from: pane.y, to: pane.y + pane.height, by: 2) {
                        let base = row * frame.width
                        for col in stride(from: pane.x, to: pane.x + pane.width, by: 2) {
                            sum += table[Int(px[(base + col) * c])]
                            count += 1
                        }
                    }
                }
            }
            return (sum / Double(max(count, 1)), count, 0)
        }
        var offsets: [Int] = []
        offsets.reserveCapacity((pane.width / 2 + 1) * (pane.height / 2 + 1))
        for row in stride(from: pane.y, to: pane.y + pane.height, by: 2) {
            for col in stride(from: pane.x, to: pane.x + pane.width, by: 2) { offsets.append(row * frame.width + col) }
        }
        let s = accumulate(frame, offsets: offsets)
        return (s.sum / Double(max(offsets.count, 1)), offsets.count, s.unmatched)
    }

    /// Sum of linear power, count of saturated pixels and (with a colour map) of unmatched pixels over the given
    /// frame offsets, through the colour map.
    func accumulateMapped(_ frame: Frame, offsets: [Int], _ inverter: ColorMapInverter) -> (
        sum: Double, saturated: Int, unmatched: Int
    ) {
        var (sum, saturated, unmatched) = (0.0, 0, 0)
        let c = frame.channels
        func add(_ r: Int, _ g: Int, _ b: Int) {
            let found = inverter.level(r, g, b)
            sum += grey8[found.level]
            if found.level == 255 { saturated += 1 }
            if !found.matched { unmatched += 1 }
        }
        switch frame.samples {
        case .uint8(let s):
            for o in offsets {
                let base = o * c
                if c >= 3 {
                    add(Int(s[base]), Int(s[base + 1]), Int(s[base + 2]))
                } else {
                    let v = Int(s[base])
                    add(v, v, v)
                }
            }
        case .uint16(let s):
            for o in offsets {
                let base = o * c
                if c >= 3 {
                    add(Int(s[base] >> 8), Int(s[base + 1] >> 8), Int(s[base + 2] >> 8))
                } else {
                    let v = Int(s[base] >> 8)
                    add(v, v, v)
                }
            }
        }
        return (sum, saturated, unmatched)
    }

    /// Sum of linear power, count of saturated pixels and of pixels no colour-map entry matched (0 without a map)
    /// over the given frame offsets.
    func accumulate(_ frame: Frame, offsets: [Int]) -> (sum: Double, saturated: Int, unmatched: Int) {
        if let inverter { return accumulateMapped(frame, offsets: offsets, inverter) }
        var sum = 0.0
        var saturated = 0
        let c = frame.channels
        switch frame.samples {
        case .uint8(let s):
            s.withUnsafeBufferPointer { px in
                if frame.isColor {
                    let (t0, t1, t2) = (color8[0], color8[1], color8[2])
                    for o in offsets {
                        let base = o * c
                        let (r, g, b) = (Int(px[base]), Int(px[base + 1]), Int(px[base + 2]))
                        sum += t0[r] * t1[g] * t2[b]
                        if r == 255 && g == 255 && b == 255 { saturated += 1 }
                    }
                } else {
                    for o in offsets {
                        let v = Int(px[o * c])
                        sum += grey8[v]
                        if v == 255 { saturated += 1 }
                    }
                }
            }
        case .uint16(let s):
            let tables = grey16.tables()
            s.withUnsafeBufferPointer { px in
                if frame.isColor {
                    for o in offsets {
                        let base = o * c
                        let (r, g, b) = (Int(px[base]), Int(px[base + 1]), Int(px[base + 2]))
                        sum += tables.color[0][r] * tables.color[1][g] * tables.color[2][b]
                        if r == 65535 && g == 65535 && b == 65535 { saturated += 1 }
                    }
                } else {
                    for o in offsets {
                        let v = Int(px[o * c])
                        sum += tables.grey[v]
                        if v == 65535 { saturated += 1 }
                    }
                }
            }
        }
        return (sum, saturated, 0)
    }
}

/// 16-bit tables (65,536 entries each) are built on first use only.
final class LazyTable: @unchecked Sendable {
    private let linearization: Linearization
    private var built: (grey: [Double], color: [[Double]])?
    private let lock = NSLock()

    init(linearization: Linearization) { self.linearization = linearization }

    func tables() -> (grey: [Double], color: [[Double]]) {
        lock.withLock {
            if let built { return built }
            let t = (linearization.lookupTable(maxValue: 65535), linearization.colorLookupTables(maxValue: 65535))
            built = t
            return t
        }
    }
}

/// What screening a clip's frames found that does not depend on the regions: each frame's contrast-pane level and
/// checksum, the duplicate frames, and with motion compensation the most similar frame and each frame's
/// displacement against a reference frame. Kept by the viewer between extractions of one clip, so that a new region
/// costs only its own pixels. Safe to share between threads.
public final class FrameScreen: @unchecked Sendable {
    struct Level: Sendable {
        var paneMean: Double
        var unmatched: Int
        var sampled: Int
        var checksum: UInt64
    }

    private let lock = NSLock()
    private var storedLevels: [Level]?
    private var storedDuplicates: [Int]?
    private var storedMostSimilar: Int?
    /// Each frame's measured displacement and correlation, per motion reference frame.
    private var storedMotion: [Int: [(dx: Double, dy: Double, correlation: Double)]] = [:]

    /// An empty screen: the first extraction fills it.
    public init() {}

    var levels: [Level]? { lock.withLock { storedLevels } }
    var duplicates: [Int]? { lock.withLock { storedDuplicates } }

    func keep(levels: [Level]) { lock.withLock { if storedLevels == nil { storedLevels = levels } } }
    func keep(duplicates: [Int]) { lock.withLock { if storedDuplicates == nil { storedDuplicates = duplicates } } }

    var mostSimilarFrame: Int? { lock.withLock { storedMostSimilar } }
    func keep(mostSimilarFrame frame: Int) { lock.withLock { storedMostSimilar = frame } }

    func motion(reference: Int) -> [(dx: Double, dy: Double, correlation: Double)]? {
        lock.withLock { storedMotion[reference] }
    }
    func keep(motion: [(dx: Double, dy: Double, correlation: Double)], reference: Int) {
        lock.withLock { storedMotion[reference] = motion }
    }
}
