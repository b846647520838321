import CEUSImaging
import Foundation
import FuzzDriver

/// Fuzz target for region files from other tools: the input is read as an ImageJ `.roi` file, a `RoiSet.zip`
/// and a NIfTI mask (`.nii` and `.nii.gz`), and what loads is rasterised on a 64 x 56 pane.
@main
struct RegionFuzzer {
    static func main() { fuzz(fuzzOne) }

    static func fuzzOne(_ input: [UInt8]) {
        let folder = scratchFolder("roi")
        for name in ["region.roi", "RoiSet.zip", "mask.nii", "mask.nii.gz"] {
            put(input, folder + "/" + name)
            if let regions = try? RegionFile.load(folder + "/" + name) {
                _ = try? regions.masks(paneWidth: 64, paneHeight: 56)
            }
        }
    }
}
