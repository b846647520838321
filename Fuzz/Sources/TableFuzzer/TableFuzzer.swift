import CEUSImaging
import Foundation
import FuzzDriver
@_spi(Fuzzing) import PerfusionAnalysis

/// Fuzz target for the table readers: the input is read as a curve table in both layouts (with the dialect and
/// encoding detection of spreadsheet files), as a study manifest and as a colour-map file (`colorMap` of a clip). The
/// chunked reader of large long tables is run on the input too, with small chunks, and must give the curves or the
/// error of the whole-text reader whenever it takes the input.
@main
struct TableFuzzer {
    static func main() { fuzz(fuzzOne) }

    static func fuzzOne(_ input: [UInt8]) {
        let folder = scratchFolder("table")
        let path = folder + "/table.csv"
        put(input, path)
        _ = try? CurveFitTable.read(path, layout: .long)
        sameAsWholeText(path)
        _ = try? CurveFitTable.read(path, layout: .wide(timeColumn: nil), dynamicRangeDB: 50)
        _ = try? CurveFitTable.read(path, layout: .wide(timeColumn: nil), encoding: .latin1)
        _ = try? Study.load(path)
        let clip = folder + "/clip"
        try? FileManager.default.createDirectory(atPath: clip, withIntermediateDirectories: true)
        put(tinyPNG, clip + "/f1.png")
        put(Array(#"{"frameRate": 2, "colorMap": "map.csv"}"#.utf8), clip + "/clip.json")
        put(input, clip + "/map.csv")
        _ = try? Clip.open(clip)
    }

    /// Stops the run (a crash libFuzzer keeps) when the chunked reader takes the file and disagrees with one pass.
    static func sameAsWholeText(_ path: String) {
        func outcome(chunked: Bool, parts: Int, chunk: Int) -> String? {
            do {
                return try CurveTableReader.readLong(path, chunked: chunked, parts: parts, chunk: chunk).map {
                    "\($0)"
                }
            } catch {
                return "error: \(error)"
            }
        }
        guard let whole = outcome(chunked: false, parts: 1, chunk: 0) else { return }
        for (parts, chunk) in [(1, 7), (2, 16), (3, 64)] {
            guard let chunked = outcome(chunked: true, parts: parts, chunk: chunk) else { continue }
            if chunked != whole {
                fatalError(
                    "chunked reader (\(parts) parts, \(chunk)-byte chunks) differs:\n\(chunked)\nwhole text:\n\(whole)")
            }
        }
    }
}
