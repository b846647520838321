import ArgumentParser
import Foundation
import PerfusionAnalysis

struct RoiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roi",
        abstract: "Region files: convert ImageJ / Fiji ROIs to roi.json.",
        subcommands: [RoiConvertCommand.self])
}

struct RoiConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write the roi.json equivalent of a region file (ImageJ .roi, RoiSet.zip, NIfTI mask, roi.json).",
        discussion: """
            A NIfTI-1 label mask (.nii, .nii.gz; voxel (i, j) is pane column i, row j; the first slice) gives one \
            region per label, "label N", written as mask PNGs beside the output (mask-label_N.png). \
            ImageJ / Fiji rectangles, ovals, polygons, freehand and traced outlines are read as ImageJ's RoiDecoder \
            defines the format; lines, points, text and composite ROIs are refused. Names come from the ROIs (or \
            the file names inside a RoiSet.zip). Coordinates are image pixels, as Echoflow's; if the ROIs were \
            drawn on the whole frame of a dual display, they are relative to the frame, not to the contrast pane: \
            subtract the pane's corner (or draw on a crop of the pane). --reference names the reference region and \
            --reference-frame the frame the regions were drawn on (for --motion). Every other command reads the \
            ImageJ files directly too (--roi), without a reference region.

            Examples:
              echoflow roi convert RoiSet.zip --reference parenchyma --output clip/roi.json
              echoflow roi convert lesion.roi
              echoflow roi convert segmentation.nii.gz --output clip/roi.json
            """)

    @Argument(
        help: ArgumentHelp("Region file: ImageJ .roi, RoiSet.zip, NIfTI .nii/.nii.gz or roi.json.", valueName: "IN"))
    var input: String

    @Option(
        name: [.short, .long], help: ArgumentHelp("Output roi.json (default: standard output).", valueName: "FILE"))
    var output: String?

    @Option(help: ArgumentHelp("Name of the reference region (one of the file's regions).", valueName: "NAME"))
    var reference: String?

    @Option(
        name: .customLong("reference-frame"),
        help: ArgumentHelp("The frame (from 0) the regions were drawn on, for --motion.", valueName: "N"))
    var referenceFrame: Int?

    func validate() throws {
        if let referenceFrame, referenceFrame < 0 {
            throw ValidationError("--reference-frame is a frame index from 0, got \(referenceFrame)")
        }
    }

    func run() throws {
        try reportingErrors {
            let converted = try RegionFileText.convert(input, reference: reference, referenceFrame: referenceFrame)
            if converted.hasLabelMasks && output == nil {
                printError(
                    "error: \(input): the regions of a label image become mask PNGs beside the roi.json; give --output")
                throw ExitCode(64)
            }
            let text = converted.json
            if let output {
                let folder = (output as NSString).deletingLastPathComponent
                for mask in try converted.writeMasks(folder.isEmpty ? "." : folder) { printError("wrote \(mask)") }
                try AtomicFile.write(text, to: output)
                printError("wrote \(output)")
            } else {
                print(text, terminator: "")
            }
        }
    }
}
