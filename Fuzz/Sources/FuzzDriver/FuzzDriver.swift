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
