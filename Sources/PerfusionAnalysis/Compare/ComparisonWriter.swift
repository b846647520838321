import Foundation

/// Writes `comparison.csv`, `comparison_wide.csv`, `cohort.csv` and `report.html`.
public enum ComparisonWriter {
    /// The files `compare` writes into a results folder (removed by the next `batch` into that folder).
    public static let files = [
        Comparison.comparisonSchema.file, Comparison.wideSchema.file, Comparison.cohortSchema.file,
        StudyReport.fileName,
    ]

    /// Compares `results` with `rule` and writes the tables and the report into `output`.
    @discardableResult
    public static func write(
        results: String, rule: ResponseRule?, baseline: String? = nil,
        minimumQOF: Double = Comparison.defaultMinimumQOF, to output: String
    ) throws -> Comparison {
        let comparison = try Comparison(results: results, rule: rule, baseline: baseline, minimumQOF: minimumQOF)
        func path(_ name: String) -> String { (output as NSString).appendingPathComponent(name) }
        try AtomicFile.write(comparison.comparisonTable.render(), to: path(Comparison.comparisonSchema.file))
        try AtomicFile.write(comparison.wideTable.render(), to: path(Comparison.wideSchema.file))
        try AtomicFile.write(comparison.cohortTable.render(), to: path(Comparison.cohortSchema.file))
        try AtomicFile.write(
            try StudyReport.render(results: results, comparison: comparison, outputFolder: output),
            to: path(StudyReport.fileName))
        return comparison
    }
}
