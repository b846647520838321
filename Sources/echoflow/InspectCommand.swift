import ArgumentParser
import CEUSImaging
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a clip holds: size, frames, timing, pane, linearization.",
        discussion: """
            Example:
              echoflow inspect Fixtures/study/S01/baseline/clip01
            """)

    @Argument(help: ArgumentHelp("Clip folder of PNG frames.", valueName: "CLIP"))
    var clip: String

    @OptionGroup var clipFlags: ClipFlags

    func run() throws {
        try reportingErrors {
            let c = try Clip.open(clip, options: clipFlags.options)
            let first = try c.source.frame(at: 0)
            let times = c.times
            let span = (times.last ?? 0) - (times.first ?? 0)
            let rate = times.count > 1 ? Double(times.count - 1) / span : 0
            let layout = first.channels >= 3 ? "RGB" : "grey"
            print(
                """
                clip:            \(clip)
                frames:          \(c.frameCount) (\(c.source.frameName(0)) ... \(c.source.frameName(c.frameCount - 1)))
                size:            \(c.source.width) x \(c.source.height) px, \(first.bitDepth)-bit \(layout)\(first.channels == 2 || first.channels == 4 ? " with alpha (ignored)" : "")
                timing:          \(String(format: "%.3f", times.first ?? 0)) ... \(String(format: "%.3f", times.last ?? 0)) s, mean \(String(format: "%.3f", rate)) frames/s
                contrast pane:   \(c.contrastPane)
                dynamic range:   \(String(format: "%.2f", c.linearization.dynamicRangeDB)) dB
                excluded frames: \(c.excludedFrames.isEmpty ? "none" : c.excludedFrames.map(String.init).joined(separator: ", "))
                """)
        }
    }
}
