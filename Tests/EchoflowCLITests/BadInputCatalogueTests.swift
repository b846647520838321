import EchoflowTestSupport
import Foundation
import Testing

/// One malformed or awkward input: how to make it, the command that reads it, and what must come of it.
struct BadInput: CustomTestStringConvertible, Sendable {
    let name: String
    /// Writes the input into the folder and returns the command's arguments (`OUT` is replaced by the output path).
    let make: @Sendable (String) throws -> [String]
    /// The exit code: 64 usage, 65 unusable data, 66 missing input.
    let status: Int32
    /// Words the message must contain (beside the file's name, which every message must carry).
    let says: [String]
    /// The file or flag the message must name (relative to the folder; default: the first argument's last part).
    var names: String? = nil

    var testDescription: String { name }
}

/// Builders of the inputs, each writing small files from scratch (independent writers, not Echoflow's).
enum Inputs {
    /// A DICOM cine of 4 frames of 8 x 8 grey pixels, with `overrides` (group, element, VR, bytes) replacing or
    /// adding elements, and `pixels` instead of the native pixel data.
    static func dicom(
        _ overrides: [(UInt16, UInt16, String, [UInt8])] = [], syntax: MinimalDICOMWriter.Syntax = .explicitLittle,
        pixels: MinimalDICOMWriter.Element? = nil, drop: [(UInt16, UInt16)] = [],
        extra: [MinimalDICOMWriter.Element] = []
    ) -> [UInt8] {
        let w = MinimalDICOMWriter(syntax: syntax)
        var values: [(UInt16, UInt16, String, [UInt8])] = [
            (0x0018, 0x1063, "DS", MinimalDICOMWriter.text("200")),
            (0x0028, 0x0002, "US", w.us(1)),
            (0x0028, 0x0004, "CS", MinimalDICOMWriter.text("MONOCHROME2")),
            (0x0028, 0x0008, "IS", MinimalDICOMWriter.text("4")),
            (0x0028, 0x0010, "US", w.us(8)),
            (0x0028, 0x0011, "US", w.us(8)),
            (0x0028, 0x0100, "US", w.us(8)),
            (0x0028, 0x0101, "US", w.us(8)),
            (0x0028, 0x0102, "US", w.us(7)),
            (0x0028, 0x0103, "US", w.us(0)),
        ]
        for o in overrides {
            values.removeAll { $0.0 == o.0 && $0.1 == o.1 }
            values.append(o)
        }
        values.removeAll { v in drop.contains { $0 == (v.0, v.1) } }
        values.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var elements: [MinimalDICOMWriter.Element] =
            extra
            + values.map {
                .value(group: $0.0, element: $0.1, vr: $0.2, bytes: $0.3)
            }
        elements.append(
            pixels ?? .value(group: 0x7FE0, element: 0x0010, vr: "OB", bytes: [UInt8](repeating: 90, count: 256)))
        return w.file(elements)
    }

    static func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func text(_ s: String, _ path: String) throws {
        try s.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A clip folder of 24 grey 8 x 8 PNG frames (a small bolus), with `clip.json` and `roi.json` as given.
    static func clip(
        _ folder: String, clipJSON: String? = #"{"frameRate": 2, "dynamicRangeDB": 50}"#,
        roiJSON: String? =
            #"{"rois": [{"name": "all", "kind": "rectangle", "x": 0, "y": 0, "width": 8, "height": 8}]}"#,
        frames: Int = 24
    ) throws -> String {
        let path = folder + "/clip"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for i in 0..<frames {
            let level = UInt16(60 + 120 * exp(-pow(Double(i) - 8, 2) / 18))
            MinimalPNGWriter.write(
                MinimalPNGWriter.encode(
                    width: 8, height: 8, colorType: .grey, bitDepth: 8, samples: Array(repeating: level, count: 64)),
                to: path + String(format: "/f%03d.png", i))
        }
        if let clipJSON { try text(clipJSON, path + "/clip.json") }
        if let roiJSON { try text(roiJSON, path + "/roi.json") }
        return path
    }

    /// A manifest study of one clip with the given manifest text (`CLIP` and `ROI` replaced by the clip's paths).
    static func manifest(_ folder: String, _ body: String, bytes: [UInt8]? = nil) throws -> String {
        let clip = try Inputs.clip(folder)
        let path = folder + "/manifest.csv"
        if let bytes {
            try write(bytes, path)
        } else {
            try text(
                body.replacingOccurrences(of: "CLIP", with: clip).replacingOccurrences(
                    of: "ROI", with: clip + "/roi.json"),
                path)
        }
        return path
    }

    /// A long-format curve table with the given text.
    static func table(_ folder: String, _ body: String) throws -> String {
        let path = folder + "/tics.csv"
        try text(body, path)
        return path
    }

    static let goodCurve: String = {
        var s = "curve,time_s,intensity\n"
        for i in 0..<40 {
            let t = Double(i)
            s += "a,\(t),\(10 * exp(-pow(log(max(t, 0.5) / 10), 2)))\n"
        }
        return s
    }()
}

@Suite("A catalogue of bad input: a clear error naming the file, the right exit code, no crash, no partial output")
struct BadInputCatalogueTests {
    static func dicomCase(
        _ name: String, _ bytes: @escaping @Sendable () -> [UInt8], _ status: Int32 = 65, _ says: [String],
        command: String = "analyze"
    ) -> BadInput {
        BadInput(
            name: "DICOM: " + name,
            make: { folder in
                try Inputs.write(bytes(), folder + "/cine.dcm")
                try Inputs.text(
                    #"{"rois": [{"name": "all", "kind": "rectangle", "x": 0, "y": 0, "width": 8, "height": 8}]}"#,
                    folder + "/cine.roi.json")
                return command == "inspect"
                    ? ["inspect", folder + "/cine.dcm"] : [command, folder + "/cine.dcm", "--output", "OUT"]
            }, status: status, says: says)
    }

    static func clipJSON(_ name: String, _ json: String, _ says: [String], status: Int32 = 65) -> BadInput {
        BadInput(
            name: "clip.json: " + name,
            make: { folder in
                let clip = try Inputs.clip(folder, clipJSON: json)
                return ["analyze", clip, "--output", "OUT"]
            }, status: status, says: says, names: "clip/clip.json")
    }

    static func roiJSON(_ name: String, _ json: String, _ says: [String], status: Int32 = 65) -> BadInput {
        BadInput(
            name: "roi.json: " + name,
            make: { folder in
                let clip = try Inputs.clip(folder, roiJSON: json)
                return ["analyze", clip, "--output", "OUT"]
            }, status: status, says: says, names: "clip/roi.json")
    }

    static func manifest(_ name: String, _ body: String, _ says: [String], bytes: [UInt8]? = nil) -> BadInput {
        BadInput(
            name: "manifest: " + name,
            make: { folder in ["batch", try Inputs.manifest(folder, body, bytes: bytes), "--output", "OUT", "--quiet"]
            },
            status: 65, says: says, names: "manifest.csv")
    }

    static func curves(_ name: String, _ body: String, _ says: [String], flags: [String] = [], status: Int32 = 65)
        -> BadInput
    {
        BadInput(
            name: "fit table: " + name,
            make: { folder in ["fit", try Inputs.table(folder, body), "--output", "OUT"] + flags },
            status: status, says: says, names: "tics.csv")
    }

    static func flag(_ name: String, _ arguments: [String], _ says: [String], names: String) -> BadInput {
        BadInput(
            name: "flag: " + name,
            make: { folder in
                let clip = try Inputs.clip(folder)
                return arguments.map { $0 == "CLIP" ? clip : $0 }
            }, status: 64, says: says, names: names)
    }

    static var w: MinimalDICOMWriter { MinimalDICOMWriter(syntax: .explicitLittle) }

    static let cases: [BadInput] = {
        var c: [BadInput] = []
        // DICOM: counts and sizes checked before anything is allocated.
        for value in ["nan", "inf", "-inf", "-5", "0", "2.5", "abc", "1e9", "NaN"] {
            c.append(
                dicomCase(
                    "Number of Frames \(value)",
                    { Inputs.dicom([(0x0028, 0x0008, "IS", MinimalDICOMWriter.text(value))]) },
                    65, ["Number of Frames", "(0028,0008)"]))
        }
        c.append(
            dicomCase(
                "Number of Frames nan, inspect",
                { Inputs.dicom([(0x0028, 0x0008, "IS", MinimalDICOMWriter.text("nan"))]) }, 65, ["Number of Frames"],
                command: "inspect"))
        c.append(
            dicomCase(
                "a 60000 x 60000 frame",
                { Inputs.dicom([(0x0028, 0x0010, "US", w.us(60000)), (0x0028, 0x0011, "US", w.us(60000))]) }, 65,
                ["beyond the limit", "8192"]))
        c.append(
            dicomCase(
                "a 5000 x 5000 frame",
                { Inputs.dicom([(0x0028, 0x0010, "US", w.us(5000)), (0x0028, 0x0011, "US", w.us(5000))]) }, 65,
                ["beyond the limit", "4096 x 4096"]))
        c.append(
            dicomCase("zero rows", { Inputs.dicom([(0x0028, 0x0010, "US", w.us(0))]) }, 65, ["Rows", "(0028,0010)"]))
        c.append(dicomCase("no columns", { Inputs.dicom(drop: [(0x0028, 0x0011)]) }, 65, ["Columns"]))
        c.append(
            dicomCase(
                "Bits Stored 24", { Inputs.dicom([(0x0028, 0x0101, "US", w.us(24))]) }, 65, ["Bits Stored", "24"]))
        c.append(dicomCase("Bits Stored 0", { Inputs.dicom([(0x0028, 0x0101, "US", w.us(0))]) }, 65, ["Bits Stored"]))
        c.append(
            dicomCase(
                "Bits Allocated 12", { Inputs.dicom([(0x0028, 0x0100, "US", w.us(12))]) }, 65, ["12 bits allocated"]))
        c.append(
            dicomCase(
                "Bits Allocated 32",
                { Inputs.dicom([(0x0028, 0x0100, "US", w.us(32)), (0x0028, 0x0101, "US", w.us(32))]) }, 65,
                ["32 bits allocated"]))
        for value in ["nan", "-40", "0", "inf"] {
            c.append(
                dicomCase(
                    "Frame Time \(value)", { Inputs.dicom([(0x0018, 0x1063, "DS", MinimalDICOMWriter.text(value))]) },
                    65, ["Frame Time", "(0018,1063)"]))
        }
        c.append(
            dicomCase(
                "Frame Time text", { Inputs.dicom([(0x0018, 0x1063, "DS", MinimalDICOMWriter.text("fast"))]) }, 65,
                ["Frame Time", "\"fast\""]))
        c.append(
            dicomCase(
                "Frame Time Vector with a negative interval",
                { Inputs.dicom([(0x0018, 0x1065, "DS", MinimalDICOMWriter.text("0\\200\\-200\\200"))]) }, 65,
                ["Frame Time Vector", "-200"]))
        c.append(
            dicomCase(
                "Frame Time Vector with nan",
                { Inputs.dicom([(0x0018, 0x1065, "DS", MinimalDICOMWriter.text("0\\200\\nan\\200"))]) }, 65,
                ["Frame Time Vector"]))
        c.append(
            dicomCase(
                "Frame Time Vector of the wrong length",
                { Inputs.dicom([(0x0018, 0x1065, "DS", MinimalDICOMWriter.text("0\\200"))]) }, 65,
                ["timestamps", "4 frames"]))
        c.append(
            dicomCase(
                "Cine Rate 0",
                { Inputs.dicom([(0x0018, 0x0040, "IS", MinimalDICOMWriter.text("0"))], drop: [(0x0018, 0x1063)]) }, 65,
                ["Cine Rate", "(0018,0040)"]))
        c.append(
            dicomCase(
                "Cine Rate 1e9",
                { Inputs.dicom([(0x0018, 0x0040, "IS", MinimalDICOMWriter.text("1e9"))], drop: [(0x0018, 0x1063)]) },
                65, ["Cine Rate"]))
        c.append(
            dicomCase(
                "no timing at all", { Inputs.dicom(drop: [(0x0018, 0x1063)]) }, 65, ["no frame timing", "--frame-rate"])
        )
        c.append(
            dicomCase(
                "pixel data too short",
                {
                    Inputs.dicom(
                        pixels: .value(
                            group: 0x7FE0, element: 0x0010, vr: "OB", bytes: [UInt8](repeating: 1, count: 100)))
                }, 65, ["Pixel Data holds 100 bytes"]))
        c.append(
            dicomCase(
                "no pixel data",
                {
                    Inputs.dicom(
                        pixels: .value(group: 0x0029, element: 0x0010, vr: "LO", bytes: MinimalDICOMWriter.text("x")))
                }, 65, ["no Pixel Data"]))
        c.append(
            dicomCase("truncated in an element", { Array(Inputs.dicom().prefix(250)) }, 65, ["malformed DICOM at byte"])
        )
        c.append(
            dicomCase(
                "an element longer than the file",
                {
                    var bytes = Inputs.dicom()
                    bytes += [0x09, 0x00, 0x10, 0x00] + Array("LO".utf8) + [0xFF, 0x7F]
                    return bytes
                }, 65, ["claims", "remain"]))
        c.append(
            dicomCase(
                "sequences nested 200 deep",
                {
                    var element = MinimalDICOMWriter.Element.value(
                        group: 0x0008, element: 0x0100, vr: "SH", bytes: MinimalDICOMWriter.text("x"))
                    for _ in 0..<200 {
                        element = .sequence(group: 0x0008, element: 0x1115, items: [[element]], undefinedLength: true)
                    }
                    return Inputs.dicom(extra: [element])
                }, 65, ["nested", "limit of 64"]))
        c.append(
            dicomCase(
                "JPEG 2000 pixel data",
                { Inputs.dicom(syntax: .jpegLS, pixels: .encapsulatedPixels(fragments: [[1, 2, 3, 4]])) }, 65,
                ["cannot be read yet", "gdcmconv"]))
        c.append(
            dicomCase(
                "RLE claiming far more pixels than it holds",
                {
                    Inputs.dicom(
                        [
                            (0x0028, 0x0010, "US", w.us(4000)), (0x0028, 0x0011, "US", w.us(4000)),
                            (0x0028, 0x0008, "IS", MinimalDICOMWriter.text("1")),
                        ], syntax: .rleLossless,
                        pixels: .encapsulatedPixels(fragments: [
                            MinimalDICOMWriter.rleFrame(samples: [[UInt16](repeating: 7, count: 64)], bytesPerSample: 1)
                        ]))
                }, 65, ["RLE", "too few to decode"]))
        c.append(
            dicomCase(
                "RLE with the wrong segment count",
                {
                    Inputs.dicom(
                        [(0x0028, 0x0008, "IS", MinimalDICOMWriter.text("1"))], syntax: .rleLossless,
                        pixels: .encapsulatedPixels(fragments: [
                            MinimalDICOMWriter.rleFrame(
                                samples: [[UInt16](repeating: 7, count: 64), [UInt16](repeating: 7, count: 64)],
                                bytesPerSample: 1)
                        ]))
                }, 65, ["RLE", "2 segments, expected 1"]))
        c.append(
            dicomCase(
                "RLE frame shorter than its header",
                {
                    Inputs.dicom(
                        [(0x0028, 0x0008, "IS", MinimalDICOMWriter.text("1"))], syntax: .rleLossless,
                        pixels: .encapsulatedPixels(fragments: [[1, 0, 0, 0]]))
                }, 65, ["RLE", "64-byte header"]))
        c.append(
            dicomCase(
                "JPEG frame that is not JPEG",
                {
                    Inputs.dicom(
                        [(0x0028, 0x0008, "IS", MinimalDICOMWriter.text("1"))], syntax: .jpegBaseline,
                        pixels: .encapsulatedPixels(fragments: [[UInt8](repeating: 0x41, count: 64)]))
                }, 65, ["JPEG frame 1", "libjpeg"]))
        c.append(
            dicomCase(
                "fragments that do not match the frames",
                {
                    Inputs.dicom(
                        syntax: .rleLossless, pixels: .encapsulatedPixels(fragments: [[1, 2], [3, 4], [5, 6]]))
                }, 65, ["3 pixel data fragments for 4 frames"]))
        c.append(
            dicomCase("signed pixels", { Inputs.dicom([(0x0028, 0x0103, "US", w.us(1))]) }, 65, ["signed pixel values"])
        )
        c.append(
            dicomCase(
                "200 samples per pixel",
                {
                    Inputs.dicom([
                        (0x0028, 0x0002, "US", w.us(200)), (0x0028, 0x0004, "CS", MinimalDICOMWriter.text("RGB")),
                    ])
                }, 65, ["Samples per Pixel", "200"]))
        c.append(
            dicomCase(
                "photometric YBR_ICT", { Inputs.dicom([(0x0028, 0x0004, "CS", MinimalDICOMWriter.text("YBR_ICT"))]) },
                65, ["photometric interpretation YBR_ICT"]))
        c.append(dicomCase("an empty file", { [] }, 65, ["not a DICOM Part 10 file"]))
        c.append(
            dicomCase(
                "a text file called .dcm",
                { Array("hello, this is not DICOM at all, but it is long enough to be read as if it were one\n".utf8) },
                65, ["no DICM marker"]))

        // PNG frames.
        let pngCases: [(String, @Sendable (inout [UInt8]) -> Void, [String])] = [
            ("a truncated frame", { $0 = Array($0.prefix($0.count / 2)) }, ["truncated"]),
            ("not a PNG at all", { $0 = Array("GIF89a and then some".utf8) }, ["not a PNG file"]),
            ("a corrupt chunk checksum", { $0[$0.count - 20] ^= 0xFF }, ["cannot read PNG frame"]),
            (
                "an IHDR claiming 60000 x 60000",
                { png in
                    for (k, b) in [UInt8(0), 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60].enumerated() { png[16 + k] = b }
                    // Keep the IHDR checksum right so the size itself is what is refused.
                    let crc = MinimalPNGWriterCRC.crc(Array(png[12..<29]))
                    for k in 0..<4 { png[29 + k] = UInt8((crc >> (24 - 8 * UInt32(k))) & 0xFF) }
                }, ["beyond the limit", "PNG size"]
            ),
            ("an empty file", { $0 = [] }, ["cannot read PNG frame"]),
        ]
        for (name, damage, says) in pngCases {
            c.append(
                BadInput(
                    name: "PNG: " + name,
                    make: { folder in
                        let clip = try Inputs.clip(folder)
                        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clip + "/f005.png")))
                        damage(&bytes)
                        try Inputs.write(bytes, clip + "/f005.png")
                        return ["analyze", clip, "--output", "OUT"]
                    }, status: 65, says: says, names: "clip/f005.png"))
        }
        c.append(
            BadInput(
                name: "PNG: frames of two sizes",
                make: { folder in
                    let clip = try Inputs.clip(folder)
                    MinimalPNGWriter.write(
                        MinimalPNGWriter.encode(
                            width: 9, height: 8, colorType: .grey, bitDepth: 8, samples: Array(repeating: 1, count: 72)),
                        to: clip + "/f007.png")
                    return ["analyze", clip, "--output", "OUT"]
                }, status: 65, says: ["all frames of a clip must have one size"], names: "clip/f007.png"))
        c.append(
            BadInput(
                name: "PNG: a folder without frames",
                make: { folder in
                    let clip = try Inputs.clip(folder, frames: 0)
                    return ["analyze", clip, "--output", "OUT"]
                }, status: 65, says: ["no frames found"], names: "clip"))

        // clip.json.
        c.append(
            clipJSON(
                "a typo in a key", #"{"frameRate": 2, "dynamicRangeDb": 50}"#,
                ["unknown key \"dynamicRangeDb\"", "did you mean \"dynamicRangeDB\""]))
        c.append(clipJSON("frame rate in lower case", #"{"framerate": 2}"#, ["did you mean \"frameRate\""]))
        c.append(
            clipJSON("an unknown key", #"{"frameRate": 2, "probe": "C5-1"}"#, ["unknown key \"probe\"", "known keys"]))
        c.append(
            clipJSON(
                "a typo in the pane", #"{"frameRate": 2, "contrastPane": {"x": 0, "y": 0, "w": 8, "height": 8}}"#,
                ["contrastPane.w", "unknown key"]))
        c.append(
            clipJSON(
                "frameRate and frameTimes", #"{"frameRate": 2, "frameTimes": [0, 0.5, 1]}"#,
                ["both frameRate and frameTimes"]))
        c.append(clipJSON("frame rate 0", #"{"frameRate": 0}"#, ["frameRate", "found 0"]))
        c.append(clipJSON("frame rate -5", #"{"frameRate": -5}"#, ["frameRate", "-5"]))
        c.append(clipJSON("frame rate 1e308", #"{"frameRate": 1e308}"#, ["frameRate", "10000"]))
        c.append(clipJSON("frame rate as text", #"{"frameRate": "five"}"#, ["frameRate", "expected a number"]))
        c.append(
            clipJSON("frame times of the wrong count", #"{"frameTimes": [0, 0.5, 1]}"#, ["3 timestamps", "24 frames"]))
        c.append(
            clipJSON(
                "frame times that go back",
                "{\"frameTimes\": [" + (0..<24).map { $0 == 5 ? "1" : String(Double($0) / 2) }.joined(separator: ",")
                    + "]}", ["must increase"]))
        c.append(
            clipJSON(
                "an injection after the clip", #"{"frameRate": 2, "injectionTime": 40}"#,
                ["injectionTime", "outside the clip"]))
        c.append(
            clipJSON(
                "an injection before the clip", #"{"frameRate": 2, "injectionTime": -3}"#,
                ["injectionTime", "outside the clip"]))
        c.append(
            clipJSON(
                "an excluded frame out of range", #"{"frameRate": 2, "excludedFrames": [30]}"#,
                ["excludedFrames", "30"]))
        c.append(
            clipJSON(
                "an unknown colour map", #"{"frameRate": 2, "colorMap": "jet"}"#, ["colorMap", "jet", "amber, hot"]))
        c.append(
            clipJSON(
                "a missing colour-map file", #"{"frameRate": 2, "colorMap": "maps/scanner.csv"}"#, ["scanner.csv"]))
        c.append(
            clipJSON(
                "a pane outside the frame",
                #"{"frameRate": 2, "contrastPane": {"x": 4, "y": 0, "width": 8, "height": 8}}"#,
                ["contrast pane", "does not fit"]))
        c.append(
            clipJSON(
                "a pane of zero width", #"{"frameRate": 2, "contrastPane": {"x": 0, "y": 0, "width": 0, "height": 8}}"#,
                ["contrast pane"]))
        c.append(
            clipJSON(
                "a key without quotes", "{\"dynamicRangeDB\": 50,\n frameRate: 2}", ["clip.json:2:", "malformed JSON"]))
        c.append(clipJSON("a list instead of an object", "[2, 50]", ["expected"]))
        c.append(
            clipJSON(
                "a negative dynamic range", #"{"frameRate": 2, "dynamicRangeDB": -10}"#, ["dynamicRangeDB", "-10"]))
        c.append(clipJSON("a zero exp constant", #"{"frameRate": 2, "expConstant": 0}"#, ["expConstant"]))
        c.append(
            clipJSON(
                "a list where an object belongs", #"{"frameRate": 2, "contrastPane": [0, 0, 8, 8]}"#,
                ["contrastPane", "expected an object", "found a list"]))
        c.append(
            clipJSON(
                "text where a list belongs", #"{"frameTimes": "0, 0.5"}"#,
                ["frameTimes", "expected a list", "found text"]))
        c.append(
            clipJSON(
                "true where a number belongs", #"{"frameRate": true}"#,
                ["frameRate", "expected a number", "found true or false"]))
        c.append(
            clipJSON(
                "a fraction where a frame index belongs", #"{"frameRate": 2, "excludedFrames": [1.5]}"#,
                ["whole number"]))
        c.append(
            BadInput(
                name: "clip.json: no timing",
                make: { folder in
                    ["analyze", try Inputs.clip(folder, clipJSON: #"{"dynamicRangeDB": 50}"#), "--output", "OUT"]
                },
                status: 65, says: ["no frame timing", "clip.json", "--frame-rate"], names: "clip"))

        // roi.json.
        c.append(
            roiJSON(
                "a typo in reference",
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 0, "y": 0, "width": 8, "height": 8}], "referance": "a"}"#,
                ["unknown key \"referance\"", "did you mean \"reference\""]))
        c.append(roiJSON("no rois", #"{"reference": "a"}"#, ["missing required key \"rois\""]))
        c.append(
            roiJSON(
                "an unknown kind", #"{"rois": [{"name": "a", "kind": "circle", "center": [4, 4], "radii": [2, 2]}]}"#,
                ["unknown kind \"circle\""]))
        c.append(
            roiJSON(
                "zero radii", #"{"rois": [{"name": "a", "kind": "ellipse", "center": [4, 4], "radii": [0, 2]}]}"#,
                ["radii must be positive"]))
        c.append(
            roiJSON(
                "a zero-width rectangle",
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 0, "y": 0, "width": 0, "height": 8}]}"#,
                ["width and height must be positive"]))
        c.append(
            roiJSON(
                "a two-point polygon", #"{"rois": [{"name": "a", "kind": "polygon", "points": [[0, 0], [4, 4]]}]}"#,
                ["at least three"]))
        c.append(
            roiJSON(
                "a name used twice",
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 0, "y": 0, "width": 4, "height": 4}, {"name": "a", "kind": "rectangle", "x": 4, "y": 4, "width": 4, "height": 4}]}"#,
                ["used twice"]))
        c.append(
            roiJSON(
                "a region outside the pane",
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 4, "y": 4, "width": 8, "height": 8}]}"#,
                ["outside the 8x8 contrast pane"]))
        c.append(
            roiJSON(
                "a polygon point of 8.9e49 (found by the fuzzer)",
                #"{"rois": [{"name": "a", "kind": "polygon", "points": [[3, 1], [88888888888888888888888888888888888888888888888830, 2], [6, 7]]}]}"#,
                ["outside the 8x8 contrast pane", "8.88889e+49"]))
        c.append(
            roiJSON(
                "a region with no pixel centre",
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 1.1, "y": 1.1, "width": 0.2, "height": 0.2}]}"#,
                ["contains no pixel centre"]))
        c.append(
            roiJSON(
                "a reference that is not a region",
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 0, "y": 0, "width": 8, "height": 8}], "reference": "liver"}"#,
                ["\"liver\" is not one of the regions"]))
        c.append(
            roiJSON(
                "an empty name",
                #"{"rois": [{"name": "", "kind": "rectangle", "x": 0, "y": 0, "width": 8, "height": 8}]}"#,
                ["non-empty name"]))
        c.append(
            roiJSON(
                "an unknown key in a region",
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 0, "y": 0, "width": 8, "height": 8, "colour": "red"}]}"#,
                ["rois[0].colour", "unknown key"]))
        c.append(
            roiJSON(
                "radius instead of radii",
                #"{"rois": [{"name": "a", "kind": "ellipse", "center": [4, 4], "radius": [2, 2]}]}"#,
                ["did you mean \"radii\""]))
        c.append(roiJSON("malformed JSON", "{\"rois\": [", ["malformed JSON"]))
        c.append(
            BadInput(
                name: "roi.json: a missing mask",
                make: { folder in
                    [
                        "analyze",
                        try Inputs.clip(
                            folder, roiJSON: #"{"rois": [{"name": "a", "kind": "mask", "path": "nowhere.png"}]}"#),
                        "--output", "OUT",
                    ]
                }, status: 66, says: ["no such file"], names: "clip/nowhere.png"))
        c.append(
            BadInput(
                name: "roi.json: a mask of the wrong size",
                make: { folder in
                    // The mask lives in a subfolder: a PNG beside the frames would be read as a frame.
                    let clip = try Inputs.clip(
                        folder, roiJSON: #"{"rois": [{"name": "a", "kind": "mask", "path": "masks/m.png"}]}"#)
                    try FileManager.default.createDirectory(atPath: clip + "/masks", withIntermediateDirectories: true)
                    MinimalPNGWriter.write(
                        MinimalPNGWriter.encode(
                            width: 4, height: 4, colorType: .grey, bitDepth: 8,
                            samples: Array(repeating: 255, count: 16)),
                        to: clip + "/masks/m.png")
                    return ["analyze", clip, "--output", "OUT"]
                }, status: 65, says: ["mask", "4x4", "8x8"], names: "clip/roi.json"))
        c.append(
            BadInput(
                name: "roi.json: missing",
                make: { folder in ["analyze", try Inputs.clip(folder, roiJSON: nil), "--output", "OUT"] },
                status: 66, says: ["no such file"], names: "clip/roi.json"))

        // Manifests (what spreadsheets write).
        c.append(
            manifest(
                "Latin-1 bytes", "", ["byte 0xFC is not UTF-8", "--encoding latin1"],
                bytes: Array("subject,lesion,timepoint,clip,roi\nM".utf8) + [0xFC] + Array("ller,L,baseline,a,b\n".utf8)
            ))
        c.append(
            manifest("a missing column", "subject,lesion,clip,roi\nS1,L,CLIP,ROI\n", ["missing column(s) timepoint"]))
        // Found by `make fuzz`: a column named twice trapped (a dictionary built from the header).
        c.append(
            manifest(
                "a column named twice", "subject,lesion,timepoint,clip,clip,roi\nS1,L,baseline,CLIP,CLIP,ROI\n",
                ["column(s) clip given more than once"]))
        c.append(
            manifest(
                "an unknown column", "subject,lesion,timepoint,clip,roi,colour\nS1,L,baseline,CLIP,ROI,red\n",
                ["unknown column(s) colour"]))
        c.append(
            manifest(
                "subject ..", "subject,lesion,timepoint,clip,roi\n..,L,baseline,CLIP,ROI\n",
                ["subject \"..\"", "names a folder"]))
        c.append(manifest("subject .", "subject,lesion,timepoint,clip,roi\n.,L,baseline,CLIP,ROI\n", ["subject \".\""]))
        c.append(
            manifest(
                "a timepoint with a slash", "subject,lesion,timepoint,clip,roi\nS1,L,week/2,CLIP,ROI\n",
                ["timepoint \"week/2\"", "path separator"]))
        c.append(
            manifest(
                "a lesion with a backslash", "subject,lesion,timepoint,clip,roi\nS1,a\\b,baseline,CLIP,ROI\n",
                ["path separator"]))
        c.append(
            manifest("an empty subject", "subject,lesion,timepoint,clip,roi\n,L,baseline,CLIP,ROI\n", ["empty subject"])
        )
        c.append(
            manifest(
                "a repeated row", "subject,lesion,timepoint,clip,roi\nS1,L,baseline,CLIP,ROI\nS1,L,baseline,CLIP,ROI\n",
                ["repeats line 2"]))
        c.append(
            manifest(
                "a clip that does not exist", "subject,lesion,timepoint,clip,roi\nS1,L,baseline,nowhere,ROI\n",
                ["clip", "does not exist"]))
        c.append(
            manifest(
                "a day that is not a number", "subject,lesion,timepoint,clip,roi,day\nS1,L,baseline,CLIP,ROI,soon\n",
                ["day \"soon\" is not a number"]))
        c.append(manifest("a header only", "subject,lesion,timepoint,clip,roi\n", ["lists no clips"]))
        c.append(
            manifest(
                "a row with too few cells", "subject,lesion,timepoint,clip,roi\nS1,L,baseline,CLIP\n",
                ["4 cells, expected 5"]))
        let studyJSON: [(String, String, [String])] = [
            ("a typo in a key", #"{"baseLine": "pre"}"#, ["unknown key \"baseLine\"", "did you mean \"baseline\""]),
            ("a baseline that is not a timepoint", #"{"baseline": "week-4"}"#, ["no timepoint \"week-4\""]),
            ("a timepoint listed twice", #"{"timepoints": ["pre", "pre"]}"#, ["lists a timepoint twice"]),
            ("not an object", "[1]", ["not a JSON object"]),
        ]
        for (name, json, says) in studyJSON {
            c.append(
                BadInput(
                    name: "study.json: " + name,
                    make: { folder in
                        let clip = try Inputs.clip(folder)
                        let study = folder + "/study"
                        try FileManager.default.createDirectory(
                            atPath: study + "/S1/pre", withIntermediateDirectories: true)
                        try FileManager.default.moveItem(atPath: clip, toPath: study + "/S1/pre/clip")
                        try Inputs.text(json, study + "/study.json")
                        return ["batch", study, "--output", "OUT", "--quiet"]
                    }, status: 65, says: says, names: "study/study.json"))
        }

        // Curve tables for `fit`.
        c.append(curves("no curve column", "series,time_s,intensity\na,0,1\n", ["no \"curve\" column"]))
        c.append(
            curves(
                "a text cell", "curve,time_s,intensity\na,0,1\na,1,high\n", ["tics.csv:3:", "\"high\"", "not a number"])
        )
        c.append(curves("an empty cell", "curve,time_s,intensity\na,0,1\na,1,\n", ["tics.csv:3:", "empty cell"]))
        c.append(curves("nan as a value", "curve,time_s,intensity\na,0,1\na,1,nan\n", ["\"nan\"", "not a number"]))
        c.append(
            curves(
                "times that go back", "curve,time_s,intensity\na,0,1\na,2,1\na,1,1\n",
                ["tics.csv:4:", "does not increase"]))
        c.append(
            curves(
                "a decimal comma in a comma file", "curve,time_s,intensity\na,0,\"1,5\"\n",
                ["not a number", "decimal comma"]))
        c.append(curves("a row with too few cells", "curve,time_s,intensity\na,0\n", ["tics.csv:2:", "2 cells"]))
        c.append(curves("an empty file", "", ["no header row"]))
        c.append(curves("a header only", "curve,time_s,intensity\n", ["no curves"]))
        c.append(
            curves(
                "a curve asked for that is not there", Inputs.goodCurve, ["no curve \"b\""], flags: ["--curves", "b"]))
        c.append(curves("a wide table without a time column", "when,A\n0,1\n", ["no time column"], flags: ["--wide"]))
        c.append(
            BadInput(
                name: "fit table: Latin-1 bytes",
                make: { folder in
                    try Inputs.write(
                        Array("curve,time_s,intensity\nM".utf8) + [0xFC] + Array("ller,0,1\n".utf8),
                        folder + "/tics.csv")
                    return ["fit", folder + "/tics.csv", "--output", "OUT"]
                }, status: 65, says: ["tics.csv:2:", "byte 0xFC is not UTF-8"], names: "tics.csv"))
        c.append(
            BadInput(
                name: "fit table: invalid UTF-16",
                make: { folder in
                    try Inputs.write([0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8], folder + "/tics.csv")
                    return ["fit", folder + "/tics.csv", "--output", "OUT"]
                }, status: 65, says: ["UTF-16"], names: "tics.csv"))

        // Flags and paths.
        c.append(
            flag(
                "a negative frame rate", ["analyze", "CLIP", "--frame-rate", "-1"], ["must be positive", "-1"],
                names: "--frame-rate"))
        c.append(
            flag(
                "a frame rate that is text", ["analyze", "CLIP", "--frame-rate", "fast"], ["fast"],
                names: "--frame-rate"))
        c.append(
            flag(
                "a zero dynamic range", ["analyze", "CLIP", "--dynamic-range", "0"], ["must be positive"],
                names: "--dynamic-range"))
        c.append(
            flag(
                "both dynamic range and exp constant",
                ["analyze", "CLIP", "--dynamic-range", "50", "--exp-constant", "24"], ["not both"],
                names: "--exp-constant"))
        c.append(
            flag(
                "an unknown model", ["analyze", "CLIP", "--model", "cubic"], ["unknown model \"cubic\""], names: "cubic"
            ))
        c.append(
            flag(
                "a pane of three numbers", ["analyze", "CLIP", "--contrast-pane", "1,2,3"], ["X,Y,W,H"],
                names: "--contrast-pane"))
        c.append(flag("a shard beyond its count", ["batch", "CLIP", "--shard", "3/2"], ["K/N"], names: "--shard"))
        c.append(flag("zero jobs", ["batch", "CLIP", "--jobs", "0"], ["at least 1"], names: "--jobs"))
        c.append(
            flag(
                "a malformed response rule", ["compare", "CLIP", "--response", "wiauc"], ["PARAMETER<THRESHOLD"],
                names: "--response"))
        c.append(
            flag(
                "an unknown response parameter", ["compare", "CLIP", "--response", "area<-40%"],
                ["unknown parameter \"area\""], names: "--response"))
        c.append(
            flag("a QOF threshold of 200", ["compare", "CLIP", "--min-qof", "200"], ["0 to 100"], names: "--min-qof"))
        c.append(
            flag(
                "an unknown delimiter", ["fit", "CLIP", "--delimiter", "pipe"], ["comma, semicolon or tab"],
                names: "--delimiter"))
        c.append(flag("an unknown encoding", ["fit", "CLIP", "--encoding", "cp1252"], ["cp1252"], names: "--encoding"))
        for (what, command, file) in [
            ("a clip", "analyze", "nowhere"), ("a study", "batch", "nowhere.csv"),
            ("a curve table", "fit", "nowhere.csv"),
        ] {
            c.append(
                BadInput(
                    name: "path: \(what) that does not exist",
                    make: { folder in [command, folder + "/" + file, "--output", "OUT"] }, status: 66,
                    says: ["no such file or folder"], names: file))
        }
        c.append(
            BadInput(
                name: "path: a folder without clips",
                make: { folder in
                    try FileManager.default.createDirectory(
                        atPath: folder + "/empty-study", withIntermediateDirectories: true)
                    return ["batch", folder + "/empty-study", "--output", "OUT"]
                }, status: 65, says: ["no clip folders found"], names: "empty-study"))
        c.append(
            BadInput(
                name: "path: compare on a folder that is not results",
                make: { folder in
                    try FileManager.default.createDirectory(
                        atPath: folder + "/not-results", withIntermediateDirectories: true)
                    return ["compare", folder + "/not-results"]
                }, status: 65, says: ["not a results folder"], names: "not-results"))
        c.append(
            BadInput(
                name: "path: an output folder under a file",
                make: { folder in
                    let clip = try Inputs.clip(folder)
                    try Inputs.text("x", folder + "/a-file")
                    return ["analyze", clip, "--output", folder + "/a-file/out"]
                }, status: 65, says: ["cannot create the folder", "a-file is a file, not a folder"], names: "a-file"))
        return c
    }()

    @Test("the catalogue holds at least 100 inputs across every format")
    func size() {
        #expect(Self.cases.count >= 100, "\(Self.cases.count) inputs")
        for prefix in ["DICOM", "PNG", "clip.json", "roi.json", "manifest", "study.json", "fit table", "flag", "path"] {
            #expect(Self.cases.contains { $0.name.hasPrefix(prefix) }, "no \(prefix) input")
        }
    }

    @Test(
        "each bad input: the documented exit code, a message naming the file and the problem, no crash, no output",
        arguments: cases)
    func catalogue(_ input: BadInput) throws {
        let folder = TestPaths.temporaryFolder("bad")
        let out = folder + "/OUT"
        let arguments = try input.make(folder).map { $0 == "OUT" ? out : $0 }
        let result = try runEchoflow(arguments)
        #expect(!result.crashed, "crashed: \(result.stderr)")
        #expect(result.status == input.status, "exit \(result.status): \(result.stderr)")
        let named = input.names ?? (arguments[1] as NSString).lastPathComponent
        #expect(result.stderr.contains(named), "the message does not name \(named): \(result.stderr)")
        for words in input.says {
            #expect(result.stderr.contains(words), "the message does not say \"\(words)\": \(result.stderr)")
        }
        #expect(!result.stderr.contains("Swift."), "the message names a Swift type: \(result.stderr)")
        // Nothing half-written: no tables, no plots, no report.
        let left = (FileManager.default.enumerator(atPath: out)?.allObjects as? [String] ?? []).filter {
            $0.hasSuffix(".csv") || $0.hasSuffix(".svg") || $0.hasSuffix(".html")
        }
        #expect(left.isEmpty, "partial output left: \(left)")
        #expect(
            !FileManager.default.fileExists(atPath: out)
                || (try? FileManager.default.attributesOfItem(atPath: out)[.type] as? FileAttributeType)
                    == .typeDirectory
        )
    }
}

/// CRC-32 of PNG chunks (ISO 3309), written out here so the test can keep a damaged header's checksum right.
enum MinimalPNGWriterCRC {
    static func crc(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }
}
