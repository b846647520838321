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

    func read(_ text: String, parts: Int, select: [String]? = nil) -> Outcome {
        let (reader, bytes, dialect) = TableText.reader(text, path: "t.csv", dialect: nil)
        do {
            return .curves(
                try CurveTableReader.readLong(
                    reader, bytes, path: "t.csv", dialect: dialect, select: select, parts: parts, minimumSplitBytes: 0))
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
            let whole = read(text, parts: 1)
            if case .error = whole { errors += 1 } else { successes += 1 }
            for parts in [2, 3, 7] {
                #expect(read(text, parts: parts) == whole, "seed \(seed), \(parts) parts")
            }
            #expect(read(text, parts: 3, select: ["c0"]) == read(text, parts: 1, select: ["c0"]), "seed \(seed)")
        }
        // Both kinds of outcome occur.
        #expect(errors > 40 && successes > 40, "\(errors) errors, \(successes) tables read")
    }

    @Test("the split points start lines and count LF, CRLF and lone CR line ends")
    func splitPoints() {
        let text = Array("h\na\r\nb\rc\nd\ne\nf\n".utf8)
        let points = CurveTableReader.splitPoints(text, parts: 4, minimumBytes: 0)
        #expect(points.first! == (0, 1))
        for (start, line) in points.dropFirst() {
            #expect(text[start - 1] == UInt8(ascii: "\n"))
            // Lines before `start`, counted by hand: each LF ends one, a CR not followed by LF ends one.
            var count = 1
            for i in 0..<start where text[i] == 10 || (text[i] == 13 && text[i + 1] != 10) { count += 1 }
            #expect(line == count, "split at \(start)")
        }
        #expect(points.count > 1)
        // A quote anywhere: one part.
        #expect(
            CurveTableReader.splitPoints(Array("h\n\"a\nb\",1\n".utf8) + text, parts: 4, minimumBytes: 0).count == 1)
    }

    @Test("line feeds, quotes and CRs found eight bytes at a time as byte by byte, at every length and alignment")
    func lineFeeds() {
        var rng = TestRandom(seed: 5)
        // Bytes near a LF in value (0x0A with other high or low bits) and everything else, to catch carries.
        let near: [UInt8] = [0x0A, 0x0A, 0x0B, 0x09, 0x8A, 0x0E, 0x2A, 0x00, 0xFF, 0x7F, 0x80, 0x23, 0x21, 0x0C, 0x8D]
        let rare: [UInt8] = [0x22, 0x0D]
        for length in 0..<80 {
            for _ in 0..<20 {
                let bytes = (0..<(length + 7)).map { _ -> UInt8 in
                    let u = rng.uniform()
                    if u < 0.02 { return rare[Int(rng.uniform() * 2)] }
                    return u < 0.7 ? near[Int(rng.uniform() * Double(near.count))] : UInt8(rng.next() & 0xFF)
                }
                for offset in 0..<8 where offset + length <= bytes.count {
                    let plain = bytes[offset..<(offset + length)].filter { $0 == 0x0A }.count
                    let fast = bytes.withUnsafeBufferPointer {
                        CurveTableReader.countLineFeeds($0.baseAddress! + offset, length)
                    }
                    #expect(fast == plain, "length \(length), offset \(offset)")
                    let window = bytes[offset..<(offset + length)]
                    let either = bytes.withUnsafeBufferPointer {
                        CurveTableReader.containsQuoteOrCR($0.baseAddress! + offset, length)
                    }
                    #expect(either == (window.contains(0x22) || window.contains(0x0D)), "length \(length)")
                }
            }
        }
        // And the split of a table with LF line ends only numbers its lines as a count by hand does.
        let text = Array((0..<2000).map { "c\($0 % 7),\($0),1.5\n" }.joined().utf8)
        for (start, line) in CurveTableReader.splitPoints(text, parts: 5, minimumBytes: 0).dropFirst() {
            #expect(line == 1 + text[0..<start].filter { $0 == 0x0A }.count, "split at \(start)")
        }
    }
}
