import Foundation

/// Writes files so that an interrupted run never leaves half a file: the bytes go to a temporary file in the
/// same folder, which is then renamed into place (rename is atomic within a file system).
public enum AtomicFile {
    /// Writes `data` to `path`, creating parent folders.
    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw PerfusionAnalysisError.writeFailed(path: folder.path, reason: "cannot create the folder")
        }
        let temporary = folder.appendingPathComponent(
            ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp"
        )
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw PerfusionAnalysisError.writeFailed(path: path, reason: "cannot create a file in \(folder.path)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw PerfusionAnalysisError.writeFailed(path: path, reason: reason)
        }
    }

    /// Writes `text` as UTF-8.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
