import CEUSImaging
import Foundation
import FuzzDriver

/// Fuzz target for the DICOM parser and frame decoding (native, RLE and JPEG Baseline).
///
/// The input becomes the data set of a DICOM Part 10 file whose transfer syntax is picked by the first byte, so
/// mutations reach the parser's data-set, sequence and pixel-data paths instead of dying on the preamble. When a
/// file parses, its image description is read, its timing, and every frame decoded. Nothing limits the sizes the
/// input may claim: the reader's own limits (README, "Limits") must keep memory and time bounded.
@main
struct DICOMFuzzer {
    static func main() { fuzz(fuzzOne) }

    static func fuzzOne(_ input: [UInt8]) {
        let syntaxes = [
            "1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.5",
            "1.2.840.10008.1.2.4.50",
        ]
        var syntax = Array(syntaxes[Int(input.first ?? 0) % syntaxes.count].utf8)
        if syntax.count % 2 == 1 { syntax.append(0) }
        // Meta group: (0002,0010) UI transfer syntax, explicit VR little endian.
        var file = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        file += [0x02, 0x00, 0x10, 0x00, 0x55, 0x49, UInt8(syntax.count), 0] + syntax
        file += input.dropFirst()
        guard (try? DICOMParser.parse(Data(file), path: "fuzz")) != nil else { return }
        let path = scratchFolder("dicom") + "/clip.dcm"
        put(file, path)
        _ = try? Clip.open(path)
        guard let dicom = try? DICOMFile(path: path), let source = try? DICOMFrameSource(file: dicom) else { return }
        for i in 0..<source.frameCount { _ = try? source.frame(at: i) }
    }
}
