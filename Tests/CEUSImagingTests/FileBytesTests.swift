import Foundation
import Testing

@testable import CEUSImaging

@Suite("Reading whole files into arrays")
struct FileBytesTests {
    @Test(
        "a file's bytes (small, or large and read in pieces) equal Foundation's; an empty file is empty; a folder, a missing file and a device are handled"
    )
    func readArray() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("echoflow-filebytes-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Every byte value, and a length that is not a multiple of any block size.
        let bytes = (0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        let file = folder.appendingPathComponent("data.bin")
        try Data(bytes).write(to: file)
        #expect(FileBytes.readArray(file.path) == bytes)
        #expect(FileBytes.readArray(file.path).map { Data($0) } == FileBytes.read(file.path))
        // A file large enough to be read in one piece per core, of a length no piece boundary divides evenly.
        let large = (0..<(FileBytes.parallelBytes + 12_347)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let largeFile = folder.appendingPathComponent("large.bin")
        try Data(large).write(to: largeFile)
        #expect(FileBytes.readArray(largeFile.path) == large)
        let empty = folder.appendingPathComponent("empty.csv")
        try Data().write(to: empty)
        #expect(FileBytes.readArray(empty.path) == [])
        // A folder is not a file to read, and a missing file is nil, as with `read`.
        #expect(FileBytes.readArray(folder.path) == nil)
        #expect(FileBytes.readArray(folder.appendingPathComponent("missing.csv").path) == nil)
        // Not a regular file: read through Foundation, like `read` (/dev/null reads as empty).
        #expect(FileBytes.readArray("/dev/null").map { Data($0) } == FileBytes.read("/dev/null"))
    }
}
