import Foundation

/// Plain-text tables for terminals: left-aligned columns two spaces apart, numbers to 4 significant digits.
public enum TextTable {
    /// The table with a header line.
    public static func render(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    /// A number for a terminal table: 4 significant digits (exponent form outside 1e-3 ... 1e5), `-` when
    /// missing or not finite.
    public static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "-" }
        if v != 0 && (abs(v) >= 1e5 || abs(v) < 1e-3) { return String(format: "%.3e", v) }
        return String(format: "%.4g", v)
    }
}
