import CEUSImaging
import Foundation
import FuzzDriver
import PerfusionAnalysis

/// Fuzz target for the JSON files a user writes: the input is read as `clip.json` (with a valid 8 x 8 frame), as
/// `roi.json` (its regions rasterised on a 64 x 56 pane) and as `study.json` (at the root of a one-clip study).
@main
struct JSONFuzzer {
    static func main() { fuzz(fuzzOne) }

    static func fuzzOne(_ input: [UInt8]) {
        let folder = scratchFolder("json")
        let clip = folder + "/S1/pre/clip"
        try? FileManager.default.createDirectory(atPath: clip, withIntermediateDirectories: true)
        put(tinyPNG, clip + "/f1.png")
        put(tinyPNG, clip + "/f2.png")
        put(input, clip + "/clip.json")
        _ = try? Clip.open(clip)
        put(input, folder + "/roi.json")
        if let regions = try? RegionFile.load(folder + "/roi.json") {
            _ = try? regions.masks(paneWidth: 64, paneHeight: 56)
        }
        put(
            Array(#"{"rois": [{"name": "a", "kind": "rectangle", "x": 0, "y": 0, "width": 8, "height": 8}]}"#.utf8),
            clip + "/roi.json")
        put(input, folder + "/study.json")
        _ = try? Study.load(folder)
    }
}
