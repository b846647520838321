import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

/// The frame rules (docs/METHODS.md §9) on curves and clips built to trigger and not to trigger them.
@Suite("Frame rules: flash, duplicate, manual")
struct FrameRuleTests {
    /// Pane means of a bolus (lognormal, from a low tissue level) with multiplicative jitter `jitter` (log sd).
    func bolusMeans(count: Int, rate: Double, jitter: Double, seed: UInt64) -> [Double] {
        var rng = TestRandom(seed: seed)
        return (0..<count).map { i in
            let t = Double(i) / rate
            // Lognormal wash-in from t0 = 8 s: mu 2.4, sigma 0.6 (a fast NET lesion), on a tissue level of 0.002.
            let x = t - 8
            let bolus = x > 0 ? 0.05 * exp(-pow(log(x) - 2.4, 2) / 0.72) / x : 0
            return (0.002 + bolus) * exp(jitter * rng.normal())
        }
    }

    @Test("a bolus with 20 % jitter at 15 Hz has no flash frame, however steep its wash-in", arguments: 0..<10)
    func bolusIsNotAFlash(seed: Int) {
        // 20 % frame-to-frame jitter is the top of what clips show (REFERENCE.md §7); the wash-in of this bolus
        // multiplies the level by 13 within 2 s.
        let means = bolusMeans(count: 1800, rate: 15, jitter: 0.2, seed: UInt64(seed))
        #expect(FlashRule.flashes(means).isEmpty)
    }

    @Test(
        "flashes of one to three frames are found wherever they fall; the dark frames after them are kept",
        arguments: [(1, 100), (2, 300), (3, 40), (1, 0), (2, 598)])
    func flashesFound(length: Int, start: Int) {
        var means = bolusMeans(count: 600, rate: 5, jitter: 0.1, seed: 7)
        for i in start..<min(start + length, means.count) { means[i] *= 6 }  // +7.8 dB frame-wide
        // A destruction pulse: after it, the bubbles are gone for a second (5 frames at 5 % of the level).
        for i in (start + length)..<min(start + length + 5, means.count) { means[i] *= 0.05 }
        #expect(FlashRule.flashes(means) == Array(start..<min(start + length, means.count)))
    }

    @Test("a rise of 2 (3 dB) over both sides is not a flash; 3 (4.8 dB) is")
    func threshold() {
        let flat = [Double](repeating: 1, count: 21)
        var small = flat
        small[10] = 2
        var large = flat
        large[10] = 3
        #expect(FlashRule.flashes(small).isEmpty)
        #expect(FlashRule.flashes(large) == [10])
    }

    /// A speckle clip: `frames` frames of 16 x 12 random grey levels; frame k is written as `source(k)`.
    func writeClip(_ folder: String, frames: Int, source: (Int) -> Int, clipJSON: String) {
        var rng = TestRandom(seed: 5)
        let distinct = (0..<frames).map { _ in (0..<(16 * 12)).map { _ in UInt8(60 + Int(rng.uniform() * 100)) } }
        writeGreyClip(
            folder, frames: (0..<frames).map { distinct[source($0)] }, width: 16, height: 12, clipJSON: clipJSON)
    }

    func extract(_ folder: String, options: ClipOptions = ClipOptions()) throws -> Extraction {
        let clip = try Clip.open(folder, options: options)
        let mask = RegionMask(name: "all", paneWidth: 16, paneHeight: 12, indices: Array(0..<(16 * 12)))
        return try CurveExtractor(clip: clip, masks: [mask]).extract()
    }

    @Test("frames equal to their predecessor are duplicates; manual wins over duplicate; --keep-all-frames keeps them")
    func duplicatesAndManual() throws {
        let folder = TestPaths.temporaryFolder("dupes")
        // Frames 4 and 5 repeat frame 3 (a 3x resampled export); frame 9 repeats 8; frame 12 repeats frame 3 but
        // not its own predecessor, so it is kept.
        let sources = [0, 1, 2, 3, 3, 3, 6, 7, 8, 8, 10, 11, 3, 13]
        writeClip(
            folder, frames: sources.count, source: { sources[$0] },
            clipJSON: #"{"frameRate": 10, "excludedFrames": [5]}"#)
        let log = try extract(folder, options: ClipOptions(excludedFrames: [1, 2])).frames
        var expected = [FrameExclusion?](repeating: nil, count: sources.count)
        for i in [1, 2, 5] { expected[i] = .manual }
        expected[4] = .duplicate
        expected[9] = .duplicate
        #expect(log.exclusions == expected)
        let kept = try extract(folder, options: ClipOptions(keepAllFrames: true)).frames
        #expect(kept.exclusions.compactMap { $0 } == [.manual])
        let curve = try extract(folder).curves[0]
        #expect(curve.excluded == expected.indices.map { [4, 5, 9].contains($0) })
        #expect(curve.exclusions[4] == .duplicate && curve.exclusions[5] == .manual)
    }

    @Test(
        "a kept frame screen (the viewer's) gives the same curves and exclusions as screening afresh, for any regions")
    func keptScreen() throws {
        let folder = TestPaths.temporaryFolder("screen")
        // Duplicates (4, 5 of 3; 9 of 8) and a bright frame 11 (a flash) among speckle.
        let sources = [0, 1, 2, 3, 3, 3, 6, 7, 8, 8, 10, 11, 12, 13, 14, 15, 16]
        var rng = TestRandom(seed: 9)
        var frames = (0..<sources.count).map { _ in (0..<(16 * 12)).map { _ in UInt8(40 + Int(rng.uniform() * 60)) } }
        frames = sources.map { frames[$0] }
        frames[11] = frames[11].map { min(255, $0 &+ 120) }
        writeGreyClip(folder, frames: frames, width: 16, height: 12, clipJSON: #"{"frameRate": 10}"#)
        let clip = try Clip.open(folder)
        let screen = FrameScreen()
        let regions: [[RegionMask]] = [
            [RegionMask(name: "all", paneWidth: 16, paneHeight: 12, indices: Array(0..<(16 * 12)))],
            [
                RegionMask(name: "left", paneWidth: 16, paneHeight: 12, indices: [0, 1, 2, 16, 17, 18]),
                RegionMask(name: "corner", paneWidth: 16, paneHeight: 12, indices: [191]),
            ],
        ]
        for masks in regions + regions {
            let fresh = try CurveExtractor(clip: clip, masks: masks).extract()
            let kept = try CurveExtractor(clip: clip, masks: masks, screen: screen).extract()
            #expect(kept.curves == fresh.curves)
            #expect(kept.frames.exclusions == fresh.frames.exclusions)
            #expect(kept.frames.paneMeanPower == fresh.frames.paneMeanPower)
            #expect(fresh.frames.exclusions[4] == .duplicate && fresh.frames.exclusions[11] == .flash)
        }
        #expect(screen.levels?.count == sources.count && screen.duplicates == [4, 5, 9])
    }

    @Test("--exclude frames outside the clip are an error naming the flag")
    func excludeOutOfRange() throws {
        let folder = TestPaths.temporaryFolder("exclude-range")
        writeClip(folder, frames: 6, source: { $0 }, clipJSON: #"{"frameRate": 10}"#)
        let error = imagingError { _ = try Clip.open(folder, options: ClipOptions(excludedFrames: [6])) }
        #expect(error?.description.contains("--exclude") == true)
        #expect(error?.description.contains("0...5") == true)
    }

    @Test("a frame index list reads ranges and single frames and refuses anything else")
    func frameRanges() {
        #expect(FrameRanges.parse("12-14,40, 3") == [3, 12, 13, 14, 40])
        #expect(FrameRanges.parse("5-3") == nil)
        #expect(FrameRanges.parse("a") == nil)
        #expect(FrameRanges.parse("-2") == nil)
        #expect(FrameRanges.parse("1,,2") == nil)
    }
}
