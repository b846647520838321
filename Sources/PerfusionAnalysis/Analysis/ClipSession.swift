import CEUSImaging
import Foundation

/// A clip opened once and analysed again for every set of regions: what `echoflow view` computes with.
///
/// Curves and fits come from the same code as `echoflow analyze` (``ClipAnalysis``): the same linearization,
/// frame rules, motion compensation, outlier screen, fits and parameter columns. Only the overview picture is
/// left out. What screening the frames finds that does not depend on the regions (pane levels, checksums,
/// duplicates) is found on the first call and kept. Safe to use from several threads at once.
public struct ClipSession: Sendable {
    /// The clip as given (a PNG folder or a DICOM file).
    public let clipPath: String
    /// The opened clip.
    public let clip: Clip
    let analyzer: CurveAnalyzer
    /// The frames' levels, checksums and duplicates, found once (they do not depend on the regions).
    let screen = FrameScreen()

    /// Opens the clip at `path` with `settings`.
    ///
    /// - Throws: what ``ClipAnalysis/run(clip:roi:settings:progress:)`` throws for the clip or the settings.
    public init(clip path: String, settings: AnalysisSettings = AnalysisSettings()) throws {
        analyzer = try settings.analyzer()
        clip = try Clip.open(path, options: settings.clipOptions)
        clipPath = path
    }

    /// The region file a clip's regions are saved to: `CLIP/roi.json` for a folder, `NAME.roi.json` beside a
    /// DICOM file. Never an imported ImageJ or NIfTI file.
    public static func savedRegionPath(ofClip clip: String) -> String {
        Study.regionFileCandidates(ofClip: clip)[0]
    }

    /// Each region's curve (no fit): intensities in linear a.u., with the frames the rules exclude.
    ///
    /// - Throws: when a region lies outside the contrast pane or holds no pixel, or a frame cannot be decoded.
    public func curves(_ regions: RegionFile) throws -> [TimeIntensityCurve] {
        let masks = try regions.masks(paneWidth: clip.contrastPane.width, paneHeight: clip.contrastPane.height)
        return try CurveExtractor(clip: clip, masks: masks, referenceFrame: regions.referenceFrame, screen: screen)
            .extract().curves
    }

    /// The whole analysis with `regions` (read from, or to be saved at, `roiPath`): curves, fits, parameters.
    public func analysis(_ regions: RegionFile, roiPath: String) throws -> ClipAnalysis {
        do {
            return try ClipAnalysis.analyze(
                clip: clip, clipPath: clipPath, regions: regions, roiPath: roiPath, analyzer: analyzer,
                drawOverview: false, screen: screen)
        } catch let failure as StageFailure {
            throw failure.error
        }
    }
}

/// A value of one `parameters.csv` cell, typed.
public enum ParameterValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    case integer(Int)
    /// An empty cell (not computed).
    case empty
}

/// One region's row of `parameters.csv` (the selected model), as named values: what the viewer's `/api/fit`
/// returns.
public struct RegionParameters: Sendable {
    /// Region name.
    public let region: String
    /// The fit status (`converged`, `at_bound`, ...), as in the `status` column.
    public let status: String
    /// The selected model's name.
    public let model: String
    /// Every column of `parameters.csv` after `clip` and `roi`, in the file's order.
    public let values: [(name: String, value: ParameterValue)]
    /// The selected model's value at every frame time (linear a.u.), NaN where there is no fit.
    public let fitted: [Double]
}

extension ClipAnalysis {
    /// The selected model's `parameters.csv` row of every region, in region order, with its fitted curve.
    public var regionParameters: [RegionParameters] {
        let columns = ParameterTable.schema.columns.filter { $0.name != "clip" && $0.name != "roi" }
        return regions.map { region in
            let rows = ParameterRow.rows(self, region)
            let row = rows[min(region.selectedIndex, rows.count - 1)]
            let values = columns.map { column -> (name: String, value: ParameterValue) in
                switch column.value(row) {
                case .text(let t): return (column.name, .text(t))
                case .number(let x): return (column.name, x.isFinite ? .number(x) : .empty)
                case .integer(let n): return (column.name, .integer(n))
                case .empty: return (column.name, .empty)
                }
            }
            return RegionParameters(
                region: region.region, status: region.fit.status.rawValue, model: region.model, values: values,
                fitted: region.fitted)
        }
    }
}
