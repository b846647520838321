import Foundation
import PerfusionFitting

/// The text and dialect of a table file as spreadsheets write them (README, "Tables from spreadsheets").
///
/// - Encoding: UTF-8 with or without a byte-order mark, UTF-16 with one; anything else is an error naming the line
///   of the first byte that is not UTF-8, unless Latin-1 is asked for (`--encoding latin1`).
/// - Separator: comma, semicolon or tab, whichever the header row holds most of (outside quotes).
/// - Decimal mark: a dot; a comma too when the separator is a semicolon or a tab (what Italian and German Excel
///   writes). `--delimiter` and `--decimal` override both.
public struct TableDialect: Sendable, Equatable {
    /// The separator between cells.
    public var delimiter: Character
    /// Whether numbers may use a decimal comma.
    public var decimalComma: Bool

    /// A dialect; `decimalComma` is only possible when the separator is not a comma.
    public init(delimiter: Character = ",", decimalComma: Bool = false) {
        self.delimiter = delimiter
        self.decimalComma = decimalComma && delimiter != ","
    }

    /// The separators recognised, by name for `--delimiter`.
    public static let delimiters: [String: Character] = [
        "comma": ",", "semicolon": ";", "tab": "\t", ",": ",", ";": ";",
    ]

    /// The dialect of a table whose first line is `header`.
    static func detect(header: String) -> TableDialect {
        var counts: [Character: Int] = [",": 0, ";": 0, "\t": 0]
        var quoted = false
        for c in header {
            if c == "\"" { quoted.toggle() }
            if !quoted, counts[c] != nil { counts[c]! += 1 }
        }
        let best = [",", ";", "\t"].map { Character($0) }.max { counts[$0]! < counts[$1]! }!
        let delimiter: Character = counts[best]! > 0 ? best : ","
        return TableDialect(delimiter: delimiter, decimalComma: delimiter != ",")
    }

    /// The separator detected in the first line of the file at `path` (a comma when it cannot be read).
    public static func sniff(_ path: String) -> Character {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "," }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
        return detect(header: String(head.prefix { $0 != "\n" && $0 != "\r\n" })).delimiter
    }

    /// `text` as a number in this dialect (a decimal comma read as a dot when allowed); nil when it is not one.
    func number(_ text: String) -> Double? {
        if let value = Double(text) { return value }
        guard decimalComma, text.contains(","), !text.contains(".") else { return nil }
        return Double(text.replacingOccurrences(of: ",", with: "."))
    }
}

/// Text encodings of table files.
public enum TableEncoding: String, Sendable, CaseIterable {
    /// UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark, recognised by themselves.
    case utf8
    /// ISO 8859-1, as older Excel versions save "CSV" on Windows.
    case latin1
}

/// Reads table files into text and a CSV reader in their dialect.
enum TableText {
    /// The text of `data` read from `path`.
    static func decode(_ data: Data, path: String, encoding: TableEncoding = .utf8) throws -> String {
        let bytes = [UInt8](data.prefix(3))
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard let text = String(data: data, encoding: .utf16) else {
                throw PerfusionAnalysisError.invalidTable(
                    path: path, line: 0, detail: "starts as UTF-16 but is not valid UTF-16; save it as UTF-8")
            }
            return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        }
        if encoding == .latin1, let text = String(data: data, encoding: .isoLatin1) { return text }
        var body = data
        if bytes == [0xEF, 0xBB, 0xBF] { body = data.dropFirst(3) }
        guard let text = String(data: body, encoding: .utf8) else {
            let (line, byte) = firstInvalidUTF8(body)
            throw PerfusionAnalysisError.invalidTable(
                path: path, line: line,
                detail:
                    "byte 0x\(String(byte, radix: 16, uppercase: true)) is not UTF-8; save the file as UTF-8 (Excel: \"CSV UTF-8\"), or pass --encoding latin1 if it is Latin-1"
            )
        }
        return text
    }

    /// Line (from 1) and value of the first byte of `data` that does not start or continue a valid UTF-8
    /// sequence.
    static func firstInvalidUTF8(_ data: Data) -> (Int, UInt8) {
        let bytes = [UInt8](data)
        var line = 1
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            guard length > 0, i + length <= bytes.count, bytes[(i + 1)..<(i + length)].allSatisfy({ $0 >> 6 == 0b10 })
            else { return (line, b) }
            if b == 0x0A { line += 1 }
            i += length
        }
        return (line, 0)
    }

    /// A reader of the table in `bytes` (read from `path`) in `dialect`, or the one its header row shows, with the
    /// UTF-8 bytes it reads. A UTF-8 file that is all ASCII (most tables) is used as it is, without making a String of
    /// it; other files are decoded (``decode(_:path:encoding:)``, with its errors) and re-encoded.
    static func reader(_ bytes: [UInt8], path: String, encoding: TableEncoding, dialect: TableDialect?) throws -> (
        ByteCSV, [UInt8], TableDialect
    ) {
        let utf16 = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
        if !utf16 && encoding == .utf8 && isASCII(bytes) {
            let end = bytes.firstIndex { $0 == 0x0A || $0 == 0x0D } ?? bytes.count
            let chosen = dialect ?? TableDialect.detect(header: String(decoding: bytes[..<end], as: UTF8.self))
            return (ByteCSV(delimiter: UInt8(ascii: chosen.delimiter.unicodeScalars.first!), path: path), bytes, chosen)
        }
        return reader(try decode(Data(bytes), path: path, encoding: encoding), path: path, dialect: dialect)
    }

    /// Whether every byte is below 0x80, eight bytes at a time; a large file in one part per core.
    static func isASCII(_ bytes: [UInt8], parts: Int = BatchFitter.coreCount, minimumSplitBytes: Int = 1 << 20) -> Bool
    {
        let count = bytes.count
        let parts = count >= minimumSplitBytes ? max(1, parts) : 1
        let answers = orderedParallelMap(parts, threads: parts, chunk: 1) { k in
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return true }
                return isASCII(base + k * count / parts, (k + 1) * count / parts - k * count / parts)
            }
        }
        return !answers.contains(false)
    }

    /// Whether the `count` bytes at `p` are all below 0x80.
    static func isASCII(_ p: UnsafeRawPointer, _ count: Int) -> Bool {
        var high: UInt64 = 0
        var i = 0
        while i + 8 <= count {
            high |= p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            high |= UInt64(p.load(fromByteOffset: i, as: UInt8.self))
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// A reader of `text` (header row first) in `dialect`, or the one its header row shows.
    static func reader(_ text: String, path: String, dialect: TableDialect?) -> (ByteCSV, [UInt8], TableDialect) {
        let header = String(text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" })
        let chosen = dialect ?? TableDialect.detect(header: header)
        return (
            ByteCSV(delimiter: UInt8(ascii: chosen.delimiter.unicodeScalars.first!), path: path), Array(text.utf8),
            chosen
        )
    }
}
