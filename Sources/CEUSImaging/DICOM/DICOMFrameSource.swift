import Foundation

/// The frames of a DICOM multi-frame image, decoded one at a time.
///
/// Supported: uncompressed (native), RLE Lossless and JPEG Baseline pixel data, 8 or 16 bits allocated, MONOCHROME1 (inverted on decoding),
/// MONOCHROME2, RGB with planar configuration 0 or 1, YBR_FULL (converted to RGB, ITU-R BT.601 full range).
/// Compressed transfer syntaxes give an error naming the syntax and how to convert the file.
public struct DICOMFrameSource: FrameSource {
    /// The parsed file.
    public let file: DICOMFile
    /// Columns (pixels).
    public let width: Int
    /// Rows (pixels).
    public let height: Int
    /// Number of frames.
    public let frameCount: Int
    /// Samples per pixel (1 grey, 3 colour).
    public let samplesPerPixel: Int
    /// Bits allocated per sample (8 or 16).
    public let bitsAllocated: Int
    /// Photometric interpretation (MONOCHROME2, RGB, YBR_FULL_422, ...).
    public let photometric: String
    let planarConfiguration: Int
    let pixelRange: Range<Int>
    let frameBytes: Int
    /// The palette of PALETTE COLOR images.
    let palette: PaletteLookup?
    /// For encapsulated data: the byte range of each frame (its fragments joined when they are adjacent items).
    let fragmentsOfFrames: [[Range<Int>]]

    /// The frames of `file`; throws when its pixel data cannot be decoded.
    public init(file: DICOMFile) throws {
        self.file = file
        let path = file.path
        func require(_ value: Int?, _ name: String, _ tag: DICOMTag) throws -> Int {
            guard let value, value > 0 else {
                throw CEUSImagingError.unsupportedDICOM(
                    path: path, detail: "missing or zero \(name) \(tag.formatted); not an image")
            }
            return value
        }
        height = try require(file.uint16(.tag(0x0028, 0x0010)), "Rows", .tag(0x0028, 0x0010))
        width = try require(file.uint16(.tag(0x0028, 0x0011)), "Columns", .tag(0x0028, 0x0011))
        samplesPerPixel = file.uint16(.tag(0x0028, 0x0002)) ?? 1
        bitsAllocated = file.uint16(.tag(0x0028, 0x0100)) ?? 8
        photometric = file.string(.tag(0x0028, 0x0004)) ?? "MONOCHROME2"
        planarConfiguration = file.uint16(.tag(0x0028, 0x0006)) ?? 0
        guard bitsAllocated == 8 || bitsAllocated == 16 else {
            throw CEUSImagingError.unsupportedDICOM(
                path: path, detail: "\(bitsAllocated) bits allocated per sample (8 or 16 are supported)")
        }
        guard samplesPerPixel == 1 || samplesPerPixel == 3 else {
            throw CEUSImagingError.unsupportedDICOM(
                path: path,
                detail: "Samples per Pixel (0028,0002) is \(samplesPerPixel); 1 (grey) or 3 (colour) are supported")
        }
        try ImageLimits.checkFrame(
            width: width, height: height, path: path,
            field: "the frame size (Columns x Rows, (0028,0011) x (0028,0010))")
        frameCount = try Self.numberOfFrames(file)
        if let stored = file.uint16(.tag(0x0028, 0x0101)), !(1...bitsAllocated).contains(stored) || stored > 16 {
            throw CEUSImagingError.unsupportedDICOM(
                path: path,
                detail:
                    "Bits Stored (0028,0101) is \(stored) with \(bitsAllocated) bits allocated; it must be 1 to \(min(bitsAllocated, 16))"
            )
        }
        let syntax = file.transferSyntax
        let native = [DICOMParser.explicitLittle, DICOMParser.implicitLittle, DICOMParser.explicitBig].contains(syntax)
        guard native || syntax == DICOMParser.rleLossless || syntax == DICOMParser.jpegBaseline else {
            let name = DICOMParser.names[syntax] ?? "an unknown transfer syntax"
            throw CEUSImagingError.unsupportedDICOM(
                path: path,
                detail:
                    "pixel data compressed with \(name) (\(syntax)) cannot be read yet; convert the file to uncompressed, for example with `gdcmconv --raw IN OUT` or `dcmdjpeg IN OUT`"
            )
        }
        guard (file.uint16(.tag(0x0028, 0x0103)) ?? 0) == 0 else {
            throw CEUSImagingError.unsupportedDICOM(
                path: path, detail: "signed pixel values (Pixel Representation 1) are not supported")
        }
        var supported = ["MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL", "PALETTE COLOR"]
        supported.append("YBR_FULL_422")
        let singleSample = photometric.hasPrefix("MONOCHROME") || photometric == "PALETTE COLOR"
        guard supported.contains(photometric), (samplesPerPixel == 1) == singleSample else {
            throw CEUSImagingError.unsupportedDICOM(
                path: path,
                detail:
                    "photometric interpretation \(photometric) with \(samplesPerPixel) samples per pixel is not supported yet (\(supported.joined(separator: ", ")))"
            )
        }
        palette = photometric == "PALETTE COLOR" ? try PaletteLookup(file: file) : nil
        guard let pixels = file.dataSet[.tag(0x7FE0, 0x0010)] else {
            throw CEUSImagingError.unsupportedDICOM(path: path, detail: "no Pixel Data (7FE0,0010)")
        }
        // Uncompressed YBR_FULL_422 stores pairs of pixels as Y1 Y2 Cb Cr: two bytes per pixel.
        let subsampled = native && photometric == "YBR_FULL_422"
        if subsampled && (bitsAllocated != 8 || width % 2 != 0) {
            throw CEUSImagingError.unsupportedDICOM(
                path: path,
                detail:
                    "uncompressed YBR_FULL_422 needs 8 bits and an even width (found \(bitsAllocated) bits, \(width) columns)"
            )
        }
        frameBytes = subsampled ? width * height * 2 : width * height * samplesPerPixel * bitsAllocated / 8
        if !native {
            pixelRange = pixels.value
            fragmentsOfFrames = try Self.frameFragments(pixels, frames: frameCount, file: file)
            return
        }
        fragmentsOfFrames = []
        guard pixels.value.count >= frameBytes * frameCount else {
            throw CEUSImagingError.malformedDICOM(
                path: path, offset: pixels.value.lowerBound,
                detail:
                    "Pixel Data holds \(pixels.value.count) bytes, \(frameCount) frames of \(width)x\(height)x\(samplesPerPixel) need \(frameBytes * frameCount)"
            )
        }
        pixelRange = pixels.value
    }

    /// Number of Frames (0028,0008): absent means one frame; otherwise a whole number from 1 to
    /// ``ImageLimits/frames``, or an error naming the tag and its value.
    static func numberOfFrames(_ file: DICOMFile) throws -> Int {
        let tag = DICOMTag.tag(0x0028, 0x0008)
        guard let text = file.string(tag), !text.isEmpty else { return 1 }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 1,
            value == value.rounded()
        else {
            throw CEUSImagingError.invalidField(
                path: file.path, field: "Number of Frames \(tag.formatted)",
                detail: "\"\(text)\" is not a whole number of frames of at least 1")
        }
        guard value <= Double(ImageLimits.frames) else {
            throw CEUSImagingError.outsideLimit(
                path: file.path, field: "Number of Frames \(tag.formatted)", value: text,
                limit: "\(ImageLimits.frames) frames")
        }
        return Int(value)
    }

    /// The file path and the 1-based frame number, for messages.
    public func frameName(_ index: Int) -> String { "\(file.path) frame \(index + 1)" }

    /// Groups the fragments of encapsulated pixel data by frame: one fragment per frame, everything for a single
    /// frame, or by the basic offset table (each frame's first item, as an offset from the first item).
    static func frameFragments(_ pixels: DICOMElement, frames: Int, file: DICOMFile) throws -> [[Range<Int>]] {
        let fragments = pixels.fragments
        if fragments.count == frames { return fragments.map { [$0] } }
        if frames == 1 { return [fragments] }
        guard let table = pixels.offsetTable, table.count >= 4 * frames, let first = fragments.first else {
            throw CEUSImagingError.malformedDICOM(
                path: file.path, offset: pixels.value.lowerBound,
                detail:
                    "\(fragments.count) pixel data fragments for \(frames) frames and no basic offset table to map them"
            )
        }
        let raw = file.bytes(table)
        let offsets = (0..<frames).map { f in
            (0..<4).reduce(0) { $0 | Int(raw[raw.startIndex + 4 * f + $1]) << (8 * $1) }
        }
        let base = first.lowerBound - 8
        let starts = fragments.map { $0.lowerBound - 8 - base }
        return (0..<frames).map { f in
            fragments.indices.filter { k in starts[k] >= offsets[f] && (f + 1 == frames || starts[k] < offsets[f + 1]) }
                .map { fragments[$0] }
        }
    }

    /// Decodes frame `index` of encapsulated (RLE or JPEG Baseline) pixel data.
    func encapsulatedFrame(_ index: Int) throws -> Frame {
        var joined = Data()
        for range in fragmentsOfFrames[index] { joined.append(try file.readBytes(range)) }
        if file.transferSyntax == DICOMParser.jpegBaseline {
            let grey = samplesPerPixel == 1
            let decoded = try JPEGDecoder.decode(
                joined, grey: grey, path: file.path, frame: index, expected: (width, height))
            var pixels = decoded.pixels
            if grey && photometric == "MONOCHROME1" { pixels = pixels.map { 255 - $0 } }
            return Frame(width: width, height: height, channels: grey ? 1 : 3, samples: .uint8(pixels))
        }
        let n = width * height
        let values = try joined.withUnsafeBytes { raw in
            try RLEDecoder.decode(
                raw, pixels: n, samples: samplesPerPixel, bytesPerSample: bitsAllocated / 8, path: file.path)
        }
        let channels = samplesPerPixel == 1 ? 1 : 3
        if bitsAllocated == 8 {
            var out = values.map { UInt8(truncatingIfNeeded: $0) }
            if channels == 1 && photometric == "MONOCHROME1" { out = out.map { 255 - $0 } }
            if photometric == "YBR_FULL" { Self.convertYBR(&out) }
            return Frame(width: width, height: height, channels: channels, samples: .uint8(out))
        }
        let maximum = UInt16((1 << (file.uint16(.tag(0x0028, 0x0101)) ?? 16)) - 1)
        let out = values.map {
            photometric == "MONOCHROME1" ? maximum - ($0 & maximum) : channels == 1 ? $0 & maximum : $0
        }
        return Frame(width: width, height: height, channels: channels, samples: .uint16(out))
    }

    /// Frame `index` (from 0), decoded.
    public func frame(at index: Int) throws -> Frame {
        let stored = try storedFrame(index)
        guard let palette else { return stored }
        return Self.applyPalette(stored, palette)
    }

    /// Maps stored values through the palette to RGB (8-bit samples for 8-bit entries, else 16-bit).
    static func applyPalette(_ frame: Frame, _ palette: PaletteLookup) -> Frame {
        let n = frame.width * frame.height
        func value(_ i: Int) -> Int {
            switch frame.samples {
            case .uint8(let s): return Int(s[i])
            case .uint16(let s): return Int(s[i])
            }
        }
        if palette.bitsPerEntry == 8 {
            var out = [UInt8](repeating: 0, count: 3 * n)
            for i in 0..<n {
                let v = value(i)
                for c in 0..<3 { out[3 * i + c] = UInt8(truncatingIfNeeded: palette.color(v, channel: c)) }
            }
            return Frame(width: frame.width, height: frame.height, channels: 3, samples: .uint8(out))
        }
        var out = [UInt16](repeating: 0, count: 3 * n)
        for i in 0..<n {
            let v = value(i)
            for c in 0..<3 { out[3 * i + c] = palette.color(v, channel: c) }
        }
        return Frame(width: frame.width, height: frame.height, channels: 3, samples: .uint16(out))
    }

    /// The frame's stored values (before any palette).
    func storedFrame(_ index: Int) throws -> Frame {
        if !fragmentsOfFrames.isEmpty { return try encapsulatedFrame(index) }
        let start = pixelRange.lowerBound + index * frameBytes
        let raw = try file.readBytes(start..<start + frameBytes)
        let n = width * height
        let channels = samplesPerPixel == 1 ? 1 : 3
        if photometric == "YBR_FULL_422" {
            // Expand each pair (Y1 Y2 Cb Cr) to two YCbCr pixels, then convert to RGB.
            var out = [UInt8](repeating: 0, count: n * 3)
            raw.withUnsafeBytes { src in
                for pair in 0..<(n / 2) {
                    let (y1, y2, cb, cr) = (src[4 * pair], src[4 * pair + 1], src[4 * pair + 2], src[4 * pair + 3])
                    out.replaceSubrange((6 * pair)..<(6 * pair + 6), with: [y1, cb, cr, y2, cb, cr])
                }
            }
            Self.convertYBR(&out)
            return Frame(width: width, height: height, channels: 3, samples: .uint8(out))
        }
        if bitsAllocated == 8 {
            // Grey and interleaved RGB are the file's bytes as they are: one bulk copy.
            if (channels == 1 && photometric != "MONOCHROME1")
                || (channels == 3 && planarConfiguration == 0 && photometric == "RGB")
            {
                return Frame(
                    width: width, height: height, channels: channels, samples: .uint8([UInt8](raw.prefix(n * channels)))
                )
            }
            var out = [UInt8](repeating: 0, count: n * channels)
            raw.withUnsafeBytes { src in
                let s = src.bindMemory(to: UInt8.self)
                if channels == 1 {
                    for i in 0..<n { out[i] = 255 - s[i] }  // MONOCHROME1
                } else {
                    for i in 0..<n {
                        for c in 0..<3 { out[i * 3 + c] = planarConfiguration == 1 ? s[c * n + i] : s[i * 3 + c] }
                    }
                    if photometric == "YBR_FULL" { Self.convertYBR(&out) }
                }
            }
            return Frame(width: width, height: height, channels: channels, samples: .uint8(out))
        }
        let bigEndian = file.dataSet.bigEndian
        var out = [UInt16](repeating: 0, count: n * channels)
        raw.withUnsafeBytes { src in
            func sample(_ k: Int) -> UInt16 {
                let a = UInt16(src[2 * k])
                let b = UInt16(src[2 * k + 1])
                return bigEndian ? a << 8 | b : b << 8 | a
            }
            let maximum = UInt16((1 << (file.uint16(.tag(0x0028, 0x0101)) ?? 16)) - 1)
            for i in 0..<n {
                if channels == 1 {
                    let v = sample(i) & maximum
                    out[i] = photometric == "MONOCHROME1" ? maximum - v : v
                } else {
                    for c in 0..<3 { out[i * 3 + c] = planarConfiguration == 1 ? sample(c * n + i) : sample(i * 3 + c) }
                }
            }
        }
        return Frame(width: width, height: height, channels: channels, samples: .uint16(out))
    }

    /// YBR_FULL to RGB, in place (ITU-R BT.601 full range, as in DICOM PS3.3 C.7.6.3.1.2).
    static func convertYBR(_ pixels: inout [UInt8]) {
        for i in stride(from: 0, to: pixels.count, by: 3) {
            let y = Double(pixels[i])
            let cb = Double(pixels[i + 1]) - 128
            let cr = Double(pixels[i + 2]) - 128
            func clamp(_ v: Double) -> UInt8 { UInt8(min(max(v.rounded(), 0), 255)) }
            pixels[i] = clamp(y + 1.402 * cr)
            pixels[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr)
            pixels[i + 2] = clamp(y + 1.772 * cb)
        }
    }
}
