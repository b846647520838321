import CEUSImaging
import CSV
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
/// Parsing (quoting, embedded line breaks, byte-order marks) is done by yaslab/CSV.swift.
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
        // Parsed from memory: swift-corelibs-foundation's InputStream reports a read error at the end of a
        // file, which CSV.swift would pass on.
        guard let data = FileBytes.read(path) else {
            throw PerfusionAnalysisError.invalidTable(path: path, line: 0, detail: "cannot be read")
        }
        let text = try TableText.decode(data, path: path, encoding: encoding)
        let (reader, dialect) = try TableText.reader(text, path: path, dialect: requested)
        let header = reader.headerRow ?? []
        var curves: [NamedCurve]
        switch layout {
        case .long: curves = try readLong(reader, header: header, path: path, dialect: dialect, select: select)
        case .wide(let timeColumn):
            curves = try readWide(
                reader, header: header, path: path, timeColumn: timeColumn, dialect: dialect, select: select)
        }
        if let error = reader.error {
            throw PerfusionAnalysisError.invalidTable(path: path, line: 0, detail: "cannot be parsed as CSV (\(error))")
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

    static func number(_ text: String, path: String, line: Int, column: String, dialect: TableDialect) throws -> Double
    {
        guard !text.isEmpty else {
            throw PerfusionAnalysisError.invalidTable(
                path: path, line: line, detail: "empty cell in column \"\(column)\"")
        }
        guard let value = dialect.number(text), value.isFinite else {
            let hint =
                text.contains(",") && !dialect.decimalComma
                ? " (a decimal comma is read only in files separated by semicolons or tabs; see --decimal)" : ""
            throw PerfusionAnalysisError.invalidTable(
                path: path, line: line, detail: "\"\(text)\" in column \"\(column)\" is not a number\(hint)")
        }
        return value
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

    static func readLong(
        _ reader: CSVReader, header: [String], path: String, dialect: TableDialect, select: [String]?
    ) throws -> [NamedCurve] {
        let wanted = select.map(Set.init)
        let c = try column("curve", in: header, path: path, dialect: dialect)
        let t = try column("time_s", in: header, path: path, dialect: dialect)
        let y = try column("intensity", in: header, path: path, dialect: dialect)
        var order: [String] = []
        var samples: [String: (times: [Double], values: [Double], lastLine: Int)] = [:]
        var line = 1
        while let row = reader.next() {
            line += 1
            if row.count == 1 && row[0].isEmpty { continue }  // blank line
            guard row.count > max(c, t, y) else {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: line, detail: "\(row.count) cells, expected \(header.count)")
            }
            let id = row[c]
            if let wanted, !wanted.contains(id) { continue }  // other curves are not parsed at all
            let time = try number(row[t], path: path, line: line, column: "time_s", dialect: dialect)
            let value = try number(row[y], path: path, line: line, column: "intensity", dialect: dialect)
            if samples[id] == nil {
                order.append(id)
                samples[id] = ([], [], line)
            }
            if let previous = samples[id]!.times.last, !(time > previous) {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: line,
                    detail: "curve \"\(id)\": time_s \(time) does not increase (previous sample at \(previous))")
            }
            samples[id]!.times.append(time)
            samples[id]!.values.append(value)
        }
        return order.map {
            NamedCurve(id: $0, samples: CurveSamples(times: samples[$0]!.times, values: samples[$0]!.values))
        }
    }

    static func readWide(
        _ reader: CSVReader, header: [String], path: String, timeColumn: String?, dialect: TableDialect,
        select: [String]?
    ) throws -> [NamedCurve] {
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
        var line = 1
        while let row = reader.next() {
            line += 1
            if row.count == 1 && row[0].isEmpty { continue }
            guard row.count == header.count else {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: line, detail: "\(row.count) cells, expected \(header.count)")
            }
            let time = try number(row[t], path: path, line: line, column: timeName, dialect: dialect)
            if let previous = times.last, !(time > previous) {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: line,
                    detail: "\(timeName) \(time) does not increase (previous row at \(previous))")
            }
            times.append(time)
            for (k, index) in curveColumns.enumerated() {
                values[k].append(
                    try number(row[index], path: path, line: line, column: header[index], dialect: dialect))
            }
        }
        return curveColumns.enumerated().map { k, index in
            NamedCurve(id: header[index], samples: CurveSamples(times: times, values: values[k]))
        }
    }
}
