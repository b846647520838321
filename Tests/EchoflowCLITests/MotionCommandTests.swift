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
