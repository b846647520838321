import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A byte-level CSV reader (RFC 4180): fields separated by one byte, records by LF, CRLF or CR; a field in double
/// quotes may hold the separator, line breaks and doubled quotes (`""` for `"`). Unquoted fields are trimmed of
/// spaces and tabs around them (a tab is never trimmed when it is the separator).
///
/// Rows are handed out as byte ranges into the text, so a number is parsed straight from its bytes and a column
/// that is not asked for costs nothing: no String is made unless a caller asks for one.
struct ByteCSV {
    /// One field: where its bytes are, and whether they hold doubled quotes to unescape.
    struct Field {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    /// One record, valid during the callback.
    struct Row {
        let bytes: UnsafeBufferPointer<UInt8>
        let fields: UnsafeBufferPointer<Field>
        /// Line (from 1) where the record starts.
        let line: Int

        var count: Int { fields.count }

        /// Whether the record is a blank line (one empty unquoted field).
        var isBlank: Bool {
            fields.count == 1 && fields[fields.startIndex].start == fields[fields.startIndex].end
        }

        /// Field `i` as text.
        func string(_ i: Int) -> String {
            let f = fields[fields.startIndex + i]
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[f.start..<f.end]), as: UTF8.self)
            return f.escaped ? text.replacingOccurrences(of: "\"\"", with: "\"") : text
        }

        /// Whether field `i` is empty.
        func isEmpty(_ i: Int) -> Bool {
            let f = fields[fields.startIndex + i]
            return f.start == f.end
        }

        /// Whether field `i` holds exactly `other`'s bytes.
        func equals(_ i: Int, _ other: [UInt8]) -> Bool {
            let f = fields[fields.startIndex + i]
            guard f.end - f.start == other.count else { return false }
            return other.withUnsafeBufferPointer {
                memcmp(bytes.baseAddress! + f.start, $0.baseAddress!, other.count) == 0
            }
        }

        /// The bytes of field `i`.
        func raw(_ i: Int) -> [UInt8] {
            let f = fields[fields.startIndex + i]
            return Array(bytes[f.start..<f.end])
        }

        /// Field `i` as a finite number (a decimal comma read as a dot when `decimalComma`); nil when it is not one.
        /// Parsed from the bytes with strtod in the C locale, without making a String.
        func number(_ i: Int, decimalComma: Bool) -> Double? {
            let f = fields[fields.startIndex + i]
            let length = f.end - f.start
            guard length > 0, length < 64 else { return nil }
            if let exact = ByteCSV.exactDecimal(bytes, f.start, f.end, decimalComma: decimalComma) {
                return exact
            }
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
                var commas = 0
                var dots = 0
                for k in 0..<length {
                    var byte = bytes[f.start + k]
                    // Only decimal notation: no hexadecimal floats, no nan or inf.
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "e"),
                        UInt8(ascii: "E"):
                        break
                    case UInt8(ascii: "."): dots += 1
                    case UInt8(ascii: ","):
                        guard decimalComma else { return nil }
                        commas += 1
                        byte = UInt8(ascii: ".")
                    default: return nil
                    }
                    buffer[k] = CChar(bitPattern: byte)
                }
                guard commas + dots <= 1 else { return nil }
                buffer[length] = 0
                var end: UnsafeMutablePointer<CChar>?
                let value = strtod(buffer.baseAddress!, &end)
                guard let end, end == buffer.baseAddress! + length, value.isFinite else { return nil }
                return value
            }
        }
    }

    let delimiter: UInt8
    /// The file, for messages.
    let path: String

    /// Calls `body` with every record of `text` (header first), in order; stops at the first error thrown.
    func forEachRow(_ text: [UInt8], _ body: (Row) throws -> Void) throws {
        try scan(text) { row in
            try body(row)
            return true
        }
    }

    /// Calls `body` with every record of `text[range]`, which must start at the beginning of a record of line
    /// `firstLine`; field positions are into the whole `text`.
    func forEachRow(_ text: [UInt8], in range: Range<Int>, firstLine: Int, _ body: (Row) throws -> Void) throws {
        try scan(text, range: range, firstLine: firstLine) { row in
            try body(row)
            return true
        }
    }

    /// The first record's cells: the header row; an error naming the file when there is none.
    func header(_ text: [UInt8]) throws -> [String] {
        var header: [String] = []
        try scan(text) { row in
            header = (0..<row.count).map(row.string)
            return false
        }
        guard !header.isEmpty, header != [""] else {
            throw PerfusionAnalysisError.invalidTable(path: path, line: 1, detail: "no header row")
        }
        return header
    }

    /// Calls `body` with every record after the header row, blank lines left out.
    func forEachDataRow(_ text: [UInt8], _ body: (Row) throws -> Void) throws {
        var first = true
        try forEachRow(text) { row in
            if first {
                first = false
            } else if !row.isBlank {
                try body(row)
            }
        }
    }

    /// The reader: calls `body` with each record until it returns false or throws.
    private func scan(
        _ text: [UInt8], range: Range<Int>? = nil, firstLine: Int = 1, _ body: (Row) throws -> Bool
    ) throws {
        try text.withUnsafeBufferPointer { bytes in
            // The fields of the current record, in memory owned here (no reference counting per row); doubled when
            // a record has more.
            var capacity = 64
            var storage = UnsafeMutablePointer<Field>.allocate(capacity: capacity)
            defer { storage.deallocate() }
            var count = 0
            @inline(__always) func append(_ field: Field) {
                if count == capacity {
                    let larger = UnsafeMutablePointer<Field>.allocate(capacity: 2 * capacity)
                    larger.moveInitialize(from: storage, count: count)
                    storage.deallocate()
                    storage = larger
                    capacity *= 2
                }
                (storage + count).initialize(to: field)
                count += 1
            }
            let n = range?.upperBound ?? bytes.count
            var i = range?.lowerBound ?? 0
            var line = firstLine
            let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
            let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
            func blank(_ b: UInt8) -> Bool { b == space || (b == tab && delimiter != tab) }
            while i < n {
                count = 0
                let startLine = line
                var endOfRecord = false
                while !endOfRecord {
                    // Leading blanks of a field.
                    var start = i
                    while start < n && blank(bytes[start]) { start += 1 }
                    if start < n && bytes[start] == quote {
                        // Quoted: up to the closing quote; "" is a quote inside.
                        var j = start + 1
                        var escaped = false
                        while true {
                            guard j < n else {
                                throw PerfusionAnalysisError.invalidTable(
                                    path: path, line: startLine,
                                    detail: "a quoted cell is not closed before the end of the file")
                            }
                            if bytes[j] == quote {
                                if j + 1 < n && bytes[j + 1] == quote {
                                    escaped = true
                                    j += 2
                                    continue
                                }
                                break
                            }
                            if bytes[j] == lf { line += 1 }
                            j += 1
                        }
                        append(Field(start: start + 1, end: j, escaped: escaped))
                        i = j + 1
                        while i < n && blank(bytes[i]) { i += 1 }
                        guard i == n || bytes[i] == delimiter || bytes[i] == lf || bytes[i] == cr else {
                            throw PerfusionAnalysisError.invalidTable(
                                path: path, line: line,
                                detail:
                                    "text after the closing quote of a cell (a quote inside a quoted cell is written \"\")"
                            )
                        }
                    } else {
                        var j = start
                        while j < n && bytes[j] != delimiter && bytes[j] != lf && bytes[j] != cr { j += 1 }
                        var end = j
                        while end > start && blank(bytes[end - 1]) { end -= 1 }
                        append(Field(start: start, end: end, escaped: false))
                        i = j
                    }
                    if i < n && bytes[i] == delimiter {
                        i += 1
                        continue
                    }
                    // End of the record: LF, CRLF, CR or the end of the text.
                    if i < n && bytes[i] == cr { i += 1 }
                    if i < n && bytes[i] == lf { i += 1 }
                    line += 1
                    endOfRecord = true
                }
                let row = Row(bytes: bytes, fields: UnsafeBufferPointer(start: storage, count: count), line: startLine)
                guard try body(row) else { return }
            }
        }
    }
}

extension ByteCSV {
    /// Every record of `text` as text fields (for small tables: manifests, our own results), blank lines left out.
    func records(_ text: [UInt8]) throws -> [(line: Int, cells: [String])] {
        var out: [(line: Int, cells: [String])] = []
        try forEachRow(text) { row in
            guard !row.isBlank else { return }
            out.append((row.line, (0..<row.count).map(row.string)))
        }
        return out
    }
}

extension ByteCSV {
    /// Powers of ten that are exact in Double (10^0 ... 10^22).
    static let exactPowersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { a, _ in a * 10 } }

    /// The number in `bytes[start..<end]` when it is a plain decimal `[+-]digits[.digits][(e|E)[+-]digits]` with at
    /// most 19 significant digits, correctly rounded (the value strtod gives); nil for anything else and for the rare
    /// numbers the two fast methods cannot decide, which strtod then reads.
    ///
    /// - Up to 15 digits and a power of ten within 10^±22: the mantissa and the power are exact Doubles, so one
    ///   multiplication or division rounds once (Clinger's fast path; W. D. Clinger, "How to read floating point
    ///   numbers accurately", PLDI 1990). Echoflow writes 7 digits; spreadsheets rarely more than 15.
    /// - Otherwise (a Double written out in full has 16 or 17): ``eiselLemire(_:_:negative:)``.
    @inline(__always)
    static func exactDecimal(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, decimalComma: Bool)
        -> Double?
    {
        var i = start
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0  // significant digits taken (leading zeros are not)
        var seen = 0  // digits of any kind
        var fraction = 0  // digits after the separator
        var separator = false
        while i < end {
            let b = bytes[i]
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                seen += 1
                if separator { fraction += 1 }
                if mantissa != 0 || b != UInt8(ascii: "0") {
                    digits += 1
                    guard digits <= 19 else { return nil }
                    mantissa = mantissa &* 10 &+ UInt64(b - UInt8(ascii: "0"))
                }
            } else if !separator && (b == UInt8(ascii: ".") || (decimalComma && b == UInt8(ascii: ","))) {
                separator = true
            } else {
                break
            }
            i += 1
        }
        guard seen > 0 else { return nil }
        var exponent = 0
        if i < end {
            guard bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E"), i + 1 < end else { return nil }
            i += 1
            var negativeExponent = false
            if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                negativeExponent = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < end, end - i <= 4 else { return nil }
            while i < end {
                let b = bytes[i]
                guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
                exponent = exponent * 10 + Int(b - UInt8(ascii: "0"))
                i += 1
            }
            if negativeExponent { exponent = -exponent }
        }
        let scale = exponent - fraction
        guard digits <= 15 && scale >= -22 && scale <= 22 else {
            return eiselLemire(mantissa, scale, negative: negative)
        }
        let m = Double(mantissa)
        let value = scale >= 0 ? m * exactPowersOfTen[scale] : m / exactPowersOfTen[-scale]
        return negative ? -value : value
    }

    /// The Double nearest to `w 10^q` (ties to even), or nil when it is subnormal, infinite, or one of the rare
    /// cases where 128 bits of the power of ten cannot decide the rounding.
    ///
    /// The normalized mantissa is multiplied by the 128-bit approximation of 5^q (``powersOfFive``; the factor 2^q
    /// and the binary exponent of 10^q, floor(q log2 10) = (217706 q) >> 16, go to the exponent). The upper 64 bits of
    /// the product hold the result's 54 leading bits and nine more; only when those nine are all ones (the product
    /// may carry into them) is the lower half of the power multiplied in too, and only when even that leaves a carry
    /// possible, or the value sits exactly halfway between two Doubles, is the answer left to strtod. D. Lemire,
    /// "Number parsing at a gigabyte per second", Software: Practice and Experience 51 (2021), doi:10.1002/spe.2984,
    /// §5 (the algorithm of M. Eisel).
    @inline(__always)
    static func eiselLemire(_ w: UInt64, _ q: Int, negative: Bool) -> Double? {
        if w == 0 { return negative ? -0.0 : 0.0 }
        guard q >= lowestPowerOfTen && q <= 308 else { return nil }
        let shift = w.leadingZeroBitCount
        let normalized = w << UInt64(shift)
        let power = powersOfFive[q - lowestPowerOfTen]
        var (high, low) = normalized.multipliedFullWidth(by: power.high)
        if high & 0x1FF == 0x1FF && low &+ normalized < normalized {
            let (carryHigh, carryLow) = normalized.multipliedFullWidth(by: power.low)
            let mergedLow = low &+ carryHigh
            let mergedHigh = high &+ (mergedLow < low ? 1 : 0)
            if mergedHigh & 0x1FF == 0x1FF && mergedLow &+ 1 == 0 && carryLow &+ normalized < normalized { return nil }
            (high, low) = (mergedHigh, mergedLow)
        }
        let top = high >> 63
        var mantissa = high >> (top + 9)
        var exponent = ((217_706 * q) >> 16) + 64 + 1023 - shift - Int(1 ^ top)
        // Exactly halfway between two Doubles: round-half-even needs the digits the product dropped.
        if low == 0 && high & 0x1FF == 0 && mantissa & 3 == 1 { return nil }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >> 53 > 0 {
            mantissa >>= 1
            exponent += 1
        }
        guard exponent >= 1 && exponent < 0x7FF else { return nil }
        let bits = UInt64(exponent) << 52 | mantissa & 0x000F_FFFF_FFFF_FFFF | (negative ? 1 << 63 : 0)
        return Double(bitPattern: bits)
    }
}
