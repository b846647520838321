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
        guard let data = FileBytes.read(path) else {
            throw PerfusionAnalysisError.invalidTable(path: path, line: 0, detail: "cannot be read")
        }
        let text = try TableText.decode(data, path: path, encoding: encoding)
        let (reader, bytes, dialect) = TableText.reader(text, path: path, dialect: requested)
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
    static func readLong(
        _ reader: ByteCSV, _ bytes: [UInt8], path: String, dialect: TableDialect, select: [String]?
    ) throws -> [NamedCurve] {
        let header = try reader.header(bytes)
        let c = try column("curve", in: header, path: path, dialect: dialect)
        let t = try column("time_s", in: header, path: path, dialect: dialect)
        let y = try column("intensity", in: header, path: path, dialect: dialect)
        let wanted = select.map(Set.init)
        var ids: [String] = []
        var index: [String: Int] = [:]
        var times: [[Double]] = []
        var values: [[Double]] = []
        var previous: [UInt8]? = nil
        var current = -1
        try reader.forEachDataRow(bytes) { row in
            guard row.count > max(c, t, y) else {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: row.line, detail: "\(row.count) cells, expected \(header.count)")
            }
            if previous == nil || !row.equals(c, previous!) {
                let id = row.string(c)
                previous = row.raw(c)
                if let wanted, !wanted.contains(id) {
                    current = -2  // other curves are not parsed at all
                } else if let k = index[id] {
                    current = k
                } else {
                    index[id] = ids.count
                    current = ids.count
                    ids.append(id)
                    times.append([])
                    values.append([])
                }
            }
            guard current >= 0 else { return }
            let time = try number(row, t, path: path, column: "time_s", dialect: dialect)
            let value = try number(row, y, path: path, column: "intensity", dialect: dialect)
            if let last = times[current].last, !(time > last) {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: row.line,
                    detail: "curve \"\(ids[current])\": time_s \(time) does not increase (previous sample at \(last))")
            }
            times[current].append(time)
            values[current].append(value)
        }
        return ids.indices.map { NamedCurve(id: ids[$0], samples: CurveSamples(times: times[$0], values: values[$0])) }
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
