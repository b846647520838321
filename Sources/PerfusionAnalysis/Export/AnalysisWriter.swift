import Foundation

/// Writes the outputs of clip analyses: `tic.csv`, `parameters.csv` and one SVG plot per region.
public enum AnalysisWriter {
    /// File names inside an output folder.
    static let ticFile = TICTable.file
    static let parametersFile = ParameterTable.file

    /// Plot file name of a region (`tic-<region>.svg`, with characters unsafe in file names replaced).
    static func plotFile(region: String) -> String {
        let safe = region.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return "tic-\(String(safe)).svg"
    }

    /// Writes one clip's outputs into `folder`; returns the paths written.
    @discardableResult
    public static func write(_ analysis: ClipAnalysis, to folder: String) throws -> [String] {
        var written: [String] = []
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        try AtomicFile.write(ticTable(analysis).render(), to: path(ticFile))
        written.append(path(ticFile))
        try AtomicFile.write(parameterTable(analysis).render(), to: path(parametersFile))
        written.append(path(parametersFile))
        if analysis.frames.motion != nil {
            try AtomicFile.write(
                MotionTable.schema.table(MotionTable.rows(analysis.frames)).render(), to: path(MotionTable.file))
            written.append(path(MotionTable.file))
        }
        let plot = TICPlot()
        for region in analysis.regions {
            let file = path(plotFile(region: region.region))
            try AtomicFile.write(plot.render(analysis, region), to: file)
            written.append(file)
        }
        return written
    }

    /// `parameters.csv` of one clip.
    static func parameterTable(_ analysis: ClipAnalysis) -> CSVTable {
        ParameterTable.schema.table(analysis.regions.flatMap { ParameterRow.rows(analysis, $0) })
    }

    /// `tic.csv` of one clip.
    static func ticTable(_ analysis: ClipAnalysis) -> CSVTable {
        TICTable.schema.table(analysis.regions.flatMap { TICTable.rows(analysis, $0) })
    }
}
