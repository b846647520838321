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
        /// Where the next record starts (just after this one's line end), and its line.
        var end = 0
        var endLine = 0

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

    /// Where the record after the first one of `text[range]` starts (the first starting on line `firstLine`), and its
    /// line; the end of the range when there is one record or none.
    func afterFirstRecord(_ text: [UInt8], in range: Range<Int>, firstLine: Int) throws -> (start: Int, line: Int) {
        var next = (range.upperBound, firstLine)
        try scan(text, range: range, firstLine: firstLine) { row in
            next = (row.end, row.endLine)
            return false
        }
        return next
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

    /// Whether `byte` is trimmed around unquoted cells: a space, or a tab unless the tab separates cells.
    @inline(__always)
    static func isBlank(_ byte: UInt8, _ delimiter: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (byte == UInt8(ascii: "\t") && delimiter != UInt8(ascii: "\t"))
    }

    /// The first separator, LF or CR at or after `start` (`n` when there is none), eight bytes at a time: in
    /// `x = word ^ byte...byte` the bytes equal to `byte` are zero, and `(x - 0x01..01) & ~x & 0x80..80` marks the
    /// lowest zero byte exactly (a borrow can mark a byte above it too, never one below), so the lowest mark of the three
    /// tests is the first byte that ends the field.
    @inline(__always)
    func fieldEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to n: Int) -> Int {
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        let separators = UInt64(delimiter) &* ones
        var j = start
        while j + 8 <= n {
            let word = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            let a = word ^ separators
            let b = word ^ 0x0A0A_0A0A_0A0A_0A0A
            let c = word ^ 0x0D0D_0D0D_0D0D_0D0D
            let marks = ((a &- ones) & ~a | (b &- ones) & ~b | (c &- ones) & ~c) & tops
            if marks != 0 { return j + marks.trailingZeroBitCount >> 3 }
            j += 8
        }
        while j < n && bytes[j] != delimiter && bytes[j] != UInt8(ascii: "\n") && bytes[j] != UInt8(ascii: "\r") {
            j += 1
        }
        return j
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
            while i < n {
                count = 0
                let startLine = line
                var endOfRecord = false
                while !endOfRecord {
                    // Leading blanks of a field.
                    var start = i
                    while start < n && ByteCSV.isBlank(bytes[start], delimiter) { start += 1 }
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
                        while i < n && ByteCSV.isBlank(bytes[i], delimiter) { i += 1 }
                        guard i == n || bytes[i] == delimiter || bytes[i] == lf || bytes[i] == cr else {
                            throw PerfusionAnalysisError.invalidTable(
                                path: path, line: line,
                                detail:
                                    "text after the closing quote of a cell (a quote inside a quoted cell is written \"\")"
                            )
                        }
                    } else {
                        let j = fieldEnd(bytes, from: start, to: n)
                        var end = j
                        while end > start && ByteCSV.isBlank(bytes[end - 1], delimiter) { end -= 1 }
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
                let row = Row(
                    bytes: bytes, fields: UnsafeBufferPointer(start: storage, count: count), line: startLine, end: i,
                    endLine: line)
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
    /// The value of eight ASCII digits loaded little-endian (the first digit in the lowest byte): pairs of digits
    /// combined into 0-99 in every other byte, pairs of those into 0-9999 in two 32-bit halves by one multiply each,
    /// and the halves into the 8-digit number by the same multiply's upper half. Three multiplications instead of
    /// eight (Lemire 2021, §6, the SWAR method).
    @inline(__always)
    static func eightDigitsValue(_ word: UInt64) -> UInt64 {
        var v = word &- 0x3030_3030_3030_3030
        v = (v &* 10) &+ (v >> 8)
        let pairs: UInt64 = 0x0000_00FF_0000_00FF
        return ((v & pairs) &* (100 &+ (1_000_000 << 32)) &+ ((v >> 16) & pairs) &* (1 &+ (10_000 << 32))) >> 32
    }

    /// Appends the digits at `bytes[i...]` (up to the first byte that is not one) to `mantissa`, eight bytes at a time;
    /// nil when they would make more than 19 significant digits (`digits` counts them). Every digit taken here is
    /// significant: callers skip leading zeros first.
    ///
    /// Each load of eight bytes marks the bytes that are not digits (``nonDigits(_:)``); the digits before the first
    /// mark, k of them, are moved to the top of the word with '0' below them, and ``eightDigitsValue(_:)`` reads them
    /// as one number, appended as `mantissa` 10^k + value. So a number's last few digits cost one step rather than a
    /// loop of k. Only the last seven bytes of the text are read one at a time.
    @inline(__always)
    static func appendDigits(
        _ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, _ mantissa: inout UInt64, _ digits: inout Int
    ) -> Bool {
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        while i + 8 <= end {
            let word = (raw + i).loadUnaligned(as: UInt64.self)
            let marks = nonDigits(word)
            let k = marks.trailingZeroBitCount >> 3  // 8 when every byte is a digit
            guard k > 0 else { return true }
            digits += k
            guard digits <= 19 else { return false }
            if k == 8 {
                mantissa = mantissa &* 100_000_000 &+ eightDigitsValue(word)
                i += 8
                continue
            }
            let shift = UInt64(8 - k) << 3
            let padded = word << shift | 0x3030_3030_3030_3030 >> (64 - shift)
            mantissa = mantissa &* smallPowersOfTen[k] &+ eightDigitsValue(padded)
            i += k
            return true
        }
        while i < end {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d < 10 else { break }
            digits += 1
            guard digits <= 19 else { return false }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        return true
    }

    /// The top bit of every byte of `word` that is not an ASCII digit. With x = word ^ 0x30..30 a digit's byte is 0 to 9;
    /// (x & 0x7F) + 0x76 reaches 0x80 exactly for 10 to 0x7F (and never carries into the next byte), and `| x` marks
    /// the bytes from 0x80 up.
    @inline(__always)
    static func nonDigits(_ word: UInt64) -> UInt64 {
        let x = word ^ 0x3030_3030_3030_3030
        return ((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676 | x) & 0x8080_8080_8080_8080
    }

    /// 10^0 ... 10^8.
    static let smallPowersOfTen: [UInt64] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

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
        guard let (value, stop) = decimalPrefix(bytes, start, end, decimalComma: decimalComma), stop == end else {
            return nil
        }
        return value
    }

    /// The number at the start of `bytes[start..<limit]` as ``exactDecimal(_:_:_:decimalComma:)`` reads it, and where
    /// it ends (the first byte that cannot continue it); nil when no number starts there or it is left to strtod. The
    /// exponent, when there is one, has one to four digits.
    @inline(__always)
    static func decimalPrefix(
        _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, decimalComma: Bool
    ) -> (Double, Int)? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0  // significant digits taken (leading zeros are not)
        // The integer part: leading zeros, then significant digits.
        let integerStart = i
        while i < end && bytes[i] == UInt8(ascii: "0") { i += 1 }
        guard appendDigits(bytes, &i, end, &mantissa, &digits) else { return nil }
        var seen = i - integerStart  // digits of any kind
        var fraction = 0  // digits after the separator
        if i < end && (bytes[i] == UInt8(ascii: ".") || (decimalComma && bytes[i] == UInt8(ascii: ","))) {
            i += 1
            let fractionStart = i
            // Zeros after the separator are leading zeros too while nothing significant came before them.
            if mantissa == 0 { while i < end && bytes[i] == UInt8(ascii: "0") { i += 1 } }
            guard appendDigits(bytes, &i, end, &mantissa, &digits) else { return nil }
            fraction = i - fractionStart
            seen += fraction
        }
        guard seen > 0 else { return nil }
        var exponent = 0
        if i < end && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            var negativeExponent = false
            if i < end && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                negativeExponent = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            while i < end {
                let d = bytes[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                guard i - exponentStart < 4 else { return nil }
                exponent = exponent * 10 + Int(d)
                i += 1
            }
            guard i > exponentStart else { return nil }
            if negativeExponent { exponent = -exponent }
        }
        let scale = exponent - fraction
        guard digits <= 15 && scale >= -22 && scale <= 22 else {
            return eiselLemire(mantissa, scale, negative: negative).map { ($0, i) }
        }
        let m = Double(mantissa)
        let value = scale >= 0 ? m * exactPowersOfTen[scale] : m / exactPowersOfTen[-scale]
        return (negative ? -value : value, i)
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
