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
        /// The quality of the two fits the values come from.
        public var quality = PairQuality()
        /// The lesion's responder decision at this timepoint (the same on every parameter's row); nil when
        /// the rule's parameter could not be computed.
        let responder: Bool?
        /// The 95 % interval of the change, nil when the values have no standard errors.
        public var interval: ChangeInterval?
        /// The lesion's verdict at this timepoint with the interval of the rule's parameter (the same on every
        /// parameter's row).
        public var verdict: Verdict = .notComparable
        /// followup - baseline, in the parameter's unit.
        public var change: Double { followup - baseline }
        /// 100 (followup - baseline) / |baseline| (%); NaN when the baseline is zero.
        public var changePercent: Double { baseline != 0 ? 100 * (followup - baseline) / abs(baseline) : .nan }
        var logRatio: Double { baseline > 0 && followup > 0 ? Foundation.log(followup / baseline) : .nan }
    }

    /// What the response rule says of a lesion once the uncertainty of its change is taken into account
    /// (docs/METHODS.md §7).
    public enum Verdict: String, Sendable, CaseIterable {
        /// The whole 95 % interval meets the rule (or the enhancement vanished and -100 % meets it).
        case responder
        /// No point of the 95 % interval meets the rule.
        case nonResponder = "non-responder"
        /// The interval straddles the threshold, or there is no interval for the rule's parameter.
        case indeterminate
        /// A fit not converged or below `--min-qof`, no enhancement at baseline, or the reference region.
        case notComparable = "not_comparable"
    }

    /// The 95 % interval of a change by the delta method (docs/METHODS.md §7), in percent and in the parameter's
    /// unit. Baseline and follow-up are separate examinations, so their errors are independent.
    public struct ChangeInterval: Sendable, Equatable {
        /// Interval of `change_pct` (%), from the log of the ratio: 100 (exp(ln r -+ 1.96 s) - 1),
        /// s^2 = (SE_b / b)^2 + (SE_f / f)^2; nil unless both values are positive.
        public var percent: ClosedRange<Double>?
        /// Interval of `change`: change -+ 1.96 sqrt(SE_b^2 + SE_f^2).
        public var absolute: ClosedRange<Double>

        /// The two-sided 95 % normal quantile.
        static let z = 1.959_963_984_540_054

        /// The interval of `followup - baseline` from each value's standard error; nil when an error is missing.
        init?(baseline b: Double, baselineSE sb: Double, followup f: Double, followupSE sf: Double) {
            guard b.isFinite, f.isFinite, sb.isFinite, sf.isFinite, sb >= 0, sf >= 0 else { return nil }
            let half = Self.z * (sb * sb + sf * sf).squareRoot()
            absolute = (f - b - half)...(f - b + half)
            if b > 0 && f > 0 {
                let s = ((sb / b) * (sb / b) + (sf / f) * (sf / f)).squareRoot()
                let r = Foundation.log(f / b)
                percent = (100 * Foundation.expm1(r - Self.z * s))...(100 * Foundation.expm1(r + Self.z * s))
            }
        }
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
        /// The region's lesions by verdict at this timepoint.
        public var verdicts: [Verdict: Int] = [:]
        /// The smallest two-sided p-value the exact test can give with this many non-zero differences, 2 / 2^n
        /// (nil for the normal approximation above 25).
        public var smallestP: Double? {
            wilcoxon.exact && wilcoxon.n > 0 ? min(1, 2 / Foundation.pow(2, Double(wilcoxon.n))) : nil
        }
    }

    /// Parameters compared, by `parameters.csv` column name: the perfusion parameters and the amplitudes
    /// relative to the reference region.
    public static let parameters: [String] = (ParameterTable.perfusion + ParameterTable.relativePercent).map(\.name)

    /// The responder rule applied.
    public let rule: ResponseRule
    /// Said when the default rule had to fall back to absolute amplitudes (no reference region).
    public let ruleNote: String?
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

    /// Status and QOF of the baseline and follow-up fits of one lesion, region and timepoint, and why the pair is
    /// left out of the responder share and the cohort statistics (nil when it is included).
    public struct PairQuality: Sendable, Equatable {
        public var model = ""
        public var baselineStatus = ""
        public var followupStatus = ""
        public var baselineQOF = Double.nan
        public var followupQOF = Double.nan
        public var excluded: String?
        /// The responder rule applied to the pair.
        public var rule = ""
    }

    /// Default of `--min-qof`: fits whose QOF (100 R^2) is below it do not enter the statistics (%).
    public static let defaultMinimumQOF = 50.0

    /// The fit quality of a baseline/follow-up pair, with the rule of docs/METHODS.md §7: both fits must have
    /// converged inside their bounds with a QOF of at least `minimumQOF`, except that a follow-up with no
    /// enhancement after a converged baseline is a result (the enhancement vanished).
    static func quality(base: [String: String], follow: [String: String], minimumQOF: Double) -> PairQuality {
        var q = PairQuality()
        let models = [base["model"] ?? "", follow["model"] ?? ""]
        q.model = models[0] == models[1] ? models[0] : models.joined(separator: "/")
        q.baselineStatus = base["status"] ?? ""
        q.followupStatus = follow["status"] ?? ""
        q.baselineQOF = Double(base["qof_pct"] ?? "") ?? .nan
        q.followupQOF = Double(follow["qof_pct"] ?? "") ?? .nan
        func low(_ qof: Double) -> Bool { !(qof >= minimumQOF) }
        let converged = "converged"
        if q.baselineStatus == "no_enhancement" {
            q.excluded = "not comparable: no enhancement at baseline"
        } else if q.baselineStatus != converged {
            q.excluded = "baseline fit \(q.baselineStatus)"
        } else if low(q.baselineQOF) {
            q.excluded =
                "baseline QOF \(TextTable.number(q.baselineQOF)) % below --min-qof \(TextTable.number(minimumQOF)) %"
        } else if q.followupStatus == "no_enhancement" {
            q.excluded = nil  // vanished enhancement: a result
        } else if q.followupStatus != converged {
            q.excluded = "follow-up fit \(q.followupStatus)"
        } else if low(q.followupQOF) {
            q.excluded =
                "follow-up QOF \(TextTable.number(q.followupQOF)) % below --min-qof \(TextTable.number(minimumQOF)) %"
        }
        return q
    }

    /// The parameters that count as 0 when the enhancement has vanished (amplitudes and areas, also relative).
    static let vanishing: Set<String> = Set(
        ParameterTable.amplitudeStems.flatMap { stem in
            (ParameterTable.perfusion + ParameterTable.relativePercent).map(\.name).filter {
                $0.hasPrefix(stem + "_") && !$0.hasPrefix(stem + "_rel_db")
            }
        })

    /// Compares the selected-model rows of `RESULTS/parameters.csv` with the baseline chosen by
    /// ``Study/baseline(named:)`` (`baseline` from `--baseline`), the study being the one of `run.json`.
    init(
        results: String, rule requested: ResponseRule? = nil, baseline explicit: String? = nil,
        minimumQOF: Double = Comparison.defaultMinimumQOF
    ) throws {
        if let requested, !Self.parameters.contains(requested.parameter) {
            throw PerfusionAnalysisError.invalidSetting(
                name: "--response",
                detail:
                    "unknown parameter \"\(requested.parameter)\" (one of \(Self.parameters.joined(separator: ", ")))")
        }
        guard let manifest = RunManifest.load(results) else {
            throw PerfusionAnalysisError.unusableResults(
                path: results, detail: "no readable \(RunManifest.fileName): not a results folder of `echoflow batch`")
        }
        let missing = manifest.study.entries.filter { manifest.clips[$0.outputFolder] == nil }
        guard missing.isEmpty else {
            let first = missing[0]
            throw PerfusionAnalysisError.unusableResults(
                path: results,
                detail:
                    "the run is incomplete: \(missing.count) of \(manifest.study.entries.count) clips were not analysed (first: \(first.subject)/\(first.lesion)/\(first.timepoint)); run the batch again, or merge the shards with `echoflow merge`"
            )
        }
        let baseline = try manifest.study.baseline(named: explicit)
        self.baseline = baseline
        timepoints = [baseline] + manifest.study.timepoints.filter { $0 != baseline }
        let table = try ResultTable.read((results as NSString).appendingPathComponent(ParameterTable.file))
        try table.require(
            StudyTables.leadingColumns + ["roi", "model", "status", "selected", "reference_roi"] + Self.parameters)
        // The study table must be the one this run wrote: one selected row per clip and region, only of clips the
        // manifest records as analysed, and every analysed clip present.
        let analysed = Set(
            manifest.clips.values.filter { $0.status == "ok" }.map {
                "\($0.subject)\u{1}\($0.lesion)\u{1}\($0.timepoint)"
            })
        var seen: Set<String> = []
        var clipsSeen: Set<String> = []
        for record in table.records where record["selected"] == "1" {
            let clip = "\(record["subject"] ?? "")\u{1}\(record["lesion"] ?? "")\u{1}\(record["timepoint"] ?? "")"
            let who = "\(record["subject"] ?? "")/\(record["lesion"] ?? "")/\(record["timepoint"] ?? "")"
            guard analysed.contains(clip) else {
                throw PerfusionAnalysisError.unusableResults(
                    path: results,
                    detail:
                        "the run is inconsistent: \(ParameterTable.file) has rows of \(who), which \(RunManifest.fileName) does not record as analysed; run the batch again"
                )
            }
            guard seen.insert(clip + "\u{1}" + (record["roi"] ?? "")).inserted else {
                throw PerfusionAnalysisError.unusableResults(
                    path: results,
                    detail:
                        "the run is inconsistent: \(ParameterTable.file) has two selected rows for \(who) region \(record["roi"] ?? ""); run the batch again into an empty folder"
                )
            }
            clipsSeen.insert(clip)
        }
        if let absent = analysed.subtracting(clipsSeen).sorted().first {
            throw PerfusionAnalysisError.unusableResults(
                path: results,
                detail:
                    "the run is inconsistent: \(absent.replacingOccurrences(of: "\u{1}", with: "/")) is recorded as analysed but has no rows in \(ParameterTable.file); run the batch again"
            )
        }
        var values: [String: [String: Double]] = [:]  // key -> parameter -> value
        var fits: [String: [String: String]] = [:]  // key -> model, status, qof_pct
        var references: Set<String> = []
        var referenceOf: [String: String] = [:]  // key -> the clip's reference region
        var order: [(String, String, String)] = []  // subject, lesion, region in file order
        for record in table.records {
            guard record["selected"] == "1", let s = record["subject"], let l = record["lesion"],
                let r = record["roi"], let t = record["timepoint"]
            else { continue }
            if !order.contains(where: { $0 == (s, l, r) }) { order.append((s, l, r)) }
            if let reference = record["reference_roi"], !reference.isEmpty { references.insert(reference) }
            values[Self.key(s, l, r, t)] = Dictionary(
                uniqueKeysWithValues: (Self.parameters + Self.standardErrors.values).map {
                    ($0, record.number($0) ?? .nan)
                })
            referenceOf[Self.key(s, l, r, t)] = record["reference_roi"] ?? ""
            fits[Self.key(s, l, r, t)] = [
                "model": record["model"] ?? "", "status": record["status"] ?? "",
                "qof_pct": record["qof_pct"] ?? "",
            ]
        }
        self.references = references
        // The default rule: relative WiAUC when the study has a reference region, else absolute WiAUC with a note.
        let rule = requested ?? (references.isEmpty ? .default : .relativeDefault)
        self.rule = rule
        ruleNote =
            requested == nil && references.isEmpty
            ? "no reference region: the absolute WiAUC is compared, which assumes equal gains at both examinations"
            : nil
        var rows: [Row] = []
        var responders: [String: Bool?] = [:]
        for (s, l, r) in order {
            guard let base = values[Self.key(s, l, r, baseline)] else { continue }
            for t in timepoints.dropFirst() {
                guard var follow = values[Self.key(s, l, r, t)] else { continue }
                var quality = Self.quality(
                    base: fits[Self.key(s, l, r, baseline)]!, follow: fits[Self.key(s, l, r, t)]!,
                    minimumQOF: minimumQOF)
                quality.rule = rule.description
                if quality.excluded == nil && quality.followupStatus == "no_enhancement" {
                    for p in Self.vanishing { follow[p] = 0 }
                }
                // Standard errors of every parameter that has one, the relative amplitudes' from the region's and
                // the reference region's (docs/METHODS.md §7).
                let baseErrors = Self.errors(
                    base, reference: values[Self.key(s, l, referenceOf[Self.key(s, l, r, baseline)] ?? "", baseline)],
                    isReference: references.contains(r))
                let followErrors = Self.errors(
                    follow, reference: values[Self.key(s, l, referenceOf[Self.key(s, l, r, t)] ?? "", t)],
                    isReference: references.contains(r))
                let ruleRow = Row(
                    subject: s, lesion: l, region: r, timepoint: t, parameter: rule.parameter,
                    baseline: base[rule.parameter]!, followup: follow[rule.parameter]!, baselineTimepoint: baseline,
                    responder: nil)
                // A reference region is never classified: its relative amplitudes are 100 % by definition.
                let responder =
                    quality.excluded == nil && !references.contains(r)
                    ? rule.responds(change: ruleRow.change, changePercent: ruleRow.changePercent) : nil
                responders[Self.key(s, l, r, t)] = responder
                let intervals = Dictionary(
                    uniqueKeysWithValues: Self.parameters.map { p in
                        (
                            p,
                            ChangeInterval(
                                baseline: base[p]!, baselineSE: baseErrors[p] ?? .nan, followup: follow[p]!,
                                followupSE: followErrors[p] ?? .nan)
                        )
                    })
                let verdict: Verdict
                if quality.excluded != nil || references.contains(r) || responder == nil {
                    verdict = .notComparable
                } else if quality.followupStatus == "no_enhancement" {
                    verdict = responder! ? .responder : .nonResponder  // -100 %: no interval needed
                } else {
                    verdict = Self.verdict(rule, intervals[rule.parameter]!)
                }
                for p in Self.parameters {
                    var row = Row(
                        subject: s, lesion: l, region: r, timepoint: t, parameter: p, baseline: base[p]!,
                        followup: follow[p]!, baselineTimepoint: baseline, responder: responder)
                    row.quality = quality
                    row.interval = intervals[p]!
                    row.verdict = verdict
                    rows.append(row)
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
                var verdicts: [Verdict: Int] = [:]
                for row in rows where row.region == region && row.timepoint == t && row.parameter == rule.parameter {
                    verdicts[row.verdict, default: 0] += 1
                }
                for p in Self.parameters where !(references.contains(region) && p.hasSuffix("_rel_pct")) {
                    let pairs = rows.filter {
                        $0.region == region && $0.timepoint == t && $0.parameter == p && $0.quality.excluded == nil
                            && $0.baseline.isFinite && $0.followup.isFinite
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
                                ? .nan : Double(decided.filter { $0 }.count) / Double(decided.count),
                            verdicts: verdicts))
                }
            }
        }
        self.cohort = cohort
    }

    /// The `parameters.csv` standard-error column of each parameter that has one.
    static let standardErrors: [String: String] = [
        "pe_au": "pe_au_se", "ttp_s": "ttp_s_se", "wiauc_au_s": "wiauc_au_s_se", "rt_s": "rt_s_se",
        "mtti_s": "mtti_s_se", "mtt_s": "mtt_s_se", "auc_au_s": "auc_au_s_se",
    ]

    /// The relative amplitudes with a standard error, and the absolute amplitude each is the ratio of.
    static let relativeErrors: [String: String] = [
        "pe_rel_pct": "pe_au", "wiauc_rel_pct": "wiauc_au_s", "auc_rel_pct": "auc_au_s",
    ]

    /// Standard errors by parameter of one region's values at one timepoint. A relative amplitude
    /// rel = 100 x / x_ref has SE(rel) = rel sqrt((SE(x) / x)^2 + (SE(x_ref) / x_ref)^2), the two regions' fits
    /// being independent; the reference region's own relative amplitudes (100 % exactly) have none.
    static func errors(_ values: [String: Double], reference: [String: Double]?, isReference: Bool) -> [String: Double]
    {
        var errors: [String: Double] = [:]
        for (p, column) in standardErrors { errors[p] = values[column] ?? .nan }
        guard let reference, !isReference else { return errors }
        for (relative, absolute) in relativeErrors {
            guard let rel = values[relative], let x = values[absolute], let se = values[standardErrors[absolute]!],
                let xRef = reference[absolute], let seRef = reference[standardErrors[absolute]!]
            else { continue }
            errors[relative] = abs(rel) * ((se / x) * (se / x) + (seRef / xRef) * (seRef / xRef)).squareRoot()
        }
        return errors
    }

    /// The verdict of a rule on an interval: every point meets it, none does, or it straddles the threshold.
    static func verdict(_ rule: ResponseRule, _ interval: ChangeInterval?) -> Verdict {
        let range = rule.percent ? interval?.percent : interval?.absolute
        guard let range else { return .indeterminate }
        let ends = [range.lowerBound, range.upperBound].map { rule.responds(change: $0, changePercent: $0) }
        if ends.allSatisfy({ $0 == true }) { return .responder }
        if ends.allSatisfy({ $0 == false }) { return .nonResponder }
        return .indeterminate
    }

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
            .text("model", "the selected model at both timepoints (`baseline/follow-up` when they differ)") {
                $0.quality.model
            },
            .text("baseline_status", "fit status at baseline") { $0.quality.baselineStatus },
            .text(
                "followup_status",
                "fit status at this timepoint; `no_enhancement` after a converged baseline counts amplitudes and areas as 0 (change -100 %)"
            ) { $0.quality.followupStatus },
            .number("baseline_qof_pct", "%", "QOF of the baseline fit") { $0.quality.baselineQOF },
            .number("followup_qof_pct", "%", "QOF of the follow-up fit") { $0.quality.followupQOF },
            .text(
                "excluded",
                "why the pair is left out of the responder share and the cohort statistics (a fit not converged, QOF below --min-qof, no enhancement at baseline); empty when included"
            ) { $0.quality.excluded },
            .text("rule", "the responder rule, for example `wiauc_rel_pct<-40%`") { $0.quality.rule },
            .number(
                "change_pct_ci_low", "%",
                "lower end of the 95 % interval of `change_pct` (delta method on the log of the ratio, docs/METHODS.md §7); empty without standard errors"
            ) { $0.interval?.percent?.lowerBound },
            .number("change_pct_ci_high", "%", "upper end of that interval") { $0.interval?.percent?.upperBound },
            .number(
                "change_ci_low", "(the parameter's)",
                "lower end of the 95 % interval of `change`, change - 1.96 sqrt(SE_baseline^2 + SE_followup^2)"
            ) { $0.interval?.absolute.lowerBound },
            .number("change_ci_high", "(the parameter's)", "upper end of that interval") {
                $0.interval?.absolute.upperBound
            },
            .text(
                "verdict",
                "`responder` (the whole 95 % interval of the rule's parameter meets the rule, or the enhancement vanished), `non-responder` (none of it does), `indeterminate` (the interval straddles the threshold, or the parameter has no standard error) or `not_comparable` (excluded, or the reference region)"
            ) { $0.verdict.rawValue },
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
            .number(
                "smallest_p", "",
                "the smallest two-sided p the exact test can give with n non-zero differences, 2 / 2^n; empty above n = 25 (normal approximation)"
            ) { $0.smallestP },
            .integer("n_responder", "lesions", "the region's lesions with verdict `responder` at this timepoint") {
                $0.verdicts[.responder] ?? 0
            },
            .integer("n_non_responder", "lesions", "lesions with verdict `non-responder`") {
                $0.verdicts[.nonResponder] ?? 0
            },
            .integer("n_indeterminate", "lesions", "lesions with verdict `indeterminate`") {
                $0.verdicts[.indeterminate] ?? 0
            },
            .integer("n_not_comparable", "lesions", "lesions with verdict `not_comparable`") {
                $0.verdicts[.notComparable] ?? 0
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
        let tail = [
            "responder", "baseline_timepoint", "model", "baseline_status", "followup_status", "excluded", "rule",
            "verdict",
        ]
        columns += comparisonSchema.columns.filter { tail.contains($0.name) }.map {
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
