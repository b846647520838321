import CEUSImaging
import Foundation

/// A table Echoflow wrote, read back: its header and rows as text fields, with access by column name.
///
/// Only for our own outputs (`parameters.csv`, `tic.csv`, `errors.csv` of a results folder); tables from other
/// software are read by ``CurveTableReader``.
struct ResultTable: Sendable {
    let path: String
    let header: [String]
    let rows: [[String]]
    let position: [String: Int]

    init(path: String, header: [String], rows: [[String]]) {
        self.path = path
        self.header = header
        self.rows = rows
        position = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Reads `path`; a missing or unreadable file is ``PerfusionAnalysisError/missingInput(path:)``.
    static func read(_ path: String) throws -> ResultTable {
        guard let data = FileBytes.read(path) else { throw PerfusionAnalysisError.missingInput(path: path) }
        var records = try ByteCSV(delimiter: UInt8(ascii: ","), path: path).records([UInt8](data))[...]
        let header = records.popFirst()?.cells ?? []
        var rows: [[String]] = []
        rows.reserveCapacity(records.count)
        for (_, row) in records {
            guard row.count == header.count else {
                throw PerfusionAnalysisError.unusableResults(
                    path: path, detail: "a row has \(row.count) fields for \(header.count) columns (damaged file)")
            }
            rows.append(row)
        }
        return ResultTable(path: path, header: header, rows: rows)
    }

    /// Fails unless the header holds every column of `names` (a file from an older or other program).
    func require(_ names: [String]) throws {
        let missing = names.filter { position[$0] == nil }
        guard missing.isEmpty else {
            throw PerfusionAnalysisError.unusableResults(
                path: path,
                detail:
                    "no column \(missing.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")): not written by this version of Echoflow; run the batch again"
            )
        }
    }

    /// The rows as records.
    var records: [ResultRecord] { rows.map { ResultRecord(table: self, fields: $0) } }
}

/// One row of a ``ResultTable``.
struct ResultRecord: Sendable {
    let table: ResultTable
    let fields: [String]

    /// The field of column `name` (nil when the table has no such column).
    subscript(_ name: String) -> String? { table.position[name].map { fields[$0] } }

    /// The number in column `name`; nil when the column is missing or the cell empty or not a number.
    func number(_ name: String) -> Double? { self[name].flatMap(Double.init) }
}
