import Foundation
import FuzzDriver
import PerfusionAnalysis

/// Fuzz target for the table readers: the input is read as a curve table in both layouts (with the dialect and
/// encoding detection of spreadsheet files) and as a study manifest.
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
    }
}
