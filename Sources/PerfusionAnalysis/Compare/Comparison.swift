import Foundation

/// Baseline versus follow-up for every lesion, region and parameter of a results folder, with cohort
/// statistics (docs/METHODS.md §7).
public struct Comparison: Sendable {
    /// One parameter of one region of one lesion at one follow-up timepoint.
    public struct Row: Sendable, Equatable {
        /// Who, which lesion and region, which follow-up timepoint, which parameter.
        public let subject, lesion, region, timepoint, parameter: String
        /// The parameter at baseline and at the follow-up.
        public let baseline, followup: Double
        /// The baseline timepoint the change is measured from.
        public let baselineTimepoint: String
        /// The lesion's responder decision at this timepoint (the same on every parameter's row); nil when
        /// the rule's parameter could not be computed.
        let responder: Bool?
        /// followup - baseline, in the parameter's unit.
        public var change: Double { followup - baseline }
        /// 100 (followup - baseline) / |baseline| (%); NaN when the baseline is zero.
        public var changePercent: Double { baseline != 0 ? 100 * (followup - baseline) / abs(baseline) : .nan }
        var logRatio: Double { baseline > 0 && followup > 0 ? Foundation.log(followup / baseline) : .nan }
    }

    /// Statistics of one parameter over the lesions of one region and timepoint.
    public struct CohortRow: Sendable, Equatable {
        /// Region, follow-up timepoint and parameter.
        public let region, timepoint, parameter: String
        /// Lesions with both values.
        public let n: Int
        /// Median and quartiles of the percent changes (R type 7).
        public let median, q1, q3: Double
        /// Paired Wilcoxon signed-rank test of the changes.
        public let wilcoxon: WilcoxonSignedRank.Result
        /// Share (0 to 1) of the lesions that meet the response rule.
        public let responderShare: Double
    }

    /// Parameters compared, by `parameters.csv` column name: the perfusion parameters and the amplitudes
    /// relative to the reference region.
    public static let parameters: [String] = (ParameterTable.perfusion + ParameterTable.relativePercent).map(\.name)

    /// The responder rule applied.
    public let rule: ResponseRule
    /// Every lesion, region, follow-up timepoint and parameter, in study order.
    public let rows: [Row]
    /// Responder decisions by `subject/lesion/region/timepoint` (nil when not computable).
    let responders: [String: Bool?]
    /// Cohort statistics per region, follow-up timepoint and parameter.
    public let cohort: [CohortRow]
    /// Timepoints with the baseline first, then the follow-ups in study order.
    let timepoints: [String]
    /// The timepoint every change is measured from (see ``Study/baseline(named:)``).
    public let baseline: String
    /// Regions named as the reference of a clip (their relative amplitudes are 100 % by definition).
    public let references: Set<String>

    static func key(_ s: String, _ l: String, _ r: String, _ t: String) -> String { "\(s)\u{1}\(l)\u{1}\(r)\u{1}\(t)" }

    /// Compares the selected-model rows of `RESULTS/parameters.csv` with the baseline chosen by
    /// ``Study/baseline(named:)`` (`baseline` from `--baseline`), the study being the one of `run.json`.
    init(results: String, rule: ResponseRule = .default, baseline explicit: String? = nil) throws {
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
        let baseline = try manifest.study.baseline(named: explicit)
        self.baseline = baseline
        timepoints = [baseline] + manifest.study.timepoints.filter { $0 != baseline }
        let table = try ResultTable.read((results as NSString).appendingPathComponent(ParameterTable.file))
        try table.require(StudyTables.leadingColumns + ["roi", "selected", "reference_roi"] + Self.parameters)
        var values: [String: [String: Double]] = [:]  // key -> parameter -> value
        var references: Set<String> = []
        var order: [(String, String, String)] = []  // subject, lesion, region in file order
        for record in table.records {
            guard record["selected"] == "1", let s = record["subject"], let l = record["lesion"],
                let r = record["roi"], let t = record["timepoint"]
            else { continue }
            if !order.contains(where: { $0 == (s, l, r) }) { order.append((s, l, r)) }
            if let reference = record["reference_roi"], !reference.isEmpty { references.insert(reference) }
            values[Self.key(s, l, r, t)] = Dictionary(
                uniqueKeysWithValues: Self.parameters.map { ($0, record.number($0) ?? .nan) })
        }
        self.references = references
        var rows: [Row] = []
        var responders: [String: Bool?] = [:]
        for (s, l, r) in order {
            guard let base = values[Self.key(s, l, r, baseline)] else { continue }
            for t in timepoints.dropFirst() {
                guard let follow = values[Self.key(s, l, r, t)] else { continue }
                let ruleRow = Row(
                    subject: s, lesion: l, region: r, timepoint: t, parameter: rule.parameter,
                    baseline: base[rule.parameter]!, followup: follow[rule.parameter]!, baselineTimepoint: baseline,
                    responder: nil)
                let responder = rule.responds(change: ruleRow.change, changePercent: ruleRow.changePercent)
                responders[Self.key(s, l, r, t)] = responder
                for p in Self.parameters {
                    rows.append(
                        Row(
                            subject: s, lesion: l, region: r, timepoint: t, parameter: p, baseline: base[p]!,
                            followup: follow[p]!, baselineTimepoint: baseline, responder: responder))
                }
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

    /// The responder decision of `row`'s lesion, region and timepoint.
    public func responder(_ row: Row) -> Bool? { row.responder }

    // MARK: - Tables

    static func flag(_ b: Bool?) -> CSVCell { b.map { .integer($0 ? 1 : 0) } ?? .empty }

    /// `comparison.csv`: one row per lesion, region, follow-up timepoint and parameter.
    static let comparisonSchema = TableSchema<Row>(
        file: "comparison.csv",
        columns: [
            .text("subject", "subject of the follow-up examination") { $0.subject },
            .text("lesion", "lesion") { $0.lesion },
            .text("region", "region (the ROI name)") { $0.region },
            .text("timepoint", "the follow-up timepoint") { $0.timepoint },
            .text(
                "parameter",
                "a `parameters.csv` column: `pe_au` ... `qof_pct`, and the relative amplitudes `pe_rel_pct` ... `auc_rel_pct`"
            ) { $0.parameter },
            .number("baseline", "(the parameter's)", "the parameter at baseline (selected model)") { $0.baseline },
            .number("followup", "(the parameter's)", "the parameter at this timepoint (selected model)") {
                $0.followup
            },
            .number("change", "(the parameter's)", "followup - baseline") { $0.change },
            .number("change_pct", "%", "100 (followup - baseline) / abs(baseline)") { $0.changePercent },
            .number("log_ratio", "", "ln(followup / baseline), empty unless both are positive") { $0.logRatio },
            Column(
                "responder", "",
                "1 or 0 by the response rule for this lesion, region and timepoint; empty when not computable",
                type: .integer
            ) {
                flag($0.responder)
            },
            .text("baseline_timepoint", "the timepoint the change is measured from (docs/METHODS.md §7)") {
                $0.baselineTimepoint
            },
        ])

    /// `cohort.csv`: one row per region, follow-up timepoint and parameter.
    static let cohortSchema = TableSchema<CohortRow>(
        file: "cohort.csv",
        columns: [
            .text("region", "region (the ROI name)") { $0.region },
            .text("timepoint", "the follow-up timepoint") { $0.timepoint },
            .text("parameter", "as in `comparison.csv`") { $0.parameter },
            .integer("n", "lesions", "lesions with both values") { $0.n },
            .number("median_change_pct", "%", "median of `change_pct`") { $0.median },
            .number("q1_change_pct", "%", "first quartile of `change_pct` (linear interpolation, R type 7)") { $0.q1 },
            .number("q3_change_pct", "%", "third quartile of `change_pct` (R type 7)") { $0.q3 },
            .number(
                "wilcoxon_statistic", "",
                "W+, the sum of the ranks of the positive paired differences (R's `V`); zero differences dropped, ties mid-ranked"
            ) { $0.wilcoxon.n > 0 ? $0.wilcoxon.statistic : nil },
            .number(
                "wilcoxon_p", "",
                "two-sided p-value: exact for n <= 25 (permutation distribution, ties included), else the normal approximation with tie and continuity corrections"
            ) { $0.wilcoxon.pValue },
            .number(
                "responder_share", "",
                "share (0 to 1) of the region's lesions that meet the response rule at this timepoint"
            ) {
                $0.responderShare
            },
        ])

    /// One row of `comparison_wide.csv`: every parameter's row of one lesion, region and timepoint.
    struct WideRow: Sendable {
        let rows: ArraySlice<Row>
    }

    /// `comparison_wide.csv`: per lesion, region and timepoint, each parameter's baseline, follow-up and change.
    static let wideSchema: TableSchema<WideRow> = {
        var columns: [Column<WideRow>] = comparisonSchema.columns.prefix(4).map {
            $0.pulledBack { $0.rows.first! }
        }
        for (k, p) in parameters.enumerated() {
            columns += [
                .number("\(p)_baseline", "", "\(p) at baseline") { $0.rows[$0.rows.startIndex + k].baseline },
                .number("\(p)_followup", "", "\(p) at this timepoint") { $0.rows[$0.rows.startIndex + k].followup },
                .number("\(p)_change_pct", "%", "% change of \(p)") { $0.rows[$0.rows.startIndex + k].changePercent },
            ]
        }
        columns += comparisonSchema.columns.filter { ["responder", "baseline_timepoint"].contains($0.name) }.map {
            $0.pulledBack { $0.rows.first! }
        }
        return TableSchema(file: "comparison_wide.csv", columns: columns)
    }()

    var comparisonTable: CSVTable { Self.comparisonSchema.table(rows) }

    /// One row per lesion, region and follow-up timepoint; per parameter its baseline, follow-up and % change.
    var wideTable: CSVTable {
        let count = Self.parameters.count
        return Self.wideSchema.table(
            stride(from: 0, to: rows.count, by: count).map { WideRow(rows: rows[$0..<min($0 + count, rows.count)]) })
    }

    var cohortTable: CSVTable { Self.cohortSchema.table(cohort) }
}
