import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

/// Real scanner files from pydicom-data 1.0.0 and deid-data 0.0.20 (PyPI, MIT), installed by `make test`
/// (Tests/Data/fetch_dicom_samples.py, which checks their SHA-256). Expected values were computed with pydicom 3.0.2,
/// an independent decoder, by Tests/Data/pydicom_reference.py (`make dicom-reference` prints this table): the sum of
/// all samples of a frame and four samples at flat (row, column, channel) indices 0, 1000, 123457 mod size and
/// size - 1.
@Suite("Real ultrasound DICOM files")
struct RealDICOMTests {
    static let cache = TestPaths.packageRoot + "/.cache/dicom-samples"

    struct Expected: Sendable {
        let file: String
        let frames: Int
        let width: Int
        let height: Int
        let checks: [(frame: Int, sum: Int, samples: [Int])]
    }

    static let files: [Expected] = [
        Expected(
            file: "GREYSCALE_CINE.dcm", frames: 27, width: 800, height: 600,
            checks: [
                (0, 9_899_210, [40, 40, 0, 0]), (13, 9_886_941, [40, 40, 0, 0]), (26, 9_887_980, [40, 40, 0, 0]),
            ]),
        Expected(
            file: "ultrasound-multiframe.dcm", frames: 30, width: 800, height: 600,
            checks: [(0, 42_007_768, [0, 0, 0, 0]), (29, 43_470_566, [0, 0, 0, 0])]),
        Expected(
            file: "RGB_CINE.dcm", frames: 51, width: 1016, height: 672,
            checks: [(0, 29_072_817, [40, 40, 41, 0]), (50, 29_047_029, [40, 40, 41, 0])]),
        Expected(file: "US1_UNCR.dcm", frames: 1, width: 640, height: 480, checks: [(0, 31_821_736, [0, 0, 0, 0])]),
        Expected(
            file: "gdcm-US-ALOKA-16.dcm", frames: 1, width: 640, height: 480,
            checks: [(0, 7_042_564_832, [10280, 11565, 5397, 16705])]),
        Expected(
            file: "gdcm-US-ALOKA-16_big.dcm", frames: 1, width: 640, height: 480,
            checks: [(0, 7_042_564_832, [10280, 11565, 5397, 16705])]),
        // JPEG Baseline, YBR_FULL_422, 120 frames (pydicom with Pillow).
        Expected(
            file: "color3d_jpeg_baseline.dcm", frames: 120, width: 640, height: 480,
            checks: [(0, 8_797_951, [1, 1, 0, 0]), (60, 8_905_399, [1, 1, 0, 0]), (119, 10_761_144, [1, 1, 0, 0])]),
        // Planar RGB (planar configuration 1).
        Expected(file: "color-pl.dcm", frames: 1, width: 256, height: 120, checks: [(0, 3_931_744, [40, 40, 64, 40])]),
        // RLE Lossless, 16 bits allocated, 12 stored, 10 frames.
        Expected(
            file: "emri_small_RLE.dcm", frames: 10, width: 64, height: 64,
            checks: [(0, 590_962, [31, 225, 51, 135]), (9, 483_370, [110, 132, 162, 147])]),
        // YBR_FULL, uncompressed.
        Expected(
            file: "SC_ybr_full_uncompressed.dcm", frames: 1, width: 100, height: 100,
            checks: [(0, 3_832_000, [254, 0, 128, 255])]),
    ]

    @Test("decoded pixels equal pydicom's", arguments: files.map(\.file))
    func pixels(file: String) throws {
        let expected = Self.files.first { $0.file == file }!
        let path = Self.cache + "/" + file
        // make test installs the files; a missing file is a failure, not a skip.
        #expect(FileManager.default.fileExists(atPath: path), "run `make test-data` (make test does)")
        let clip = try Clip.open(path, options: ClipOptions(frameRate: 10))
        #expect(clip.frameCount == expected.frames)
        #expect(clip.source.width == expected.width && clip.source.height == expected.height)
        for check in expected.checks {
            let frame = try clip.source.frame(at: check.frame)
            let samples: [Int]
            switch frame.samples {
            case .uint8(let s): samples = s.map(Int.init)
            case .uint16(let s): samples = s.map(Int.init)
            }
            #expect(samples.reduce(0, +) == check.sum, "\(file) frame \(check.frame)")
            let indices = [0, 1000, 123_457 % samples.count, samples.count - 1]
            #expect(indices.map { samples[$0] } == check.samples, "\(file) frame \(check.frame)")
        }
    }

    @Test("timing and regions of real files: frame time, contrast pane and pixel size")
    func timingAndRegions() throws {
        let grey = try Clip.open(Self.cache + "/GREYSCALE_CINE.dcm")
        // Frame Time 33.333 ms.
        #expect(abs(grey.times[1] - 0.033333) < 1e-9 && abs(grey.times[26] - 26 * 0.033333) < 1e-9)
        #expect(grey.contrastPane == PixelRect(x: 10, y: 31, width: 779, height: 562))
        #expect(abs(grey.pixelSizeMM!.x - 0.08307800279691304) < 1e-12)
        // ALOKA dual display: two 2-D regions side by side; the right one is the contrast pane.
        let aloka = try Clip.open(Self.cache + "/gdcm-US-ALOKA-16.dcm", options: ClipOptions(frameRate: 1))
        #expect(aloka.contrastPane == PixelRect(x: 336, y: 24, width: 304, height: 392))
        #expect(aloka.metadata.bmodePane == PixelRect(x: 32, y: 24, width: 304, height: 392))
    }
}
