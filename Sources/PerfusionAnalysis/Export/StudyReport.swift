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
            a { color: #1f5fa8; }
            """

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

        // Cohort table for the main parameters of the non-reference regions.
        body.append(MarkupElement("h2", text: "Cohort"))
        let shown = [rule.parameter] + pairedParameters.filter { $0 != rule.parameter }
        let cohortRows = comparison.cohort.filter { !references.contains($0.region) && shown.contains($0.parameter) }
        body.append(
            HTMLPage.table(
                [
                    "region", "timepoint", "parameter", "n", "median change %", "IQR %", "Wilcoxon W+", "p",
                    "responders",
                ],
                cohortRows.map { c in
                    [
                        c.region, c.timepoint, c.parameter, String(c.n), HTMLPage.number(c.median),
                        "\(HTMLPage.number(c.q1)) to \(HTMLPage.number(c.q3))", HTMLPage.number(c.wilcoxon.statistic),
                        HTMLPage.number(c.wilcoxon.pValue) + (c.wilcoxon.exact ? " (exact)" : ""),
                        c.responderShare.isFinite ? "\(Int((100 * c.responderShare).rounded())) %" : "-",
                    ]
                }))

        // Waterfall and paired plots per follow-up timepoint.
        for t in comparison.timepoints.dropFirst() {
            let ruleRows = comparison.rows.filter {
                $0.timepoint == t && $0.parameter == rule.parameter && !references.contains($0.region)
            }
            body.append(MarkupElement("h2", text: "Change of \(rule.parameter), \(baseline) to \(t)"))
            body.append(
                Charts.waterfall(
                    title: rule.percent ? "\(rule.parameter) change (%)" : "\(rule.parameter) change",
                    bars: ruleRows.map {
                        ("\($0.subject)", rule.percent ? $0.changePercent : $0.change, comparison.responder($0))
                    },
                    threshold: rule.threshold))
            var grid: [MarkupElement] = []
            for parameter in pairedParameters {
                let rows = comparison.rows.filter {
                    $0.timepoint == t && $0.parameter == parameter && !references.contains($0.region)
                }
                grid.append(
                    Charts.paired(
                        title: parameter, pairs: rows.map { ($0.subject, $0.baseline, $0.followup) },
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
            let series = members.enumerated().map { k, key -> (String, String, [Double], [Double], [Double]) in
                let c = tables.curves[key]!
                return (key[3], colours[k % colours.count], c.times, c.values, c.fitted)
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
                        MarkupElement("h3", text: "\(parts[0]) / \(parts[1]) / \(parts[2])"),
                        Charts.curves(
                            title: "mean linear echo power (a.u.)",
                            series: series.map { ($0.0, $0.1, $0.2, $0.3, $0.4) }),
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
