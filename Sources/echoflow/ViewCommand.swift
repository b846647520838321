import ArgumentParser
import EchoflowViewer
import Foundation
import PerfusionAnalysis

struct ViewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Draw regions on a clip in your browser, with live curves and fits (a local web viewer).",
        discussion: """
            Starts a web server on this machine only (127.0.0.1), prints its address, and serves a page that \
            shows the clip (contrast and B-mode panes) with a frame slider, lets you draw, move, reshape, rename \
            and delete rectangle, ellipse and polygon regions, mark the reference region, and shows each \
            region's time-intensity curve as you draw, and on request the fit and its parameters. Everything is \
            computed here by the code of `echoflow analyze` (the same linearization, frame rules and fits), and \
            nothing leaves the machine: the page loads nothing from the network.

            Save writes the regions to the clip's region file: the --roi file when it is a roi.json, otherwise \
            CLIP/roi.json (NAME.roi.json beside a DICOM file NAME.dcm). Regions read from an ImageJ or NIfTI file \
            are saved to that roi.json; the imported file is never overwritten. Stop the server with Ctrl-C.

            The HTTP routes (for scripts) are listed in the README, "The viewer".

            Examples:
              echoflow view Fixtures/study/S01/baseline/clip01
              echoflow view exam.dcm --roi RoiSet.zip --port 8800
              echoflow view my-clip --motion --model auto
            """)

    @Argument(help: ArgumentHelp("Clip folder of PNG frames, or a DICOM file.", valueName: "CLIP"))
    var clip: String

    @Option(
        help: ArgumentHelp(
            "Region file to start from: roi.json, ImageJ .roi or RoiSet.zip, NIfTI .nii/.nii.gz (default: the clip's own, as analyze finds it; none: start empty).",
            valueName: "FILE"))
    var roi: String?

    @Option(help: ArgumentHelp("Port on 127.0.0.1 (0: any free port).", valueName: "P"))
    var port = 8737

    @OptionGroup var modelFlag: ModelFlag

    @OptionGroup var clipFlags: ClipFlags

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
    }

    func run() async throws {
        var opened: ViewerState?
        try reportingErrors {
            opened = try ViewerState(
                clip: clip, roi: roi,
                settings: AnalysisSettings(
                    model: modelFlag.model, clipOptions: clipFlags.options, weighting: modelFlag.weighting)
            )
        }
        guard let state = opened else { return }
        let clipName = (clip as NSString).lastPathComponent
        let from = state.loadedFrom.map { "regions from \($0)" } ?? "no regions yet"
        do {
            try await ViewerServer.run(state, port: port) { bound in
                // Written at once (not buffered): scripts wait for the address line.
                let text = """
                    Echoflow viewer for \(clipName) (\(state.session.clip.frameCount) frames, \(from))
                      open http://127.0.0.1:\(bound)/ in a browser; Save writes \(state.savePath)
                      Ctrl-C stops the server

                    """
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        } catch {
            printError(
                "error: the viewer could not serve on 127.0.0.1:\(port): \(error) (is the port in use? try --port 0)")
            throw ExitCode(70)
        }
    }
}
