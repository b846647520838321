import CEUSImaging
import Foundation
import PerfusionFitting

/// A curve read from a table: its identifier and samples.
public struct NamedCurve: Sendable, Equatable {
    /// The curve's id (long format) or column name (wide format).
    public let id: String
    let samples: CurveSamples

    init(id: String, samples: CurveSamples) {
        self.id = id
        self.samples = samples
    }
}

/// Reads time-intensity curves written by any software (DESIGN.md §4).
///
/// - Long layout: header with `curve,time_s,intensity` (any order, extra columns ignored), one row per sample.
/// - Wide layout (spreadsheet exports): a time column (`time_s`, `time`, or named) and one column per curve;
///   columns with an empty header (row numbers) are skipped.
///
/// Parsing (quoting, embedded line breaks, byte-order marks, the spreadsheet dialects of ``TableDialect``) is done at
/// the byte level by `ByteCSV`, numbers straight from their bytes.
public enum CurveTableReader {
    /// How the curves are laid out in the table.
    public enum Layout: Sendable, Equatable {
        case long
        /// `timeColumn` nil picks `time_s`, then `time`, then `t`.
        case wide(timeColumn: String?)
    }

    /// Reads every curve of the file at `path`; `select` keeps only the named curves (in that order).
    ///
    /// - Throws: ``PerfusionAnalysisError`` naming the file, the line and the problem: a missing column, a
    ///   missing or non-numeric cell, times that do not increase within a curve.
    static func read(
        _ path: String, layout: Layout, select: [String]? = nil, dialect requested: TableDialect? = nil,
        encoding: TableEncoding = .utf8
    ) throws -> [NamedCurve] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PerfusionAnalysisError.missingInput(path: path)
        }
        guard let data = FileBytes.readArray(path) else {
            throw PerfusionAnalysisError.invalidTable(path: path, line: 0, detail: "cannot be read")
        }
        let (reader, bytes, dialect) = try TableText.reader(
            data, path: path, encoding: encoding, dialect: requested)
        var curves: [NamedCurve]
        switch layout {
        case .long: curves = try readLong(reader, bytes, path: path, dialect: dialect, select: select)
        case .wide(let timeColumn):
            curves = try readWide(reader, bytes, path: path, timeColumn: timeColumn, dialect: dialect, select: select)
        }
        if let select {
            curves = try select.map { name in
                guard let curve = curves.first(where: { $0.id == name }) else {
                    throw PerfusionAnalysisError.invalidTable(
                        path: path, line: 1,
                        detail: "no curve \"\(name)\" (found: \(curves.map(\.id).joined(separator: ", ")))")
                }
                return curve
            }
        }
        guard !curves.isEmpty else {
            throw PerfusionAnalysisError.invalidTable(path: path, line: 1, detail: "no curves")
        }
        return curves
    }

    /// Field `i` of `row` as a number, or an error naming the line, the column and what is wrong.
    static func number(_ row: ByteCSV.Row, _ i: Int, path: String, column: String, dialect: TableDialect) throws
        -> Double
    {
        if let value = row.number(i, decimalComma: dialect.decimalComma) { return value }
        guard !row.isEmpty(i) else {
            throw PerfusionAnalysisError.invalidTable(
                path: path, line: row.line, detail: "empty cell in column \"\(column)\"")
        }
        let text = row.string(i)
        let hint =
            text.contains(",") && !dialect.decimalComma
            ? " (a decimal comma is read only in files separated by semicolons or tabs; see --decimal)" : ""
        throw PerfusionAnalysisError.invalidTable(
            path: path, line: row.line, detail: "\"\(text)\" in column \"\(column)\" is not a number\(hint)")
    }

    static func column(_ name: String, in header: [String], path: String, dialect: TableDialect) throws -> Int {
        guard let index = header.firstIndex(of: name) else {
            let separator = dialect.delimiter == "\t" ? "tab" : "\"\(dialect.delimiter)\""
            throw PerfusionAnalysisError.invalidTable(
                path: path, line: 1,
                detail:
                    "no \"\(name)\" column (read with \(separator) between cells, the header is: \(header.joined(separator: " | ")))"
            )
        }
        return index
    }

    /// Long layout: rows grouped by curve id without a look-up per row (rows of one curve usually follow each
    /// other; the id's bytes are compared with the previous row's).
    ///
    /// A large file without quotes is split at line ends into one part per core; each part is read alone and the
    /// parts are joined in order (``LongPart``), with the same curves, samples and first error as one pass.
    static func readLong(
        _ reader: ByteCSV, _ bytes: [UInt8], path: String, dialect: TableDialect, select: [String]?,
        parts: Int = BatchFitter.coreCount, minimumSplitBytes: Int = 1 << 20
    ) throws -> [NamedCurve] {
        let header = try reader.header(bytes)
        let columns = LongColumns(
            curve: try column("curve", in: header, path: path, dialect: dialect),
            time: try column("time_s", in: header, path: path, dialect: dialect),
            value: try column("intensity", in: header, path: path, dialect: dialect), headerCount: header.count,
            wanted: select.map(Set.init), path: path, dialect: dialect)
        let splits = splitPoints(bytes, parts: parts, minimumBytes: minimumSplitBytes)
        let parts = orderedParallelMap(splits.count, threads: splits.count, chunk: 1) { k -> LongPart in
            let range = splits[k].start..<(k + 1 < splits.count ? splits[k + 1].start : bytes.count)
            return LongPart(reader, bytes, range: range, firstLine: splits[k].line, header: k == 0, columns)
        }
        var whole = parts[0]
        if let failure = whole.failure { throw failure.error }
        for part in parts.dropFirst() { try whole.join(part, columns) }
        return whole.ids.indices.map {
            NamedCurve(id: whole.ids[$0], samples: CurveSamples(times: whole.times[$0], values: whole.values[$0]))
        }
    }

    /// The columns a long table is read by, and what a message needs.
    struct LongColumns: Sendable {
        let curve: Int
        let time: Int
        let value: Int
        let headerCount: Int
        let wanted: Set<String>?
        let path: String
        let dialect: TableDialect
    }

    /// Where to split `bytes` for `parts` readers: the first part at 0 (line 1), the others just after a line feed
    /// near each k / parts of the file, with the line they start on. One part when the file is small (under
    /// `minimumBytes`), holds a quote (a line break may then be inside a cell) or has no line feed to split at.
    /// The LF bytes among `count` bytes at `p`, eight at a time: a byte of `x = word ^ 0x0A...0A` is zero exactly where
    /// the word holds a LF, and `~(((x & 0x7F..7F) + 0x7F..7F) | x | 0x7F..7F)` sets the top bit of exactly those bytes
    /// (the additions stay within their bytes), so a population count counts them.
    static func countLineFeeds(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        let raw = UnsafeRawPointer(p)
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var total = 0
        var i = 0
        while i + 8 <= count {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            total += (~(((x & low) &+ low) | x | low)).nonzeroBitCount
            i += 8
        }
        while i < count {
            if p[i] == UInt8(ascii: "\n") { total += 1 }
            i += 1
        }
        return total
    }

    /// Whether a quote or a CR is among `count` bytes at `p`, eight at a time: a byte of `word ^ 0x22...22` (or
    /// `^ 0x0D...0D`) is zero where the word holds that byte, and `(x - 0x01..01) & ~x & 0x80..80` is nonzero exactly
    /// when some byte of x is zero.
    static func containsQuoteOrCR(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let raw = UnsafeRawPointer(p)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        var found: UInt64 = 0
        var i = 0
        while i + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let quote = word ^ 0x2222_2222_2222_2222
            let cr = word ^ 0x0D0D_0D0D_0D0D_0D0D
            found |= ((quote &- ones) & ~quote | (cr &- ones) & ~cr) & tops
            i += 8
        }
        while i < count {
            if p[i] == UInt8(ascii: "\"") || p[i] == UInt8(ascii: "\r") { return true }
            i += 1
        }
        return found != 0
    }

    static func splitPoints(_ bytes: [UInt8], parts: Int, minimumBytes: Int = 1 << 20) -> [(start: Int, line: Int)] {
        let n = bytes.count
        guard parts > 1, n >= minimumBytes, n > 0 else { return [(0, 1)] }
        return bytes.withUnsafeBufferPointer { b -> [(start: Int, line: Int)] in
            let base = b.baseAddress!
            // One pass for both bytes that change the split (most files have neither), memchr only when one is there.
            let either = containsQuoteOrCR(base, n)
            guard !either || memchr(base, Int32(UInt8(ascii: "\"")), n) == nil else { return [(0, 1)] }
            let hasCR = either && memchr(base, Int32(UInt8(ascii: "\r")), n) != nil
            var points: [(start: Int, line: Int)] = [(0, 1)]
            var (counted, line) = (0, 1)  // line breaks in bytes[0 ..< counted]
            for k in 1..<parts {
                let from = max(k * n / parts, points.last!.start + 1)
                guard from < n, let found = memchr(base + from, Int32(UInt8(ascii: "\n")), n - from) else { break }
                let start = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                guard start < n else { break }
                // Records end at LF, CRLF or a lone CR: count LFs, plus CRs not followed by a LF.
                if hasCR {
                    for i in counted..<start {
                        if b[i] == UInt8(ascii: "\n")
                            || (b[i] == UInt8(ascii: "\r") && (i + 1 >= n || b[i + 1] != UInt8(ascii: "\n")))
                        {
                            line += 1
                        }
                    }
                } else {
                    line += countLineFeeds(base + counted, start - counted)
                }
                counted = start
                points.append((start, line))
            }
            return points
        }
    }

    /// The curves of one part of a long table, or the first error in it.
    struct LongPart: Sendable {
        var ids: [String] = []
        var index: [String: Int] = [:]
        var times: [[Double]] = []
        var values: [[Double]] = []
        /// Line of each curve's first row in this part.
        var firstLines: [Int] = []
        /// The first error, with the line of the row it is about.
        var failure: (line: Int, error: PerfusionAnalysisError)?

        /// Reads the records of `bytes[range]` (starting on line `firstLine`; the first one is the header when
        /// `header`).
        init(
            _ reader: ByteCSV, _ bytes: [UInt8], range: Range<Int>, firstLine: Int, header: Bool, _ c: LongColumns
        ) {
            var previous: [UInt8]? = nil
            var current = -1
            var skipHeader = header
            var line = firstLine
            // Locals for the loop: the closure touches no reference-counted state per row.
            var ids: [String] = []
            var index: [String: Int] = [:]
            var times: [[Double]] = []
            var values: [[Double]] = []
            var firstLines: [Int] = []
            let (ci, ti, yi) = (c.curve, c.time, c.value)
            let needed = max(ci, ti, yi)
            let decimalComma = c.dialect.decimalComma
            do {
                try reader.forEachRow(bytes, in: range, firstLine: firstLine) { row in
                    if skipHeader {
                        skipHeader = false
                        return
                    }
                    guard !row.isBlank else { return }
                    line = row.line
                    guard row.count > needed else {
                        throw PerfusionAnalysisError.invalidTable(
                            path: c.path, line: row.line, detail: "\(row.count) cells, expected \(c.headerCount)")
                    }
                    if previous == nil || !row.equals(ci, previous!) {
                        let id = row.string(ci)
                        previous = row.raw(ci)
                        if let wanted = c.wanted, !wanted.contains(id) {
                            current = -2  // other curves are not parsed at all
                        } else if let k = index[id] {
                            current = k
                        } else {
                            index[id] = ids.count
                            current = ids.count
                            ids.append(id)
                            times.append([])
                            values.append([])
                            firstLines.append(row.line)
                        }
                    }
                    guard current >= 0 else { return }
                    // The message-making path only when a cell is not a plain number.
                    let time =
                        try row.number(ti, decimalComma: decimalComma)
                        ?? number(row, ti, path: c.path, column: "time_s", dialect: c.dialect)
                    let value =
                        try row.number(yi, decimalComma: decimalComma)
                        ?? number(row, yi, path: c.path, column: "intensity", dialect: c.dialect)
                    if let last = times[current].last, !(time > last) {
                        throw LongPart.notIncreasing(ids[current], time, last, line: row.line, c)
                    }
                    times[current].append(time)
                    values[current].append(value)
                }
            } catch let error as PerfusionAnalysisError {
                failure = (line, error)
            } catch {
                failure = (line, .invalidTable(path: c.path, line: line, detail: "\(error)"))
            }
            (self.ids, self.index, self.times, self.values, self.firstLines) = (ids, index, times, values, firstLines)
        }

        static func notIncreasing(_ id: String, _ time: Double, _ last: Double, line: Int, _ c: LongColumns)
            -> PerfusionAnalysisError
        {
            .invalidTable(
                path: c.path, line: line,
                detail: "curve \"\(id)\": time_s \(time) does not increase (previous sample at \(last))")
        }

        /// Appends `next`, the part after this one; throws the error one pass over both would have met first.
        mutating func join(_ next: LongPart, _ c: LongColumns) throws {
            var first = next.failure
            for (k, id) in next.ids.enumerated() {
                guard let own = index[id], let last = times[own].last, let start = next.times[k].first,
                    !(start > last)
                else { continue }
                let line = next.firstLines[k]
                if first == nil || line < first!.line {
                    first = (line, LongPart.notIncreasing(id, start, last, line: line, c))
                }
            }
            if let first { throw first.error }
            for (k, id) in next.ids.enumerated() {
                if let own = index[id] {
                    times[own] += next.times[k]
                    values[own] += next.values[k]
                } else {
                    index[id] = ids.count
                    ids.append(id)
                    times.append(next.times[k])
                    values.append(next.values[k])
                    firstLines.append(next.firstLines[k])
                }
            }
        }
    }

    /// Wide layout: a time column and one column per curve; with a selection only those columns are parsed.
    static func readWide(
        _ reader: ByteCSV, _ bytes: [UInt8], path: String, timeColumn: String?, dialect: TableDialect,
        select: [String]?
    ) throws -> [NamedCurve] {
        let header = try reader.header(bytes)
        let timeName: String
        if let timeColumn {
            timeName = timeColumn
        } else {
            guard let found = ["time_s", "time", "t"].first(where: header.contains) else {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: 1,
                    detail: "no time column (expected time_s, time or t; name another with --time-column)")
            }
            timeName = found
        }
        let t = try column(timeName, in: header, path: path, dialect: dialect)
        // With a selection only those columns are parsed: a text column elsewhere does not matter.
        let curveColumns = header.indices.filter {
            $0 != t && !header[$0].isEmpty && (select?.contains(header[$0]) ?? true)
        }
        var times: [Double] = []
        var values = [[Double]](repeating: [], count: curveColumns.count)
        try reader.forEachDataRow(bytes) { row in
            guard row.count == header.count else {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: row.line, detail: "\(row.count) cells, expected \(header.count)")
            }
            let time = try number(row, t, path: path, column: timeName, dialect: dialect)
            if let previous = times.last, !(time > previous) {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: row.line,
                    detail: "\(timeName) \(time) does not increase (previous row at \(previous))")
            }
            times.append(time)
            for (k, index) in curveColumns.enumerated() {
                values[k].append(try number(row, index, path: path, column: header[index], dialect: dialect))
            }
        }
        return curveColumns.enumerated().map { k, index in
            NamedCurve(id: header[index], samples: CurveSamples(times: times, values: values[k]))
        }
    }
}
