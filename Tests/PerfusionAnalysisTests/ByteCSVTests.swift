import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis

@Suite("The byte-level CSV reader against Python's csv module")
struct ByteCSVTests {
    /// Awkward but valid files: quoting, doubled quotes, separators and line breaks inside quotes, empty cells,
    /// very long cells, CRLF and CR line ends, a last line without its line end, other separators.
    static let corpus: [(name: String, text: String, delimiter: String)] = [
        ("plain", "a,b,c\n1,2,3\n4,5,6\n", ","),
        ("quoted separators", "a,b\n\"x,y\",2\n\"p,q,r\",3\n", ","),
        ("doubled quotes", "a,b\n\"say \"\"hi\"\"\",1\n\"\"\"\",2\n", ","),
        ("line breaks in quotes", "a,b\n\"two\nlines\",1\n\"three\r\nlines\nhere\",2\n", ","),
        ("empty cells", "a,b,c\n,,\n1,,3\n,2,\n", ","),
        ("empty quoted cells", "a,b\n\"\",\"\"\n", ","),
        ("CRLF", "a,b\r\n1,2\r\n3,4\r\n", ","),
        ("CR only", "a,b\r1,2\r3,4\r", ","),
        ("no final line end", "a,b\n1,2", ","),
        ("a very long cell", "a,b\n" + String(repeating: "x", count: 100_000) + ",1\n", ","),
        ("a long quoted cell", "a\n\"" + String(repeating: "y,\n", count: 5_000) + "\"\n", ","),
        ("unicode", "name,city\nMüller,Zürich\n\"Ødegård, K.\",Tromsø\n", ","),
        ("semicolons", "a;b;c\n1,5;2,5;\"x;y\"\n", ";"),
        ("tabs", "a\tb\n1\t\n\t2\n", "\t"),
        ("one column", "only\n1\n2\n", ","),
        ("ragged rows", "a,b,c\n1\n1,2,3,4\n", ","),
    ]

    /// What Python's csv module reads (strict RFC 4180 quoting), as a JSON list of rows, blank lines left out, cells
    /// trimmed of blanks around them as the reader does for unquoted cells.
    static func python(_ path: String, delimiter: String) throws -> [[String]] {
        let script = """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8') as f:
                rows = [r for r in csv.reader(f, delimiter=sys.argv[2], strict=True) if r != []]
            json.dump(rows, sys.stdout)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path, delimiter]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 failed on \(path)")
        return try JSONDecoder().decode([[String]].self, from: data)
    }

    @Test("every file of the corpus gives the rows and cells Python's csv gives", arguments: corpus.map(\.name))
    func againstPython(name: String) throws {
        let entry = Self.corpus.first { $0.name == name }!
        let path = TestPaths.temporaryFolder("csv") + "/t.csv"
        try entry.text.write(toFile: path, atomically: true, encoding: .utf8)
        let expected = try Self.python(path, delimiter: entry.delimiter)
        let reader = ByteCSV(delimiter: UInt8(ascii: Unicode.Scalar(entry.delimiter)!), path: path)
        let rows = try reader.records(Array(entry.text.utf8)).map(\.cells)
        // Python keeps a row of one empty cell for "\"\"" but drops blank lines; ours drops both only when blank.
        #expect(rows == expected, "\(name)")
    }

    @Test("numbers are parsed from bytes: decimal notation only, a decimal comma only when asked")
    func numbers() throws {
        let text = Array("1.5,-2e3,1e-7,nan,inf,0x1p3,1.2.3,,+4,\" 7 \",1,5\n".utf8)
        var parsed: [Double?] = []
        try ByteCSV(delimiter: UInt8(ascii: ","), path: "t").forEachRow(text) { row in
            parsed = (0..<row.count).map { row.number($0, decimalComma: false) }
        }
        #expect(parsed[0] == 1.5 && parsed[1] == -2000 && parsed[2] == 1e-7)
        #expect(parsed[3] == nil && parsed[4] == nil && parsed[5] == nil && parsed[6] == nil && parsed[7] == nil)
        #expect(parsed[8] == 4)
        var comma: Double?
        try ByteCSV(delimiter: UInt8(ascii: ";"), path: "t").forEachRow(Array("1,25;x\n".utf8)) { row in
            comma = row.number(0, decimalComma: true)
        }
        #expect(comma == 1.25)
    }

    @Test("an unclosed quote and text after a closing quote are errors naming the line")
    func malformed() {
        let reader = ByteCSV(delimiter: UInt8(ascii: ","), path: "t.csv")
        #expect(
            throws: PerfusionAnalysisError.invalidTable(
                path: "t.csv", line: 2, detail: "a quoted cell is not closed before the end of the file")
        ) {
            try reader.records(Array("a,b\n\"open,1\n2,3\n".utf8))
        }
        #expect(throws: PerfusionAnalysisError.self) { try reader.records(Array("a\n\"x\"y\n".utf8)) }
    }

    /// glibc's strtod on the whole of `text` (the reference): nil unless it reads every byte to a finite value.
    static func strtodReference(_ text: String, decimalComma: Bool) -> Double? {
        var t = text
        // As the reader: with a decimal comma, one separator, a comma or a dot; without, no comma.
        if decimalComma {
            guard t.filter({ $0 == "," || $0 == "." }).count <= 1 else { return nil }
            t = t.replacingOccurrences(of: ",", with: ".")
        } else if t.contains(",") {
            return nil
        }
        guard !t.isEmpty, t.allSatisfy({ "0123456789+-eE.".contains($0) }) else { return nil }
        return t.withCString { c -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(c, &end)
            return end == UnsafeMutablePointer(mutating: c) + t.utf8.count && v.isFinite ? v : nil
        }
    }

    @Test("the exact fast path for short decimals gives strtod's value bit for bit, and leaves everything else to it")
    func exactDecimals() {
        var rng = TestRandom(seed: 77)
        var texts: [String] = [
            "0", "-0", "+0.0", ".5", "5.", "-.25", "1e5", "1E-3", "1e+05", "1e", "e5", "-", ".", "+",
            "1.5.3", "1e-", "00000000000000000001", "0.0000000000000000000000001", "123456789012345",
            "1234567890123456",
            "9007199254740993", "1e22", "1e23", "1e-22", "1e-23", "4.9e-324", "1e400", "0x10", "1,5", "1.234,5", "--1",
            "1e5.5", "12345678901234.5", "0.1", "0.2", "0.3",
        ]
        // Numbers as programs write them: 1 to 17 significant digits, fixed and exponent notation, all magnitudes.
        for _ in 0..<20_000 {
            let v = (rng.uniform() - 0.5) * pow(10, Double(Int(rng.uniform() * 40) - 20))
            let digits = 1 + Int(rng.uniform() * 17)
            texts.append(String(format: rng.uniform() < 0.5 ? "%.\(digits)g" : "%.\(digits)e", v))
            texts.append(String(format: "%.\(Int(rng.uniform() * 12))f", v))
        }
        // Random strings over the characters a number may hold.
        let alphabet = Array("0123456789.,eE+-")
        for _ in 0..<20_000 {
            texts.append(String((0..<(1 + Int(rng.uniform() * 12))).map { _ in alphabet[Int(rng.uniform() * 16)] }))
        }
        var fast = 0
        for text in texts {
            for comma in [false, true] {
                let bytes = Array(text.utf8)
                let exact = bytes.withUnsafeBufferPointer {
                    ByteCSV.exactDecimal($0, 0, bytes.count, decimalComma: comma)
                }
                guard let exact else { continue }
                fast += 1
                let reference = Self.strtodReference(text, decimalComma: comma)
                #expect(
                    reference?.bitPattern == exact.bitPattern,
                    "\(text) (decimal comma \(comma)): \(exact) vs \(String(describing: reference))")
            }
        }
        // Most numbers written with up to 15 digits take the fast path.
        #expect(fast > 30_000, "\(fast) numbers took the fast path")
    }

    @Test("numbers written in full (16 to 19 digits, any exponent) read without strtod give its value bit for bit")
    func fullDigits() {
        var rng = TestRandom(seed: 78)
        var texts: [String] = [
            // Halfway between two Doubles (2^53 + 1) and next to it; the largest and smallest normal Doubles;
            // subnormals and overflow (left to strtod); 19 digits (the most a 64-bit mantissa holds) and 20.
            "9007199254740993", "9007199254740992", "9007199254740994", "9007199254740993.0000000000001",
            "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "2.2250738585072014e-308",
            "2.2250738585072011e-308", "4.9406564584124654e-324", "1e-320", "9999999999999999999",
            "18446744073709551615", "1234567890123456789e-300", "0.1000000000000000055511151231257827",
            "0.30000000000000004", "-0.0000000000000000000000000000000000000000000000000000000000000000000001",
        ]
        for _ in 0..<40_000 {
            // Any finite Double, from its bits, printed as programs print them in full.
            var bits: UInt64 = 0
            repeat { bits = rng.next() } while Double(bitPattern: bits).isNaN || Double(bitPattern: bits).isInfinite
            let v = Double(bitPattern: bits)
            texts.append(String(format: ["%.17g", "%.16e", "%.15e", "%.18g"][Int(rng.uniform() * 4)], v))
        }
        for _ in 0..<20_000 {
            // Intensities: 16 to 19 digits, magnitudes 1e-12 to 1e6.
            let v = rng.uniform() * pow(10, Double(Int(rng.uniform() * 18) - 12))
            texts.append(String(format: "%.\(15 + Int(rng.uniform() * 4))g", v))
        }
        var fast = 0
        var full = 0
        for text in texts {
            let bytes = Array(text.utf8)
            let reference = Self.strtodReference(text, decimalComma: false)
            if reference != nil, reference != 0, abs(reference!) >= 2.2250738585072014e-308 { full += 1 }
            guard
                let exact = bytes.withUnsafeBufferPointer({
                    ByteCSV.exactDecimal($0, 0, bytes.count, decimalComma: false)
                })
            else { continue }
            fast += 1
            #expect(reference?.bitPattern == exact.bitPattern, "\(text): \(exact) vs \(String(describing: reference))")
        }
        // Every normal Double printed with up to 19 digits takes the fast path but the rare undecided ones.
        #expect(Double(fast) >= 0.999 * Double(full), "\(fast) of \(full) normal numbers took the fast path")
    }

    @Test("the table of powers of five matches 5^q computed here with big integers")
    func powersOfFive() {
        // Independent of the Python generator: 5^q for q = 0 ... 55 by exact 128-bit multiplication, shifted to bit 127.
        var value: (high: UInt64, low: UInt64) = (0, 1)
        for q in 0...55 {
            var (h, l) = value
            let lead = h != 0 ? h.leadingZeroBitCount : 64 + l.leadingZeroBitCount
            if lead >= 64 {
                (h, l) = (l << UInt64(lead - 64), 0)
            } else if lead > 0 {
                (h, l) = (h << UInt64(lead) | l >> UInt64(64 - lead), l << UInt64(lead))
            }
            let entry = ByteCSV.powersOfFive[q - ByteCSV.lowestPowerOfTen]
            #expect(entry.high == h && entry.low == l, "5^\(q)")
            // value *= 5 (fits 128 bits up to 5^55).
            let (carry, lowPart) = value.low.multipliedFullWidth(by: 5)
            value = (value.high &* 5 &+ carry, lowPart)
        }
        #expect(ByteCSV.powersOfFive.count == 308 - ByteCSV.lowestPowerOfTen + 1)
    }

    @Test("a byte is marked as no digit exactly when it is not 0-9, in every position of a word")
    func nonDigitMarks() {
        for position in 0..<8 {
            for value in 0...255 {
                // The other bytes digits or not, so a carry from a neighbour would show.
                for filler: UInt8 in [UInt8(ascii: "7"), 0xFF, 0x00, UInt8(ascii: "9") + 1] {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[position] = UInt8(value)
                    let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    let marks = ByteCSV.nonDigits(word)
                    for k in 0..<8 {
                        let marked = marks >> UInt64(8 * k + 7) & 1 == 1
                        let digit = bytes[k] >= UInt8(ascii: "0") && bytes[k] <= UInt8(ascii: "9")
                        #expect(marked != digit, "byte \(bytes[k]) at \(k) (tested \(value) at \(position))")
                    }
                    #expect(marks & ~0x8080_8080_8080_8080 == 0)
                }
            }
        }
    }

    @Test("numbers followed by more of the row (the last digits read eight bytes at a time) give strtod's value")
    func numbersInsideRows() {
        var rng = TestRandom(seed: 79)
        var texts: [String] = ["0", "7", "12", "0.5", "1234567", "12345678", "123456789", "0.0786447431165497"]
        for _ in 0..<30_000 {
            let v = rng.uniform() * pow(10, Double(Int(rng.uniform() * 16) - 8))
            let digits = 1 + Int(rng.uniform() * 18)
            texts.append(
                String(format: ["%.\(digits)g", "%.\(digits)e", "%.\(digits % 12)f"][Int(rng.uniform() * 3)], v))
        }
        var parsedCount = 0
        for text in texts {
            let reference = Self.strtodReference(text, decimalComma: false)
            // Then a separator and the rest of a row, or a line end, or a letter that ends the number early.
            for after in [",0.25\n", "\n", "\r\nc1,", ";", "x12345678"] {
                let bytes = Array((text + after).utf8)
                let parsed = bytes.withUnsafeBufferPointer {
                    ByteCSV.decimalPrefix($0, 0, bytes.count, decimalComma: false)
                }
                guard let reference else { continue }
                guard let (value, stop) = parsed else {
                    // Left to strtod only for more than 19 significant digits or an undecided rounding.
                    continue
                }
                parsedCount += 1
                #expect(stop == text.utf8.count, "\(text)\(after): stopped at \(stop)")
                #expect(value.bitPattern == reference.bitPattern, "\(text)\(after): \(value) vs \(reference)")
            }
        }
        // All but the few numbers with more than 19 significant digits are read here (five rows each).
        #expect(parsedCount > 5 * texts.count * 9 / 10, "\(parsedCount) of \(5 * texts.count)")
    }
}
