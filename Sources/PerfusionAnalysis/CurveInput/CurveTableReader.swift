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

    /// Reads every curve of the file at `path`; `select` keeps only the named curves (in that order). A large plain
    /// long table is read from the file in chunks (``LongStream``), anything else as a whole text.
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
        var curves: [NamedCurve]
        if layout == .long, encoding == .utf8,
            let streamed = try LongStream.read(path, dialect: requested, select: select)
        {
            curves = streamed
        } else {
            guard let data = FileBytes.readArray(path) else {
                throw PerfusionAnalysisError.invalidTable(path: path, line: 0, detail: "cannot be read")
            }
            let (reader, bytes, dialect) = try TableText.reader(
                data, path: path, encoding: encoding, dialect: requested)
            switch layout {
            case .long: curves = try readLong(reader, bytes, path: path, dialect: dialect, select: select)
            case .wide(let timeColumn):
                curves = try readWide(
                    reader, bytes, path: path, timeColumn: timeColumn, dialect: dialect, select: select)
            }
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
    /// A large file is split at line ends into one part per core; each part is read alone, numbering its lines from
    /// 1, and the parts are joined in order (``LongPart``) with their lines renumbered, giving the same curves,
    /// samples and first error as one pass. A quote may hide a line end inside a cell, where a split would cut a
    /// record: when a part holds a quote (after the header), the file is read again in one pass.
    static func readLong(
        _ reader: ByteCSV, _ bytes: [UInt8], path: String, dialect: TableDialect, select: [String]?,
        parts: Int = BatchFitter.coreCount, minimumSplitBytes: Int = 1 << 20, plainRows: Bool = true
    ) throws -> [NamedCurve] {
        let header = try reader.header(bytes)
        let columns = LongColumns(
            curve: try column("curve", in: header, path: path, dialect: dialect),
            time: try column("time_s", in: header, path: path, dialect: dialect),
            value: try column("intensity", in: header, path: path, dialect: dialect), headerCount: header.count,
            wanted: select.map(Set.init), path: path, dialect: dialect)
        let (dataStart, dataLine) = try reader.afterFirstRecord(bytes, in: 0..<bytes.count, firstLine: 1)
        let starts = lineStarts(bytes, from: dataStart, parts: parts, minimumBytes: minimumSplitBytes)
        if starts.count > 1,
            let pieces = splitParts(reader, bytes, starts: starts, firstLine: dataLine, columns, plainRows)
        {
            return try LongPart.curves(joining: pieces, columns)
        }
        let whole = LongPart(
            reader, bytes, range: dataStart..<bytes.count, firstLine: dataLine, columns, plainRows: plainRows)
        return try LongPart.curves(joining: [whole], columns)
    }

    /// The parts from `starts` read on a core each, the first from line `firstLine`, the others from line 1; nil when
    /// one of them holds a double quote (checked with `memchr` before it is read).
    static func splitParts(
        _ reader: ByteCSV, _ bytes: [UInt8], starts: [Int], firstLine: Int, _ columns: LongColumns, _ plainRows: Bool
    ) -> [LongPart]? {
        let pieces = orderedParallelMap(starts.count, threads: starts.count, chunk: 1) { k -> LongPart? in
            let range = starts[k]..<(k + 1 < starts.count ? starts[k + 1] : bytes.count)
            let quoted = bytes.withUnsafeBufferPointer {
                memchr($0.baseAddress! + range.lowerBound, Int32(UInt8(ascii: "\"")), range.count) != nil
            }
            guard !quoted else { return nil }
            return LongPart(
                reader, bytes, range: range, firstLine: k == 0 ? firstLine : 1, columns, plainRows: plainRows)
        }
        guard !pieces.contains(where: { $0 == nil }) else { return nil }
        return pieces.map { $0! }
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

    /// Where to split `bytes[from...]` for `parts` readers: `from` first, then just after the first line feed at or
    /// after each k / parts of the file. Only `from` when the file is small (under `minimumBytes`) or has no line
    /// feed to split at. A part ends with a LF, so a CRLF never straddles two parts.
    static func lineStarts(_ bytes: [UInt8], from: Int, parts: Int, minimumBytes: Int = 1 << 20) -> [Int] {
        let n = bytes.count
        guard parts > 1, n >= minimumBytes, from < n else { return [from] }
        return bytes.withUnsafeBufferPointer { b -> [Int] in
            let base = b.baseAddress!
            var starts = [from]
            for k in 1..<parts {
                let at = max(k * n / parts, starts.last! + 1)
                guard at < n, let found = memchr(base + at, Int32(UInt8(ascii: "\n")), n - at) else { break }
                let start = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                guard start < n else { break }
                starts.append(start)
            }
            return starts
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
        /// The line after the part's last record (when it was read without an error).
        var endLine = 0

        /// The curves of `parts` (the first numbered from its true line, the others from 1) joined in order, their
        /// lines renumbered; the first error one pass would have met, thrown.
        static func curves(joining parts: [LongPart], _ c: LongColumns) throws -> [NamedCurve] {
            var whole = parts[0]
            if let failure = whole.failure { throw failure.error }
            var line = whole.endLine
            for var part in parts.dropFirst() {
                part.renumber(from: line)
                line = part.endLine
                try whole.join(part, c)
            }
            return whole.ids.indices.map {
                NamedCurve(id: whole.ids[$0], samples: CurveSamples(times: whole.times[$0], values: whole.values[$0]))
            }
        }

        /// Numbers the lines as if the part started on line `first` rather than 1.
        mutating func renumber(from first: Int) {
            let shift = first - 1
            firstLines = firstLines.map { $0 + shift }
            endLine += shift
            if let (line, error) = failure {
                if case .invalidTable(let path, let at, let detail) = error {
                    failure = (line + shift, .invalidTable(path: path, line: at + shift, detail: detail))
                } else {
                    failure = (line + shift, error)
                }
            }
        }

        /// The curves being gathered: the current curve's samples are held apart from the others (no look-up and no
        /// nested array access per row) and put back when another curve's row comes.
        struct Gathering {
            var part = LongPart()
            /// Index of the current curve, -2 for a curve not selected (its rows are skipped), -1 before any.
            var current = -1
            var currentTimes: [Double] = []
            var currentValues: [Double] = []

            /// Makes `id`'s curve the current one; its first row is on `line`.
            mutating func begin(_ id: String, line: Int, wanted: Set<String>?) {
                putBack()
                if let wanted, !wanted.contains(id) {
                    current = -2  // other curves are not parsed at all
                    return
                }
                if let k = part.index[id] {
                    current = k
                    swap(&currentTimes, &part.times[k])
                    swap(&currentValues, &part.values[k])
                    return
                }
                // Room for as many samples as the curve before (curves of a table are usually as long as each
                // other): no regrowing and copying while the curve's rows are appended.
                let expected = part.times.last?.count ?? 0
                current = part.ids.count
                part.index[id] = current
                part.ids.append(id)
                part.firstLines.append(line)
                part.times.append([])
                part.values.append([])
                currentTimes.reserveCapacity(expected)
                currentValues.reserveCapacity(expected)
            }

            /// Appends a sample to the current curve; an error when its time does not increase.
            @inline(__always)
            mutating func append(_ time: Double, _ value: Double, line: Int, _ c: LongColumns) throws {
                if let last = currentTimes.last, !(time > last) {
                    throw LongPart.notIncreasing(part.ids[current], time, last, line: line, c)
                }
                currentTimes.append(time)
                currentValues.append(value)
            }

            /// Records `error`, met on line `line`, as the part's failure.
            mutating func fail(_ error: any Error, line: Int, _ c: LongColumns) {
                let error =
                    error as? PerfusionAnalysisError ?? .invalidTable(path: c.path, line: line, detail: "\(error)")
                part.failure = (line, error)
            }

            /// The part read, its next line `line`.
            mutating func finish(line: Int) -> LongPart {
                putBack()
                part.endLine = line
                return part
            }

            /// Puts the current curve's samples back among the others.
            mutating func putBack() {
                guard current >= 0 else { return }
                swap(&currentTimes, &part.times[current])
                swap(&currentValues, &part.values[current])
                currentTimes = []
                currentValues = []
            }
        }

        init() {}

        /// Reads the records of `bytes[range]`, which starts a record on line `firstLine`.
        ///
        /// Rows are read by a loop for plain rows first (``fastRows(_:from:line:to:_:_:_:)``), which parses the three
        /// cells in use where they stand; from the first row it cannot read (a quote, blanks around a cell, an empty or
        /// odd cell, a blank line) the rest goes through the general reader (`ByteCSV`), which reads every dialect and
        /// names the problem. Both give the same samples (`plainRows` false: the general reader alone, for tests).
        init(
            _ reader: ByteCSV, _ bytes: [UInt8], range: Range<Int>, firstLine: Int, _ c: LongColumns,
            plainRows: Bool = true
        ) {
            var gathering = Gathering()
            var line = firstLine
            do {
                try LongPart.rows(reader, bytes, range: range, line: &line, c, &gathering, plainRows: plainRows)
            } catch {
                gathering.fail(error, line: line, c)
            }
            self = gathering.finish(line: line)
        }

        /// The rows of `bytes[range]`, which starts a record on line `line` (the line after the last record at the
        /// end): the loop for plain rows, then the general reader from the first row it cannot read.
        static func rows(
            _ reader: ByteCSV, _ bytes: [UInt8], range: Range<Int>, line: inout Int, _ c: LongColumns,
            _ gathering: inout Gathering, plainRows: Bool = true
        ) throws {
            var position = range.lowerBound
            try bytes.withUnsafeBufferPointer { b in
                guard plainRows, b.count > 0 else { return }
                try LongPart.fastRows(b, from: &position, line: &line, to: range.upperBound, reader, c, &gathering)
            }
            if position < range.upperBound {
                try LongPart.generalRows(
                    reader, bytes, range: position..<range.upperBound, firstLine: line, c, &gathering, &line)
            }
        }

        /// Plain rows from `position` on: cells without quotes or blanks at their start, a curve id without blanks
        /// around it, the time and intensity plain decimal numbers (``ByteCSV/decimalPrefix(_:_:_:decimalComma:)``:
        /// each cell read once, by the parse itself), at least as many cells as the columns in use need. The cells of
        /// a curve not selected are not parsed (when the curve column comes before the numbers, as it does in the
        /// tables we write). Stops at the end or before the first row that is not plain, with `position` and `line` at
        /// that row.
        static func fastRows(
            _ b: UnsafeBufferPointer<UInt8>, from position: inout Int, line: inout Int, to n: Int, _ reader: ByteCSV,
            _ c: LongColumns, _ gathering: inout Gathering
        ) throws {
            let (ci, ti, yi) = (c.curve, c.time, c.value)
            let needed = max(ci, ti, yi)
            let decimalComma = c.dialect.decimalComma
            let base = b.baseAddress!
            let delimiter = reader.delimiter
            var (previousStart, previousLength) = (0, -1)
            rows: while position < n {
                var p = position
                var field = 0
                var (time, value) = (0.0, 0.0)
                var skipped = false  // the row belongs to a curve not selected
                while true {
                    guard p < n, b[p] != UInt8(ascii: "\""), !ByteCSV.isBlank(b[p], delimiter) else {
                        // An empty last cell, a quote or a blank: the general reader decides.
                        break rows
                    }
                    if (field == ti || field == yi) && !skipped {
                        guard let (number, stop) = ByteCSV.decimalPrefix(b, p, n, decimalComma: decimalComma),
                            stop - p < 64
                        else { break rows }
                        if field == ti { time = number } else { value = number }
                        p = stop
                    } else {
                        let stop = reader.fieldEnd(b, from: p, to: n)
                        if field == ci {
                            guard stop > p, !ByteCSV.isBlank(b[stop - 1], delimiter) else { break rows }
                            let length = stop - p
                            if length != previousLength || memcmp(base + p, base + previousStart, length) != 0 {
                                let id = String(decoding: UnsafeBufferPointer(rebasing: b[p..<stop]), as: UTF8.self)
                                gathering.begin(id, line: line, wanted: c.wanted)
                                (previousStart, previousLength) = (p, length)
                            }
                            skipped = gathering.current < 0
                        }
                        p = stop
                    }
                    guard p < n else { break }
                    let byte = b[p]
                    if byte == delimiter {
                        field += 1
                        p += 1
                        continue
                    }
                    if byte == UInt8(ascii: "\n") {
                        p += 1
                        break
                    }
                    guard byte == UInt8(ascii: "\r") else { break rows }
                    p += 1
                    if p < n && b[p] == UInt8(ascii: "\n") { p += 1 }
                    break
                }
                guard field >= needed else { break rows }
                if !skipped { try gathering.append(time, value, line: line, c) }
                position = p
                line += 1
            }
        }

        /// The rows of `bytes[range]` (starting on line `firstLine`) through the general reader; `line` follows the
        /// row being read, and is the line after the last record at the end.
        static func generalRows(
            _ reader: ByteCSV, _ bytes: [UInt8], range: Range<Int>, firstLine: Int, _ c: LongColumns,
            _ gathering: inout Gathering, _ line: inout Int
        ) throws {
            var previous: [UInt8]? = nil
            let (ci, ti, yi) = (c.curve, c.time, c.value)
            let needed = max(ci, ti, yi)
            let decimalComma = c.dialect.decimalComma
            var endLine = firstLine
            try reader.forEachRow(bytes, in: range, firstLine: firstLine) { row in
                endLine = row.endLine
                guard !row.isBlank else { return }
                line = row.line
                guard row.count > needed else {
                    throw PerfusionAnalysisError.invalidTable(
                        path: c.path, line: row.line, detail: "\(row.count) cells, expected \(c.headerCount)")
                }
                if previous == nil || !row.equals(ci, previous!) {
                    gathering.begin(row.string(ci), line: row.line, wanted: c.wanted)
                    previous = row.raw(ci)
                }
                guard gathering.current >= 0 else { return }
                // The message-making path only when a cell is not a plain number.
                let time =
                    try row.number(ti, decimalComma: decimalComma)
                    ?? number(row, ti, path: c.path, column: "time_s", dialect: c.dialect)
                let value =
                    try row.number(yi, decimalComma: decimalComma)
                    ?? number(row, yi, path: c.path, column: "intensity", dialect: c.dialect)
                try gathering.append(time, value, line: row.line, c)
            }
            line = endLine
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
