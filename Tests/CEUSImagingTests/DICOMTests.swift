import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

@Suite("DICOM clips")
struct DICOMTests {
    let folder = TestPaths.temporaryFolder("dicom")

    func write(_ bytes: [UInt8], _ name: String = "clip.dcm") -> String {
        let path = folder + "/" + name
        MinimalPNGWriter.write(bytes, to: path)
        return path
    }

    func frameTime(_ w: MinimalDICOMWriter, _ ms: String) -> MinimalDICOMWriter.Element {
        .value(group: 0x0018, element: 0x1063, vr: "DS", bytes: MinimalDICOMWriter.text(ms))
    }

    @Test("explicit VR little endian, 8-bit MONOCHROME2: pixels and Frame Time")
    func explicitLittle() throws {
        let w = MinimalDICOMWriter(syntax: .explicitLittle)
        let pixels = (0..<(3 * 4 * 5)).map { UInt8($0 * 4 % 256) }
        let path = write(w.cine(width: 4, height: 5, frames: 3, pixels: pixels, timing: [frameTime(w, "100")]))
        let clip = try Clip.open(path)
        #expect(clip.frameCount == 3)
        #expect(clip.times == [0, 0.1, 0.2])
        #expect(
            try clip.source.frame(at: 2)
                == Frame(width: 4, height: 5, channels: 1, samples: .uint8(Array(pixels[40..<60]))))
    }

    @Test("implicit VR little endian, 16-bit MONOCHROME1 (inverted) with a Frame Time Vector")
    func implicitLittle() throws {
        let w = MinimalDICOMWriter(syntax: .implicitLittle)
        let values: [Int] = (0..<(2 * 3 * 2)).map { $0 * 1000 }
        let pixels = values.flatMap { w.us($0) }
        let vector = MinimalDICOMWriter.Element.value(
            group: 0x0018, element: 0x1065, vr: "DS", bytes: MinimalDICOMWriter.text("0\\40"))
        let path = write(
            w.cine(
                width: 3, height: 2, frames: 2, bits: 16, photometric: "MONOCHROME1", pixels: pixels, timing: [vector]))
        let clip = try Clip.open(path)
        #expect(clip.times == [0, 0.04])
        #expect(
            try clip.source.frame(at: 1)
                == Frame(width: 3, height: 2, channels: 1, samples: .uint16(values[6..<12].map { UInt16(65535 - $0) })))
    }

    @Test("explicit VR big endian, RGB with planar configuration 1, Cine Rate")
    func explicitBigPlanar() throws {
        let w = MinimalDICOMWriter(syntax: .explicitBig)
        // One 2x1 frame, planes R R G G B B.
        let rate = MinimalDICOMWriter.Element.value(
            group: 0x0018, element: 0x0040, vr: "IS", bytes: MinimalDICOMWriter.text("25"))
        let path = write(
            w.cine(
                width: 2, height: 1, frames: 1, samples: 3, photometric: "RGB", planar: 1,
                pixels: [10, 20, 30, 40, 50, 60], timing: [rate]))
        let clip = try Clip.open(path)
        #expect(
            try clip.source.frame(at: 0)
                == Frame(width: 2, height: 1, channels: 3, samples: .uint8([10, 30, 50, 20, 40, 60])))
        #expect(clip.times == [0])
    }

    @Test("YBR_FULL is converted to RGB (BT.601 full range)")
    func ybr() throws {
        let w = MinimalDICOMWriter(syntax: .explicitLittle)
        // Grey (Y 128, no chroma) and pure red (Y 76, Cb 85, Cr 255 is the BT.601 full-range encoding of 255,0,0).
        let path = write(
            w.cine(
                width: 2, height: 1, frames: 1, samples: 3, photometric: "YBR_FULL",
                pixels: [128, 128, 128, 76, 85, 255], timing: [frameTime(w, "50")]))
        let frame = try Clip.open(path).source.frame(at: 0)
        guard case .uint8(let s) = frame.samples else { Issue.record("8-bit expected"); return }
        #expect(Array(s[0..<3]) == [128, 128, 128])
        // Rounding of the 8-bit encoding leaves at most 1-2 levels.
        #expect(abs(Int(s[3]) - 255) <= 2 && Int(s[4]) <= 2 && Int(s[5]) <= 2)
    }

    @Test("sequences of undefined length are parsed into items (Sequence of Ultrasound Regions)")
    func sequences() throws {
        let w = MinimalDICOMWriter(syntax: .explicitLittle)
        let region: [MinimalDICOMWriter.Element] = [
            .value(group: 0x0018, element: 0x6018, vr: "UL", bytes: w.ul(10)),
            .value(group: 0x0018, element: 0x602C, vr: "FD", bytes: w.fd(0.025)),
        ]
        let sequence = MinimalDICOMWriter.Element.sequence(
            group: 0x0018, element: 0x6011, items: [region, region], undefinedLength: true)
        let path = write(
            w.cine(width: 2, height: 2, frames: 1, pixels: [1, 2, 3, 4], timing: [frameTime(w, "20"), sequence]))
        let file = try DICOMFile(path: path)
        let items = try #require(file.dataSet[.tag(0x0018, 0x6011)]?.items)
        #expect(items.count == 2)
        #expect(file.uint32(.tag(0x0018, 0x6018), in: items[1]) == 10)
        #expect(file.doubles(.tag(0x0018, 0x602C), in: items[0]) == [0.025])
        #expect(try Clip.open(path).frameCount == 1)
    }

    @Test("compressed pixel data in an unsupported syntax gets an error naming it and how to convert the file")
    func unsupportedSyntax() throws {
        let w = MinimalDICOMWriter(syntax: .jpegLS)
        let elements: [MinimalDICOMWriter.Element] = [
            .value(group: 0x0028, element: 0x0010, vr: "US", bytes: w.us(2)),
            .value(group: 0x0028, element: 0x0011, vr: "US", bytes: w.us(2)),
            .encapsulatedPixels(fragments: [[0xFF, 0xD8, 0xFF, 0xD9]]),
        ]
        let path = write(w.file(elements))
        let file = try DICOMFile(path: path)
        #expect(file.dataSet[.tag(0x7FE0, 0x0010)]?.fragments.count == 1)
        let error = imagingError { _ = try Clip.open(path) }
        #expect(error?.description.contains("JPEG-LS Lossless") == true)
        #expect(error?.description.contains("gdcmconv --raw") == true)
    }

    @Test("no timing in the file asks for --frame-rate, which then works")
    func noTiming() throws {
        let w = MinimalDICOMWriter(syntax: .explicitLittle)
        let path = write(w.cine(width: 2, height: 2, frames: 2, pixels: [UInt8](repeating: 7, count: 8), timing: []))
        #expect(imagingError { _ = try Clip.open(path) } == .missingTiming(path: path))
        #expect(try Clip.open(path, options: ClipOptions(frameRate: 10)).times == [0, 0.1])
    }

    @Test("every truncation of a file and random corruptions give an error or a clip, never a crash")
    func truncationAndCorruption() throws {
        let w = MinimalDICOMWriter(syntax: .explicitLittle)
        let region: [MinimalDICOMWriter.Element] = [.value(group: 0x0018, element: 0x6018, vr: "UL", bytes: w.ul(3))]
        let bytes = w.cine(
            width: 3, height: 2, frames: 2, pixels: [UInt8](repeating: 9, count: 12),
            timing: [
                frameTime(w, "40"), .sequence(group: 0x0018, element: 0x6011, items: [region], undefinedLength: true),
            ])
        var outcomes = (errors: 0, clips: 0)
        func attempt(_ data: [UInt8]) {
            let path = write(data, "probe.dcm")
            do {
                let clip = try Clip.open(path)
                for i in 0..<clip.frameCount { _ = try clip.source.frame(at: i) }
                outcomes.clips += 1
            } catch is CEUSImagingError {
                outcomes.errors += 1
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
        for length in stride(from: 0, to: bytes.count, by: 1) { attempt(Array(bytes.prefix(length))) }
        #expect(outcomes.clips == 0)  // every truncated file is rejected
        var rng = TestRandom(seed: 11)
        for _ in 0..<300 {
            var mutated = bytes
            for _ in 0..<3 { mutated[132 + Int(rng.next() % UInt64(bytes.count - 132))] = UInt8(rng.next() & 0xFF) }
            attempt(mutated)
        }
        #expect(outcomes.errors > 0)
    }
}

@Suite("DICOM ultrasound regions")
struct DICOMRegionTests {
    @Test("the right-most 2-D region is the contrast pane; physical deltas in cm give the pixel size; flags override")
    func dualDisplay() throws {
        let w = MinimalDICOMWriter(syntax: .explicitLittle)
        func region(_ x0: Int, _ x1: Int) -> [MinimalDICOMWriter.Element] {
            [
                .value(group: 0x0018, element: 0x6012, vr: "US", bytes: w.us(1)),
                .value(group: 0x0018, element: 0x6014, vr: "US", bytes: w.us(1)),
                .value(group: 0x0018, element: 0x6018, vr: "UL", bytes: w.ul(x0)),
                .value(group: 0x0018, element: 0x601A, vr: "UL", bytes: w.ul(1)),
                .value(group: 0x0018, element: 0x601C, vr: "UL", bytes: w.ul(x1)),
                .value(group: 0x0018, element: 0x601E, vr: "UL", bytes: w.ul(6)),
                .value(group: 0x0018, element: 0x6024, vr: "US", bytes: w.us(3)),
                .value(group: 0x0018, element: 0x6026, vr: "US", bytes: w.us(3)),
                .value(group: 0x0018, element: 0x602C, vr: "FD", bytes: w.fd(0.02)),
                .value(group: 0x0018, element: 0x602E, vr: "FD", bytes: w.fd(0.03)),
            ]
        }
        let regions = MinimalDICOMWriter.Element.sequence(
            group: 0x0018, element: 0x6011, items: [region(10, 17), region(0, 7)], undefinedLength: false)
        let time = MinimalDICOMWriter.Element.value(
            group: 0x0018, element: 0x1063, vr: "DS", bytes: MinimalDICOMWriter.text("50"))
        let path = TestPaths.temporaryFolder("regions") + "/dual.dcm"
        MinimalPNGWriter.write(
            w.cine(
                width: 20, height: 8, frames: 1, pixels: [UInt8](repeating: 1, count: 160), timing: [time, regions]),
            to: path)
        let clip = try Clip.open(path)
        #expect(clip.contrastPane == PixelRect(x: 10, y: 1, width: 8, height: 6))
        #expect(clip.metadata.bmodePane == PixelRect(x: 0, y: 1, width: 8, height: 6))
        let size = try #require(clip.pixelSizeMM)
        #expect(abs(size.x - 0.2) < 1e-12 && abs(size.y - 0.3) < 1e-12)
        let overridden = try Clip.open(
            path, options: ClipOptions(contrastPane: PixelRect(x: 0, y: 0, width: 4, height: 4)))
        #expect(overridden.contrastPane == PixelRect(x: 0, y: 0, width: 4, height: 4))
    }
}

@Suite("DICOM RLE Lossless")
struct DICOMRLETests {
    let w = MinimalDICOMWriter(syntax: .rleLossless)

    func file(
        width: Int, height: Int, frames: Int, samples: Int, bits: Int, photometric: String,
        pixel: MinimalDICOMWriter.Element
    ) -> String {
        let elements: [MinimalDICOMWriter.Element] = [
            .value(group: 0x0018, element: 0x1063, vr: "DS", bytes: MinimalDICOMWriter.text("100")),
            .value(group: 0x0028, element: 0x0002, vr: "US", bytes: w.us(samples)),
            .value(group: 0x0028, element: 0x0004, vr: "CS", bytes: MinimalDICOMWriter.text(photometric)),
            .value(group: 0x0028, element: 0x0008, vr: "IS", bytes: MinimalDICOMWriter.text(String(frames))),
            .value(group: 0x0028, element: 0x0010, vr: "US", bytes: w.us(height)),
            .value(group: 0x0028, element: 0x0011, vr: "US", bytes: w.us(width)),
            .value(group: 0x0028, element: 0x0100, vr: "US", bytes: w.us(bits)),
            .value(group: 0x0028, element: 0x0101, vr: "US", bytes: w.us(bits)),
            pixel,
        ]
        let path = TestPaths.temporaryFolder("rle") + "/rle.dcm"
        MinimalPNGWriter.write(w.file(elements), to: path)
        return path
    }

    @Test("8-bit grey and RGB frames, one fragment per frame, decode to the original samples")
    func greyAndColour() throws {
        // Runs and literals: a ramp with a long constant stretch.
        let grey: [[UInt16]] = (0..<3).map { (f: Int) -> [UInt16] in
            (0..<60).map { (i: Int) -> UInt16 in
                let value: Int = i < 30 ? 7 * f : (i * 13 + f) % 256
                return UInt16(value)
            }
        }
        let path = file(
            width: 10, height: 6, frames: 3, samples: 1, bits: 8, photometric: "MONOCHROME2",
            pixel: .encapsulatedPixels(
                fragments: grey.map { MinimalDICOMWriter.rleFrame(samples: [$0], bytesPerSample: 1) }))
        let clip = try Clip.open(path)
        for f in 0..<3 {
            #expect(
                try clip.source.frame(at: f)
                    == Frame(width: 10, height: 6, channels: 1, samples: .uint8(grey[f].map { UInt8($0) })))
        }
        let planes: [[UInt16]] = [
            (0..<12).map { UInt16($0) }, (0..<12).map { _ in 200 }, (0..<12).map { UInt16(255 - $0) },
        ]
        let rgb = file(
            width: 4, height: 3, frames: 1, samples: 3, bits: 8, photometric: "RGB",
            pixel: .encapsulatedPixels(fragments: [MinimalDICOMWriter.rleFrame(samples: planes, bytesPerSample: 1)]))
        let expected = (0..<12).flatMap { i in planes.map { UInt8($0[i]) } }
        #expect(
            try Clip.open(rgb).source.frame(at: 0) == Frame(width: 4, height: 3, channels: 3, samples: .uint8(expected))
        )
    }

    @Test("16-bit frames split over several fragments are joined through the basic offset table")
    func sixteenBitWithTable() throws {
        let frames: [[UInt16]] = (0..<2).map { f in (0..<20).map { UInt16($0 * 3000 + f) } }
        var fragments: [[UInt8]] = []
        var table: [Int] = []
        var offset = 0
        for frame in frames {
            let encoded = MinimalDICOMWriter.rleFrame(samples: [frame], bytesPerSample: 2)
            let half = encoded.count / 2 & ~1
            table.append(offset)
            for part in [Array(encoded[..<half]), Array(encoded[half...])] {
                fragments.append(part)
                offset += 8 + part.count
            }
        }
        let path = file(
            width: 5, height: 4, frames: 2, samples: 1, bits: 16, photometric: "MONOCHROME2",
            pixel: .encapsulatedPixelsWithTable(table: table, fragments: fragments))
        let clip = try Clip.open(path)
        #expect(try clip.source.frame(at: 1) == Frame(width: 5, height: 4, channels: 1, samples: .uint16(frames[1])))
    }

    @Test("a frame with the wrong number of segments is an error, not a crash")
    func badSegments() throws {
        var encoded = MinimalDICOMWriter.rleFrame(samples: [[1, 2, 3, 4]], bytesPerSample: 1)
        encoded[0] = 2
        let path = file(
            width: 2, height: 2, frames: 1, samples: 1, bits: 8, photometric: "MONOCHROME2",
            pixel: .encapsulatedPixels(fragments: [encoded]))
        let error = imagingError { _ = try Clip.open(path).source.frame(at: 0) }
        #expect(error?.description.contains("RLE: 2 segments, expected 1") == true)
    }
}

@Suite("DICOM PALETTE COLOR")
struct DICOMPaletteTests {
    let w = MinimalDICOMWriter(syntax: .explicitLittle)

    func palette(_ lut: (Int) -> [MinimalDICOMWriter.Element], indices: [UInt8]) throws -> Frame {
        let elements: [MinimalDICOMWriter.Element] =
            [
                .value(group: 0x0018, element: 0x1063, vr: "DS", bytes: MinimalDICOMWriter.text("40")),
                .value(group: 0x0028, element: 0x0002, vr: "US", bytes: w.us(1)),
                .value(group: 0x0028, element: 0x0004, vr: "CS", bytes: MinimalDICOMWriter.text("PALETTE COLOR")),
                .value(group: 0x0028, element: 0x0008, vr: "IS", bytes: MinimalDICOMWriter.text("1")),
                .value(group: 0x0028, element: 0x0010, vr: "US", bytes: w.us(1)),
                .value(group: 0x0028, element: 0x0011, vr: "US", bytes: w.us(indices.count)),
                .value(group: 0x0028, element: 0x0100, vr: "US", bytes: w.us(8)),
                .value(group: 0x0028, element: 0x0101, vr: "US", bytes: w.us(8)),
            ] + (0..<3).flatMap(lut) + [.value(group: 0x7FE0, element: 0x0010, vr: "OB", bytes: indices)]
        let path = TestPaths.temporaryFolder("palette") + "/p.dcm"
        MinimalPNGWriter.write(w.file(elements), to: path)
        return try Clip.open(path).source.frame(at: 0)
    }

    @Test("a 16-bit palette maps stored values, clamping those outside the mapped range")
    func normalPalette() throws {
        // Entries for values 2, 3, 4; channel k scales them by k + 1.
        let frame = try palette(
            { k in
                [
                    .value(group: 0x0028, element: UInt16(0x1101 + k), vr: "US", bytes: w.us(3) + w.us(2) + w.us(16)),
                    .value(
                        group: 0x0028, element: UInt16(0x1201 + k), vr: "OW",
                        bytes: [1000, 2000, 3000].flatMap { w.us($0 * (k + 1)) }),
                ]
            }, indices: [0, 2, 3, 4, 9])
        let expected: [UInt16] = [
            1000, 2000, 3000, 1000, 2000, 3000, 2000, 4000, 6000, 3000, 6000, 9000, 3000, 6000, 9000,
        ]
        #expect(frame == Frame(width: 5, height: 1, channels: 3, samples: .uint16(expected)))
    }

    @Test("segmented palettes expand discrete, linear and indirect segments")
    func segmented() throws {
        // Discrete [0, 10], linear to 50 over 4 entries, then an indirect copy of the first segment: 0 10 20 30 40 50 0 10.
        let segments = [0, 2, 0, 10, 1, 4, 50, 2, 1, 0, 0]
        let frame = try palette(
            { k in
                [
                    .value(group: 0x0028, element: UInt16(0x1101 + k), vr: "US", bytes: w.us(8) + w.us(0) + w.us(16)),
                    .value(group: 0x0028, element: UInt16(0x1221 + k), vr: "OW", bytes: segments.flatMap { w.us($0) }),
                ]
            }, indices: [0, 1, 2, 3, 4, 5, 6, 7])
        guard case .uint16(let s) = frame.samples else { Issue.record("16-bit expected"); return }
        #expect(stride(from: 0, to: s.count, by: 3).map { s[$0] } == [0, 10, 20, 30, 40, 50, 0, 10])
    }

    @Test("8-bit entries packed as bytes give an 8-bit RGB frame")
    func eightBitEntries() throws {
        let frame = try palette(
            { k in
                [
                    .value(group: 0x0028, element: UInt16(0x1101 + k), vr: "US", bytes: w.us(4) + w.us(0) + w.us(8)),
                    .value(
                        group: 0x0028, element: UInt16(0x1201 + k), vr: "OW", bytes: [UInt8(10 * (k + 1)), 20, 30, 40]),
                ]
            }, indices: [0, 3])
        #expect(frame == Frame(width: 2, height: 1, channels: 3, samples: .uint8([10, 20, 30, 40, 40, 40])))
    }
}

@Suite("DICOM JPEG Baseline")
struct DICOMJPEGTests {
    @Test("YBR_FULL_422 JPEG Baseline frames decode to exactly the pixels of the reference decoder (djpeg)")
    func matchesReferenceDecoder() throws {
        let folder = TestPaths.fixtures + "/dicom-jpeg"
        let frames = try (1...2).map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(folder)/frame\($0).jpg"))) }
        let w = MinimalDICOMWriter(syntax: .jpegBaseline)
        let elements: [MinimalDICOMWriter.Element] = [
            .value(group: 0x0018, element: 0x1063, vr: "DS", bytes: MinimalDICOMWriter.text("33")),
            .value(group: 0x0028, element: 0x0002, vr: "US", bytes: w.us(3)),
            .value(group: 0x0028, element: 0x0004, vr: "CS", bytes: MinimalDICOMWriter.text("YBR_FULL_422")),
            .value(group: 0x0028, element: 0x0006, vr: "US", bytes: w.us(0)),
            .value(group: 0x0028, element: 0x0008, vr: "IS", bytes: MinimalDICOMWriter.text("2")),
            .value(group: 0x0028, element: 0x0010, vr: "US", bytes: w.us(8)),
            .value(group: 0x0028, element: 0x0011, vr: "US", bytes: w.us(16)),
            .value(group: 0x0028, element: 0x0100, vr: "US", bytes: w.us(8)),
            .value(group: 0x0028, element: 0x0101, vr: "US", bytes: w.us(8)),
            .encapsulatedPixels(fragments: frames.map { $0.count % 2 == 1 ? $0 + [0] : $0 }),
        ]
        let path = TestPaths.temporaryFolder("jpeg") + "/cine.dcm"
        MinimalPNGWriter.write(w.file(elements), to: path)
        let clip = try Clip.open(path)
        #expect(clip.frameCount == 2)
        for f in 0..<2 {
            let ppm = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(folder)/frame\(f + 1)-djpeg.ppm")))
            let reference = Array(ppm.suffix(16 * 8 * 3))  // after the "P6\n16 8\n255\n" header
            #expect(
                try clip.source.frame(at: f) == Frame(width: 16, height: 8, channels: 3, samples: .uint8(reference)),
                "frame \(f + 1)")
        }
    }

    @Test("a corrupt JPEG frame is an error naming the frame")
    func corrupt() throws {
        let w = MinimalDICOMWriter(syntax: .jpegBaseline)
        let elements: [MinimalDICOMWriter.Element] = [
            .value(group: 0x0018, element: 0x1063, vr: "DS", bytes: MinimalDICOMWriter.text("33")),
            .value(group: 0x0028, element: 0x0002, vr: "US", bytes: w.us(1)),
            .value(group: 0x0028, element: 0x0004, vr: "CS", bytes: MinimalDICOMWriter.text("MONOCHROME2")),
            .value(group: 0x0028, element: 0x0010, vr: "US", bytes: w.us(8)),
            .value(group: 0x0028, element: 0x0011, vr: "US", bytes: w.us(16)),
            .value(group: 0x0028, element: 0x0100, vr: "US", bytes: w.us(8)),
            .encapsulatedPixels(fragments: [[0xFF, 0xD8, 0x00, 0x01]]),
        ]
        let path = TestPaths.temporaryFolder("jpeg-bad") + "/bad.dcm"
        MinimalPNGWriter.write(w.file(elements), to: path)
        let error = imagingError { _ = try Clip.open(path).source.frame(at: 0) }
        #expect(error?.description.contains("JPEG frame 1") == true)
    }
}

@Suite("DICOM YBR_FULL_422")
struct DICOMYBR422Tests {
    @Test("uncompressed YBR_FULL_422 pairs share their chroma and convert with BT.601 full range")
    func ybr422() throws {
        let w = MinimalDICOMWriter(syntax: .explicitLittle)
        // One row of four pixels: (Y1 Y2 Cb Cr) = (100 150 90 200), (30 60 128 128).
        let bytes: [UInt8] = [100, 150, 90, 200, 30, 60, 128, 128]
        let time = MinimalDICOMWriter.Element.value(
            group: 0x0018, element: 0x1063, vr: "DS", bytes: MinimalDICOMWriter.text("40"))
        let path = TestPaths.temporaryFolder("ybr422") + "/y.dcm"
        MinimalPNGWriter.write(
            w.cine(
                width: 4, height: 1, frames: 1, samples: 3, photometric: "YBR_FULL_422", pixels: bytes, timing: [time]),
            to: path)
        let frame = try Clip.open(path).source.frame(at: 0)
        // Expected, written out: R = Y + 1.402 (Cr - 128), G = Y - 0.344136 (Cb - 128) - 0.714136 (Cr - 128),
        // B = Y + 1.772 (Cb - 128), rounded and clipped to 0...255.
        func rgb(_ y: Double, _ cb: Double, _ cr: Double) -> [UInt8] {
            [y + 1.402 * (cr - 128), y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128), y + 1.772 * (cb - 128)]
                .map { UInt8(min(max($0.rounded(), 0), 255)) }
        }
        let expected = rgb(100, 90, 200) + rgb(150, 90, 200) + rgb(30, 128, 128) + rgb(60, 128, 128)
        #expect(frame == Frame(width: 4, height: 1, channels: 3, samples: .uint8(expected)))
    }
}
