import Foundation

/// Reads CSV written by Echoflow in tests: RFC 4180 quoting, header row first. Independent of the writer.
struct CSVFile {
    let header: [String]
    let rows: [[String]]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var records: [[String]] = []
        var field = ""
        var record: [String] = []
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        field.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field)
                field = ""
            } else if c == "\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.append(c)
            }
        }
        header = records.first ?? []
        rows = Array(records.dropFirst())
    }

    /// Rows as dictionaries by column name.
    var dictionaries: [[String: String]] {
        rows.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }
}
