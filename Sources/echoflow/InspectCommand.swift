import ArgumentParser
import PerfusionAnalysis

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract:
            "Show what a clip holds: size, frames, timing, panes, linearization; for DICOM also the transfer syntax, photometric interpretation, ultrasound regions and main acquisition tags.",
        discussion: """
            Example:
              echoflow inspect Fixtures/study/S01/baseline/clip01
            """)

    @Argument(help: ArgumentHelp("Clip folder of PNG frames, or a DICOM file.", valueName: "CLIP"))
    var clip: String

    @OptionGroup var clipFlags: ClipFlags

    func run() throws {
        try reportingErrors { print(try ClipDescription.describe(clip, options: clipFlags.options)) }
    }
}
