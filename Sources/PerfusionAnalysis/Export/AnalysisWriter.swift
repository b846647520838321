import Foundation

/// Writes the outputs of clip analyses: `tic.csv`, `parameters.csv`, `overview.png`, one SVG plot per region,
/// `motion.csv` and `motion.svg` with motion compensation, and `report.html`.
public enum AnalysisWriter {
    /// File names inside an output folder.
    static let ticFile = TICTable.file
    static let parametersFile = ParameterTable.file
    static let overviewFile = "overview.png"

    /// Plot file name of a region (`tic-<region>.svg`, with characters unsafe in file names replaced).
    static func plotFile(region: String) -> String {
        let safe = region.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return "tic-\(String(safe)).svg"
    }

    /// Writes one clip's outputs into `folder`, the report titled `title` (default: the clip's name); returns the
    /// paths written.
    @discardableResult
    public static func write(_ analysis: ClipAnalysis, to folder: String, title: String? = nil) throws -> [String] {
        var written: [String] = []
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        try AtomicFile.write(ticTable(analysis).render(), to: path(ticFile))
        written.append(path(ticFile))
        try AtomicFile.write(parameterTable(analysis).render(), to: path(parametersFile))
        written.append(path(parametersFile))
        if let overview = analysis.overview {
            try AtomicFile.write(Data(overview), to: path(overviewFile))
            written.append(path(overviewFile))
        }
        if analysis.frames.motion != nil {
            try AtomicFile.write(
                MotionTable.schema.table(MotionTable.rows(analysis.frames)).render(), to: path(MotionTable.file))
            written.append(path(MotionTable.file))
            if let plot = MotionPlot.element(analysis) {
                try AtomicFile.write(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + plot.render() + "\n", to: path(MotionPlot.fileName)
                )
                written.append(path(MotionPlot.fileName))
            }
        }
        let plot = TICPlot()
        for region in analysis.regions {
            let file = path(plotFile(region: region.region))
            try AtomicFile.write(plot.render(analysis, region), to: file)
            written.append(file)
        }
        try AtomicFile.write(
            ClipReport.render(analysis, title: title ?? analysis.clipName), to: path(ClipReport.fileName))
        written.append(path(ClipReport.fileName))
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
