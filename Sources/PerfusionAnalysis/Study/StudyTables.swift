import Foundation

/// Study-wide tables of a results folder, assembled from the per-clip files in study order, so that a
/// resumed run, a single run and merged shards write the same bytes.
public enum StudyTables {
    public static let leadingColumns = ["subject", "lesion", "timepoint"]
    public static let errorColumns = ["subject", "timepoint", "clip", "stage", "message"]
    public static let errorsFile = "errors.csv"

    /// Writes `parameters.csv`, `tic.csv` and `errors.csv` for every clip recorded in `manifest`.
    public static func write(manifest: RunManifest, to folder: String) throws {
        let recorded = manifest.study.entries.compactMap { entry in
            manifest.clips[entry.outputFolder].map { (entry, $0) }
        }
        for (file, columns) in [
            (AnalysisWriter.parametersFile, ParameterTable.columns.map(\.name)),
            (AnalysisWriter.ticFile, TICTable.columns.map(\.name)),
        ] {
            var text = (leadingColumns + columns).map(CSVTable.quote).joined(separator: ",") + "\n"
            for (entry, record) in recorded where record.status == "ok" {
                let path = (folder as NSString).appendingPathComponent("\(entry.outputFolder)/\(file)")
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw PerfusionAnalysisError.writeFailed(
                        path: path, reason: "the clip's output is missing; run the batch again")
                }
                let prefix =
                    [entry.subject, entry.lesion, entry.timepoint].map(CSVTable.quote).joined(separator: ",") + ","
                for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
                    text += prefix + line + "\n"
                }
            }
            try AtomicFile.write(text, to: (folder as NSString).appendingPathComponent(file))
        }
        var errors = CSVTable(columns: errorColumns)
        for (_, record) in recorded where record.status != "ok" {
            errors.append([
                .text(record.subject), .text(record.timepoint), .text(record.clip), .text(record.stage ?? ""),
                .text(record.message ?? ""),
            ])
        }
        try AtomicFile.write(errors.render(), to: (folder as NSString).appendingPathComponent(errorsFile))
    }
}
