import Foundation

/// Builds time-intensity curves from a clip: decodes frames in parallel, one at a time per core (memory does
/// not grow with the clip), linearizes the contrast pane and averages each region.
public struct CurveExtractor: Sendable {
    let clip: Clip
    let masks: [RegionMask]

    /// - Precondition: masks were built for the clip's contrast pane size.
    public init(clip: Clip, masks: [RegionMask]) {
        self.clip = clip
        self.masks = masks
    }

    /// One curve per mask, in mask order.
    ///
    /// - Parameter progress: called with the number of frames done so far (from worker threads).
    /// - Complexity: O(frames x region pixels); frames decoded concurrently on all cores.
    public func curves(progress: (@Sendable (Int) -> Void)? = nil) throws -> [TimeIntensityCurve] {
        let pane = clip.contrastPane
        let frameWidth = clip.source.width
        // Frame sample offsets of every region pixel (before multiplying by the channel count).
        let offsets: [[Int]] = masks.map { mask in
            mask.indices.map { index in
                let row = index / mask.paneWidth
                let col = index % mask.paneWidth
                return (pane.y + row) * frameWidth + pane.x + col
            }
        }
        let tables = LinearizationTables(linearization: clip.linearization)
        let done = ProgressCounter()
        let source = clip.source
        let perFrame: [[(sum: Double, saturated: Int)]] = try parallelMap(clip.frameCount) { index in
            let frame = try source.frame(at: index)
            let result = offsets.map { tables.accumulate(frame, offsets: $0) }
            if let progress { progress(done.increment()) }
            return result
        }
        let excludedSet = Set(clip.excludedFrames)
        let excluded = (0..<clip.frameCount).map { excludedSet.contains($0) }
        return masks.enumerated().map { r, mask in
            let n = Double(mask.pixelCount)
            return TimeIntensityCurve(
                region: mask.name, pixelCount: mask.pixelCount, times: clip.times,
                intensities: perFrame.map { $0[r].sum / n },
                saturatedPercent: perFrame.map { 100 * Double($0[r].saturated) / n },
                excluded: excluded)
        }
    }
}

/// Power lookup tables for 8- and 16-bit, grey and colour frames, built lazily once per extraction.
struct LinearizationTables: Sendable {
    let grey8: [Double]
    let color8: [[Double]]
    let linearization: Linearization
    let grey16: LazyTable

    init(linearization: Linearization) {
        self.linearization = linearization
        grey8 = linearization.lookupTable(maxValue: 255)
        color8 = linearization.colorLookupTables(maxValue: 255)
        grey16 = LazyTable(linearization: linearization)
    }

    /// Sum of linear power and count of saturated pixels over the given frame offsets.
    func accumulate(_ frame: Frame, offsets: [Int]) -> (sum: Double, saturated: Int) {
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
        return (sum, saturated)
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
