import Foundation

/// The lesion rows of a synthetic study's results beside the ground truth they should recover, as
/// `echoflow demo` prints them.
public enum TruthComparison {
    /// One line per study entry that has a selected `lesion` row in `RESULTS/parameters.csv`: status, PE, TTP,
    /// WiAUC, mTT, QOF, and the percent error of PE, TTP and WiAUC against the clip's `truth.json`.
    public static func table(results: String, entries: [StudyEntry]) throws -> String {
        let records = try ResultTable.read((results as NSString).appendingPathComponent(ParameterTable.file))
            .records
        func error(_ measured: Double?, _ truth: Double?) -> String {
            guard let measured, let truth, truth != 0 else { return "-" }
            return String(format: "%+.1f", 100 * (measured - truth) / truth)
        }
        var rows: [[String]] = []
        for entry in entries {
            guard
                let row = records.first(where: {
                    $0["subject"] == entry.subject && $0["lesion"] == entry.lesion && $0["timepoint"] == entry.timepoint
                        && $0["roi"] == "lesion" && $0["selected"] == "1"
                })
            else { continue }
            let truth = try? SyntheticTruth.load((entry.clip as NSString).appendingPathComponent("truth.json"))
            let t = truth?.regions.first { $0.name == "lesion" }?.parameters
            let shown = { (name: String) in TextTable.number(row.number(name)) }
            rows.append([
                entry.subject, entry.timepoint, "lesion", row["status"] ?? "-", shown("pe_au"), shown("ttp_s"),
                shown("wiauc_au_s"), shown("mtt_s"), shown("qof_pct"), error(row.number("pe_au"), t?.pe_au),
                error(row.number("ttp_s"), t?.ttp_s), error(row.number("wiauc_au_s"), t?.wiauc_au_s),
            ])
        }
        return TextTable.render(
            [
                "subject", "timepoint", "region", "status", "PE (a.u.)", "TTP (s)", "WiAUC (a.u.s)", "mTT (s)",
                "QOF (%)", "PE err %", "TTP err %", "WiAUC err %",
            ], rows) + "\n\n(err %: difference from the synthetic ground truth in truth.json)"
    }
}
