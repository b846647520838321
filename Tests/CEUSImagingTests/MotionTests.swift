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

    @Test("a kept frame screen (the viewer's) gives the same motion, curves and exclusions as measuring afresh")
    func keptScreenWithMotion() throws {
        let clip = try Clip.open(Self.folder, options: ClipOptions(motion: true))
        let regions = try RegionFile.load(Self.folder + "/roi.json")
        let masks = try regions.masks(paneWidth: 64, paneHeight: 48)
        let screen = FrameScreen()
        // The regions' frame, then the most similar frame, then the regions' frame again: each reference is kept.
        for reference in [17, nil, 17, nil] as [Int?] {
            for chosen in [masks, Array(masks.prefix(1))] {
                let fresh = try CurveExtractor(clip: clip, masks: chosen, referenceFrame: reference).extract()
                let kept = try CurveExtractor(clip: clip, masks: chosen, referenceFrame: reference, screen: screen)
                    .extract()
                #expect(kept.curves == fresh.curves)
                #expect(kept.frames.exclusions == fresh.frames.exclusions)
                let a = try #require(kept.frames.motion)
                let b = try #require(fresh.frames.motion)
                #expect(a.referenceFrame == b.referenceFrame && a.rule == b.rule)
                #expect(a.dx.map(\.bitPattern) == b.dx.map(\.bitPattern) && a.correlation == b.correlation)
            }
        }
        #expect(screen.motion(reference: 17)?.count == clip.frameCount && screen.mostSimilarFrame != nil)
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

@Suite("Overview picture")
struct OverviewTests {
    @Test("overview.png outlines each region where the lesion is in the frame shown, moved with its motion")
    func outlinesFollowTheLesion() throws {
        let truth = MovingClip()
        let extraction = try MotionTests().extract(MotionTests.folder, motion: true)
        let clip = try Clip.open(MotionTests.folder, options: ClipOptions(motion: true))
        let regions = try RegionFile.load(MotionTests.folder + "/roi.json")
        let masks = try regions.masks(paneWidth: 64, paneHeight: 48)
        let motion = try #require(extraction.frames.motion)
        for frame in [17, 45, 60] {
            let shift = (Int(motion.dx[frame].rounded()), Int(motion.dy[frame].rounded()))
            let png = try ClipOverview.png(
                clip: clip, frame: frame,
                regions: masks.map { OverviewRegion(mask: $0, isReference: $0.name == "parenchyma") },
                shift: shift, title: "test")
            let path = TestPaths.temporaryFolder("overview") + "/overview.png"
            try Data(png).write(to: URL(fileURLWithPath: path))
            let image = try PNGCodec.decode(path: path)
            // Layout: B-mode pane then contrast pane, each 64 x 48 enlarged 5 times, 8 px gaps, a 24 px title bar.
            let scale = 5
            let (left, top) = (8 + 64 * scale + 8, 24)
            #expect(image.width == 2 * 64 * scale + 3 * 8 && image.height == 48 * scale + 24 + 8)
            guard case .uint8(let px) = image.samples, image.channels == 3 else {
                Issue.record("overview is not 8-bit RGB")
                return
            }
            // Pixels of the lesion's colour on the sides of the ring where the lesion truly is in this frame: within
            // 10 pane pixels across and 6 up or down of its centre (the label sits above the ring, 8 or more up).
            let centre = (x: truth.lesionCentre.x + truth.dx[frame], y: truth.lesionCentre.y + truth.dy[frame])
            var (sx, sy, n) = (0.0, 0.0, 0.0)
            for y in 0..<image.height {
                for x in left..<(left + 64 * scale) {
                    let i = 3 * (y * image.width + x)
                    guard px[i] == 255, px[i + 1] == 221, px[i + 2] == 0 else { continue }
                    let (pcx, pcy) = ((Double(x - left) + 0.5) / Double(scale), (Double(y - top) + 0.5) / Double(scale))
                    guard abs(pcx - centre.x) < 10, abs(pcy - centre.y) < 6 else { continue }
                    (sx, sy, n) = (sx + pcx, sy + pcy, n + 1)
                }
            }
            // The sides of the outline are symmetric about the lesion's centre: their centroid is the centre within
            // a pixel (the regions move in whole pixels, and the mask of a circle of radius 7.2 is not quite
            // symmetric).
            #expect(n > 60, "frame \(frame): \(n) outline pixels")
            #expect(
                abs(sx / n - centre.x) < 1 && abs(sy / n - centre.y) < 1,
                "frame \(frame): \(sx / n), \(sy / n) vs \(centre)")
            // The reference region's outline (cyan) is drawn too.
            var cyan = 0
            for i in stride(from: 0, to: px.count, by: 3) where px[i] == 0 && px[i + 1] == 230 && px[i + 2] == 255 {
                cyan += 1
            }
            #expect(cyan > 100)
        }
    }

    @Test("a tiny pane, a region in its corner, a long title and a label wider than the picture draw without trapping")
    func edgeCases() throws {
        let folder = TestPaths.temporaryFolder("overview-tiny")
        writeGreyClip(folder, frames: (0..<3).map { k in (0..<16).map { UInt8(40 * k + $0) } }, width: 4, height: 4)
        let clip = try Clip.open(folder)
        let corner = RegionMask(
            name: String(repeating: "long region name ", count: 8), paneWidth: 4, paneHeight: 4, indices: [0, 1, 4, 5])
        let edge = RegionMask(name: "edge", paneWidth: 4, paneHeight: 4, indices: [15])
        for shift in [(0, 0), (-3, -3), (5, 5)] {
            let png = try ClipOverview.png(
                clip: clip, frame: 2,
                regions: [
                    OverviewRegion(mask: corner, isReference: false), OverviewRegion(mask: edge, isReference: true),
                ],
                shift: shift, title: String(repeating: "a very long clip name ", count: 20))
            let path = TestPaths.temporaryFolder("overview-tiny-out") + "/o.png"
            try Data(png).write(to: URL(fileURLWithPath: path))
            let image = try PNGCodec.decode(path: path)
            // 4 px enlarged 8 times (the largest factor), 8 px gaps and the title bar; never narrower than 200 px.
            #expect(image.width == 200 && image.height == 4 * 8 + 24 + 8)
        }
    }
}

@Suite("Motion: what cannot be measured")
struct MotionRefusalTests {
    @Test("a flat motion pane is refused with the pane and the frame; \"motion\": true in clip.json turns motion on")
    func flatPane() throws {
        let folder = TestPaths.temporaryFolder("flat-bmode")
        // Left half flat grey (the B-mode pane), right half varying.
        var frames: [[UInt8]] = []
        for k in 0..<6 {
            var pixels: [UInt8] = []
            for p in 0..<64 { pixels.append(p % 8 < 4 ? 90 : UInt8(40 + 10 * k + p % 3)) }
            frames.append(pixels)
        }
        writeGreyClip(
            folder, frames: frames, width: 8, height: 8,
            clipJSON:
                #"{"frameRate": 5, "motion": true, "bmodePane": {"x": 0, "y": 0, "width": 4, "height": 8}, "contrastPane": {"x": 4, "y": 0, "width": 4, "height": 8}}"#
        )
        let clip = try Clip.open(folder)
        #expect(clip.frameRules.motion)
        let mask = RegionMask(name: "all", paneWidth: 4, paneHeight: 8, indices: Array(0..<32))
        let error = imagingError { _ = try CurveExtractor(clip: clip, masks: [mask], referenceFrame: 2).extract() }
        #expect(error?.description.contains("flat") == true && error?.description.contains("reference frame 2") == true)
        // Without motion the same clip is analysed.
        let still = try Clip.open(folder, options: ClipOptions(motion: false))
        #expect(try CurveExtractor(clip: still, masks: [mask]).extract().curves.count == 1)
    }
}

@Suite("Motion: the issue's targets")
struct MotionTargetTests {
    @Test("integer and sub-pixel translations up to 10 % of the pane are recovered within 0.2 px RMS on speckle")
    func speckledTranslations() throws {
        // 40 frames: every whole shift from -6 to 6 px on x with sub-pixel shifts on y, and 27 random ones up to
        // 6.4 px (10 % of the 64 px pane) on both axes.
        var rng = TestRandom(seed: 3)
        var dx = (-6...6).map(Double.init)
        var dy = (-6...6).map { Double($0) * 0.37 }
        for _ in 0..<27 {
            dx.append(12.8 * rng.uniform() - 6.4)
            dy.append(9.6 * rng.uniform() - 4.8)
        }
        var clip = MovingClip(dx: [0] + dx, dy: [0] + dy)
        clip.speckledBmode = true
        clip.bmodeNoise = 3
        let folder = TestPaths.temporaryFolder("speckle-moves")
        try clip.write(to: folder, regionsAt: 0)
        let log = try MotionTests().extract(folder, motion: true, regionFrame: 0).frames
        let motion = try #require(log.motion)
        var squared = 0.0
        for k in 0..<clip.frames {
            squared += pow(motion.dx[k] - clip.dx[k], 2) + pow(motion.dy[k] - clip.dy[k], 2)
        }
        let rms = (squared / Double(clip.frames)).squareRoot()
        #expect(rms < 0.2, "RMS \(rms) px")
        #expect(log.exclusions.allSatisfy { $0 == nil })
    }

    /// Lesion curve of a phantom clip (smooth contrast with a gradient across the lesion, no speckle), with or
    /// without motion compensation.
    func phantomCurve(_ clip: MovingClip, motion: Bool) throws -> [Double] {
        let folder = TestPaths.temporaryFolder("phantom")
        var c = clip
        c.contrastSpeckle = false
        // Power falls by 40 % per radius across the lesion: a region misplaced by half a pixel reads 2 % off.
        c.lesionGradient = 0.4
        try c.write(to: folder, regionsAt: 0)
        return try MotionTests().extract(folder, motion: motion, regionFrame: 0).curves[0].intensities
    }

    @Test(
        "on a moving phantom the compensated curve is within 2 % RMS of the static phantom's, 10 times closer than without"
    )
    func phantom() throws {
        let frames = 120
        let still = try phantomCurve(
            MovingClip(dx: Array(repeating: 0, count: frames), dy: Array(repeating: 0, count: frames)), motion: false)
        // Breathing of 5 px and 3 px around the position the regions were drawn at (frame 0 at rest).
        let moving = MovingClip(
            dx: (0..<frames).map { 5 * sin(2 * Double.pi * 0.25 * Double($0) / 5) },
            dy: (0..<frames).map { 3 * (1 - cos(2 * Double.pi * 0.25 * Double($0) / 5)) })
        func rms(_ a: [Double]) -> Double {
            (zip(a, still).map { pow($0 / $1 - 1, 2) }.reduce(0, +) / Double(frames)).squareRoot()
        }
        let compensated = rms(try phantomCurve(moving, motion: true))
        let uncompensated = rms(try phantomCurve(moving, motion: false))
        #expect(compensated < 0.02, "compensated: \(compensated)")
        #expect(uncompensated > 10 * compensated, "uncompensated \(uncompensated), compensated \(compensated)")
    }
}
