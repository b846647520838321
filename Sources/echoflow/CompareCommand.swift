import ArgumentParser
import Foundation
import PerfusionAnalysis

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare baseline with follow-up: per lesion, per parameter, and across the cohort.",
        discussion: """
            RESULTS is a results folder of `echoflow batch`. The baseline is never guessed: --baseline NAME, else \
            "baseline" in study.json at the root of a folder study, else the timepoint named baseline (any case), \
            else the first by day when the manifest gives every timepoint a day; otherwise compare stops (exit 65) \
            and names the timepoints. Writes comparison.csv (long), \
            comparison_wide.csv (one row per lesion), cohort.csv (median and IQR of % change, paired Wilcoxon \
            signed-rank test, responder share) and report.html. Each change has a 95 % interval (delta method \
            on the fits' standard errors) and a verdict: responder, non-responder, indeterminate (the interval \
            straddles the threshold) or not_comparable (excluded, or the reference region).

            --response sets the responder rule: PARAMETER<THRESHOLD with <, <=, > or >=, the threshold in % of \
            the baseline value with a trailing %, else in the parameter's unit. Default: wiauc_rel_pct<-40% \
            (WiAUC relative to the reference region down by more than 40 %: gain changes between examinations \
            cancel) when the study has a reference region, else wiauc_au_s<-40% with a note that the gains must \
            be equal. The reference region itself is never classified.

            Examples:
              echoflow compare results
              echoflow compare results --response "wiauc_rel_pct<-40%" --output comparison
            """)

    @Argument(help: ArgumentHelp("Results folder of echoflow batch.", valueName: "RESULTS"))
    var results: String

    @Option(name: [.short, .long], help: ArgumentHelp("Output folder (default: RESULTS).", valueName: "DIR"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "The baseline timepoint (default: study.json's, else the timepoint named baseline, else the first by day; otherwise compare stops and asks).",
            valueName: "NAME"))
    var baseline: String?

    @Option(
        name: .customLong("min-qof"),
        help: ArgumentHelp(
            "Fits with a QOF below this (%) are kept in comparison.csv but left out of the statistics.",
            valueName: "PCT"))
    var minimumQOF = Comparison.defaultMinimumQOF

    @Option(
        help: ArgumentHelp(
            "Responder rule (default: wiauc_rel_pct<-40% when the study has a reference region, else wiauc_au_s<-40%).",
            valueName: "RULE"))
    var response: String?

    func validate() throws {
        guard (0...100).contains(minimumQOF) else {
            throw ValidationError("--min-qof is a percentage from 0 to 100, got \(minimumQOF)")
        }
        guard let response else { return }
        guard let rule = ResponseRule(response) else {
            throw ValidationError(
                "--response takes PARAMETER<THRESHOLD[%], for example \"wiauc_au_s<-40%\"; got \"\(response)\"")
        }
        guard Comparison.parameters.contains(rule.parameter) else {
            throw ValidationError(
                "--response: unknown parameter \"\(rule.parameter)\" (one of \(Comparison.parameters.joined(separator: ", ")))"
            )
        }
    }

    func run() throws {
        try reportingErrors {
            let folder = output ?? results
            let comparison = try holdingLocks([results, folder], command: "compare") {
                try ComparisonWriter.write(
                    results: results, rule: response.flatMap(ResponseRule.init), baseline: baseline,
                    minimumQOF: minimumQOF, to: folder)
            }
            print(Self.summary(comparison))
            print("\nWrote comparison.csv, comparison_wide.csv, cohort.csv and report.html to \(folder)/")
        }
    }

    /// Per follow-up: the rule parameter's cohort line and each lesion's change and responder status.
    static func summary(_ c: Comparison) -> String {
        var rows: [[String]] = []
        for r in c.rows where r.parameter == c.rule.parameter && !c.references.contains(r.region) {
            let range = c.rule.percent ? r.interval?.percent : r.interval?.absolute
            let interval = range.map { "\(short($0.lowerBound)) to \(short($0.upperBound))" } ?? "-"
            let note =
                r.quality.excluded ?? (r.quality.followupStatus == "no_enhancement" ? "enhancement vanished" : "")
            rows.append([
                r.subject, r.lesion, r.region, r.timepoint, short(r.baseline), short(r.followup),
                short(c.rule.percent ? r.changePercent : r.change), interval, r.verdict.rawValue, note,
            ])
        }
        var text =
            "Baseline timepoint: \(c.baseline)\n" + (c.ruleNote.map { "Note: \($0)\n" } ?? "")
            + "Response rule: \(c.rule) (reference regions \(c.references.sorted().joined(separator: ", ")) not shown)\n\n"
        text += textTable(
            [
                "subject", "lesion", "region", "timepoint", "baseline", "follow-up",
                c.rule.percent ? "change %" : "change",
                "95 % interval", "verdict", "note",
            ], rows
        )
        let cohort = c.cohort.filter { $0.parameter == c.rule.parameter && !c.references.contains($0.region) }.map {
            k in
            [
                k.region, k.timepoint, String(k.n), short(k.median), "\(short(k.q1)) to \(short(k.q3))",
                short(k.wilcoxon.pValue), k.smallestP.map(short) ?? "-",
                k.responderShare.isFinite ? "\(Int((100 * k.responderShare).rounded())) %" : "-",
            ]
        }
        text += "\n\nCohort (\(c.rule.parameter)):\n\n"
        text += textTable(
            ["region", "timepoint", "n", "median change %", "IQR %", "Wilcoxon p", "smallest p", "responders"], cohort)
        text += """


            verdict: the change's 95 % interval (docs/METHODS.md §7) lies wholly inside the rule (responder),
            wholly outside it (non-responder) or across the threshold (indeterminate).
            smallest p: the least p the exact test can give with n lesions, 2 / 2^n.
            """
        return text
    }
}
