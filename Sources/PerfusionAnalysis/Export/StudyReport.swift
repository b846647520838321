import CEUSImaging
import Foundation

/// `report.html` for a study: cohort table, waterfall of the response parameter, before/after plots, every
/// lesion's baseline and follow-up curves with their fits, and the errors. Self-contained XHTML (inline SVG and
/// CSS, no scripts), so it opens offline in any browser.
enum StudyReport {
    static let fileName = "report.html"
    /// Parameters shown as before/after plots.
    static let pairedParameters = ["wiauc_au_s", "wiauc_rel_pct", "pe_au", "mtt_s", "ttp_s"]

    static let style =
        ClipReport.style + """
            .grid { display: flex; flex-wrap: wrap; gap: 12px; }
            .lesion { border: 1px solid #e3e3e3; padding: 8px; }
            .lesion p { font-size: 13px; margin: 4px 0; }
            a { color: #1f5fa8; }
            td.responder { background: #dff0d8; } td.non-responder { background: #eceff1; }
            td.indeterminate { background: #fff3cd; } td.not_comparable { color: #888; }
            td.num { white-space: nowrap; }
            """

    /// A parameter in words and its unit, for chart and table titles.
    static func words(_ parameter: String) -> (title: String, unit: String) {
        let names: [String: (String, String)] = [
            "pe_au": ("peak enhancement PE", "a.u."), "ttp_s": ("time to peak TTP", "s"),
            "wir_au_per_s": ("wash-in rate WiR", "a.u./s"), "ti_s": ("tangent intercept TI", "s"),
            "rt_s": ("rise time RT", "s"), "mtti_s": ("mean transit time from TI, mTTI", "s"),
            "wiauc_au_s": ("wash-in area WiAUC", "a.u. s"), "wipi_au": ("wash-in perfusion index WiPI", "a.u."),
            "wor_au_per_s": ("wash-out rate WoR", "a.u./s"), "to_s": ("wash-out tangent intercept TO", "s"),
            "ft_s": ("fall time FT", "s"), "woauc_au_s": ("wash-out area WoAUC", "a.u. s"),
            "wiwoauc_au_s": ("wash-in and wash-out area WiWoAUC", "a.u. s"),
            "auc_au_s": ("area under the curve AUC", "a.u. s"), "mtt_s": ("mean transit time mTT", "s"),
            "qof_pct": ("quality of fit QOF", "%"),
        ]
        if let named = names[parameter] { return named }
        if parameter.hasSuffix("_rel_pct"), let stem = parameter.split(separator: "_").first,
            let absolute = names.first(where: { $0.key.hasPrefix(stem + "_") })
        {
            return ("\(absolute.value.0) relative to the reference region", "%")
        }
        return (parameter, "")
    }

    /// Short labels of lesions for charts: the subject, with the lesion when a subject has several, and the region
    /// when lesions have several classified regions.
    static func labeller(_ rows: [Comparison.Row]) -> (Comparison.Row) -> String {
        let lesionsPerSubject = Dictionary(grouping: rows, by: \.subject).mapValues { Set($0.map(\.lesion)).count }
        let manyRegions = Set(rows.map(\.region)).count > 1
        let manyLesions = lesionsPerSubject.values.contains { $0 > 1 }
        return { row in
            var label = row.subject
            if manyLesions { label += "/\(row.lesion)" }
            if manyRegions { label += " \(row.region)" }
            return label
        }
    }

    /// A number with its unit, `-` when missing.
    static func valued(_ v: Double?, _ unit: String) -> String {
        guard let v, v.isFinite else { return "-" }
        return unit.isEmpty ? HTMLPage.number(v) : "\(HTMLPage.number(v)) \(unit)"
    }

    /// The change of a row in the rule's terms (percent or the parameter's unit) and its 95 % interval, in words.
    static func change(_ row: Comparison.Row, rule: ResponseRule, unit: String) -> (change: String, interval: String) {
        let value = rule.percent ? row.changePercent : row.change
        let range = rule.percent ? row.interval?.percent : row.interval?.absolute
        let u = rule.percent ? "%" : unit
        return (
            valued(value, u),
            range.map { "\(HTMLPage.number($0.lowerBound)) to \(HTMLPage.number($0.upperBound)) \(u)" } ?? "-"
        )
    }

    /// The per-lesion table of the rule's parameter: one row per lesion, classified region and follow-up.
    static func lesionTable(_ rows: [Comparison.Row], rule: ResponseRule) -> MarkupElement {
        let (_, unit) = words(rule.parameter)
        let header = [
            "subject", "lesion", "region", "timepoint", "baseline", "follow-up", "change", "95 % interval", "verdict",
            "baseline fit", "follow-up fit",
        ]
        var trs = [MarkupElement("tr", children: header.map { MarkupElement("th", text: $0) })]
        for r in rows {
            let (change, interval) = change(r, rule: rule, unit: unit)
            let fits = [
                "\(r.quality.baselineStatus), QOF \(HTMLPage.number(r.quality.baselineQOF)) %",
                r.quality.followupStatus
                    + (r.quality.followupQOF.isFinite ? ", QOF \(HTMLPage.number(r.quality.followupQOF)) %" : ""),
            ]
            var cells = [r.subject, r.lesion, r.region, r.timepoint].map { MarkupElement("td", text: $0) }
            cells += [valued(r.baseline, unit), valued(r.followup, unit), change, interval].map {
                MarkupElement("td", [("class", "num")], text: $0)
            }
            cells.append(MarkupElement("td", [("class", "num \(r.verdict.rawValue)")], text: r.verdict.rawValue))
            cells += fits.map { MarkupElement("td", text: $0) }
            trs.append(MarkupElement("tr", [("class", "lesion-row")], children: cells))
        }
        return MarkupElement("table", [("class", "lesions")], children: trs)
    }

    /// Renders the report of `results` (a batch results folder) with `comparison`; links to per-clip reports are
    /// relative to `outputFolder`.
    static func render(results: String, comparison: Comparison, outputFolder: String) throws -> String {
        let tables = try readTables(results)
        let references = Set(tables.references)
        let baseline = comparison.baseline
        let rule = comparison.rule
        var body: [MarkupElement] = [
            MarkupElement("h1", text: "Echoflow study report"),
            MarkupElement(
                "p", [("class", "note")],
                text:
                    "\(results): \(Set(comparison.rows.map { "\($0.subject)/\($0.lesion)" }).count) lesions, timepoints \(comparison.timepoints.joined(separator: ", ")); baseline timepoint \(baseline); response rule \(rule) (change from \(baseline)); Echoflow \(Echoflow.version)"
            ),
        ]

        // The answer first: every lesion's verdict with the numbers behind it.
        let (ruleTitle, ruleUnit) = words(rule.parameter)
        let classified = comparison.rows.filter { $0.parameter == rule.parameter && !references.contains($0.region) }
        body.append(MarkupElement("h2", text: "Per lesion: \(ruleTitle) (\(rule.parameter)), rule \(rule)"))
        body.append(lesionTable(classified, rule: rule))
        body.append(
            MarkupElement(
                "p", [("class", "note")],
                text:
                    "verdict: responder when the whole 95 % interval of the change meets the rule, non-responder when none of it does, indeterminate when it straddles the threshold, not_comparable when a fit is not usable (see below)\(references.isEmpty ? "" : "; the reference region (\(references.sorted().joined(separator: ", "))) is not classified")."
            ))

        // Cohort table for the main parameters of the non-reference regions.
        body.append(MarkupElement("h2", text: "Cohort"))
        let shown = [rule.parameter] + pairedParameters.filter { $0 != rule.parameter }
        let cohortRows = comparison.cohort.filter { !references.contains($0.region) && shown.contains($0.parameter) }
        body.append(
            HTMLPage.table(
                [
                    "region", "timepoint", "parameter", "n (lesions)", "median change %", "IQR %", "Wilcoxon W+", "p",
                    "smallest possible p", "responders", "verdicts",
                ],
                cohortRows.map { c in
                    [
                        c.region, c.timepoint, c.parameter, String(c.n), HTMLPage.number(c.median),
                        "\(HTMLPage.number(c.q1)) to \(HTMLPage.number(c.q3))", HTMLPage.number(c.wilcoxon.statistic),
                        HTMLPage.number(c.wilcoxon.pValue) + (c.wilcoxon.exact ? " (exact)" : ""),
                        c.smallestP.map(HTMLPage.number) ?? "-",
                        c.responderShare.isFinite ? "\(Int((100 * c.responderShare).rounded())) %" : "-",
                        Comparison.Verdict.allCases.compactMap { v in
                            c.verdicts[v].map { "\($0) \(v.rawValue)" }
                        }.joined(separator: ", "),
                    ]
                }))
        body.append(
            MarkupElement(
                "p", [("class", "note")],
                text:
                    "n: lesions whose fits entered the statistics. smallest possible p: with n lesions the exact two-sided Wilcoxon test cannot give less than 2 / 2^n, whatever the changes (0.25 for 3, below 0.05 only from 6). responders: share meeting the rule by the point estimate; verdicts count the intervals."
            ))

        // Waterfall and paired plots per follow-up timepoint.
        for t in comparison.timepoints.dropFirst() {
            let ruleRows = classified.filter { $0.timepoint == t }
            let label = labeller(ruleRows)
            body.append(MarkupElement("h2", text: "Change of \(ruleTitle), \(baseline) to \(t)"))
            body.append(
                Charts.waterfall(
                    title: "change of \(ruleTitle)", unit: rule.percent ? "%" : ruleUnit,
                    bars: ruleRows.map {
                        Charts.Bar(
                            label: label($0), value: rule.percent ? $0.changePercent : $0.change,
                            interval: rule.percent ? $0.interval?.percent : $0.interval?.absolute, verdict: $0.verdict)
                    },
                    threshold: rule.threshold))
            var grid: [MarkupElement] = []
            for parameter in pairedParameters {
                let rows = comparison.rows.filter {
                    $0.timepoint == t && $0.parameter == parameter && !references.contains($0.region)
                }
                let (title, unit) = words(parameter)
                grid.append(
                    Charts.paired(
                        title: title, unit: unit, pairs: rows.map { (label($0), $0.baseline, $0.followup) },
                        timepoints: (baseline, t)))
            }
            body.append(MarkupElement("div", [("class", "grid")], children: grid))
        }

        // Every lesion: its curves at every timepoint.
        body.append(MarkupElement("h2", text: "Lesions"))
        let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"]
        var lesions: [MarkupElement] = []
        let groups = Dictionary(grouping: Array(tables.curves.keys)) { key in key.dropLast().joined(separator: "\u{1}")
        }
        for groupKey in groups.keys.sorted(by: NaturalOrder.precedes) {
            let parts = groupKey.split(separator: "\u{1}").map(String.init)
            guard parts.count == 3, !references.contains(parts[2]) else { continue }
            let members = groups[groupKey]!.sorted { a, b in
                (comparison.timepoints.firstIndex(of: a[3]) ?? 0) < (comparison.timepoints.firstIndex(of: b[3]) ?? 0)
            }
            var series = members.enumerated().map {
                k, key -> (String, String, [Double], [Double], [Double], Bool) in
                let c = tables.curves[key]!
                return ("\(parts[2]), \(key[3])", colours[k % colours.count], c.times, c.values, c.fitted, false)
            }
            // The reference region's curves at the same examinations, dashed: the yardstick of the relative values.
            for (k, key) in members.enumerated() {
                for reference in references.sorted() {
                    guard let c = tables.curves[[key[0], key[1], reference, key[3]]] else { continue }
                    series.append(
                        (
                            "\(reference), \(key[3]) (reference)", colours[k % colours.count], c.times, c.values,
                            c.fitted, true
                        ))
                }
            }
            // The card's numbers: the rule's parameter at each follow-up, with its interval, verdict and fits.
            var numbers: [MarkupElement] = []
            for r in classified where r.subject == parts[0] && r.lesion == parts[1] && r.region == parts[2] {
                let (change, interval) = change(r, rule: rule, unit: ruleUnit)
                numbers.append(
                    MarkupElement(
                        "p",
                        children: [
                            MarkupElement(
                                "span",
                                text:
                                    "\(r.timepoint): \(rule.parameter) \(valued(r.baseline, ruleUnit)) at \(baseline), \(valued(r.followup, ruleUnit)) at \(r.timepoint); change \(change) (95 % \(interval)); "
                            ),
                            MarkupElement("b", text: r.verdict.rawValue),
                            MarkupElement(
                                "span",
                                text: "; fits \(r.quality.baselineStatus) / \(r.quality.followupStatus)"),
                        ]))
            }
            var links: [MarkupElement] = []
            for key in members {
                let entry = StudyEntry(subject: key[0], lesion: key[1], timepoint: key[3], day: nil, clip: "", roi: "")
                let target = relativePath(
                    from: outputFolder,
                    to: (results as NSString).appendingPathComponent(entry.outputFolder + "/" + ClipReport.fileName))
                links.append(MarkupElement("a", [("href", target)], text: "\(key[3]) report"))
                links.append(MarkupElement("span", text: " "))
            }
            lesions.append(
                MarkupElement(
                    "div", [("class", "lesion")],
                    children: [
                        MarkupElement("h3", text: "\(parts[0]) / \(parts[1]) / \(parts[2])")
                    ] + numbers + [
                        Charts.curves(
                            title: "mean linear echo power (a.u.)",
                            series: series.map { ($0.0, $0.1, $0.2, $0.3, $0.4, $0.5) }),
                        MarkupElement("p", children: links),
                    ]))
        }
        body.append(MarkupElement("div", [("class", "grid")], children: lesions))

        // Pairs kept in comparison.csv but left out of the statistics, and vanished enhancement, with the reasons.
        let notes = comparison.rows.filter {
            $0.parameter == rule.parameter
                && ($0.quality.excluded != nil || $0.quality.followupStatus == "no_enhancement")
        }
        body.append(MarkupElement("h2", text: "Left out of the statistics"))
        if notes.isEmpty {
            body.append(MarkupElement("p", text: "Every comparison entered the statistics."))
        } else {
            body.append(
                HTMLPage.table(
                    ["subject", "lesion", "region", "timepoint", "baseline fit", "follow-up fit", "why"],
                    notes.map { r in
                        [
                            r.subject, r.lesion, r.region, r.timepoint, r.quality.baselineStatus,
                            r.quality.followupStatus,
                            r.quality.excluded ?? "included: the enhancement vanished (counted as -100 %)",
                        ]
                    }))
        }

        body.append(MarkupElement("h2", text: "Errors"))
        if tables.errors.isEmpty {
            body.append(MarkupElement("p", text: "Every clip was analysed."))
        } else {
            body.append(HTMLPage.table(ErrorTable.schema.names, tables.errors))
        }
        return HTMLPage.document(title: "Echoflow study report", style: style, body: body)
    }

    struct Tables {
        /// Curves by [subject, lesion, region, timepoint].
        var curves: [[String]: (times: [Double], values: [Double], fitted: [Double])] = [:]
        var references: [String] = []
        var errors: [[String]] = []
    }

    static func readTables(_ results: String) throws -> Tables {
        var tables = Tables()
        func path(_ name: String) -> String { (results as NSString).appendingPathComponent(name) }
        let tic = try ResultTable.read(path(TICTable.file))
        try tic.require(StudyTables.leadingColumns + ["roi", "time_s", "intensity_au", "fitted_au"])
        for r in tic.records {
            let key = [r["subject"]!, r["lesion"]!, r["roi"]!, r["timepoint"]!]
            var curve = tables.curves[key] ?? ([], [], [])
            curve.times.append(r.number("time_s") ?? .nan)
            curve.values.append(r.number("intensity_au") ?? .nan)
            curve.fitted.append(r.number("fitted_au") ?? .nan)
            tables.curves[key] = curve
        }
        let parameters = try ResultTable.read(path(ParameterTable.file))
        tables.references = Array(Set(parameters.records.compactMap { $0["reference_roi"] }.filter { !$0.isEmpty }))
        if FileManager.default.fileExists(atPath: path(ErrorTable.file)) {
            tables.errors = try ResultTable.read(path(ErrorTable.file)).rows
        }
        return tables
    }

    /// `target` relative to `folder` (both absolute or both relative to the working folder).
    static func relativePath(from folder: String, to target: String) -> String {
        let a = URL(fileURLWithPath: folder).standardizedFileURL.pathComponents
        let b = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var common = 0
        while common < min(a.count, b.count) && a[common] == b[common] { common += 1 }
        return (Array(repeating: "..", count: a.count - common) + b[common...]).joined(separator: "/")
    }
}
