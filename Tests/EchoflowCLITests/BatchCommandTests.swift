import EchoflowTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Files below `folder` (relative paths) with their bytes, skipping nothing.
func snapshot(_ folder: String) -> [String: Data] {
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: folder)
    while let path = enumerator?.nextObject() as? String {
        var isFolder: ObjCBool = false
        let full = folder + "/" + path
        if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue {
            files[path] = FileManager.default.contents(atPath: full)
        }
    }
    return files
}

/// Copies a fixture clip folder.
func copyClip(_ relative: String, to target: String) throws {
    try FileManager.default.createDirectory(
        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: TestPaths.study + "/" + relative, toPath: target)
}

@Suite("echoflow batch, compare and merge, end to end", .serialized)
struct BatchCommandTests {
    @Test(
        "a corrupt clip, a missing ROI and a clip with too few frames: the rest completes, errors.csv names all three")
    func failuresAreRecorded() throws {
        let study = TestPaths.temporaryFolder("bad-study")
        try copyClip("S01/baseline/clip01", to: study + "/S01/baseline/clip01")
        try copyClip("S01/post-prrt/clip01", to: study + "/S01/post-prrt/clip01")
        // Corrupt: a truncated frame in the middle of the clip.
        try copyClip("S02/baseline/clip01", to: study + "/S02/baseline/clip01")
        let frame = study + "/S02/baseline/clip01/frame_0100.png"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: frame))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: frame))
        // Missing ROI.
        try copyClip("S03/baseline/clip01", to: study + "/S03/baseline/clip01")
        try FileManager.default.removeItem(atPath: study + "/S03/baseline/clip01/roi.json")
        // Too few frames: six frames.
        let short = study + "/S04/baseline/clip01"
        try FileManager.default.createDirectory(atPath: short, withIntermediateDirectories: true)
        for i in 1...6 {
            try FileManager.default.copyItem(
                atPath: TestPaths.baselineClip + String(format: "/frame_%04d.png", i),
                toPath: short + String(format: "/frame_%04d.png", i))
        }
        for name in ["clip.json", "roi.json"] {
            try FileManager.default.copyItem(atPath: TestPaths.baselineClip + "/" + name, toPath: short + "/" + name)
        }

        let out = TestPaths.temporaryFolder("bad-out")
        let r = try runEchoflow(["batch", study, "--output", out, "--jobs", "2", "--quiet"])
        #expect(r.status == 1)
        let errors = try CSVFile(path: out + "/errors.csv")
        #expect(errors.header == ["subject", "timepoint", "clip", "stage", "message"])
        let bySubject = Dictionary(uniqueKeysWithValues: errors.dictionaries.map { ($0["subject"]!, $0) })
        #expect(Set(bySubject.keys) == ["S02", "S03", "S04"])
        #expect(
            bySubject["S02"]?["stage"] == "frames" && bySubject["S02"]?["message"]?.contains("frame_0100.png") == true)
        #expect(bySubject["S03"]?["stage"] == "roi" && bySubject["S03"]?["message"]?.contains("roi.json") == true)
        #expect(
            bySubject["S04"]?["stage"] == "fit" && bySubject["S04"]?["message"]?.contains("too few samples") == true)
        let parameters = try CSVFile(path: out + "/parameters.csv")
        #expect(Set(parameters.dictionaries.map { $0["subject"]! }) == ["S01"])
        #expect(parameters.rows.count == 4)
    }

    @Test(
        "a batch killed half-way resumes: completed clips are not recomputed and the outputs equal an uninterrupted run"
    )
    func resumeAfterKill() throws {
        let reference = TestPaths.temporaryFolder("whole")
        #expect(
            try runEchoflow(["batch", TestPaths.study, "--output", reference, "--jobs", "1", "--quiet"]).status == 0)

        let out = TestPaths.temporaryFolder("killed")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.echoflow)
        process.arguments = ["batch", TestPaths.study, "--output", out, "--jobs", "1", "--quiet"]
        try process.run()
        // Wait until two clips are recorded, then kill without warning.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: out + "/run.json", encoding: .utf8),
                text.components(separatedBy: "\"status\" : \"ok\"").count - 1 >= 2
            {
                break
            }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let early = snapshot(out).filter { $0.key.hasPrefix("clips/") && $0.key.hasSuffix("parameters.csv") }
        #expect(early.count >= 2 && early.count < 6, "clips done before the kill: \(early.count)")
        let before =
            try FileManager.default.attributesOfItem(atPath: out + "/" + early.keys.sorted()[0])[.modificationDate]
            as? Date

        let r = try runEchoflow(["batch", TestPaths.study, "--output", out, "--jobs", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\(early.count) already done"), "\(r.stdout)")
        let after =
            try FileManager.default.attributesOfItem(atPath: out + "/" + early.keys.sorted()[0])[.modificationDate]
            as? Date
        #expect(before == after)
        #expect(snapshot(out) == snapshot(reference))
    }

    @Test("sharded runs merged equal an unsharded run, byte for byte")
    func shardsMerge() throws {
        let whole = TestPaths.temporaryFolder("unsharded")
        #expect(
            try runEchoflow(["batch", TestPaths.study + "/manifest.csv", "--output", whole, "--quiet"]).status == 0)
        let a = TestPaths.temporaryFolder("shard1")
        let b = TestPaths.temporaryFolder("shard2")
        #expect(
            try runEchoflow(["batch", TestPaths.study + "/manifest.csv", "--output", a, "--shard", "1/2", "--quiet"])
                .status == 0)
        #expect(
            try runEchoflow(["batch", TestPaths.study + "/manifest.csv", "--output", b, "--shard", "2/2", "--quiet"])
                .status == 0)
        #expect(snapshot(a).keys.filter { $0.hasPrefix("clips/") && $0.hasSuffix("tic.csv") }.count == 3)
        let merged = TestPaths.temporaryFolder("merged")
        let r = try runEchoflow(["merge", a, b, "--output", merged])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(snapshot(merged) == snapshot(whole))
    }

    @Test("compare writes the documented tables and a well-formed report with one plot per lesion")
    func compare() throws {
        let out = TestPaths.temporaryFolder("compare")
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", out, "--quiet"]).status == 0)
        let r = try runEchoflow(["compare", out, "--response", "wiauc_rel_pct<-40%"])
        #expect(r.status == 0, "\(r.stderr)")
        let comparison = try CSVFile(path: out + "/comparison.csv")
        #expect(
            comparison.header == [
                "subject", "lesion", "region", "timepoint", "parameter", "baseline", "followup", "change", "change_pct",
                "log_ratio", "responder", "baseline_timepoint", "model", "baseline_status", "followup_status",
                "baseline_qof_pct", "followup_qof_pct", "excluded", "rule", "change_pct_ci_low", "change_pct_ci_high",
                "change_ci_low", "change_ci_high", "verdict",
            ])
        let lesionRule = comparison.dictionaries.filter {
            $0["region"] == "lesion" && $0["parameter"] == "wiauc_rel_pct"
        }
        // Truth: S01 and S02 respond (lesion AUC down 45-65 %), S03 does not.
        #expect(lesionRule.map { $0["responder"] } == ["1", "1", "0"])
        let cohort = try CSVFile(path: out + "/cohort.csv")
        #expect(
            cohort.header == [
                "region", "timepoint", "parameter", "n", "median_change_pct", "q1_change_pct", "q3_change_pct",
                "wilcoxon_statistic", "wilcoxon_p", "responder_share", "smallest_p", "n_responder", "n_non_responder",
                "n_indeterminate", "n_not_comparable",
            ])
        let wide = try CSVFile(path: out + "/comparison_wide.csv")
        #expect(wide.rows.count == 6)
        let report = try Data(contentsOf: URL(fileURLWithPath: out + "/report.html"))
        let text = String(decoding: report, as: UTF8.self)
        let parser = XMLParser(data: report)
        #expect(parser.parse(), "report.html is not well-formed: \(String(describing: parser.parserError))")
        #expect(text.components(separatedBy: "class=\"lesion\"").count - 1 == 3)
        #expect(text.contains("clips/S01/clip01/baseline/report.html"))
        #expect(!text.contains("<script"))
    }

    @Test("a manifest with problems exits 65 and lists them all")
    func badManifest() throws {
        let folder = TestPaths.temporaryFolder("badmanifest")
        try "subject,lesion,timepoint,clip,roi,colour\nS1,L,baseline,nowhere,nowhere.json,red\n"
            .write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
        let r = try runEchoflow(["batch", folder + "/m.csv", "--output", folder + "/out"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("3 problem(s)"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
    }

    @Test("merging results of different studies is refused, naming the folder")
    func mergeMismatch() throws {
        let a = TestPaths.temporaryFolder("merge-a")
        let b = TestPaths.temporaryFolder("merge-b")
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", a, "--shard", "1/3", "--quiet"]).status == 0)
        // Another study: only subject S01, from a manifest of its own.
        let manifest = TestPaths.temporaryFolder("merge-study") + "/m.csv"
        try
            "subject,lesion,timepoint,clip,roi\nS01,L,baseline,\(TestPaths.baselineClip),\(TestPaths.baselineClip)/roi.json\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(try runEchoflow(["batch", manifest, "--output", b, "--quiet"]).status == 0)
        let r = try runEchoflow(["merge", a, b, "--output", TestPaths.temporaryFolder("merge-out")])
        #expect(r.status == 65)
        #expect(r.stderr.contains(b) && r.stderr.contains("another study"))
        let notResults = try runEchoflow([
            "merge", TestPaths.temporaryFolder("empty"), "--output", TestPaths.temporaryFolder(),
        ])
        #expect(notResults.status == 65 && notResults.stderr.contains("not a results folder"))
    }

    @Test(
        "a malformed or unknown response rule is a usage error", arguments: ["wiauc", "nonsense<-40%", "wiauc_au_s<x%"])
    func badRule(rule: String) throws {
        let r = try runEchoflow(["compare", TestPaths.temporaryFolder(), "--response", rule])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--response"))
    }
}
