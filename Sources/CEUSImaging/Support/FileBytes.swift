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
                shared.done[k] = read(fd, into: shared.target! + from, count: to - from, at: from)
            }
            failed = (0..<pieces).reduce(0) { $0 + done[$1] } != size
            initialized = failed ? 0 : size
        }
        return failed ? nil : bytes
    }

    /// Reads up to `count` bytes of the open file `fd` at `offset` into `target` (pread, again after an interruption
    /// or a short read); the number read, less than `count` at the end of the file or on an error.
    public static func read(_ fd: Int32, into target: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Int {
        var got = 0
        while got < count {
            let n = pread(fd, target + got, count - got, off_t(offset + got))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        return got
    }
}
