import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging
@testable import PerfusionAnalysis

/// Flash frames and out-of-plane frames in a breathing clip with known truth (``MovingClip``, written without
/// Echoflow's code): found by the frame rules, and the lesion still measured right.
@Suite("Frame rules on a clip with flashes and out-of-plane frames")
struct FrameRuleRecoveryTests {
    @Test(
        "flashes and out-of-plane frames found (recall >= 95 %, <= 2 % of good frames dropped); PE within 5 %, TTP within 2 %",
        arguments: [UInt64(1), 2, 3])
    func recovery(seed: UInt64) throws {
        var rng = TestRandom(seed: seed)
        var clip = MovingClip(frames: 160)
        // 8 flash frames and 8 out-of-plane frames anywhere but the first two (the regions' reference frame 10
        // is kept clean).
        while clip.flashes.count < 8 {
            let k = 2 + Int(rng.uniform() * 158)
            if k != 10 { clip.flashes.insert(k) }
        }
        while clip.outOfPlane.count < 8 {
            let k = 2 + Int(rng.uniform() * 158)
            if k != 10 && !clip.flashes.contains(k) { clip.outOfPlane.insert(k) }
        }
        let folder = TestPaths.temporaryFolder("flash-plane-\(seed)")
        try clip.write(to: folder, regionsAt: 10)
        let opened = try Clip.open(folder, options: ClipOptions(motion: true))
        let regions = try RegionFile.load(folder + "/roi.json")
        let masks = try regions.masks(paneWidth: 64, paneHeight: 48)
        let extraction = try CurveExtractor(clip: opened, masks: masks, referenceFrame: regions.referenceFrame)
            .extract()
        let reasons = extraction.frames.exclusions
        let bad = clip.flashes.union(clip.outOfPlane)
        let found = bad.filter { reasons[$0] != nil }.count
        let dropped = (0..<clip.frames).filter { !bad.contains($0) && reasons[$0] != nil }.count
        #expect(Double(found) >= 0.95 * Double(bad.count), "found \(found) of \(bad.count)")
        #expect(Double(dropped) <= 0.02 * Double(clip.frames - bad.count), "good frames dropped: \(dropped)")
        #expect(clip.flashes.allSatisfy { reasons[$0] == .flash })
        #expect(clip.outOfPlane.allSatisfy { reasons[$0] == .outOfPlane })

        let lesion = try #require(
            CurveAnalyzer(modelName: "lognormal").analyze(extraction.curves, reference: regions.reference).first)
        let p = try #require(lesion.parameters)
        // Truth of MovingClip's lesion, written out: 0.4 exp(-(ln x - 2.3)^2 / (2 0.6^2)) / x after t0 = 4 s:
        // TTP = t0 + exp(mu - sigma^2), PE = 0.4 exp(-mu + sigma^2 / 2) (offset excluded).
        let ttp = 4 + exp(2.3 - 0.36)
        let pe = 0.4 * exp(-2.3 + 0.18)
        #expect(abs(p.peakEnhancement / pe - 1) < 0.05, "PE \(p.peakEnhancement) vs \(pe)")
        #expect(abs(p.timeToPeak / ttp - 1) < 0.02, "TTP \(p.timeToPeak) vs \(ttp)")
    }
}
