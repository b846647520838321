import Foundation

/// One row of a study's `errors.csv`.
enum ErrorTable {
    static let file = "errors.csv"

    static let schema = TableSchema<ClipRecord>(
        file: file,
        columns: [
            .text("subject", "subject of the clip that failed") { $0.subject },
            .text("timepoint", "its timepoint") { $0.timepoint },
            .text("clip", "its clip path") { $0.clip },
            .text("stage", "where it failed: `clip`, `roi`, `frames`, `fit` or `write`") { $0.stage },
            .text("message", "what is wrong, in words") { $0.message },
        ])
}

/// Study-wide tables of a results folder, assembled in study order from the typed rows of the per-clip
/// files, so that a resumed run, a single run and merged shards write the same bytes.
enum StudyTables {
    /// Columns before those of a per-clip table.
    static let leading: [Column<StudyEntry>] = [
        .text("subject", "subject (patient) identifier") { $0.subject },
        .text("lesion", "lesion: the manifest's lesion, or the clip folder's (or DICOM file's) name") { $0.lesion },
        .text("timepoint", "examination timepoint (`baseline`, `post-prrt`, ...)") { $0.timepoint },
    ]
    static var leadingColumns: [String] { leading.map(\.name) }

    /// Writes `parameters.csv`, `tic.csv` and `errors.csv` for every clip recorded in `manifest`.
    static func write(manifest: RunManifest, to folder: String) throws {
        let recorded = manifest.study.entries.compactMap { entry in
            manifest.clips[entry.outputFolder].map { (entry, $0) }
        }
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        try AtomicFile.write(
            try table(ParameterTable.schema, recorded, folder).render(), to: path(ParameterTable.file))
        try AtomicFile.write(try table(TICTable.schema, recorded, folder).render(), to: path(TICTable.file))
        try AtomicFile.write(
            ErrorTable.schema.table(recorded.map(\.1).filter { $0.status != "ok" }).render(),
            to: path(ErrorTable.file))
    }

    /// The study table of `schema`: the leading columns, then every row of each analysed clip's file.
    static func table<Row>(
        _ schema: TableSchema<Row>, _ recorded: [(StudyEntry, ClipRecord)], _ folder: String
    ) throws -> CSVTable {
        var table = CSVTable(columns: leadingColumns + schema.names)
        for (entry, record) in recorded where record.status == "ok" {
            let path = (folder as NSString).appendingPathComponent("\(entry.outputFolder)/\(schema.file)")
            guard FileManager.default.fileExists(atPath: path) else {
                throw PerfusionAnalysisError.writeFailed(
                    path: path, reason: "the clip's output is missing; run the batch again")
            }
            let clip = try ResultTable.read(path)
            guard clip.header == schema.names else {
                throw PerfusionAnalysisError.unusableResults(
                    path: path, detail: "its columns are not this version's; run the batch again")
            }
            let leadingCells = leading.map { $0.value(entry) }
            for fields in clip.rows { table.append(leadingCells + schema.typedCells(fields)) }
        }
        return table
    }
}
