import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis

@Suite("Wilcoxon signed-rank test and quantiles")
struct StatisticsTests {
    @Test("exact test on Hollander and Wolfe's depression data: V = 40, p = 0.0390625")
    func publishedExample() {
        // M. Hollander, D. A. Wolfe, Nonparametric Statistical Methods (1973), p. 29; R's wilcox.test gives
        // V = 40, p-value = 0.03906 (scipy.stats.wilcoxon: statistic 5 = W-, p = 0.0390625).
        let x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
        let y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
        let r = WilcoxonSignedRank.test(zip(x, y).map { $0 - $1 })
        #expect(r.n == 9 && r.exact)
        #expect(r.statistic == 40)
        #expect(abs(r.pValue - 0.0390625) < 1e-12)
    }

    @Test("normal approximation with ties and zeros matches SciPy")
    func largeSample() {
        // scipy.stats.wilcoxon(d, zero_method="wilcox", correction=True, method="approx") with SciPy 1.17.1:
        // statistic 267 (= W-, so W+ = 363 after dropping 5 zeros), p = 0.4361400967210938.
        let d = [
            0.0, 0.0, 0.0, 1.0, -1.3, 0.3, -0.3, 0.4, -1.3, 0.5, 0.5, 1.9, 0.6, 0.8, -1.2, 2.6, -1.6, 1.4, -0.0, -0.6,
            -0.4,
            -0.4, 0.7, 0.2, 1.8, -1.5, 0.3, -0.6, 1.1, -1.8, -0.0, 0.5, -1.2, 1.3, 0.5, 1.3, 1.3, -0.7, -0.5, 0.1,
        ]
        let r = WilcoxonSignedRank.test(d)
        #expect(r.n == 35 && !r.exact)
        #expect(r.statistic == 363)
        #expect(abs(r.pValue - 0.4361400967210938) < 1e-9)
    }

    @Test("exact p-values with tied ranks equal a brute-force enumeration of all sign flips")
    func exactWithTies() {
        let d: [Double] = [1, 1, 2, -2, 3, -1, 4, 4, -5, 2, 0]
        let r = WilcoxonSignedRank.test(d)
        // Independent enumeration: mid-ranks of |d| (zeros dropped), W+ for all 2^10 sign assignments.
        let nonzero = d.filter { $0 != 0 }.map(abs)
        let ranks = nonzero.map { v -> Double in
            let below = Double(nonzero.filter { $0 < v }.count)
            let equal = Double(nonzero.filter { $0 == v }.count)
            return below + (equal + 1) / 2
        }
        let observed = zip(d.filter { $0 != 0 }, ranks).filter { $0.0 > 0 }.map(\.1).reduce(0, +)
        var lower = 0
        var upper = 0
        for mask in 0..<(1 << ranks.count) {
            let w = ranks.indices.filter { mask & (1 << $0) != 0 }.map { ranks[$0] }.reduce(0, +)
            if w <= observed { lower += 1 }
            if w >= observed { upper += 1 }
        }
        let p = min(1, 2 * Double(min(lower, upper)) / Double(1 << ranks.count))
        #expect(r.exact && r.n == 10 && r.statistic == observed)
        #expect(abs(r.pValue - p) < 1e-12)
    }

    @Test("quantiles interpolate like R type 7 and NumPy")
    func quantiles() {
        let x: [Double] = [3, 1, 4, 1, 5, 9, 2, 6]
        #expect(Quantile.of(x, 0.25) == 1.75)
        #expect(Quantile.of(x, 0.5) == 3.5)
        #expect(Quantile.of(x, 0.75) == 5.25)
    }

    @Test("responder rules parse and decide")
    func rules() throws {
        let rule = try #require(ResponseRule("wiauc_au_s < -40%"))
        #expect(rule == .default)
        #expect(rule.responds(change: -1, changePercent: -45) == true)
        #expect(rule.responds(change: -1, changePercent: -40) == false)
        #expect(rule.responds(change: 0, changePercent: .nan) == nil)
        let absolute = try #require(ResponseRule("mtt_s>=5"))
        #expect(absolute.comparison == .greaterOrEqual && !absolute.percent && absolute.threshold == 5)
        #expect(absolute.responds(change: 5, changePercent: 1) == true)
        #expect(ResponseRule("wiauc_au_s") == nil)
        #expect(ResponseRule("<5%") == nil)
    }
}

@Suite("Study input")
struct StudyInputTests {
    @Test("the fixture manifest orders timepoints by day and resolves paths")
    func manifest() throws {
        let study = try Study.load(TestPaths.study + "/manifest.csv")
        #expect(study.entries.count == 6)
        #expect(study.timepoints == ["baseline", "post-prrt"])
        #expect(study.entries.allSatisfy { FileManager.default.fileExists(atPath: $0.clip) })
        let tree = try Study.load(TestPaths.study)
        #expect(tree.entries.map(\.subject) == study.entries.map(\.subject))
        #expect(tree.entries.map(\.timepoint) == study.entries.map(\.timepoint))
    }

    @Test("timepoints without days: baseline first, then lexical")
    func order() throws {
        let folder = TestPaths.temporaryFolder("order")
        for t in ["week6", "baseline", "day30"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/S1/\(t)/c", withIntermediateDirectories: true)
        }
        #expect(try Study.load(folder).timepoints == ["baseline", "day30", "week6"])
    }

    @Test("a study folder lists NAME.dcm clips with NAME.roi.json beside them")
    func dicomFilesInTree() throws {
        let root = TestPaths.temporaryFolder("dicom-study")
        try FileManager.default.createDirectory(atPath: root + "/S1/baseline", withIntermediateDirectories: true)
        try Data([0]).write(to: URL(fileURLWithPath: root + "/S1/baseline/liver2.dcm"))
        let study = try Study.load(root)
        #expect(study.entries.map(\.lesion) == ["liver2"])
        #expect(study.entries.first?.roi == root + "/S1/baseline/liver2.roi.json")
    }

    @Test("every problem of a manifest is reported at once, before any work")
    func problems() throws {
        let folder = TestPaths.temporaryFolder("manifest")
        let text = """
            subject,lesion,timepoint,clip,roi,scanner
            S1,L1,baseline,missing-clip,missing.json,x
            S1,L1,baseline,\(TestPaths.baselineClip),\(TestPaths.baselineClip)/roi.json,x
            S2,L1,baseline,,r.json,x
            """
        try text.write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
        do {
            _ = try Study.load(folder + "/m.csv")
            Issue.record("expected an error")
        } catch let PerfusionAnalysisError.invalidStudy(_, problems) {
            let all = problems.joined(separator: "\n")
            #expect(all.contains("unknown column(s) scanner"))
            #expect(all.contains("line 2: clip"))
            #expect(all.contains("line 2: roi"))
            #expect(all.contains("line 3: subject S1, lesion L1, timepoint baseline repeats line 2"))
            #expect(all.contains("line 4: empty clip"))
        }
    }
}

@Suite("Baseline rule")
struct BaselineRuleTests {
    func study(_ timepoints: [(String, Double?)], declared: String? = nil) -> Study {
        let entries = timepoints.map { name, day in
            StudyEntry(subject: "S1", lesion: "L1", timepoint: name, day: day, clip: "c", roi: "r")
        }
        return Study(source: "s", entries: entries, declaredBaseline: declared)
    }

    @Test("explicit, then study.json, then the timepoint named baseline, then the unique first day; else refused")
    func rule() throws {
        #expect(try study([("Baseline", nil), ("post", nil)]).baseline() == "Baseline")
        #expect(try study([("pre", 0), ("post", 30)]).baseline() == "pre")
        #expect(try study([("pre", nil), ("post", nil)], declared: "pre").baseline() == "pre")
        #expect(try study([("pre", nil), ("post", nil)], declared: "pre").baseline(named: "post") == "post")
        // No name, no days; days on only some timepoints; two timepoints on the first day: refused.
        let cases: [[(String, Double?)]] = [
            [("pre", nil), ("post", nil)], [("pre", 0), ("post", nil)], [("a", 0), ("b", 0)],
        ]
        for ambiguous in cases {
            #expect(throws: PerfusionAnalysisError.self) { try study(ambiguous).baseline() }
        }
        #expect(throws: PerfusionAnalysisError.self) { try study([("pre", 0), ("post", 30)]).baseline(named: "x") }
    }
}

@Suite("Fit quality of compared pairs")
struct PairQualityTests {
    func fit(_ status: String, _ qof: String = "95") -> [String: String] {
        ["model": "lognormal", "status": status, "qof_pct": qof]
    }

    @Test("only converged fits with QOF >= --min-qof enter the statistics; vanished enhancement is a result")
    func rule() {
        func excluded(_ base: [String: String], _ follow: [String: String]) -> String? {
            Comparison.quality(base: base, follow: follow, minimumQOF: 50).excluded
        }
        #expect(excluded(fit("converged"), fit("converged")) == nil)
        #expect(excluded(fit("converged"), fit("no_enhancement", "")) == nil)
        #expect(excluded(fit("at_bound"), fit("converged")) == "baseline fit at_bound")
        #expect(excluded(fit("converged"), fit("max_iterations", "33")) == "follow-up fit max_iterations")
        #expect(excluded(fit("converged"), fit("converged", "33")) == "follow-up QOF 33 % below --min-qof 50 %")
        #expect(excluded(fit("no_enhancement", ""), fit("converged")) == "not comparable: no enhancement at baseline")
        #expect(
            Comparison.quality(base: fit("converged"), follow: fit("converged", "33"), minimumQOF: 0).excluded == nil)
        #expect(Comparison.vanishing.contains("wiauc_au_s") && Comparison.vanishing.contains("wiauc_rel_pct"))
        #expect(!Comparison.vanishing.contains("ttp_s") && !Comparison.vanishing.contains("qof_pct"))
    }
}

@Suite("study.json")
struct StudySettingsTests {
    func load(_ json: String) throws -> StudySettings? {
        let folder = TestPaths.temporaryFolder("studyjson-unit")
        try json.write(toFile: folder + "/study.json", atomically: true, encoding: .utf8)
        return try StudySettings.load(folder, timepoints: ["pre", "post"])
    }

    @Test("reads the baseline and order; refuses unknown timepoints, repeats, wrong types and non-objects")
    func rules() throws {
        let settings = try #require(try load(#"{"baseline": "pre", "timepoints": ["pre", "post"]}"#))
        #expect(settings.baseline == "pre" && settings.timepoints == ["pre", "post"])
        for bad in [
            #"{"baseline": "week2"}"#, #"{"timepoints": ["pre", "pre"]}"#, #"{"timepoints": ["pre", "x"]}"#,
            #"{"baseline": 3}"#, #"["pre"]"#,
        ] {
            #expect(throws: PerfusionAnalysisError.self, "\(bad)") { try load(bad) }
        }
        #expect(try StudySettings.load(TestPaths.temporaryFolder("no-studyjson"), timepoints: []) == nil)
    }
}
