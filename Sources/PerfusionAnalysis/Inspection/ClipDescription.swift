import CEUSImaging
import Foundation

/// What a clip holds, in words, as `echoflow inspect` prints it: frames, size, bit depth, timing, panes,
/// linearization and excluded frames; for DICOM files also the transfer syntax, photometric interpretation,
/// ultrasound regions with their roles, and the main acquisition tags.
public enum ClipDescription {
    /// Opens the clip at `path` (with the `clip.json` overrides in `options`) and describes it, one fact a line.
    public static func describe(_ path: String, options: ClipOptions = ClipOptions()) throws -> String {
        // A clip without timing is still described, with the timing said to be missing.
        var timingMissing = false
        let c: Clip
        do {
            c = try Clip.open(path, options: options)
        } catch CEUSImagingError.missingTiming {
            var placeholder = options
            placeholder.frameRate = 1
            c = try Clip.open(path, options: placeholder)
            timingMissing = true
        }
        let first = try c.source.frame(at: 0)
        let times = c.times
        let span = (times.last ?? 0) - (times.first ?? 0)
        let rate = times.count > 1 ? Double(times.count - 1) / span : 0
        let layout = first.channels >= 3 ? "RGB" : "grey"
        let alpha = first.channels == 2 || first.channels == 4 ? " with alpha (ignored)" : ""
        func f(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
        var lines = [
            "clip:            \(path)",
            "frames:          \(c.frameCount) (\(c.source.frameName(0)) ... \(c.source.frameName(c.frameCount - 1)))",
            "size:            \(c.source.width) x \(c.source.height) px, \(first.bitDepth)-bit \(layout)\(alpha)",
            timingMissing
                ? "timing:          missing (no frameRate or frameTimes in clip.json; for DICOM no Frame Time Vector, Frame Time or Cine Rate): pass --frame-rate HZ"
                : "timing:          \(f(times.first ?? 0, 3)) ... \(f(times.last ?? 0, 3)) s, mean \(f(rate, 3)) frames/s",
            "contrast pane:   \(c.contrastPane)",
            "dynamic range:   \(f(c.linearization.dynamicRangeDB, 2)) dB",
            "excluded frames: "
                + (c.excludedFrames.isEmpty ? "none" : c.excludedFrames.map(String.init).joined(separator: ", ")),
        ]
        if let dicom = c.source as? DICOMFrameSource { lines += describe(dicom) }
        return lines.joined(separator: "\n")
    }

    static func describe(_ dicom: DICOMFrameSource) -> [String] {
        let file = dicom.file
        let syntax = file.transferSyntax
        var lines = [
            "transfer syntax: \(DICOMParser.names[syntax] ?? "unknown") (\(syntax))",
            "photometric:     \(dicom.photometric), \(dicom.samplesPerPixel) sample(s), \(dicom.bitsAllocated) bits allocated",
        ]
        let regions = UltrasoundRegion.regions(of: file)
        let panes = UltrasoundRegion.panes(regions)
        for (i, r) in regions.enumerated() {
            let role = r == panes.contrast ? " <- contrast pane" : r == panes.bmode ? " <- B-mode pane" : ""
            let size = r.pixelSizeMM.map { String(format: ", pixel %.4f x %.4f mm", $0.x, $0.y) } ?? ""
            lines.append(
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
                lines.append(name.padding(toLength: 17, withPad: " ", startingAt: 0) + value)
            }
        }
        return lines
    }
}
