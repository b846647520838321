import Foundation

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
    public func render() -> String {
        var out = columns.map(Self.quote).joined(separator: ",") + "\n"
        for row in rows {
            out += row.map(Self.format).joined(separator: ",")
            out += "\n"
        }
        return out
    }

    /// Formats one cell.
    static func format(_ cell: CSVCell) -> String {
        switch cell {
        case .text(let s): return quote(s)
        case .integer(let i): return String(i)
        case .empty: return ""
        case .number(let v): return formatNumber(v)
        }
    }

    /// Up to 7 significant digits, `%g` style, empty for NaN and infinities.
    static func formatNumber(_ v: Double) -> String {
        guard v.isFinite else { return "" }
        if v == 0 { return "0" }
        // snprintf into a stack buffer (the C locale: a dot), not Foundation's String(format:), which costs ten
        // times as much per number.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let count = withVaList([v]) { vsnprintf(buffer.baseAddress!, 32, "%.7g", $0) }
            return String(
                decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(count)), as: UTF8.self)
        }
    }

    /// Quotes a field when it holds a comma, quote, or line break (RFC 4180).
    static func quote(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
