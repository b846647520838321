import CEUSImaging
import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis

@Suite("Long tables read from the file in chunks")
struct LongStreamTests {
    /// `text` written to a file of its own.
    static func file(_ text: String, _ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("echoflow-stream-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The whole-text reader in one pass over the file at `path`: the reference.
    static func whole(_ path: String, select: [String]?) -> LongSplitTests.Outcome {
        do {
            let (reader, bytes, dialect) = try TableText.reader(
                FileBytes.readArray(path)!, path: path, encoding: .utf8, dialect: nil)
            return .curves(
                try CurveTableReader.readLong(reader, bytes, path: path, dialect: dialect, select: select, parts: 1))
        } catch {
            return .error("\(error)")
        }
    }

    /// The chunked reader, nil when it leaves the file to the whole-text reader.
    static func streamed(_ path: String, select: [String]?, parts: Int, chunk: Int) -> LongSplitTests.Outcome? {
        do {
            guard
                let curves = try LongStream.read(
                    path, dialect: nil, select: select, parts: parts, minimumBytes: 0, chunk: chunk)
            else { return nil }
            return .curves(curves)
        } catch {
            return .error("\(error)")
        }
    }

    @Test(
        "in chunks of 16 bytes to 4 KB and 1 to 3 parts, a table gives the curves or the first error of one pass over its whole text"
    )
    func sameAsWholeText() throws {
        var (errors, successes) = (0, 0)
        for seed in UInt64(0)..<120 {
            // LF, CRLF and lone CR line ends, blank lines, interleaved curves, one fault in some (LongSplitTests).
            let text = LongSplitTests().table(seed: seed)
            let path = try Self.file(text, "t\(seed).csv")
            for select in [nil, ["c1", "c0"]] as [[String]?] {
                let whole = Self.whole(path, select: select)
                if case .error = whole { errors += 1 } else { successes += 1 }
                for (parts, chunk) in [(1, 16), (2, 37), (3, 64), (2, 4096), (3, 5)] {
                    let streamed = Self.streamed(path, select: select, parts: parts, chunk: chunk)
                    // These tables are plain ASCII without quotes: the chunked reader must take them.
                    #expect(streamed == whole, "seed \(seed), \(parts) parts, chunks of \(chunk), \(select ?? [])")
                }
            }
        }
        #expect(errors > 20 && successes > 20, "\(errors) errors, \(successes) tables read")
    }

    @Test("awkward tables (blanks, empty cells, other separators) are read as one pass reads them, or left to it")
    func awkwardTables() throws {
        var (taken, left) = (0, 0)
        for seed in UInt64(0)..<120 {
            let text = PlainRowsTests().awkwardTable(seed: seed)
            let path = try Self.file(text, "a\(seed).csv")
            let whole = Self.whole(path, select: nil)
            for (parts, chunk) in [(1, 23), (3, 50)] {
                guard let streamed = Self.streamed(path, select: nil, parts: parts, chunk: chunk) else {
                    // Only a quote after the header sends a table back to the whole-text reader here.
                    #expect(text.contains("\""), "seed \(seed): left to the whole-text reader without a quote")
                    left += 1
                    continue
                }
                taken += 1
                #expect(streamed == whole, "seed \(seed), \(parts) parts, chunks of \(chunk)")
            }
        }
        #expect(taken > 50 && left > 20, "\(taken) read in chunks, \(left) left to the whole text")
    }

    @Test("a quote or a byte above 0x7F anywhere after the header leaves the file to the whole-text reader")
    func leftToWholeText() throws {
        let rows = (0..<3000).map { "c\($0 % 5),\($0),1.5" }
        for (k, odd) in ["c9,\"1\",2", "c9,1,2,é", "\"c9\",1,2"].enumerated() {
            for at in [10, 1500, 2999] {
                var lines = ["curve,time_s,intensity"] + rows
                lines.insert(odd, at: at)
                let path = try Self.file(lines.joined(separator: "\n") + "\n", "odd\(k)-\(at).csv")
                #expect(Self.streamed(path, select: nil, parts: 2, chunk: 512) == nil, "\(odd) at row \(at)")
                // The command's reader still reads it, through the whole text.
                let curves = try CurveTableReader.read(path, layout: .long)
                #expect(curves.count == 6)
            }
        }
    }

    @Test("a large plain table is read in chunks by default and gives the whole text's curves")
    func largeTable() throws {
        var rng = TestRandom(seed: 3)
        var text = "curve,time_s,intensity\r\n"
        for c in 0..<120 {
            for i in 0..<300 { text += "curve \(c),\(Double(i) * 0.3),\(rng.normal())\r\n" }
        }
        let path = try Self.file(text, "large.csv")
        #expect(text.utf8.count > 1 << 20)
        let streamed = try #require(try LongStream.read(path, dialect: nil, select: nil))
        #expect(LongSplitTests.Outcome.curves(streamed) == Self.whole(path, select: nil))
        #expect(try CurveTableReader.read(path, layout: .long) == streamed)
    }
}
