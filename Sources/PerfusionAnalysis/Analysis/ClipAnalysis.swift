import CEUSImaging
import Foundation
import PerfusionFitting

/// Settings of one clip analysis (from flags).
public struct AnalysisSettings: Sendable {
    /// Model name (`lognormal`).
    var model: String = ModelRegistry.defaultModel.name
    /// Overrides of `clip.json`.
    var clipOptions = ClipOptions()
    /// How fits weight their residuals.
    var weighting = FitWeighting.noise

    /// Settings fitting `model` with `clipOptions`, residuals weighted by `weighting`.
    public init(
        model: String = ModelRegistry.defaultModel.name, clipOptions: ClipOptions = ClipOptions(),
        weighting: FitWeighting = .noise
    ) {
        self.model = model
        self.clipOptions = clipOptions
        self.weighting = weighting
    }

    /// The curve analyzer of these settings, fitting on one thread.
    func analyzer() throws -> CurveAnalyzer {
        try CurveAnalyzer(modelName: model, threads: 1, weighting: weighting)
    }
}

/// The stages of a clip analysis, as named in `errors.csv`.
enum AnalysisStage: String, Sendable, Codable {
    case settings, clip, roi, frames, fit, write
}

/// An error with the stage it happened at.
struct StageFailure: Error, CustomStringConvertible {
    let stage: AnalysisStage
    let error: any Error
    var description: String { "\(error)" }
}

/// A failure described in words (a clip too short to fit, ...).
struct AnalysisFailure: Error, CustomStringConvertible {
    let description: String
}

/// The whole analysis of one clip: curves per region, fits, parameters.
public struct ClipAnalysis: Sendable {
    /// Clip identifier written in outputs (the clip folder's name).
    public let clipName: String
    let clipPath: String
    let roiPath: String
    /// Dynamic range used for linearization (dB).
    public let dynamicRangeDB: Double
    /// Frames in the clip.
    public let frameCount: Int
    let excludedFrames: [Int]
    /// Per frame: why it is excluded, the pane level, and the motion when compensated.
    public let frames: FrameLog
    /// The automatic frame rules and motion compensation used.
    let frameRules: FrameRules
    /// `overview.png`: the contrast pane at peak enhancement with every region outlined (`ClipOverview`).
    let overview: [UInt8]?
    /// The frame the overview shows.
    let overviewFrame: Int?
    /// Area of one contrast-pane pixel (mm^2), when the clip gives the pixel size.
    let pixelAreaMM2: Double?
    /// Reference region name, if the ROI file names one.
    let reference: String?
    /// Every region of the ROI file, in file order.
    public let regions: [RegionAnalysis]
    /// Things a user should know (saturation, failed fits), one sentence each.
    public let warnings: [String]

    /// Saturated-pixel share above which a region gets a warning (%).
    static let saturationWarningPercent = 1.0
    /// Share of contrast-pane pixels unmatched by the colour map above which the clip gets a warning (%).
    static let colorMapWarningPercent = 5.0

    /// Opens the clip, reads the regions, builds the curves and fits them.
    ///
    /// - Parameters:
    ///   - clipPath: a folder of PNG frames or a DICOM file.
    ///   - roiPath: the region file (`roi.json`).
    ///   - settings: the model and the overrides of the clip's metadata.
    ///   - progress: frames decoded so far and the total (from worker threads).
    public static func run(
        clip clipPath: String, roi roiPath: String, settings: AnalysisSettings = AnalysisSettings(),
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> ClipAnalysis {
        do {
            return try runStaged(clip: clipPath, roi: roiPath, settings: settings, progress: progress)
        } catch let failure as StageFailure {
            throw failure.error
        }
    }

    /// Like ``run(clip:roi:settings:progress:)``, but every error says at which stage it happened.
    static func runStaged(
        clip clipPath: String, roi roiPath: String, settings: AnalysisSettings = AnalysisSettings(),
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> ClipAnalysis {
        func stage<T>(_ name: AnalysisStage, _ body: () throws -> T) throws -> T {
            do { return try body() } catch { throw StageFailure(stage: name, error: error) }
        }
        let analyzer = try stage(.settings) { try settings.analyzer() }
        let clip = try stage(.clip) { try Clip.open(clipPath, options: settings.clipOptions) }
        let regionFile = try stage(.roi) { try RegionFile.load(roiPath) }
        return try analyze(
            clip: clip, clipPath: clipPath, regions: regionFile, roiPath: roiPath, analyzer: analyzer,
            drawOverview: true, progress: progress)
    }

    /// The analysis of an opened clip with the regions of `regionFile` (read from `roiPath`): what ``run`` does
    /// after opening both, and what the viewer (``ClipSession``) repeats for every change of the regions.
    static func analyze(
        clip: Clip, clipPath: String, regions regionFile: RegionFile, roiPath: String, analyzer: CurveAnalyzer,
        drawOverview: Bool, screen: FrameScreen? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> ClipAnalysis {
        func stage<T>(_ name: AnalysisStage, _ body: () throws -> T) throws -> T {
            do { return try body() } catch { throw StageFailure(stage: name, error: error) }
        }
        let masks = try stage(.roi) {
            try regionFile.masks(paneWidth: clip.contrastPane.width, paneHeight: clip.contrastPane.height)
        }
        let total = clip.frameCount
        let extraction = try stage(.frames) {
            try CurveExtractor(clip: clip, masks: masks, referenceFrame: regionFile.referenceFrame, screen: screen)
                .extract(
                    progress: progress.map { report in
                        { @Sendable done in report(done, total) }
                    })
        }
        let regions = analyzer.analyze(extraction.curves, reference: regionFile.reference)
        var warnings = frameWarnings(extraction.frames, frameCount: total)
        let name = URL(fileURLWithPath: clipPath).standardizedFileURL.lastPathComponent
        let peak = peakFrame(extraction, reference: regionFile.reference)
        var overview: [UInt8]?
        if drawOverview, let peak {
            // Regions as they were read in that frame (not moved where its motion could not be trusted).
            let shift =
                extraction.frames.motion.map { m -> (Int, Int) in
                    guard m.dx[peak].isFinite, m.dy[peak].isFinite else { return (0, 0) }
                    return (Int(m.dx[peak].rounded()), Int(m.dy[peak].rounded()))
                } ?? (0, 0)
            do {
                overview = try ClipOverview.png(
                    clip: clip, frame: peak,
                    regions: masks.map { OverviewRegion(mask: $0, isReference: $0.name == regionFile.reference) },
                    shift: shift, title: name)
            } catch {
                warnings.append("overview.png could not be drawn: \(error)")
            }
        }
        for r in regions {
            let worst = r.curve.maximumSaturatedPercent
            if worst > saturationWarningPercent {
                warnings.append(
                    "region \"\(r.region)\": up to \(String(format: "%.1f", worst)) % of its pixels are saturated in a frame; amplitudes are underestimated (lower the gain)"
                )
            }
            if r.fit.status == .atBound {
                let symbols = r.fit.boundSymbols(r.selected.model).joined(separator: ", ")
                warnings.append(
                    "region \"\(r.region)\": the fit ends with \(symbols) on a bound: the limits of the search, not the data, decided them (status at_bound)"
                )
            } else if !r.fit.hasParameters || r.fit.status != .converged {
                warnings.append("region \"\(r.region)\": \(r.fit.termination)")
            }
        }
        return ClipAnalysis(
            clipName: name, clipPath: clipPath, roiPath: roiPath, dynamicRangeDB: clip.linearization.dynamicRangeDB,
            frameCount: total, excludedFrames: clip.excludedFrames, frames: extraction.frames,
            frameRules: clip.frameRules, overview: overview, overviewFrame: peak,
            pixelAreaMM2: clip.pixelSizeMM.map { $0.x * $0.y }, reference: regionFile.reference,
            regions: regions, warnings: warnings)
    }

    /// The frame of peak enhancement: among frames no rule excludes, the one where the mean of the regions'
    /// intensities (the reference region left out when there are others) is highest; nil when every frame is
    /// excluded.
    static func peakFrame(_ extraction: Extraction, reference: String?) -> Int? {
        var curves = extraction.curves.filter { $0.region != reference }
        if curves.isEmpty { curves = extraction.curves }
        var best: (frame: Int, level: Double)?
        for i in extraction.frames.exclusions.indices where extraction.frames.exclusions[i] == nil {
            let level = curves.map { $0.intensities[i] }.reduce(0, +) / Double(max(curves.count, 1))
            if level.isFinite, best == nil || level > best!.level { best = (i, level) }
        }
        return best?.frame
    }

    /// What the frame rules did, in words: frames dropped per reason, the motion reference and how it was chosen.
    static func frameWarnings(_ log: FrameLog, frameCount: Int) -> [String] {
        var out: [String] = []
        for reason in [FrameExclusion.flash, .duplicate, .outOfPlane] {
            let frames = log.exclusions.indices.filter { log.exclusions[$0] == reason }
            guard !frames.isEmpty else { continue }
            let listed = FrameRanges.text(frames)
            let why: String
            switch reason {
            case .flash: why = "flash (a frame-wide rise of more than 4 dB over the frames on both sides)"
            case .duplicate: why = "duplicate (the same pixels as the frame before)"
            case .outOfPlane: why = "out of plane (a poor match with the motion reference frame)"
            case .manual: why = "manual"
            }
            out.append(
                "\(frames.count) of \(frameCount) frames excluded as \(why): \(listed) (--keep-all-frames keeps them)")
        }
        let excluded = log.exclusions.filter { $0 != nil }.count
        if excluded * 2 > frameCount {
            out.append(
                "\(excluded) of \(frameCount) frames are excluded, more than half: the curves rest on few frames. Check the reasons in tic.csv (exclusion) and the settings that decide them (--min-correlation, --keep-all-frames, excludedFrames)"
            )
        }
        if let motion = log.motion, motion.rule == .mostSimilar {
            out.append(
                "motion reference: frame \(motion.referenceFrame), \(motion.rule.rawValue); the regions are taken to be drawn on it. Name the frame they were drawn on with \"referenceFrame\" in the region file or --motion-reference"
            )
        }
        if let share = log.colorMapUnmatchedPercent, share > colorMapWarningPercent, let map = log.colorMap {
            out.append(
                "\(String(format: "%.1f", share)) % of the contrast pane's pixels match no colour of the map \"\(map)\" (within an RGB distance of 12): their levels are the nearest entry's. Check that colorMap is the map the clip was shown with, and that the contrast pane excludes text and markers"
            )
        }
        if let motion = log.motion, !motion.onBmodePane, !motion.unmeasured.isEmpty {
            let n = motion.unmeasured.count
            out.append(
                "motion could not be measured on \(n) of \(frameCount) frames (their correlation with the reference frame on the contrast pane is below the threshold, or they moved more than a quarter of the pane): their regions were not moved\(n * 2 > frameCount ? ". Motion compensation did little for this clip" : "")"
            )
        }
        if let motion = log.motion, !motion.onBmodePane {
            out.append(
                "motion measured on the contrast pane (no B-mode pane): bubbles change its picture, so the out-of-plane rule is off; give the B-mode pane (bmodePane in clip.json or --bmode-pane) where the clip has one"
            )
        }
        return out
    }
}
