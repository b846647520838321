import CEUSImaging
import Foundation
import FuzzDriver

/// Fuzz target for PNG frames: the input is the only frame of a clip folder, opened and decoded as `analyze` does
/// (libpng through its simplified API, with Echoflow's size limits checked before any pixel is allocated).
@main
struct PNGFuzzer {
    static func main() { fuzz(fuzzOne) }

    static func fuzzOne(_ input: [UInt8]) {
        let folder = scratchFolder("png")
        put(input, folder + "/frame_0001.png")
        put(Array(#"{"frameRate": 5}"#.utf8), folder + "/clip.json")
        guard let clip = try? Clip.open(folder) else { return }
        _ = try? clip.source.frame(at: 0)
    }
}
