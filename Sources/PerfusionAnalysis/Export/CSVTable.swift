import Foundation
import PerfusionFitting

/// A cell of an output table.
enum CSVCell: Sendable, Equatable {
    case text(String)
    case number(Double)
    case integer(Int)
    case empty
}

/// Writes RFC 4180 CSV with locale-free numbers: `.` as decimal separator, up to 7 significant digits, an
/// empty cell for values that could not be computed (never `nan`).
public struct CSVTable: Sendable {
    let columns: [String]
    private(set) var rows: [[CSVCell]] = []

    init(columns: [String]) {
        self.columns = columns
    }

    mutating func append(_ row: [CSVCell]) {
        precondition(row.count == columns.count, "row has \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    /// The table as CSV text with a header line and `\n` line ends.
    ///
    /// Cells are written straight into bytes (no String per cell), blocks of rows on every core and joined in order.
    public func render() -> String {
        let rows = rows
        let bytes = Self.renderBytes(columns: columns, count: rows.count) { i, bytes in
            for (k, cell) in rows[i].enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.append(cell, to: &bytes)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// CSV bytes: the header line of `columns`, then `count` rows, row `i` written by `row(i, &bytes)` (its cells
    /// separated by commas; the line end is added here). Blocks of 256 rows are written on every core and joined in
    /// order, so the bytes do not depend on the thread count.
    static func renderBytes(
        columns: [String], count: Int, _ row: @Sendable (Int, inout [UInt8]) -> Void
    ) -> [UInt8] {
        var out: [UInt8] = []
        for (k, name) in columns.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            appendQuoted(name, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
        let block = 256
        let blocks = orderedParallelMap((count + block - 1) / block, threads: BatchFitter.coreCount, chunk: 1) {
            b -> [UInt8] in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(block * 16 * columns.count)
            for i in (b * block)..<min(count, (b + 1) * block) {
                row(i, &bytes)
                bytes.append(UInt8(ascii: "\n"))
            }
            return bytes
        }
        out.reserveCapacity(out.count + blocks.reduce(0) { $0 + $1.count })
        for bytes in blocks { out.append(contentsOf: bytes) }
        return out
    }

    /// Appends one cell's text.
    static func append(_ cell: CSVCell, to out: inout [UInt8]) {
        switch cell {
        case .text(let s): appendQuoted(s, to: &out)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .empty: break
        case .number(let v): appendNumber(v, to: &out)
        }
    }

    /// Formats one cell.
    static func format(_ cell: CSVCell) -> String {
        var bytes: [UInt8] = []
        append(cell, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Up to 7 significant digits, `%g` style, empty for NaN and infinities.
    static func formatNumber(_ v: Double) -> String {
        var bytes: [UInt8] = []
        appendNumber(v, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``formatNumber(_:)`` of `v` (``SevenDigits``: the C library's `%.7g`, computed here).
    static func appendNumber(_ v: Double, to out: inout [UInt8]) {
        SevenDigits.append(v, to: &out)
    }

    /// Quotes a field when it holds a comma, quote, or line break (RFC 4180).
    static func quote(_ s: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(s, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``quote(_:)`` of `s`.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        let utf8 = s.utf8
        let special = utf8.contains {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r")
        }
        guard special else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for byte in utf8 {
            out.append(byte)
            if byte == UInt8(ascii: "\"") { out.append(byte) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
