import CEUSImaging
import Foundation

/// libFuzzer's driver (from -sanitize=fuzzer); SwiftPM owns `main`, so the fuzzer is started from Swift.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// One input from libFuzzer.
func fuzzCallback(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else { return 0 }
    DICOMFuzzer.fuzzOne(Array(UnsafeBufferPointer(start: data, count: count)))
    return 0
}

/// Fuzz target for the DICOM parser and frame decoding.
///
/// The input becomes the data set of a DICOM Part 10 file whose transfer syntax is picked by the first byte, so
/// mutations reach the parser's data-set, sequence and pixel-data paths instead of dying on the preamble. When a
/// file parses, its image description is read and every frame decoded. Errors are expected; crashes, hangs and
/// out-of-bounds reads (AddressSanitizer) are what the fuzzer looks for.
@main
struct DICOMFuzzer {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzCallback))
    }

    static func fuzzOne(_ input: [UInt8]) {
        let syntaxes = ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.5"]
        var syntax = Array(syntaxes[Int(input.first ?? 0) % syntaxes.count].utf8)
        if syntax.count % 2 == 1 { syntax.append(0) }
        // Meta group: (0002,0010) UI transfer syntax, explicit VR little endian.
        var file = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        file += [0x02, 0x00, 0x10, 0x00, 0x55, 0x49, UInt8(syntax.count), 0] + syntax
        file += input.dropFirst()
        guard let parsed = try? DICOMParser.parse(Data(file), path: "fuzz") else { return }
        _ = parsed
        let path = NSTemporaryDirectory() + "echoflow-fuzz-\(getpid()).dcm"
        _ = FileManager.default.createFile(atPath: path, contents: Data(file))
        guard let dicom = try? DICOMFile(path: path), let source = try? DICOMFrameSource(file: dicom),
            source.width * source.height * source.frameCount <= 1 << 20
        else { return }
        for i in 0..<source.frameCount { _ = try? source.frame(at: i) }
    }
}
