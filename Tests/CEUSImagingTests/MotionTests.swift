import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

/// Motion compensation on a breathing dual-display clip whose displacements are known (``MovingClip``, written
/// without Echoflow's code).
@Suite("Motion compensation")
struct MotionTests {
    static let folder: String = {
        let folder = TestPaths.temporaryFolder("moving")
        try! MovingClip().write(to: folder, regionsAt: 17)
        return folder
    }()

    func extract(_ folder: String, motion: Bool, reference: Int? = nil, regionFrame: Int? = 17) throws -> Extraction {
        let clip = try Clip.open(folder, options: ClipOptions(motion: motion, motionReference: reference))
        let regions = try RegionFile.load(folder + "/roi.json")
        let masks = try regions.masks(paneWidth: 64, paneHeight: 48)
        return try CurveExtractor(clip: clip, masks: masks, referenceFrame: regionFrame).extract()
    }

    @Test("displacements against the reference frame are recovered to 0.1 px RMS on the B-mode pane")
    func displacements() throws {
        let truth = MovingClip()
        let log = try extract(Self.folder, motion: true).frames
        let motion = try #require(log.motion)
        #expect(motion.referenceFrame == 17 && motion.rule == .regionFile && motion.onBmodePane)
        var squared = 0.0
        var worst = 0.0
        for k in 0..<truth.frames {
            let ex = motion.dx[k] - (truth.dx[k] - truth.dx[17])
            let ey = motion.dy[k] - (truth.dy[k] - truth.dy[17])
            squared += ex * ex + ey * ey
            worst = max(worst, abs(ex), abs(ey))
        }
        // Sub-pixel refinement by a parabola through the spatial correlation peak: measured errors are about
        // 0.01 px RMS and 0.03 px at worst on this texture; the bounds leave room for other textures while staying
        // well under the half pixel the regions are rounded to.
        #expect((squared / Double(truth.frames)).squareRoot() < 0.1)
        #expect(worst < 0.25)
        #expect(motion.correlation[17] > 0.999)
        #expect(motion.correlation.allSatisfy { $0 > 0.8 })
        #expect(log.exclusions.allSatisfy { $0 == nil })
    }

    @Test("with motion the lesion curve follows the truth; without, the moving region takes in parenchyma")
    func lesionCurve() throws {
        let truth = MovingClip()
        func meanRatio(_ e: Extraction) -> Double {
            let lesion = e.curves[0]
            // Around the peak (8-24 s): region mean over true lesion power, averaged over 80 frames (speckle of
            // 161 pixels: 8 % per frame, under 1 % averaged).
            let frames = 40..<120
            return frames.map { lesion.intensities[$0] / truth.lesionPower(Double($0) / 5) }.reduce(0, +)
                / Double(frames.count)
        }
        let still = try meanRatio(extract(Self.folder, motion: false))
        let moved = try meanRatio(extract(Self.folder, motion: true))
        #expect(abs(moved - 1) < 0.04, "with motion: \(moved)")
        #expect(still < 0.92, "without motion: \(still)")
    }

    @Test("frames out of the imaging plane are excluded as out_of_plane, and only they")
    func outOfPlane() throws {
        let folder = TestPaths.temporaryFolder("out-of-plane")
        var clip = MovingClip(frames: 80)
        clip.outOfPlane = [30, 31, 32, 60]
        try clip.write(to: folder, regionsAt: 17)
        let log = try extract(folder, motion: true).frames
        let found = log.exclusions.indices.filter { log.exclusions[$0] == .outOfPlane }
        #expect(found == [30, 31, 32, 60])
        let motion = try #require(log.motion)
        #expect(found.allSatisfy { motion.correlation[$0] < FrameRules.defaultMinimumCorrelation })
    }

    @Test(
        "the reference frame: the flag wins over the region file; without either, the frame most similar to the others")
    func referenceChoice() throws {
        let flagged = try #require(try extract(Self.folder, motion: true, reference: 5).frames.motion)
        #expect(flagged.referenceFrame == 5 && flagged.rule == .flag)
        let automatic = try #require(try extract(Self.folder, motion: true, regionFrame: nil).frames.motion)
        #expect(automatic.rule == .mostSimilar)
        // A clip that sits still for 60 frames after the probe slipped by 7 px in its first 20: the most similar
        // frame is one of the 60.
        let folder = TestPaths.temporaryFolder("slipped")
        let slipped = MovingClip(
            dx: (0..<80).map { $0 < 20 ? 7 : 0.3 * sin(Double($0)) }, dy: (0..<80).map { $0 < 20 ? -2 : 0 })
        try slipped.write(to: folder)
        let chosen = try #require(try extract(folder, motion: true, regionFrame: nil).frames.motion)
        #expect(chosen.rule == .mostSimilar && chosen.referenceFrame >= 20, "frame \(chosen.referenceFrame)")
    }
}
