import CSV
import Foundation

/// Baseline versus follow-up for every lesion, region and parameter of a results folder, with cohort
/// statistics (REFERENCE.md §6).
public struct Comparison: Sendable {
    /// One parameter of one region of one lesion at one follow-up timepoint.
    public struct Row: Sendable, Equatable {
        public let subject, lesion, region, timepoint, parameter: String
        public let baseline, followup: Double
        public var change: Double { followup - baseline }
        public var changePercent: Double { baseline != 0 ? 100 * (followup - baseline) / abs(baseline) : .nan }
        public var logRatio: Double { baseline > 0 && followup > 0 ? Foundation.log(followup / baseline) : .nan }
    }

    /// Statistics of one parameter over the lesions of one region and timepoint.
    public struct CohortRow: Sendable, Equatable {
        public let region, timepoint, parameter: String
        public let n: Int
        public let median, q1, q3: Double
        public let wilcoxon: WilcoxonSignedRank.Result
        public let responderShare: Double
    }

    /// Parameters compared: the perfusion parameters and the amplitudes relative to the reference region.
    public static let parameters: [String] =
        Array(ParameterTable.columns.map(\.name)[6..<22]) + ParameterTable.amplitudeStems.map { "\($0)_rel_pct" }

    public let rule: ResponseRule
    public let rows: [Row]
    /// Responder decisions by `subject/lesion/region/timepoint` (nil when not computable).
    public let responders: [String: Bool?]
    public let cohort: [CohortRow]
    public let timepoints: [String]
    /// Regions named as the reference of a clip (their relative amplitudes are 100 % by definition).
    public let references: Set<String>

    static func key(_ s: String, _ l: String, _ r: String, _ t: String) -> String { "\(s)\u{1}\(l)\u{1}\(r)\u{1}\(t)" }

    /// Compares the selected-model rows of `RESULTS/parameters.csv`, baseline being the first timepoint of the
    /// study (`run.json`).
    public init(results: String, rule: ResponseRule = .default) throws {
        guard Self.parameters.contains(rule.parameter) else {
            throw PerfusionAnalysisError.invalidSetting(
                name: "--response",
                detail: "unknown parameter \"\(rule.parameter)\" (one of \(Self.parameters.joined(separator: ", ")))")
        }
        guard let manifest = RunManifest.load(results) else {
            throw PerfusionAnalysisError.unusableResults(
                path: results, detail: "no readable \(RunManifest.fileName): not a results folder of `echoflow batch`")
        }
        self.rule = rule
        timepoints = manifest.study.timepoints
        let path = (results as NSString).appendingPathComponent(AnalysisWriter.parametersFile)
        guard let data = FileManager.default.contents(atPath: path),
            let reader = try? CSVReader(string: String(decoding: data, as: UTF8.self), hasHeaderRow: true)
        else { throw PerfusionAnalysisError.missingInput(path: path) }
        let header = reader.headerRow ?? []
        var values: [String: [String: Double]] = [:]  // key -> parameter -> value
        var references: Set<String> = []
        var order: [(String, String, String)] = []  // subject, lesion, region in file order
        while let row = reader.next() {
            guard row.count == header.count else { continue }
            let cell = Dictionary(zip(header, row), uniquingKeysWith: { a, _ in a })
            guard cell["selected"] == "1", let s = cell["subject"], let l = cell["lesion"], let r = cell["roi"],
                let t = cell["timepoint"]
            else { continue }
            if !order.contains(where: { $0 == (s, l, r) }) { order.append((s, l, r)) }
            if let reference = cell["reference_roi"], !reference.isEmpty { references.insert(reference) }
            values[Self.key(s, l, r, t)] = Dictionary(
                uniqueKeysWithValues: Self.parameters.map { ($0, Double(cell[$0] ?? "") ?? .nan) })
        }
        self.references = references
        guard let baseline = timepoints.first else { throw PerfusionAnalysisError.noClipsFound(path: results) }
        var rows: [Row] = []
        var responders: [String: Bool?] = [:]
        for (s, l, r) in order {
            guard let base = values[Self.key(s, l, r, baseline)] else { continue }
            for t in timepoints.dropFirst() {
                guard let follow = values[Self.key(s, l, r, t)] else { continue }
                for p in Self.parameters {
                    rows.append(
                        Row(
                            subject: s, lesion: l, region: r, timepoint: t, parameter: p, baseline: base[p]!,
                            followup: follow[p]!))
                }
                let ruleRow = Row(
                    subject: s, lesion: l, region: r, timepoint: t, parameter: rule.parameter,
                    baseline: base[rule.parameter]!, followup: follow[rule.parameter]!)
                responders[Self.key(s, l, r, t)] = rule.responds(
                    change: ruleRow.change, changePercent: ruleRow.changePercent)
            }
        }
        self.rows = rows
        self.responders = responders
        var cohort: [CohortRow] = []
        let regions = order.map(\.2).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for region in regions {
            for t in timepoints.dropFirst() {
                let decided = responders.filter { $0.key.hasSuffix("\u{1}\(region)\u{1}\(t)") }.compactMap(\.value)
                for p in Self.parameters {
                    let pairs = rows.filter {
                        $0.region == region && $0.timepoint == t && $0.parameter == p && $0.baseline.isFinite
                            && $0.followup.isFinite
                    }
                    guard !pairs.isEmpty else { continue }
                    let changes = pairs.map(\.changePercent)
                    cohort.append(
                        CohortRow(
                            region: region, timepoint: t, parameter: p, n: pairs.count,
                            median: Quantile.of(changes, 0.5),
                            q1: Quantile.of(changes, 0.25), q3: Quantile.of(changes, 0.75),
                            wilcoxon: WilcoxonSignedRank.test(pairs.map(\.change)),
                            responderShare: decided.isEmpty
                                ? .nan : Double(decided.filter { $0 }.count) / Double(decided.count)))
                }
            }
        }
        self.cohort = cohort
    }

    public func responder(_ row: Row) -> Bool? {
        responders[Self.key(row.subject, row.lesion, row.region, row.timepoint)] ?? nil
    }

    // MARK: - Tables

    public static let comparisonColumns = [
        "subject", "lesion", "region", "timepoint", "parameter", "baseline", "followup", "change", "change_pct",
        "log_ratio",
        "responder",
    ]
    public static let cohortColumns = [
        "region", "timepoint", "parameter", "n", "median_change_pct", "q1_change_pct", "q3_change_pct",
        "wilcoxon_statistic",
        "wilcoxon_p", "responder_share",
    ]

    static func flag(_ b: Bool?) -> CSVCell { b.map { .integer($0 ? 1 : 0) } ?? .empty }

    public var comparisonTable: CSVTable {
        var table = CSVTable(columns: Self.comparisonColumns)
        for r in rows {
            table.append([
                .text(r.subject), .text(r.lesion), .text(r.region), .text(r.timepoint), .text(r.parameter),
                .number(r.baseline),
                .number(r.followup), .number(r.change), .number(r.changePercent), .number(r.logRatio),
                Self.flag(responder(r)),
            ])
        }
        return table
    }

    /// One row per lesion, region and follow-up timepoint; per parameter its baseline, follow-up and % change.
    public var wideTable: CSVTable {
        let columns =
            ["subject", "lesion", "region", "timepoint"]
            + Self.parameters.flatMap { ["\($0)_baseline", "\($0)_followup", "\($0)_change_pct"] } + ["responder"]
        var table = CSVTable(columns: columns)
        var index = 0
        while index < rows.count {
            let first = rows[index]
            let group = rows[index..<min(index + Self.parameters.count, rows.count)]
            var cells: [CSVCell] = [
                .text(first.subject), .text(first.lesion), .text(first.region), .text(first.timepoint),
            ]
            for r in group { cells += [.number(r.baseline), .number(r.followup), .number(r.changePercent)] }
            cells.append(Self.flag(responder(first)))
            table.append(cells)
            index += Self.parameters.count
        }
        return table
    }

    public var cohortTable: CSVTable {
        var table = CSVTable(columns: Self.cohortColumns)
        for c in cohort {
            table.append([
                .text(c.region), .text(c.timepoint), .text(c.parameter), .integer(c.n), .number(c.median),
                .number(c.q1), .number(c.q3),
                c.wilcoxon.n > 0 ? .number(c.wilcoxon.statistic) : .empty, .number(c.wilcoxon.pValue),
                .number(c.responderShare),
            ])
        }
        return table
    }
}
