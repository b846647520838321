import ArgumentParser
import Foundation
import PerfusionAnalysis

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse one clip: time-intensity curves per region, fits, perfusion parameters, plots.",
        discussion: """
            CLIP is a folder of PNG frames (natural filename order) with an optional clip.json giving the \
            frame rate or frame times and the dynamic range, or a DICOM multi-frame file (uncompressed, RLE or \
            JPEG Baseline; timing from its tags). Regions come from --roi (default CLIP/roi.json, or NAME.roi.json \
            beside NAME.dcm). Models: \(CurveAnalyzer.knownModels.joined(separator: ", ")) (default \
            \(CurveAnalyzer.defaultModel)).

            Exits 65 when no region could be fitted (every region too short), after writing what it found.

            Frames are screened before fitting (docs/METHODS.md §9): flash frames (a frame-wide rise of more than \
            4 dB over the frames on both sides) and duplicates of the previous frame are excluded by default, and \
            with --motion so are frames that match the reference frame poorly; --exclude and excludedFrames in \
            clip.json add frames by hand, --keep-all-frames turns the automatic rules off. tic.csv names the \
            reason of every excluded frame.

            Writes tic.csv, parameters.csv, overview.png (the contrast pane at peak enhancement with the regions \
            outlined), tic-<region>.svg and report.html into --output, and motion.csv and motion.svg with --motion.

            Example:
              echoflow analyze Fixtures/study/S01/baseline/clip01 --output out
              echoflow analyze my-clip --frame-rate 8 --dynamic-range 50
              echoflow analyze exam.dcm --model auto
              echoflow analyze liver-clip --motion --motion-reference 40 --exclude 112-118
            """)

    @Argument(help: ArgumentHelp("Clip folder of PNG frames, or a DICOM file.", valueName: "CLIP"))
    var clip: String

    @Option(
        help: ArgumentHelp(
            "Region file: roi.json, an ImageJ .roi or RoiSet.zip (default: CLIP/roi.json, else CLIP/RoiSet.zip; NAME.roi.json beside NAME.dcm).",
            valueName: "FILE"))
    var roi: String?

    @OptionGroup var modelFlag: ModelFlag

    @Option(name: [.short, .long], help: ArgumentHelp("Output folder (created if missing).", valueName: "DIR"))
    var output = "echoflow-out"

    @OptionGroup var clipFlags: ClipFlags

    @Option(
        help: ArgumentHelp(
            "Frames to leave out of the fit, indices from 0 (added to excludedFrames of clip.json).",
            valueName: "12-18,40"))
    var exclude: String?

    @Option(
        name: .customLong("motion-reference"),
        help: ArgumentHelp(
            "With --motion: the frame the regions were drawn on, from 0 (default: referenceFrame of the region file, else the frame most similar to the others).",
            valueName: "N"))
    var motionReference: Int?

    func validate() throws {
        if let exclude, FrameRanges.parse(exclude) == nil {
            throw ValidationError(
                "--exclude takes frame indices from 0 and ranges, such as 12-18,40; got \"\(exclude)\"")
        }
        if let motionReference, motionReference < 0 {
            throw ValidationError("--motion-reference is a frame index from 0, got \(motionReference)")
        }
    }

    var clipOptions: ClipOptions {
        var options = clipFlags.options
        options.excludedFrames = exclude.flatMap(FrameRanges.parse) ?? []
        options.motionReference = motionReference
        return options
    }

    @Flag(name: [.short, .long], help: "No progress output.")
    var quiet = false

    func run() throws {
        try reportingErrors {
            let roiPath = roi ?? Self.defaultRegionFile(clip)
            let progress = ProgressReporter(
                label: "decoding \((clip as NSString).lastPathComponent)", unit: "frames", quiet: quiet)
            let analysis = try ClipAnalysis.run(
                clip: clip, roi: roiPath,
                settings: AnalysisSettings(
                    model: modelFlag.model, clipOptions: clipOptions, weighting: modelFlag.weighting),
                progress: { progress.update($0, $1) })
            let written = try AnalysisWriter.write(analysis, to: output)
            for warning in analysis.warnings { printError("warning: \(analysis.clipName): \(warning)") }
            print(summary(analysis))
            print(
                "\nWrote \(written.count) files to \(output)/: "
                    + written.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))
            // As batch counts it: a clip none of whose regions could be fitted is a failure, not a result.
            if let first = analysis.regions.first, analysis.regions.allSatisfy({ $0.fit.status == .tooShort }) {
                printError("error: \(clip): no region could be fitted: \(first.fit.termination)")
                throw ExitCode(65)
            }
        }
    }

    /// The region file of a clip (`Study.regionFile(ofClip:)`): `CLIP/roi.json` (else `CLIP/RoiSet.zip`) for a
    /// folder, `NAME.roi.json` (else `NAME.zip`) beside a file `NAME.dcm`, as in study folders.
    static func defaultRegionFile(_ clip: String) -> String { Study.regionFile(ofClip: clip) }

    func summary(_ a: ClipAnalysis) -> String {
        let header = [
            "region", "model", "status", "PE (a.u.)", "TTP (s)", "WiAUC (a.u.s)", "RT (s)", "mTT (s)", "QOF (%)",
        ]
        let rows = a.regions.map { r in
            [
                r.region, r.model, r.fit.status.rawValue, short(r.parameters?.peakEnhancement),
                short(r.parameters?.timeToPeak),
                short(r.parameters?.washInArea), short(r.parameters?.riseTime), short(r.parameters?.meanTransitTime),
                short(r.parameters?.qualityOfFit),
            ]
        }
        return
            "\(a.clipName): \(a.frameCount) frames, dynamic range \(short(a.dynamicRangeDB)) dB\n\n"
            + textTable(header, rows)
    }
}
