internal import CLibPNG
import Foundation

/// PNG decoding and encoding through libpng's simplified `png_image` API (no setjmp).
///
/// This is the only file that imports libpng.
public enum PNGCodec {
    /// Size and layout of a PNG file, read from its header only.
    struct Header: Sendable, Equatable {
        let width: Int
        let height: Int
        /// Channels of the decoded frame (palette images decode to RGB or RGBA).
        let channels: Int
        let bitDepth: Int
    }

    /// Reads the header of the PNG at `path`.
    static func header(path: String) throws -> Header {
        let image = try beginRead(path)
        defer { release(image) }
        let format = outputFormat(image.pointee.format)
        return Header(
            width: Int(image.pointee.width), height: Int(image.pointee.height), channels: Int(channelCount(format)),
            bitDepth: format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0 ? 16 : 8)
    }

    /// Decodes the PNG at `path` into a frame with the file's own sample depth and colour layout.
    ///
    /// Palette images become RGB (or RGBA); 16-bit files stay 16-bit. Truncated or corrupt files throw
    /// ``CEUSImagingError/unreadableImage(path:reason:)`` with libpng's message.
    static func decode(path: String) throws -> Frame {
        let image = try beginRead(path)
        defer { release(image) }
        image.pointee.format = outputFormat(image.pointee.format)
        let channels = Int(channelCount(image.pointee.format))
        let width = Int(image.pointee.width)
        let height = Int(image.pointee.height)
        let count = width * height * channels
        let sixteen = image.pointee.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
        if sixteen {
            var buffer = [UInt16](repeating: 0, count: count)
            let ok = buffer.withUnsafeMutableBytes { raw in
                png_image_finish_read(image, nil, raw.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw CEUSImagingError.unreadableImage(path: path, reason: message(image)) }
            return Frame(width: width, height: height, channels: channels, samples: .uint16(buffer))
        } else {
            var buffer = [UInt8](repeating: 0, count: count)
            let ok = buffer.withUnsafeMutableBytes { raw in
                png_image_finish_read(image, nil, raw.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw CEUSImagingError.unreadableImage(path: path, reason: message(image)) }
            return Frame(width: width, height: height, channels: channels, samples: .uint8(buffer))
        }
    }

    /// Encodes `frame` as a PNG (8-bit or 16-bit, grey, grey+alpha, RGB or RGBA) and returns the bytes; `fast`
    /// trades a little size for speed.
    public static func encode(_ frame: Frame, fast: Bool = false) throws -> [UInt8] {
        let image = newImage()
        defer { release(image) }
        image.pointee.width = UInt32(frame.width)
        image.pointee.height = UInt32(frame.height)
        var format: UInt32 = 0
        if frame.channels == 2 || frame.channels == 4 { format |= UInt32(PNG_FORMAT_FLAG_ALPHA) }
        if frame.channels >= 3 { format |= UInt32(PNG_FORMAT_FLAG_COLOR) }
        if frame.bitDepth == 16 { format |= UInt32(PNG_FORMAT_FLAG_LINEAR) }
        image.pointee.format = format

        // Faster, slightly larger compression for pictures (the overview); clips keep libpng's default, so that
        // synthetic clips stay byte-identical to their recorded fixtures.
        if fast { image.pointee.flags |= UInt32(PNG_IMAGE_FLAG_FAST) }

        // One compression into a buffer of the worst case (stored deflate blocks, a filter byte per row, chunk
        // headers); libpng reports the size it needs if that were ever short, and the write is repeated once.
        func write(_ pixels: UnsafeRawPointer?) throws -> [UInt8] {
            let raw = frame.width * frame.height * frame.channels * (frame.bitDepth / 8)
            var capacity = raw + raw / 64 + frame.height + 4096
            for _ in 0..<2 {
                var size = capacity
                var bytes = [UInt8](repeating: 0, count: capacity)
                let ok = bytes.withUnsafeMutableBytes { buffer in
                    png_image_write_to_memory(image, buffer.baseAddress, &size, 0, pixels, 0, nil)
                }
                if ok != 0 { return Array(bytes.prefix(size)) }
                guard size > capacity else { break }
                capacity = size
                image.pointee.warning_or_error = 0
            }
            throw CEUSImagingError.writeFailed(path: "(PNG in memory)", reason: message(image))
        }
        switch frame.samples {
        case .uint8(let s): return try s.withUnsafeBytes { try write($0.baseAddress) }
        case .uint16(let s): return try s.withUnsafeBytes { try write($0.baseAddress) }
        }
    }

    /// Opens `path` and reads its header; the caller frees the image.
    ///
    /// libpng keeps the image's address as its error pointer, so the image lives at one heap address from
    /// creation to `release`.
    static func beginRead(_ path: String) throws -> UnsafeMutablePointer<png_image> {
        let image = newImage()
        guard png_image_begin_read_from_file(image, path) != 0 else {
            let reason = message(image)
            release(image)
            throw CEUSImagingError.unreadableImage(path: path, reason: reason)
        }
        // Limits before any pixel is allocated: the size, and what the file's bytes can hold (zlib expands at most
        // 1032-fold).
        let width = Int(image.pointee.width)
        let height = Int(image.pointee.height)
        do {
            try ImageLimits.checkFrame(width: width, height: height, path: path, field: "the PNG size (IHDR)")
            let format = outputFormat(image.pointee.format)
            let bytesPerSample = format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0 ? 2 : 1
            let raw = height * (1 + width * Int(channelCount(format)) * bytesPerSample)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? Int.max
            guard size.multipliedReportingOverflow(by: 1032).partialValue >= raw else {
                throw CEUSImagingError.unreadableImage(
                    path: path,
                    reason:
                        "the file is truncated: its \(size) bytes cannot hold a \(width) x \(height) image")
            }
        } catch {
            release(image)
            throw error
        }
        return image
    }

    static func newImage() -> UnsafeMutablePointer<png_image> {
        let image = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
        image.initialize(to: png_image())
        echoflow_png_image_init(image)
        return image
    }

    static func release(_ image: UnsafeMutablePointer<png_image>) {
        png_image_free(image)
        image.deinitialize(count: 1)
        image.deallocate()
    }

    /// The output format for a file's format: its own layout, palettes expanded.
    static func outputFormat(_ fileFormat: UInt32) -> UInt32 {
        fileFormat & ~UInt32(PNG_FORMAT_FLAG_COLORMAP | PNG_FORMAT_FLAG_AFIRST | PNG_FORMAT_FLAG_BGR)
    }

    static func channelCount(_ format: UInt32) -> UInt32 {
        (format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0 ? 3 : 1) + (format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0 ? 1 : 0)
    }

    static func message(_ image: UnsafeMutablePointer<png_image>) -> String {
        let text = withUnsafeBytes(of: &image.pointee.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return plainWords(text)
    }

    /// libpng's message in plain words, with libpng's own text after it.
    static func plainWords(_ libpng: String) -> String {
        guard !libpng.isEmpty else { return "not a valid PNG file" }
        return LibraryMessage.plainWords(
            libpng, library: "libpng",
            rules: [
                (["signature", "not a png"], "not a PNG file (its first bytes are not the PNG signature)"),
                (
                    ["read error", "not enough image data", "eof", "truncated"],
                    "the file is truncated (it ends before its image data does)"
                ),
                (["crc"], "the file is corrupt (a chunk's checksum does not match its data)"),
                (
                    ["idat", "invalid", "incorrect header", "too far back", "zlib", "decompress"],
                    "the compressed image data is corrupt"
                ),
                (["ihdr", "image width", "image height"], "the PNG header is invalid"),
            ], otherwise: "the file is not a readable PNG")
    }
}
