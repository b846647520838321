import Foundation

/// Paths of the repository, its fixtures and the built `echoflow` binary, for tests.
public enum TestPaths {
    /// The package root, found from this file's location.
    public static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    public static var fixtures: String { packageRoot + "/Fixtures" }
    public static var study: String { fixtures + "/study" }
    /// A baseline fixture clip (folder with frames, clip.json, roi.json, truth.json).
    public static var baselineClip: String { study + "/S01/baseline/clip01" }

    /// The `echoflow` executable built beside the test bundle.
    public static var echoflow: String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = exe.deletingLastPathComponent()
        // The test bundle may be a folder (.xctest) on some platforms.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("echoflow").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return exe.deletingLastPathComponent().appendingPathComponent("echoflow").path
    }

    /// A new empty temporary folder.
    public static func temporaryFolder(_ label: String = "echoflow-test") -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Result of running a command.
public struct CommandResult: Sendable {
    public let status: Int32
    /// Whether the process was killed by a signal (a crash: a Swift runtime trap is SIGILL or SIGTRAP).
    public var crashed = false
    public let stdout: String
    public let stderr: String
}

/// Runs the built `echoflow` with `arguments` (in `folder`, with `environment` added) and captures its output.
public func runEchoflow(_ arguments: [String], in folder: String? = nil, environment: [String: String] = [:]) throws
    -> CommandResult
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TestPaths.echoflow)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a chatty process cannot fill a pipe and block.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var result = CommandResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
    result.crashed = process.terminationReason == .uncaughtSignal
    return result
}
