import Foundation

/// libFuzzer's driver (from -sanitize=fuzzer); SwiftPM owns `main`, so the fuzzer is started from Swift.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The input being fuzzed (libFuzzer calls one at a time).
nonisolated(unsafe) var currentTarget: (([UInt8]) -> Void)?

func fuzzCallback(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else { return 0 }
    currentTarget?(Array(UnsafeBufferPointer(start: data, count: count)))
    return 0
}

/// Runs libFuzzer with `target` called on every input; errors thrown by the code under test are expected,
/// crashes, hangs, leaks and out-of-bounds accesses (AddressSanitizer) are what libFuzzer reports.
public func fuzz(_ target: @escaping ([UInt8]) -> Void) -> Never {
    currentTarget = target
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(runFuzzerDriver(&argc, &argv, fuzzCallback))
}

/// A scratch folder of this process, emptied for each input.
public func scratchFolder(_ name: String) -> String {
    let folder = NSTemporaryDirectory() + "echoflow-fuzz-\(name)-\(getpid())"
    try? FileManager.default.removeItem(atPath: folder)
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}

/// Writes `bytes` to `path`.
public func put(_ bytes: [UInt8], _ path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// An 8 x 8 grey PNG (stored zlib block), written out here, for targets that need a valid clip around their input.
public let tinyPNG: [UInt8] = {
    func crc(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }
    func be(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be(UInt32(data.count)) + body + be(crc(body))
    }
    let raw = (0..<8).flatMap { _ in [UInt8(0)] + [UInt8](repeating: 128, count: 8) }
    var adler = (UInt32(1), UInt32(0))
    for b in raw {
        adler.0 = (adler.0 + UInt32(b)) % 65521
        adler.1 = (adler.1 + adler.0) % 65521
    }
    let length = UInt16(raw.count)
    let zlib: [UInt8] =
        [0x78, 0x01, 0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        + raw + be(adler.1 << 16 | adler.0)
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", be(8) + be(8) + [8, 0, 0, 0, 0])
        + chunk("IDAT", zlib) + chunk("IEND", [])
}()
