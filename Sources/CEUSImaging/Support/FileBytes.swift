import Foundation

/// Reads whole files. An empty file is read without asking Foundation, whose `FileManager.contents(atPath:)` leaks
/// a 4 KB buffer on a zero-length file (found by the table fuzzer, swift-foundation of Swift 6.1).
public enum FileBytes {
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
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let got = Foundation.read(fd, buffer.baseAddress! + done, size - done)
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else { break }
                done += got
            }
            failed = done != size
            initialized = done
        }
        return failed ? nil : bytes
    }
}
