import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why the folder `path` could not be created, in the operating system's words: the nearest existing ancestor is a
/// file, or it cannot be written (permission denied, read-only file system); else the Foundation error's reason.
func folderReason(_ path: String, _ error: any Error) -> String {
    var ancestor = (path as NSString).standardizingPath
    var isFolder: ObjCBool = false
    while !ancestor.isEmpty && ancestor != "/"
        && !FileManager.default.fileExists(atPath: ancestor, isDirectory: &isFolder)
    {
        ancestor = (ancestor as NSString).deletingLastPathComponent
    }
    if FileManager.default.fileExists(atPath: ancestor, isDirectory: &isFolder) {
        if !isFolder.boolValue { return "\(ancestor) is a file, not a folder" }
        if access(ancestor, W_OK) != 0 { return "\(ancestor): \(String(cString: strerror(errno)).lowercased())" }
    }
    return systemReason(error)
}

/// The operating system's reason for a failed file operation (permission denied, read-only file system, no space
/// left on device), from a Foundation error.
func systemReason(_ error: any Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    switch ns.code {
    case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
    case NSFileWriteVolumeReadOnlyError: return "read-only file system"
    case NSFileWriteOutOfSpaceError: return "no space left on device"
    default: return ns.localizedDescription
    }
}

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
            throw PerfusionAnalysisError.writeFailed(
                path: folder.path, reason: "cannot create the folder: \(folderReason(folder.path, error))")
        }
        let temporary = folder.appendingPathComponent(
            ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp"
        )
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PerfusionAnalysisError.writeFailed(
                path: path, reason: "cannot create a file in \(folder.path): \(String(cString: strerror(errno)))")
        }
        let written = data.withUnsafeBytes { raw -> Int in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n <= 0 { return -1 }
                done += n
            }
            return done
        }
        let failure = written < 0 ? errno : 0
        close(fd)
        guard written == data.count else {
            try? FileManager.default.removeItem(at: temporary)
            throw PerfusionAnalysisError.writeFailed(path: path, reason: String(cString: strerror(failure)))
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

    /// Writes `bytes`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(Data(bytes), to: path)
    }
}
