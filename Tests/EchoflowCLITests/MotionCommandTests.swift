import EchoflowTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("Motion and frame rules through the command line")
struct MotionCommandTests {
    @Test("analyze --motion writes motion.csv and names every excluded frame's reason in tic.csv")
    func motionAndReasons() throws {
        let folder = TestPaths.temporaryFolder("motion-cli")
        var clip = MovingClip(frames: 80)
        clip.outOfPlane = [30]
        try clip.write(to: folder, regionsAt: 10)
        // A resampled export repeats frame 40 as frame 41.
        try FileManager.default.removeItem(atPath: folder + "/frame0041.png")
        try FileManager.default.copyItem(atPath: folder + "/frame0040.png", toPath: folder + "/frame0041.png")
        let out = TestPaths.temporaryFolder("motion-cli-out")
        let r = try runEchoflow(["analyze", folder, "--motion", "--exclude", "70-71", "--output", out, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("excluded as duplicate") && r.stderr.contains("excluded as out of plane"))

        let motion = try CSVFile(path: out + "/motion.csv")
        #expect(motion.header == ["frame", "time_s", "dx_px", "dy_px", "correlation", "excluded"])
        let rows = motion.dictionaries
        #expect(rows.count == 80)
        for row in rows {
            let k = Int(row["frame"]!)!
            // Frame 30 is out of plane (its displacement means nothing); frame 41 shows frame 40.
            guard k != 30, k != 41 else { continue }
            #expect(abs(Double(row["dx_px"]!)! - (clip.dx[k] - clip.dx[10])) < 0.25, "frame \(k)")
            #expect(abs(Double(row["dy_px"]!)! - (clip.dy[k] - clip.dy[10])) < 0.25, "frame \(k)")
        }
        #expect(rows.filter { $0["excluded"] == "1" }.map { $0["frame"]! } == ["30", "41", "70", "71"])

        let tic = try CSVFile(path: out + "/tic.csv").dictionaries.filter { $0["roi"] == "lesion" }
        let reasons = Dictionary(
            uniqueKeysWithValues: tic.filter { $0["exclusion"] != "" }.map {
                (Int($0["frame"]!)!, $0["exclusion"]!)
            })
        #expect(reasons == [30: "out_of_plane", 41: "duplicate", 70: "manual", 71: "manual"])
        let parameters = try CSVFile(path: out + "/parameters.csv").dictionaries
        #expect(parameters.allSatisfy { $0["n_excluded"] == "4" })

        // The pictures: overview.png, motion.svg, and the report showing both; the TIC plot marks each reason.
        for file in ["overview.png", "motion.svg", "report.html", "tic-lesion.svg"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        // overview.png is at least the size of both panes (64 x 48 each, enlarged): width and height from IHDR.
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/overview.png")))
        func be32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        #expect(png.count > 24 && Array(png[12..<16]) == Array("IHDR".utf8))
        #expect(be32(16) >= 2 * 64 && be32(20) >= 48, "overview \(be32(16)) x \(be32(20))")
        let report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(report.contains("data:image/png;base64,") && report.contains("against frame 10"))
        let parser = XMLParser(data: Data(report.utf8))
        #expect(parser.parse(), "report.html is not well-formed: \(String(describing: parser.parserError))")
        let plot = try String(contentsOfFile: out + "/tic-lesion.svg", encoding: .utf8)
        for reason in ["excluded: out of plane", "excluded: duplicate", "excluded: manual"] {
            #expect(plot.contains(reason), "\(reason)")
        }

        // Without --motion there is no motion.csv, and the out-of-plane frame is not a rule's business.
        let still = TestPaths.temporaryFolder("motion-cli-still")
        let s = try runEchoflow(["analyze", folder, "--output", still, "--quiet"])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(!FileManager.default.fileExists(atPath: still + "/motion.csv"))
        let stillTIC = try CSVFile(path: still + "/tic.csv").dictionaries.filter { $0["roi"] == "lesion" }
        #expect(stillTIC.filter { $0["exclusion"] != "" }.map { $0["exclusion"]! } == ["duplicate"])
    }

    @Test(
        "bad frame-rule flags are usage errors (64)",
        arguments: [
            ["--exclude", "5-2"], ["--exclude", "x"], ["--motion-reference", "-1"], ["--min-correlation", "2"],
            ["--bmode-pane", "1,2,3"],
        ])
    func badFlags(flags: [String]) throws {
        let r = try runEchoflow(["analyze", TestPaths.baselineClip] + flags)
        #expect(r.status == 64, "\(flags): \(r.stderr)")
    }

    @Test("referenceFrame in roi.json past the clip's end, or negative, is an error naming the file")
    func regionReferencePastEnd() throws {
        let folder = TestPaths.temporaryFolder("roi-reference")
        for (frame, says) in [(5000, "outside 0...320"), (-1, "must be the index")] {
            try
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 2, "y": 2, "width": 8, "height": 8}], "referenceFrame": \#(frame)}"#
                .write(toFile: folder + "/roi.json", atomically: true, encoding: .utf8)
            let r = try runEchoflow([
                "analyze", TestPaths.baselineClip, "--motion", "--roi", folder + "/roi.json", "--output",
                TestPaths.temporaryFolder(),
            ])
            #expect(r.status == 65, "\(r.stderr)")
            #expect(r.stderr.contains("referenceFrame") && r.stderr.contains(says), "\(r.stderr)")
        }
    }

    @Test("a motion reference past the clip's end is an error naming the flag")
    func referencePastEnd() throws {
        let r = try runEchoflow([
            "analyze", TestPaths.baselineClip, "--motion", "--motion-reference", "100000", "--output",
            TestPaths.temporaryFolder(),
        ])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("--motion-reference") && r.stderr.contains("outside"))
    }
}

@Suite("Colour maps through the command line")
struct ColorMapCommandTests {
    @Test(
        "a tinted clip is inverted through its map; pixels the map lacks are counted in parameters.csv and warned about"
    )
    func tintedClip() throws {
        let folder = TestPaths.temporaryFolder("tinted-cli")
        var rng = TestRandom(seed: 8)
        let (w, h) = (20, 16)
        var expected: [Double] = []  // mean linear power of the region per frame, from the levels written
        for f in 0..<80 {
            var samples: [UInt16] = []
            var power = 0.0
            for p in 0..<(w * h) {
                let mean = 70 + 110 * exp(-pow(Double(f - 30) / 12, 2))
                let k = max(0, min(255, Int(mean + 30 * (rng.uniform() - 0.5))))
                // The inverse law written out: P = 10^((k / 255 - 1) DR / 10), DR = 45 dB.
                if p % w >= 8 && p / w >= 8 { power += pow(10, (Double(k) / 255 - 1) * 4.5) }
                // hot, written out from the README: (min(255, 3k), min(255, max(0, 3k - 255)), max(0, 3k - 510)).
                var rgb = (min(255, 3 * k), min(255, max(0, 3 * k - 255)), max(0, 3 * k - 510))
                // A green calliper mark in the corner, 8 x 8 pixels: 16 of the 80 sampled pixels.
                if p % w < 8 && p / w < 8 { rgb = (0, 255, 0) }
                samples += [UInt16(rgb.0), UInt16(rgb.1), UInt16(rgb.2)]
            }
            expected.append(power / 96)
            let png = MinimalPNGWriter.encode(width: w, height: h, colorType: .rgb, bitDepth: 8, samples: samples)
            MinimalPNGWriter.write(png, to: folder + String(format: "/f%03d.png", f))
        }
        try #"{"frameRate": 4, "dynamicRangeDB": 45, "colorMap": "hot"}"#.write(
            toFile: folder + "/clip.json", atomically: true, encoding: .utf8)
        try #"{"rois": [{"name": "lesion", "kind": "rectangle", "x": 8, "y": 8, "width": 12, "height": 8}]}"#.write(
            toFile: folder + "/roi.json", atomically: true, encoding: .utf8)
        let out = TestPaths.temporaryFolder("tinted-cli-out")
        let r = try runEchoflow(["analyze", folder, "--output", out, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("20.0 % of the contrast pane's pixels match no colour of the map \"hot\""))
        let row = try #require(try CSVFile(path: out + "/parameters.csv").dictionaries.first)
        #expect(row["colormap_unmatched_pct"] == "20")
        // Lossless frames invert exactly: every frame's mean power is the one computed from the levels written (to
        // the 7 significant digits of the CSV).
        let tic = try CSVFile(path: out + "/tic.csv").dictionaries
        #expect(tic.count == 80)
        for (f, row) in tic.enumerated() {
            #expect(abs(Double(row["intensity_au"]!)! / expected[f] - 1) < 1e-6, "frame \(f)")
        }
    }
}

@Suite("Frame rules in batches")
struct FrameRuleBatchTests {
    @Test("batch --motion writes motion.csv for every clip; a rerun without it is other settings and refused")
    func batchMotion() throws {
        let study = TestPaths.temporaryFolder("motion-study")
        for subject in ["P1", "P2"] {
            try MovingClip(frames: 60).write(to: study + "/\(subject)/baseline/liver", regionsAt: 10)
        }
        let results = TestPaths.temporaryFolder("motion-study-out")
        let r = try runEchoflow(["batch", study, "--output", results, "--motion", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        for subject in ["P1", "P2"] {
            let folder = results + "/clips/\(subject)/liver/baseline"
            #expect(FileManager.default.fileExists(atPath: folder + "/motion.csv"), "\(subject)")
            #expect(FileManager.default.fileExists(atPath: folder + "/overview.png"), "\(subject)")
        }
        let again = try runEchoflow(["batch", study, "--output", results, "--quiet"])
        #expect(again.status == 65, "\(again.stderr)")
        #expect(again.stderr.contains("other settings"))
    }

    @Test("more than half of the frames excluded is warned about")
    func mostFramesExcluded() throws {
        let out = TestPaths.temporaryFolder("most-excluded")
        let r = try runEchoflow(["analyze", TestPaths.baselineClip, "--exclude", "0-200", "--output", out, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("201 of 321 frames are excluded, more than half"))
    }
}

@Suite("Motion on the contrast pane")
struct ContrastPaneMotionTests {
    @Test(
        "fresh speckle in every frame and no B-mode pane: nothing is trusted, nothing is moved, and a warning says so")
    func cannotAlign() throws {
        let clip = TestPaths.temporaryFolder("contrast-only")
        let synth = try runEchoflow(["synth", "--output", clip, "--motion", "3", "--seed", "4"])
        #expect(synth.status == 0, "\(synth.stderr)")
        let moved = TestPaths.temporaryFolder("contrast-only-motion")
        let r = try runEchoflow(["analyze", clip, "--motion", "--output", moved, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Motion compensation did little for this clip"))
        let still = TestPaths.temporaryFolder("contrast-only-still")
        #expect(try runEchoflow(["analyze", clip, "--output", still, "--quiet"]).status == 0)
        // Regions not moved: the same curves as without --motion (only the reference frame is measured: itself).
        #expect(
            try CSVFile(path: moved + "/tic.csv").dictionaries.map { $0["intensity_au"] }
                == CSVFile(path: still + "/tic.csv").dictionaries.map { $0["intensity_au"] })
        let motion = try CSVFile(path: moved + "/motion.csv").dictionaries
        #expect(motion.filter { $0["dx_px"] != "" }.count == 1)
    }
}
