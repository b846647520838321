import ArgumentParser
import PerfusionAnalysis

/// Flags that override a clip's `clip.json`.
struct ClipFlags: ParsableArguments {
    @Option(
        name: .customLong("frame-rate"), parsing: .unconditional,
        help: ArgumentHelp("Frame rate in Hz (overrides clip.json).", valueName: "HZ"))
    var frameRate: Double?

    @Option(
        name: .customLong("dynamic-range"), parsing: .unconditional,
        help: ArgumentHelp("Log-compression dynamic range in dB (overrides clip.json; default 60).", valueName: "DB"))
    var dynamicRange: Double?

    @Option(
        name: .customLong("exp-constant"), parsing: .unconditional,
        help: ArgumentHelp("Use the law P = exp(Y / C) instead of a dynamic range (for example 24.09).", valueName: "C")
    )
    var expConstant: Double?

    @Option(
        name: .customLong("contrast-pane"),
        help: ArgumentHelp(
            "Contrast pane in frame pixels (overrides clip.json and DICOM regions).", valueName: "X,Y,W,H"))
    var contrastPane: String?

    @Option(
        name: .customLong("bmode-pane"),
        help: ArgumentHelp(
            "B-mode pane in frame pixels, where motion is measured (overrides clip.json and DICOM regions).",
            valueName: "X,Y,W,H"))
    var bmodePane: String?

    @Flag(
        name: .customLong("motion"),
        help:
            "Compensate breathing motion: align every frame to the reference frame (on the B-mode pane when there is one) and move the regions with it; writes motion.csv."
    )
    var motion = false

    @Option(
        name: .customLong("min-correlation"), parsing: .unconditional,
        help: ArgumentHelp(
            "With --motion: frames whose correlation with the reference frame is below R are out of plane (default \(FrameRules.defaultMinimumCorrelation)).",
            valueName: "R"))
    var minimumCorrelation = FrameRules.defaultMinimumCorrelation

    @Flag(
        name: .customLong("keep-all-frames"),
        help: "Turn the automatic frame rules off (flash, duplicate, out of plane); manual exclusions still apply.")
    var keepAllFrames = false

    func validate() throws {
        if let contrastPane, PixelRect(parsing: contrastPane) == nil {
            throw ValidationError(
                "--contrast-pane takes X,Y,W,H in pixels (width and height positive), got \"\(contrastPane)\"")
        }
        if let bmodePane, PixelRect(parsing: bmodePane) == nil {
            throw ValidationError(
                "--bmode-pane takes X,Y,W,H in pixels (width and height positive), got \"\(bmodePane)\"")
        }
        guard (-1...1).contains(minimumCorrelation) else {
            throw ValidationError("--min-correlation is a correlation from -1 to 1, got \(minimumCorrelation)")
        }
        if let r = frameRate, !(r > 0) { throw ValidationError("--frame-rate must be positive, got \(r)") }
        if let d = dynamicRange, !(d > 0) { throw ValidationError("--dynamic-range must be positive, got \(d)") }
        if let c = expConstant, !(c > 0) { throw ValidationError("--exp-constant must be positive, got \(c)") }
        if dynamicRange != nil && expConstant != nil {
            throw ValidationError("give either --dynamic-range or --exp-constant, not both")
        }
    }

    var options: ClipOptions {
        ClipOptions(
            frameRate: frameRate, dynamicRangeDB: dynamicRange, expConstant: expConstant,
            contrastPane: contrastPane.flatMap(PixelRect.init(parsing:)),
            bmodePane: bmodePane.flatMap(PixelRect.init(parsing:)), motion: motion ? true : nil,
            keepAllFrames: keepAllFrames, minimumCorrelation: minimumCorrelation)
    }
}

/// The `--model` option shared by analyze, batch and fit.
struct ModelFlag: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Model to fit: \(CurveAnalyzer.knownModels.dropLast().joined(separator: ", ")), or \(CurveAnalyzer.automatic) (every bolus model; lognormal unless another AIC is lower by more than 6).",
            valueName: "MODEL"))
    var model = CurveAnalyzer.defaultModel

    @Option(
        help: ArgumentHelp(
            "How fits weight residuals: noise (by the curve's own noise, which grows with the signal; docs/METHODS.md §5) or none (ordinary least squares).",
            valueName: "W"))
    var weighting = FitWeighting.noise

    func validate() throws {
        guard CurveAnalyzer.knownModels.contains(model) else {
            throw ValidationError(
                "unknown model \"\(model)\" (available: \(CurveAnalyzer.knownModels.joined(separator: ", ")))")
        }
    }
}

extension TableEncoding: ExpressibleByArgument {}
extension FitWeighting: ExpressibleByArgument {}
