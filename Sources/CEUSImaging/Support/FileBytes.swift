import Foundation

/// Reads whole files. An empty file is read without asking Foundation, whose `FileManager.contents(atPath:)` leaks
/// a 4 KB buffer on a zero-length file (found by the table fuzzer, swift-foundation of Swift 6.1).
public enum FileBytes {
    /// Files at least this large are read in one piece per core (up to four).
    static let parallelBytes = 8 << 20

    /// Where the readers of the pieces write: each its own bytes of `target` and its own count in `done`.
    private struct Pieces: @unchecked Sendable {
        let target: UnsafeMutablePointer<UInt8>?
        let done: UnsafeMutablePointer<Int>
    }

    /// The bytes of the file at `path`, nil when it cannot be read.
    public static func read(_ path: String) -> Data? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        if (attributes[.type] as? FileAttributeType) == .typeRegular, (attributes[.size] as? Int) == 0 { return Data() }
        return FileManager.default.contents(atPath: path)
    }

    /// The bytes of the file at `path`, a regular file read straight into an array (no `Data` to copy from; anything
    /// else, a pipe for example, through ``read(_:)``), nil when it cannot be read.
    public static func readArray(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        guard status.st_mode & S_IFMT == S_IFREG else { return read(path).map { [UInt8]($0) } }
        let size = Int(status.st_size)
        // A large file in one piece per core (pread at its own offset): the copy out of the page cache and the first
        // touch of the array's pages are shared out.
        let pieces = size >= parallelBytes ? max(1, min(4, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))) : 1
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            let done = UnsafeMutablePointer<Int>.allocate(capacity: pieces)
            defer { done.deallocate() }
            let shared = Pieces(target: buffer.baseAddress, done: done)
            DispatchQueue.concurrentPerform(iterations: pieces) { k in
                let (from, to) = (k * size / pieces, (k + 1) * size / pieces)
                var got = 0
                while from + got < to {
                    let n = pread(fd, shared.target! + from + got, to - from - got, off_t(from + got))
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { break }
                    got += n
                }
                shared.done[k] = got
            }
            failed = (0..<pieces).reduce(0) { $0 + done[$1] } != size
            initialized = failed ? 0 : size
        }
        return failed ? nil : bytes
    }
}
