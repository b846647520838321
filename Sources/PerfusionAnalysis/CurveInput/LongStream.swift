import CEUSImaging
import Foundation
import PerfusionFitting

#if canImport(Glibc)
    import Glibc
#endif

/// A large long table read straight from its file, a part per core, each part in chunks through a buffer of its own.
///
/// Reading the whole file into memory first costs a copy into 40 MB of fresh pages (a page fault and a zeroed page
/// every 4 KB) and then a second trip through memory to parse it. Here each core reads its part a chunk at a time
/// (256 KB, which stays in its cache) and parses the complete rows of the chunk at once; the bytes after the chunk's
/// last line end are carried to the front of the buffer for the next chunk. The rows are read by the same code as
/// the whole text's (``CurveTableReader/LongPart``), so the curves, samples and first error are the same.
///
/// Only the plain case is read this way: a regular UTF-8 file of at least `minimumBytes` (1 MB) that is all ASCII,
/// with a header row without quotes, and no quote in the data (a quote may hide a line end inside a cell, where a part
/// or a chunk could be cut). Anything else (and a file that changes while it is read) is left to the whole-text
/// reader: ``read(_:dialect:select:parts:minimumBytes:chunk:)`` returns nil and the caller reads the file whole.
enum LongStream {
    /// Bytes read from the start of the file for the header row.
    static let headBytes = 1 << 16

    /// The curves of the long table at `path`, or nil when the file is not one this reader takes (see the type).
    ///
    /// - Throws: the first error in the table (``PerfusionAnalysisError``), as the whole-text reader would.
    static func read(
        _ path: String, dialect requested: TableDialect?, select: [String]?, parts: Int = BatchFitter.coreCount,
        minimumBytes: Int = 1 << 20, chunk: Int = 1 << 18
    ) throws -> [NamedCurve]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(status.st_size)
        guard size >= max(1, minimumBytes) else { return nil }

        // The header row, from the head of the file: ASCII, no quote, its line end (both bytes of a CRLF) inside.
        guard let head = readBytes(fd, at: 0, count: min(size, headBytes)),
            head.withUnsafeBytes({ TableText.isASCII($0.baseAddress!, $0.count) }),
            let headerEnd = head.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }), headerEnd + 2 <= head.count,
            !head[..<headerEnd].contains(UInt8(ascii: "\""))
        else { return nil }
        let dialect =
            requested ?? TableDialect.detect(header: String(decoding: head[..<headerEnd], as: UTF8.self))
        let reader = ByteCSV(delimiter: UInt8(ascii: dialect.delimiter.unicodeScalars.first!), path: path)
        let header = try reader.header(head)
        let columns = CurveTableReader.LongColumns(
            curve: try CurveTableReader.column("curve", in: header, path: path, dialect: dialect),
            time: try CurveTableReader.column("time_s", in: header, path: path, dialect: dialect),
            value: try CurveTableReader.column("intensity", in: header, path: path, dialect: dialect),
            headerCount: header.count, wanted: select.map(Set.init), path: path, dialect: dialect)
        let (dataStart, dataLine) = try reader.afterFirstRecord(head, in: 0..<head.count, firstLine: 1)

        // Where the parts start: just after the first line feed at or after each k / parts of the file.
        var starts = [dataStart]
        for k in 1..<max(1, parts) {
            let at = k * size / parts
            guard at > starts.last!, let probe = readBytes(fd, at: at - 1, count: min(headBytes, size - at + 1)),
                let feed = probe.firstIndex(of: 0x0A)
            else { break }
            let start = at + feed
            guard start < size else { break }
            if start > starts.last! { starts.append(start) }
        }

        let partStarts = starts
        let pieces = orderedParallelMap(partStarts.count, threads: partStarts.count, chunk: 1) {
            k -> CurveTableReader.LongPart? in
            readPart(
                fd, from: partStarts[k], to: k + 1 < partStarts.count ? partStarts[k + 1] : size,
                firstLine: k == 0 ? dataLine : 1, reader, columns, chunk: chunk)
        }
        guard !pieces.contains(where: { $0 == nil }) else { return nil }
        return try CurveTableReader.LongPart.curves(joining: pieces.map { $0! }, columns)
    }

    /// The rows of the file's bytes `start..<end` (starting a record on line `firstLine`), read `chunk` bytes at a
    /// time; nil when a chunk holds a quote or a byte above 0x7F, or the file cannot be read as far as `end`.
    static func readPart(
        _ fd: Int32, from start: Int, to end: Int, firstLine: Int, _ reader: ByteCSV,
        _ c: CurveTableReader.LongColumns, chunk: Int
    ) -> CurveTableReader.LongPart? {
        var gathering = CurveTableReader.LongPart.Gathering()
        var line = firstLine
        var buffer = [UInt8](repeating: 0, count: max(chunk, 64))
        var filled = 0  // bytes in the buffer: the carried start of a row, then what was read
        var offset = start
        do {
            while true {
                if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }  // a long row
                let want = min(buffer.count - filled, end - offset)
                let got = buffer.withUnsafeMutableBytes {
                    FileBytes.read(fd, into: $0.baseAddress! + filled, count: want, at: offset)
                }
                guard got == want else { return nil }  // the file shrank or failed: the whole-text reader decides
                let plain = buffer.withUnsafeBytes { raw in
                    memchr(raw.baseAddress! + filled, Int32(UInt8(ascii: "\"")), got) == nil
                        && TableText.isASCII(raw.baseAddress! + filled, got)
                }
                guard plain else { return nil }
                filled += got
                offset += got
                let last = offset == end
                // The complete rows: up to the last line end (a CR as the last byte may be half of a CRLF).
                var cut = filled
                if !last {
                    cut = 0
                    var i = filled - 2  // the last byte is never a line end to cut at: it may be a CR
                    if buffer[filled - 1] == 0x0A { cut = filled }
                    while cut == 0 && i >= 0 {
                        if buffer[i] == 0x0A || buffer[i] == 0x0D { cut = i + 1 }
                        i -= 1
                    }
                }
                if cut > 0 {
                    try CurveTableReader.LongPart.rows(reader, buffer, range: 0..<cut, line: &line, c, &gathering)
                }
                if last { break }
                buffer.withUnsafeMutableBytes { raw in
                    _ = memmove(raw.baseAddress!, raw.baseAddress! + cut, filled - cut)
                }
                filled -= cut
            }
        } catch {
            gathering.fail(error, line: line, c)
        }
        return gathering.finish(line: line)
    }

    /// `count` bytes of the file at `offset`, nil when fewer could be read.
    static func readBytes(_ fd: Int32, at offset: Int, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { FileBytes.read(fd, into: $0.baseAddress!, count: count, at: offset) }
        return got == count ? bytes : nil
    }

}

extension CurveTableReader {
    /// For the table fuzzer (`Fuzz/Sources/TableFuzzer`), which compares the two long-table readers on short inputs:
    /// with `chunked`, the chunked reader with any file size, `parts` parts and `chunk`-byte chunks (nil when it leaves
    /// the file to the whole-text reader); without, the whole-text reader in one pass.
    @_spi(Fuzzing) public static func readLong(_ path: String, chunked: Bool, parts: Int, chunk: Int) throws
        -> [NamedCurve]?
    {
        if chunked {
            return try LongStream.read(path, dialect: nil, select: nil, parts: parts, minimumBytes: 0, chunk: chunk)
        }
        guard let data = FileBytes.readArray(path) else { return nil }
        let (reader, bytes, dialect) = try TableText.reader(data, path: path, encoding: .utf8, dialect: nil)
        return try readLong(reader, bytes, path: path, dialect: dialect, select: nil, parts: 1)
    }
}
