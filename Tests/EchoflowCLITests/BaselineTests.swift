import EchoflowTestSupport
import Foundation
import Testing

@Suite("The baseline is never guessed", .serialized)
struct BaselineTests {
    /// A study folder whose timepoints are `pre-prrt` and `post-prrt` (no `baseline`, no days), batch-analysed.
    func preAndPostStudy(_ name: String, studyJSON: String? = nil) throws -> (study: String, results: String) {
        let study = TestPaths.temporaryFolder(name)
        for subject in ["S01", "S02"] {
            try copyClip("\(subject)/baseline/clip01", to: study + "/\(subject)/pre-prrt/clip01")
            try copyClip("\(subject)/post-prrt/clip01", to: study + "/\(subject)/post-prrt/clip01")
        }
        if let studyJSON { try studyJSON.write(toFile: study + "/study.json", atomically: true, encoding: .utf8) }
        let results = TestPaths.temporaryFolder(name + "-results")
        let batch = try runEchoflow(["batch", study, "--output", results, "--quiet"])
        #expect(batch.status == 0, "\(batch.stderr)")
        return (study, results)
    }

    @Test("pre/post naming without a baseline is refused with the timepoints and the fix, then right with --baseline")
    func preAndPost() throws {
        let (_, results) = try preAndPostStudy("prepost")
        let refused = try runEchoflow(["compare", results, "--output", results + "/cmp"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("pre-prrt") && refused.stderr.contains("post-prrt"))
        #expect(refused.stderr.contains("--baseline"))
        #expect(!FileManager.default.fileExists(atPath: results + "/cmp/comparison.csv"))

        let compared = try runEchoflow(["compare", results, "--baseline", "pre-prrt"])
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(compared.stdout.contains("Baseline timepoint: pre-prrt"))
        let rows = try CSVFile(path: results + "/comparison.csv").dictionaries
        #expect(
            !rows.isEmpty
                && rows.allSatisfy { $0["baseline_timepoint"] == "pre-prrt" && $0["timepoint"] == "post-prrt" })
        // S01 and S02 respond (their synthetic truth halves WiAUC): the relative WiAUC falls, it does not rise.
        let wiauc = rows.filter { $0["parameter"] == "wiauc_rel_pct" && $0["region"] == "lesion" }
        #expect(wiauc.count == 2 && wiauc.allSatisfy { Double($0["change_pct"]!)! < -40 })
        let report = try String(contentsOfFile: results + "/report.html", encoding: .utf8)
        #expect(report.contains("baseline timepoint pre-prrt"))

        let unknown = try runEchoflow(["compare", results, "--baseline", "week-2"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no timepoint \"week-2\""))
    }

    @Test("study.json names the baseline; an unknown key in it is an error naming the key")
    func studyJSON() throws {
        let (_, results) = try preAndPostStudy("studyjson", studyJSON: #"{"baseline": "pre-prrt"}"#)
        let compared = try runEchoflow(["compare", results])
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(try CSVFile(path: results + "/comparison.csv").dictionaries.first?["baseline_timepoint"] == "pre-prrt")

        let study = TestPaths.temporaryFolder("studyjson-bad")
        try copyClip("S01/baseline/clip01", to: study + "/S01/pre/clip01")
        try #"{"baseLine": "pre"}"#.write(toFile: study + "/study.json", atomically: true, encoding: .utf8)
        let bad = try runEchoflow(["batch", study, "--output", study + "-results", "--quiet"])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("study.json") && bad.stderr.contains("unknown key \"baseLine\""))
    }
}

@Suite("Fit quality and vanished enhancement in comparisons", .serialized)
struct ComparisonQualityTests {
    /// A clip of 321 frames (5 Hz) of speckle around a constant low power: no bolus at all.
    func writeFlatClip(_ folder: String) throws {
        var rng = TestRandom(seed: 21)
        let (w, h) = (64, 56)
        for f in 0..<321 {
            let samples = (0..<(w * h)).map { _ -> UInt16 in
                let power = 0.002 * -log(rng.uniform())
                return UInt16(min(max((255 * (1 + 10 / 50 * log10(max(power, 1e-30)))).rounded(), 0), 255))
            }
            let png = MinimalPNGWriter.encode(width: w, height: h, colorType: .grey, bitDepth: 8, samples: samples)
            MinimalPNGWriter.write(png, to: folder + String(format: "/frame_%04d.png", f + 1))
        }
        try #"{"frameRate": 5, "dynamicRangeDB": 50}"#.write(
            toFile: folder + "/clip.json", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: TestPaths.study + "/S01/baseline/clip01/roi.json", toPath: folder + "/roi.json")
    }

    @Test("a lesion that no longer enhances at follow-up is a responder at -100 %, counted in the cohort")
    func vanishedEnhancement() throws {
        let study = TestPaths.temporaryFolder("vanished")
        for subject in ["S01", "S02", "S03"] {
            try copyClip("\(subject)/baseline/clip01", to: study + "/\(subject)/baseline/clip01")
        }
        try copyClip("S02/post-prrt/clip01", to: study + "/S02/post-prrt/clip01")
        try copyClip("S03/post-prrt/clip01", to: study + "/S03/post-prrt/clip01")
        try FileManager.default.createDirectory(
            atPath: study + "/S01/post-prrt/clip01", withIntermediateDirectories: true)
        try writeFlatClip(study + "/S01/post-prrt/clip01")
        let results = TestPaths.temporaryFolder("vanished-results")
        #expect(try runEchoflow(["batch", study, "--output", results, "--quiet"]).status == 0)
        let compared = try runEchoflow(["compare", results])
        #expect(compared.status == 0, "\(compared.stderr)")
        let rows = try CSVFile(path: results + "/comparison.csv").dictionaries
        let s01 = try #require(
            rows.first { $0["subject"] == "S01" && $0["region"] == "lesion" && $0["parameter"] == "wiauc_au_s" })
        #expect(s01["followup_status"] == "no_enhancement")
        #expect(s01["baseline_status"] == "converged")
        #expect(s01["followup"] == "0" && s01["change_pct"] == "-100")
        #expect(s01["responder"] == "1" && s01["verdict"] == "responder")
        #expect(s01["change_pct_ci_low"]?.isEmpty == true)  // no interval at -100 %: the follow-up has no fit
        #expect(s01["excluded"]?.isEmpty == true)
        let ttp = try #require(
            rows.first { $0["subject"] == "S01" && $0["region"] == "lesion" && $0["parameter"] == "ttp_s" })
        #expect(ttp["followup"]?.isEmpty == true)
        #expect(compared.stdout.contains("enhancement vanished"))
        let report = try String(contentsOfFile: results + "/report.html", encoding: .utf8)
        #expect(report.contains("Left out of the statistics") && report.contains("the enhancement vanished"))
        // All three lesions count in the cohort line of the rule's parameter.
        let cohort = try CSVFile(path: results + "/cohort.csv").dictionaries
        let line = try #require(cohort.first { $0["region"] == "lesion" && $0["parameter"] == "wiauc_au_s" })
        #expect(line["n"] == "3")
    }
}

@Suite("Fits below the QOF threshold, end to end", .serialized)
struct MinimumQOFTests {
    @Test("pairs whose follow-up QOF is below --min-qof stay in comparison.csv with the reason, out of the statistics")
    func belowThreshold() throws {
        let results = TestPaths.temporaryFolder("minqof")
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"]).status == 0)
        // The fixture's post-PRRT lesion fits have QOFs of about 94.7, 95.7 and 97.9 %: 96 % leaves out two.
        let compared = try runEchoflow(["compare", results, "--min-qof", "96"])
        #expect(compared.status == 0, "\(compared.stderr)")
        let rows = try CSVFile(path: results + "/comparison.csv").dictionaries.filter {
            $0["region"] == "lesion" && $0["parameter"] == "wiauc_rel_pct"
        }
        try #require(rows.count == 3)
        for row in rows {
            let qof = Double(row["followup_qof_pct"]!)!
            if qof < 96 {
                #expect(row["excluded"]?.contains("below --min-qof 96 %") == true, "\(row)")
                #expect(row["verdict"] == "not_comparable" && row["responder"]?.isEmpty == true)
            } else {
                #expect(row["excluded"]?.isEmpty == true && row["verdict"] != "not_comparable")
            }
        }
        let kept = rows.filter { Double($0["followup_qof_pct"]!)! >= 96 }.count
        let cohort = try CSVFile(path: results + "/cohort.csv").dictionaries
        #expect(cohort.first { $0["region"] == "lesion" && $0["parameter"] == "wiauc_rel_pct" }?["n"] == "\(kept)")
        let report = try String(contentsOfFile: results + "/report.html", encoding: .utf8)
        #expect(report.contains("below --min-qof 96 %"))
    }
}

@Suite("The default responder rule", .serialized)
struct DefaultRuleTests {
    @Test("with a reference region: relative WiAUC, and the reference region is never classified")
    func withReference() throws {
        let results = TestPaths.temporaryFolder("rule-reference")
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"]).status == 0)
        let compared = try runEchoflow(["compare", results])
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(compared.stdout.contains("Response rule: wiauc_rel_pct<-40%"))
        let rows = try CSVFile(path: results + "/comparison.csv").dictionaries
        #expect(rows.allSatisfy { $0["rule"] == "wiauc_rel_pct<-40%" })
        #expect(rows.filter { $0["region"] == "parenchyma" }.allSatisfy { $0["responder"]?.isEmpty == true })
        let cohort = try CSVFile(path: results + "/cohort.csv").dictionaries
        #expect(!cohort.contains { $0["region"] == "parenchyma" && $0["parameter"]!.hasSuffix("_rel_pct") })
        #expect(cohort.contains { $0["region"] == "parenchyma" && $0["parameter"] == "wiauc_au_s" })
        // Verdicts follow the 95 % interval: every lesion's interval lies wholly on one side of -40 % here.
        let lesion = rows.filter { $0["region"] == "lesion" && $0["parameter"] == "wiauc_rel_pct" }
        #expect(lesion.map { $0["verdict"] } == ["responder", "responder", "non-responder"])
        for row in lesion {
            let (low, high) = (Double(row["change_pct_ci_low"]!)!, Double(row["change_pct_ci_high"]!)!)
            let change = Double(row["change_pct"]!)!
            #expect(low < change && change < high && high - low < 20, "\(row)")
            #expect((row["verdict"] == "responder") == (high < -40), "\(row)")
        }
        #expect(rows.filter { $0["region"] == "parenchyma" }.allSatisfy { $0["verdict"] == "not_comparable" })
        let line = try #require(cohort.first { $0["region"] == "lesion" && $0["parameter"] == "wiauc_rel_pct" })
        #expect(line["smallest_p"] == "0.25" && line["n_responder"] == "2" && line["n_non_responder"] == "1")

        // A threshold inside S02's interval (about -51 % to -40 %) leaves it indeterminate, not a confident call.
        let strict = try runEchoflow([
            "compare", results, "--response", "wiauc_rel_pct<-50%", "--output", results + "/strict",
        ])
        #expect(strict.status == 0, "\(strict.stderr)")
        let strictRows = try CSVFile(path: results + "/strict/comparison.csv").dictionaries.filter {
            $0["region"] == "lesion" && $0["parameter"] == "wiauc_rel_pct"
        }
        #expect(strictRows.map { $0["verdict"] } == ["responder", "indeterminate", "non-responder"])
        #expect(strict.stdout.contains("indeterminate"))
    }

    @Test("without a reference region: absolute WiAUC, with a note that the gains must be equal")
    func withoutReference() throws {
        let study = TestPaths.temporaryFolder("rule-noreference")
        for subject in ["S01", "S02"] {
            for timepoint in ["baseline", "post-prrt"] {
                let folder = study + "/\(subject)/\(timepoint)/clip01"
                try copyClip("\(subject)/\(timepoint)/clip01", to: folder)
                let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/roi.json"))
                var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
                object.removeValue(forKey: "reference")
                try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: folder + "/roi.json"))
            }
        }
        let results = TestPaths.temporaryFolder("rule-noreference-results")
        #expect(try runEchoflow(["batch", study, "--output", results, "--quiet"]).status == 0)
        let compared = try runEchoflow(["compare", results])
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(compared.stdout.contains("Response rule: wiauc_au_s<-40%"))
        #expect(compared.stdout.contains("assumes equal gains"))
    }
}

@Suite("Fresh study outputs", .serialized)
struct FreshOutputTests {
    @Test("batch removes an earlier comparison and report from its folder; compare refuses an incomplete run")
    func staleAndIncomplete() throws {
        let results = TestPaths.temporaryFolder("fresh")
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"]).status == 0)
        #expect(try runEchoflow(["compare", results]).status == 0)
        #expect(FileManager.default.fileExists(atPath: results + "/report.html"))
        // A new batch into the same folder: the old comparison no longer describes it.
        #expect(try runEchoflow(["batch", TestPaths.study, "--output", results, "--quiet"]).status == 0)
        for name in ["comparison.csv", "comparison_wide.csv", "cohort.csv", "report.html"] {
            #expect(!FileManager.default.fileExists(atPath: results + "/" + name), "\(name) left behind")
        }
        // A clip that fails, then is fixed: the next batch and compare show no trace of the old error.
        let study = TestPaths.temporaryFolder("fresh-study")
        for subject in ["S01", "S02"] {
            for timepoint in ["baseline", "post-prrt"] {
                try copyClip("\(subject)/\(timepoint)/clip01", to: study + "/\(subject)/\(timepoint)/clip01")
            }
        }
        let roi = study + "/S02/post-prrt/clip01/roi.json"
        let good = try Data(contentsOf: URL(fileURLWithPath: roi))
        try Data("{\"regions\": [".utf8).write(to: URL(fileURLWithPath: roi))
        let fixing = TestPaths.temporaryFolder("fresh-fixing")
        let broken = try runEchoflow(["batch", study, "--output", fixing, "--quiet"])
        #expect(broken.status == 1)
        #expect(try CSVFile(path: fixing + "/errors.csv").rows.count == 1)
        try good.write(to: URL(fileURLWithPath: roi))
        let fixed = try runEchoflow(["batch", study, "--output", fixing, "--quiet"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stdout.contains("1 analysed, 3 already done"), "\(fixed.stdout)")
        #expect(try CSVFile(path: fixing + "/errors.csv").rows.isEmpty)
        #expect(try runEchoflow(["compare", fixing]).status == 0)
        let report = try String(contentsOfFile: fixing + "/report.html", encoding: .utf8)
        #expect(report.contains("Every clip was analysed") && !report.contains("roi.json"))
        let lesions = try CSVFile(path: fixing + "/comparison.csv").dictionaries.filter {
            $0["region"] == "lesion" && $0["parameter"] == "wiauc_rel_pct"
        }
        #expect(lesions.map { $0["subject"] } == ["S01", "S02"])

        // A study table edited by hand (a clip's rows removed) no longer matches run.json: refused.
        let table = try String(contentsOfFile: fixing + "/parameters.csv", encoding: .utf8)
        let edited = table.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !($0.hasPrefix("S02,clip01,post-prrt,"))
        }
        try edited.joined(separator: "\n").write(toFile: fixing + "/parameters.csv", atomically: true, encoding: .utf8)
        let inconsistent = try runEchoflow(["compare", fixing])
        #expect(inconsistent.status == 65)
        #expect(inconsistent.stderr.contains("the run is inconsistent: S02/clip01/post-prrt"), "\(inconsistent.stderr)")

        // One shard of two is not a whole run.
        let shard = TestPaths.temporaryFolder("fresh-shard")
        #expect(
            try runEchoflow(["batch", TestPaths.study, "--output", shard, "--shard", "1/2", "--quiet"]).status == 0)
        let refused = try runEchoflow(["compare", shard])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("the run is incomplete") && refused.stderr.contains("echoflow merge"))
    }
}
