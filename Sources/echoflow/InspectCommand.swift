import ArgumentParser
import CEUSImaging
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract:
            "Show what a clip holds: size, frames, timing, panes, linearization; for DICOM also the transfer syntax, photometric interpretation, ultrasound regions and main acquisition tags.",
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
            if let dicom = c.source as? DICOMFrameSource {
                let file = dicom.file
                let syntax = file.transferSyntax
                print("transfer syntax: \(DICOMParser.names[syntax] ?? "unknown") (\(syntax))")
                print(
                    "photometric:     \(dicom.photometric), \(dicom.samplesPerPixel) sample(s), \(dicom.bitsAllocated) bits allocated"
                )
                let regions = UltrasoundRegion.regions(of: file)
                let panes = UltrasoundRegion.panes(regions)
                for (i, r) in regions.enumerated() {
                    let role = r == panes.contrast ? " <- contrast pane" : r == panes.bmode ? " <- B-mode pane" : ""
                    let size = r.pixelSizeMM.map { String(format: ", pixel %.4f x %.4f mm", $0.x, $0.y) } ?? ""
                    print(
                        "region \(i + 1):        \(r.rect), spatial format \(r.spatialFormat), data type \(r.dataType)\(size)\(role)"
                    )
                }
                let tags: [(String, DICOMTag)] = [
                    ("modality", .tag(0x0008, 0x0060)), ("manufacturer", .tag(0x0008, 0x0070)),
                    ("model", .tag(0x0008, 0x1090)), ("study date", .tag(0x0008, 0x0020)),
                    ("frame time (ms)", .tag(0x0018, 0x1063)), ("cine rate", .tag(0x0018, 0x0040)),
                    ("transducer", .tag(0x0018, 0x5010)),
                ]
                for (name, tag) in tags {
                    if let value = file.string(tag), !value.isEmpty {
                        print(name.padding(toLength: 17, withPad: " ", startingAt: 0) + value)
                    }
                }
            }
        }
    }
}
