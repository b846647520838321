import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run per results folder: an advisory lock on `FOLDER/.echoflow.lock` that `batch`, `merge` and `compare`
/// hold while they read or write the folder.
///
/// The lock is `flock(2)` on the file, so the kernel releases it when the holder exits, however it exits. The file
/// also says who holds it (pid, host, command, start time): a second run is refused with that holder's name. A lock
/// file left behind by a process that is gone (killed, or the machine rebooted) is taken over with a warning when
/// it names this host; when it names another host (a cluster's shared folder, where `flock` may not reach across
/// machines) it is refused, with the path to delete once no run is under way there.
public final class ResultsLock: @unchecked Sendable {
    /// The lock file's name inside the results folder.
    public static let fileName = ".echoflow.lock"

    /// Who holds (or held) a lock.
    struct Holder: Codable, Equatable {
        var pid: Int32
        var host: String
        var command: String
        var started: String

        var description: String { "`echoflow \(command)` (pid \(pid) on \(host), since \(started))" }
    }

    /// Said when the lock was taken over from a process that is gone; nil otherwise.
    public let warning: String?
    private let path: String
    private var descriptor: Int32

    /// This machine's name.
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Takes the lock of `folder` (created if missing) for `command`, or throws
    /// an error naming the holder (exit status 75 on the command line).
    public init(folder: String, command: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PerfusionAnalysisError.writeFailed(
                path: folder, reason: "cannot create the folder: \(folderReason(folder, error))")
        }
        path = (folder as NSString).appendingPathComponent(Self.fileName)
        let me = Holder(
            pid: getpid(), host: Self.hostName, command: command,
            started: ISO8601DateFormatter().string(from: Date()))
        for _ in 0..<8 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw PerfusionAnalysisError.writeFailed(path: path, reason: String(cString: strerror(errno)))
            }
            let previous = Self.read(fd)
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                throw PerfusionAnalysisError.folderInUse(
                    path: folder, holder: previous?.description ?? "another run", stale: nil)
            }
            // The holder before us may have removed the file between our open and our lock: then we hold a lock
            // on a file nobody else can see, and must start again on the new one.
            var opened = stat()
            var named = stat()
            guard fstat(fd, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino,
                opened.st_dev == named.st_dev
            else {
                close(fd)
                continue
            }
            let stale = Self.read(fd)
            if let stale, stale.host != me.host {
                close(fd)
                throw PerfusionAnalysisError.folderInUse(path: folder, holder: stale.description, stale: path)
            }
            warning = stale.map {
                "took over the lock of \(folder) left by \($0.description), which no longer holds it"
            }
            var data = try JSONEncoder().encode(me)
            data.append(0x0A)
            _ = ftruncate(fd, 0)
            _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            descriptor = fd
            return
        }
        throw PerfusionAnalysisError.folderInUse(path: folder, holder: "runs that keep replacing it", stale: nil)
    }

    /// The holder recorded in an open lock file, nil when it is empty or unreadable.
    static func read(_ fd: Int32) -> Holder? {
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = pread(fd, &bytes, bytes.count, 0)
        guard count > 0 else { return nil }
        return try? JSONDecoder().decode(Holder.self, from: Data(bytes[..<count]))
    }

    /// Removes the lock file and releases the lock (also done when the lock is deallocated).
    public func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    /// Takes the locks of `folders` (each once, in a fixed order), runs `body` and releases them; `warn` gets each
    /// takeover warning.
    public static func holding<T>(
        _ folders: [String], command: String, warn: (String) -> Void, _ body: () throws -> T
    ) throws -> T {
        let unique = Set(folders.map { URL(fileURLWithPath: $0).standardizedFileURL.path }).sorted()
        var locks: [ResultsLock] = []
        defer { locks.reversed().forEach { $0.release() } }
        for folder in unique {
            let lock = try ResultsLock(folder: folder, command: command)
            locks.append(lock)
            if let warning = lock.warning { warn(warning) }
        }
        return try body()
    }
}
