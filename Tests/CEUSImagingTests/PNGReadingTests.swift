import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

@Suite("PNG frames written by another encoder")
struct PNGReadingTests {
    let folder = TestPaths.temporaryFolder("png")

    @Test("8-bit grey samples are read exactly")
    func grey8() throws {
        let samples: [UInt16] = (0..<(7 * 5)).map { UInt16(($0 * 37) % 256) }
        let path = folder + "/g8.png"
        MinimalPNGWriter.write(
            MinimalPNGWriter.encode(width: 7, height: 5, colorType: .grey, bitDepth: 8, samples: samples), to: path)
        let frame = try PNGCodec.decode(path: path)
        #expect(frame.width == 7 && frame.height == 5 && frame.channels == 1 && frame.bitDepth == 8)
        #expect(frame.samples == .uint8(samples.map(UInt8.init)))
    }

    @Test("16-bit grey samples are read exactly, without gamma conversion")
    func grey16() throws {
        let samples: [UInt16] = (0..<(6 * 4)).map { UInt16(($0 * 2731) % 65536) }
        let path = folder + "/g16.png"
        MinimalPNGWriter.write(
            MinimalPNGWriter.encode(width: 6, height: 4, colorType: .grey, bitDepth: 16, samples: samples), to: path)
        let frame = try PNGCodec.decode(path: path)
        #expect(frame.bitDepth == 16)
        #expect(frame.samples == .uint16(samples))
    }

    @Test("RGB and grey+alpha keep their channels; alpha is carried, not applied")
    func colourAndAlpha() throws {
        let rgb: [UInt16] = (0..<(3 * 2 * 3)).map { UInt16($0 * 13 % 256) }
        MinimalPNGWriter.write(
            MinimalPNGWriter.encode(width: 3, height: 2, colorType: .rgb, bitDepth: 8, samples: rgb),
            to: folder + "/rgb.png")
        let frame = try PNGCodec.decode(path: folder + "/rgb.png")
        #expect(frame.channels == 3)
        #expect(frame.samples == .uint8(rgb.map(UInt8.init)))
        let expected = 0.299 * Double(rgb[3]) + 0.587 * Double(rgb[4]) + 0.114 * Double(rgb[5])
        #expect(abs(frame.displayValue(column: 1, row: 0) - expected) < 1e-12)

        let ga: [UInt16] = [10, 255, 20, 0, 30, 128, 40, 255]
        MinimalPNGWriter.write(
            MinimalPNGWriter.encode(width: 2, height: 2, colorType: .greyAlpha, bitDepth: 8, samples: ga),
            to: folder + "/ga.png")
        let alpha = try PNGCodec.decode(path: folder + "/ga.png")
        #expect(alpha.channels == 2)
        #expect(alpha.displayValue(column: 1, row: 0) == 20)
    }

    @Test("palette images decode to the palette's RGB colours")
    func palette() throws {
        let palette: [UInt8] = [0, 0, 0, 200, 100, 50, 255, 255, 255]
        let indices: [UInt16] = [0, 1, 2, 1, 1, 0]
        MinimalPNGWriter.write(
            MinimalPNGWriter.encode(
                width: 3, height: 2, colorType: .palette, bitDepth: 8, samples: indices, palette: palette),
            to: folder + "/pal.png")
        let frame = try PNGCodec.decode(path: folder + "/pal.png")
        #expect(frame.channels == 3)
        guard case .uint8(let s) = frame.samples else { Issue.record("expected 8-bit"); return }
        #expect(Array(s[3..<6]) == [200, 100, 50])
        #expect(Array(s[6..<9]) == [255, 255, 255])
    }

    @Test("libpng encoding round-trips 8- and 16-bit frames", arguments: [1, 3])
    func roundTrip(channels: Int) throws {
        let f8 = Frame(
            width: 5, height: 3, channels: channels, samples: .uint8((0..<(15 * channels)).map { UInt8($0 * 7 % 256) }))
        #expect(try PNGCodec.decodeBytes(PNGCodec.encode(f8), folder: folder) == f8)
        let f16 = Frame(
            width: 5, height: 3, channels: channels,
            samples: .uint16((0..<(15 * channels)).map { UInt16($0 * 4099 % 65536) }))
        #expect(try PNGCodec.decodeBytes(PNGCodec.encode(f16), folder: folder) == f16)
    }

    @Test("a truncated PNG is an error naming the file")
    func truncated() throws {
        let bytes = MinimalPNGWriter.encode(
            width: 20, height: 20, colorType: .grey, bitDepth: 8, samples: Array(repeating: 9, count: 400))
        let path = folder + "/cut.png"
        MinimalPNGWriter.write(Array(bytes.prefix(bytes.count / 2)), to: path)
        let error = imagingError { _ = try PNGCodec.decode(path: path) }
        #expect(error != nil)
        if case .unreadableImage(let p, _) = error {
            #expect(p == path)
        } else {
            Issue.record("wrong error \(String(describing: error))")
        }
        #expect(error?.description.contains("cut.png") == true)
    }

    @Test("a file that is not a PNG is an error naming the file")
    func notPNG() {
        let path = folder + "/text.png"
        try! "hello".write(toFile: path, atomically: true, encoding: .utf8)
        let error = imagingError { _ = try PNGCodec.header(path: path) }
        #expect(error?.description.hasPrefix(path) == true)
    }
}

extension PNGCodec {
    /// Decodes PNG bytes through a temporary file.
    static func decodeBytes(_ bytes: [UInt8], folder: String) throws -> Frame {
        let path = folder + "/roundtrip-\(UUID().uuidString).png"
        MinimalPNGWriter.write(bytes, to: path)
        return try decode(path: path)
    }
}
