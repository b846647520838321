import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis

@Suite("Long tables read in parts on several cores")
struct LongSplitTests {
    /// The curves or the error message of reading `text` in `parts` parts (every size of file split).
    enum Outcome: Equatable {
        case curves([NamedCurve])
        case error(String)
    }

    /// (`plain` false: the general reader alone, without the loop for plain rows.)
    static func read(_ text: String, parts: Int, select: [String]? = nil, plain: Bool = true) -> Outcome {
        let (reader, bytes, dialect) = TableText.reader(text, path: "t.csv", dialect: nil)
        do {
            return .curves(
                try CurveTableReader.readLong(
                    reader, bytes, path: "t.csv", dialect: dialect, select: select, parts: parts, minimumSplitBytes: 0,
                    plainRows: plain))
        } catch {
            return .error("\(error)")
        }
    }

    /// A long table of interleaved curves with the line ends, blank lines and the one fault of `seed`.
    func table(seed: UInt64) -> String {
        var rng = TestRandom(seed: seed)
        let ends = ["\n", "\r\n", "\r"]
        let end = ends[Int(seed % 3)]
        var lines = ["curve,time_s,intensity,note"]
        let curves = 1 + Int(rng.uniform() * 6)
        var next = [Double](repeating: 0, count: curves)
        for _ in 0..<(40 + Int(rng.uniform() * 200)) {
            // Mostly runs of one curve, sometimes another in between.
            let k =
                rng.uniform() < 0.8
                ? Int(next.indices.min { next[$0] < next[$1] }!) : Int(rng.uniform() * Double(curves))
            next[k] += 0.1 + rng.uniform()
            lines.append("c\(k),\(next[k]),\(rng.normal()),x")
            if rng.uniform() < 0.03 { lines.append("") }
        }
        // One fault in some of the tables, anywhere (the split points move with the part count).
        let at = 1 + Int(rng.uniform() * Double(lines.count - 1))
        switch seed % 5 {
        case 1: lines[at] = "c0,abc,1,x"
        case 2: lines[at] = "c0,0.001,1,x"  // a time that goes back, for c0 wherever it already has samples
        case 3: lines[at] = "c1,2"
        default: break
        }
        return lines.joined(separator: end) + (rng.uniform() < 0.5 ? end : "")
    }

    @Test("split into 2, 3 or 7 parts, a table gives the same curves, or the same first error, as one pass")
    func sameAsOnePass() {
        var (errors, successes) = (0, 0)
        for seed in UInt64(0)..<200 {
            let text = table(seed: seed)
            let whole = Self.read(text, parts: 1)
            if case .error = whole { errors += 1 } else { successes += 1 }
            for parts in [2, 3, 7] {
                #expect(Self.read(text, parts: parts) == whole, "seed \(seed), \(parts) parts")
            }
            #expect(
                Self.read(text, parts: 3, select: ["c0"]) == Self.read(text, parts: 1, select: ["c0"]), "seed \(seed)")
        }
        // Both kinds of outcome occur.
        #expect(errors > 40 && successes > 40, "\(errors) errors, \(successes) tables read")
    }

    @Test("the split points start lines, after the header")
    func splitPoints() {
        let text = Array("h\na\r\nb\rc\nd\ne\nf\n".utf8)
        let starts = CurveTableReader.lineStarts(text, from: 2, parts: 4, minimumBytes: 0)
        #expect(starts.first == 2)
        #expect(starts.count > 1)
        for start in starts.dropFirst() {
            #expect(start > 2 && text[start - 1] == UInt8(ascii: "\n"), "split at \(start)")
        }
        #expect(CurveTableReader.lineStarts(text, from: 2, parts: 4, minimumBytes: 1000) == [2])
    }

    @Test("a quoted cell with a line break where a split falls: the file is read in one pass, with the same curves")
    func quotedLineBreakAtSplit() {
        // The text after each quoted line break looks like a plain row of c0 (`c0,9,9,b"`): read as a part of its
        // own it would add a sample at time 9. Every part count puts a split after one of them.
        var lines = ["curve,time_s,intensity,note"]
        for i in 0..<400 {
            let note = i % 9 == 4 ? "\"a\nc0,9,9,b\"" : "x"
            lines.append("c\(i % 3),\(Double(i) * 0.5),\(Double(i % 17)),\(note)")
        }
        let text = lines.joined(separator: "\n") + "\n"
        let whole = Self.read(text, parts: 1)
        guard case .curves(let curves) = whole else {
            Issue.record("one pass: \(whole)")
            return
        }
        #expect(curves.map(\.samples.count) == [134, 133, 133])
        for parts in 2...9 { #expect(Self.read(text, parts: parts) == whole, "\(parts) parts") }
    }

    @Test("an error in a later part names the line a count by hand gives, with LF, CRLF and lone CR line ends")
    func lineNumbersAcrossParts() {
        let ends = ["\n", "\r\n", "\r"]
        for bad in [3, 700, 1999] {
            var text = "curve,time_s,intensity" + ends[0]
            for i in 0..<2000 {
                let row = i == bad ? "c\(i % 7),\(i),oops" : "c\(i % 7),\(i),1.5"
                text += row + ends[i % 3]
            }
            // The header is line 1 and row i is line i + 2 (every row ends with one line end).
            for parts in [1, 2, 5] {
                guard case .error(let message) = Self.read(text, parts: parts) else {
                    Issue.record("no error with \(parts) parts")
                    continue
                }
                #expect(message.hasPrefix("t.csv:\(bad + 2): "), "\(parts) parts: \(message)")
            }
        }
    }
}

@Suite("table text checks split across cores")
struct TableTextSplitTests {
    @Test("the ASCII check in parts gives the answer of a byte-by-byte check, wherever the high byte is")
    func asciiInParts() {
        var rng = TestRandom(seed: 9)
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000] {
            for _ in 0..<10 {
                var bytes = (0..<length).map { _ in UInt8(rng.next() & 0x7F) }
                if length > 0 && rng.uniform() < 0.6 { bytes[Int(rng.uniform() * Double(length))] |= 0x80 }
                let plain = bytes.allSatisfy { $0 < 0x80 }
                for parts in [1, 2, 3, 5] {
                    #expect(
                        TableText.isASCII(bytes, parts: parts, minimumSplitBytes: 0) == plain,
                        "length \(length), \(parts) parts")
                }
            }
        }
    }
}

@Suite("The loop for plain rows of long tables against the general reader")
struct PlainRowsTests {
    func read(_ text: String, plain: Bool, parts: Int, select: [String]?) -> LongSplitTests.Outcome {
        LongSplitTests.read(text, parts: parts, select: select, plain: plain)
    }

    /// A long table with columns in the order of `seed`, its separator, line ends and a few awkward rows: cells with
    /// blanks or quotes (a separator and a line break inside), empty cells, numbers strtod must read or that are not
    /// numbers, extra and missing cells, blank lines, times that go back.
    func awkwardTable(seed: UInt64) -> String {
        var rng = TestRandom(seed: seed)
        let separator = [",", ";", "\t"][Int(seed % 3)]
        let decimal = separator == "," ? "." : (rng.uniform() < 0.5 ? "," : ".")
        let end = ["\n", "\r\n", "\r"][Int(seed / 3 % 3)]
        let orders = [[0, 1, 2, 3], [2, 0, 1, 3], [3, 1, 2, 0], [1, 2, 0, 3]]
        let order = orders[Int(seed / 9 % 4)]
        let names = ["curve", "time_s", "intensity", "note"]
        func row(_ cells: [String]) -> String { order.map { cells[$0] }.joined(separator: separator) }
        var lines = [row(names)]
        var next = [Double](repeating: 0, count: 4)
        let odd: [String] = [
            " 1.5", "1.5 ", "\"1.5\"", "", "1e400", "0.1000000000000000055511151231257827", "0x10", "nan", "1e5",
            "+.5", "5.", "-0", "12345678901234567890123",
        ]
        for _ in 0..<(30 + Int(rng.uniform() * 120)) {
            let k = rng.uniform() < 0.85 ? Int(next.indices.min { next[$0] < next[$1] }!) : Int(rng.uniform() * 4)
            next[k] += 0.05 + rng.uniform()
            func number(_ v: Double) -> String {
                let text = rng.uniform() < 0.5 ? "\(v)" : String(format: "%.6g", v)
                return decimal == "," ? text.replacingOccurrences(of: ".", with: ",") : text
            }
            var cells = ["c\(k)", number(next[k]), number(rng.normal()), "x"]
            let u = rng.uniform()
            if u < 0.02 {
                cells[Int(rng.uniform() * 3)] = odd[Int(rng.uniform() * Double(odd.count))]
            } else if u < 0.03 {
                cells[0] = [" c\(k)", "c\(k) ", "\"c\(k)\"", ""][Int(rng.uniform() * 4)]
            } else if u < 0.04 {
                cells[3] = ["\"a\(separator)b\"", "\"a\nb\"", " \"q\"", "\"say \"\"hi\"\"\""][Int(rng.uniform() * 4)]
            } else if u < 0.045 {
                cells[1] = number(max(0, next[k] - 3))  // back in time
            }
            var line = row(cells)
            if u > 0.99 { line += separator + "extra" }
            if u > 0.985 && u <= 0.99 { line = String(line.dropLast(2)) }
            lines.append(line)
            if rng.uniform() < 0.02 { lines.append("") }
        }
        return lines.joined(separator: end) + (rng.uniform() < 0.5 ? end : "")
    }

    @Test("on awkward tables the plain-row loop and the general reader give the same curves or the same first error")
    func sameOutcome() {
        var (errors, successes) = (0, 0)
        for seed in UInt64(0)..<240 {
            let text = awkwardTable(seed: seed)
            for select in [nil, ["c1", "c0"]] as [[String]?] {
                let general = read(text, plain: false, parts: 1, select: select)
                if case .error = general { errors += 1 } else { successes += 1 }
                for parts in [1, 3] {
                    #expect(
                        read(text, plain: true, parts: parts, select: select) == general,
                        "seed \(seed), \(parts) parts, selection \(select ?? [])")
                }
            }
        }
        #expect(errors > 50 && successes > 50, "\(errors) errors, \(successes) tables read")
    }

    @Test("the plain-row loop reads a plain table to its end and stops at the first row that is not plain")
    func stopsAtAwkwardRow() throws {
        let plain = (0..<50).map { "c\($0 / 10),\(Double($0 % 10) * 0.5),\(Double($0) * 0.25)" }
        for awkward in [" c9,1,2", "c9,\"1\",2", "c9,,2", "", "c9,1", "c9,1e400,2", "c9,1 ,2"] {
            for stop in [0, 17, 49] {
                var lines = plain
                lines.insert(awkward, at: stop)
                let text = Array(lines.joined(separator: "\n").utf8)
                let columns = CurveTableReader.LongColumns(
                    curve: 0, time: 1, value: 2, headerCount: 3, wanted: nil, path: "t.csv", dialect: TableDialect())
                var gathering = CurveTableReader.LongPart.Gathering()
                var (position, line) = (0, 2)
                try text.withUnsafeBufferPointer {
                    try CurveTableReader.LongPart.fastRows(
                        $0, from: &position, line: &line, to: text.count,
                        ByteCSV(delimiter: UInt8(ascii: ","), path: "t.csv"), columns, &gathering)
                }
                let expected = lines[..<stop].reduce(0) { $0 + $1.utf8.count + 1 }
                #expect(position == expected && line == 2 + stop, "\"\(awkward)\" at row \(stop)")
                gathering.putBack()
                #expect(gathering.part.times.reduce(0) { $0 + $1.count } == stop, "\"\(awkward)\" at row \(stop)")
            }
        }
        // Without an awkward row it reads every row.
        let text = Array(plain.joined(separator: "\r\n").utf8)
        var gathering = CurveTableReader.LongPart.Gathering()
        var (position, line) = (0, 2)
        let columns = CurveTableReader.LongColumns(
            curve: 0, time: 1, value: 2, headerCount: 3, wanted: nil, path: "t.csv", dialect: TableDialect())
        try text.withUnsafeBufferPointer {
            try CurveTableReader.LongPart.fastRows(
                $0, from: &position, line: &line, to: text.count, ByteCSV(delimiter: UInt8(ascii: ","), path: "t.csv"),
                columns, &gathering)
        }
        gathering.putBack()
        #expect(position == text.count && line == 52)
        #expect(gathering.part.values.flatMap { $0 } == (0..<50).map { Double($0) * 0.25 })
    }
}
