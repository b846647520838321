import CEUSImaging
import Foundation
import FuzzDriver
import PerfusionAnalysis

/// Fuzz target for the table readers: the input is read as a curve table in both layouts (with the dialect and
/// encoding detection of spreadsheet files), as a study manifest and as a colour-map file (`colorMap` of a clip).
@main
struct TableFuzzer {
    static func main() { fuzz(fuzzOne) }

    static func fuzzOne(_ input: [UInt8]) {
        let folder = scratchFolder("table")
        let path = folder + "/table.csv"
        put(input, path)
        _ = try? CurveFitTable.read(path, layout: .long)
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
}
