import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging
@testable import PerfusionAnalysis

@Suite("Tables as spreadsheets write them")
struct SpreadsheetTableTests {
    /// The same three-sample curve in the layout of `fit`'s long tables, as US Excel writes it.
    static let reference = "curve,time_s,intensity\nA,0,0.5\nA,1.25,2.5\nA,2.5,1.75\n"

    func curves(_ bytes: [UInt8], dialect: TableDialect? = nil, encoding: TableEncoding = .utf8) throws -> [NamedCurve]
    {
        let path = TestPaths.temporaryFolder("sheet") + "/t.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try CurveTableReader.read(path, layout: .long, dialect: dialect, encoding: encoding)
    }

    static func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
        var out: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in text.utf16 {
            let (high, low) = (UInt8(unit >> 8), UInt8(unit & 0xFF))
            out += bigEndian ? [high, low] : [low, high]
        }
        return out
    }

    static let variants: [(String, [UInt8])] = [
        ("semicolon, decimal comma", Array("curve;time_s;intensity\nA;0;0,5\nA;1,25;2,5\nA;2,5;1,75\n".utf8)),
        ("tab, decimal comma", Array("curve\ttime_s\tintensity\nA\t0\t0,5\nA\t1,25\t2,5\nA\t2,5\t1,75\n".utf8)),
        ("semicolon, decimal dot", Array("curve;time_s;intensity\nA;0;0.5\nA;1.25;2.5\nA;2.5;1.75\n".utf8)),
        ("UTF-8 with BOM", [0xEF, 0xBB, 0xBF] + Array(reference.utf8)),
        ("UTF-16 LE with BOM", utf16(reference, bigEndian: false)),
        ("UTF-16 BE with BOM", utf16(reference, bigEndian: true)),
        ("CRLF line ends", Array(reference.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
    ]

    @Test(
        "semicolons with decimal commas, tabs, a UTF-8 byte-order mark and UTF-16 read as the comma file does",
        arguments: variants)
    func dialects(name: String, bytes: [UInt8]) throws {
        let expected = try curves(Array(Self.reference.utf8))
        let read = try curves(bytes)
        #expect(read == expected, "\(name)")
        #expect(read.first?.samples.values == [0.5, 2.5, 1.75])
    }

    @Test("Latin-1 is read when asked for, and names keep their letters")
    func latin1() throws {
        let bytes =
            Array("curve,time_s,intensity\nM".utf8) + [0xFC] + Array("ller,0,1\nM".utf8) + [0xFC]
            + Array("ller,1,2\n".utf8)
        #expect(throws: PerfusionAnalysisError.self) { try curves(bytes) }
        let read = try curves(bytes, encoding: .latin1)
        #expect(read.map(\.id) == ["Müller"])
    }

    @Test("the separator is the one the header holds most of, outside quotes")
    func detection() {
        #expect(TableDialect.detect(header: "a;b;c").delimiter == ";")
        #expect(TableDialect.detect(header: "a\tb\tc").delimiter == "\t")
        #expect(TableDialect.detect(header: "a,b;c,d").delimiter == ",")
        #expect(TableDialect.detect(header: "\"x;y;z\",b").delimiter == ",")
        #expect(TableDialect.detect(header: "single").delimiter == ",")
        // A decimal comma only where the comma is not the separator.
        #expect(!TableDialect.detect(header: "a,b").decimalComma && TableDialect.detect(header: "a;b").decimalComma)
        #expect(TableDialect(delimiter: ";", decimalComma: true).number("1,5") == 1.5)
        #expect(TableDialect(delimiter: ";", decimalComma: true).number("1.234,5") == nil)
        #expect(TableDialect(delimiter: ",", decimalComma: true).number("1,5") == nil)
    }

    @Test("explicit --delimiter and --decimal override the detection")
    func overrides() throws {
        let bytes = Array("curve;time_s;intensity\nA;0;0,5\nA;1;2,5\n".utf8)
        #expect(try curves(bytes).first?.samples.values == [0.5, 2.5])
        // --decimal dot: "0,5" is no longer a number, and the message says so.
        #expect(throws: PerfusionAnalysisError.self) {
            try curves(bytes, dialect: TableDialect(delimiter: ";", decimalComma: false))
        }
        // --delimiter comma: the header is one column, with no "curve" among them.
        #expect(throws: PerfusionAnalysisError.self) {
            try curves(bytes, dialect: TableDialect(delimiter: ",", decimalComma: false))
        }
    }

    @Test(
        "names that would be paths are refused, ordinary names pass",
        arguments: [
            ("", true), (".", true), ("..", true), ("a/b", true), ("a\\b", true), ("tab\there", true), ("S01", false),
            ("Müller", false), ("week 4", false), ("post-prrt.2", false),
        ])
    func names(name: String, refused: Bool) {
        #expect((Study.unusableName(name) != nil) == refused, "\(name.debugDescription)")
    }

    @Test("a mistyped key is answered with the closest known key, an unrelated one with the list")
    func closestKey() {
        let keys = ["frameRate", "frameTimes", "dynamicRangeDB", "expConstant", "injectionTime"]
        #expect(JSONKeys.closest("dynamicRangeDb", among: keys) == "dynamicRangeDB")
        #expect(JSONKeys.closest("framerate", among: keys) == "frameRate")
        #expect(JSONKeys.closest("frame_times", among: keys) == "frameTimes")
        #expect(JSONKeys.closest("probe", among: keys) == nil)
        #expect(JSONKeys.distance("kitten", "sitting") == 3)
    }
}
