import CEUSImaging
import Foundation
import FuzzDriver
import PerfusionAnalysis

/// Fuzz target for the JSON files a user writes: the input is read as `clip.json` (with a valid 8 x 8 frame), as
/// `roi.json` (its regions rasterised on a 64 x 56 pane) and as `study.json` (at the root of a one-clip study).
@main
struct JSONFuzzer {
    /// An 8 x 8 grey PNG (stored zlib block), written out once.
    static let frame: [UInt8] = {
        func crc(_ bytes: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            return c ^ 0xFFFF_FFFF
        }
        func be(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be(UInt32(data.count)) + body + be(crc(body))
        }
        let raw = (0..<8).flatMap { _ in [UInt8(0)] + [UInt8](repeating: 128, count: 8) }
        var adler = (UInt32(1), UInt32(0))
        for b in raw {
            adler.0 = (adler.0 + UInt32(b)) % 65521
            adler.1 = (adler.1 + adler.0) % 65521
        }
        let length = UInt16(raw.count)
        let zlib: [UInt8] =
            [0x78, 0x01, 0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            + raw + be(adler.1 << 16 | adler.0)
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", be(8) + be(8) + [8, 0, 0, 0, 0])
            + chunk("IDAT", zlib) + chunk("IEND", [])
    }()

    static func main() { fuzz(fuzzOne) }

    static func fuzzOne(_ input: [UInt8]) {
        let folder = scratchFolder("json")
        let clip = folder + "/S1/pre/clip"
        try? FileManager.default.createDirectory(atPath: clip, withIntermediateDirectories: true)
        put(frame, clip + "/f1.png")
        put(frame, clip + "/f2.png")
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
