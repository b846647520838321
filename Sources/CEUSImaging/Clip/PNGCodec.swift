internal import CLibPNG
import Foundation

/// PNG decoding and encoding through libpng's simplified `png_image` API (no setjmp).
///
/// This is the only file that imports libpng.
public enum PNGCodec {
    /// Size and layout of a PNG file, read from its header only.
    public struct Header: Sendable, Equatable {
        public let width: Int
        public let height: Int
        /// Channels of the decoded frame (palette images decode to RGB or RGBA).
        public let channels: Int
        public let bitDepth: Int
    }

    /// Reads the header of the PNG at `path`.
    public static func header(path: String) throws -> Header {
        var image = png_image()
        echoflow_png_image_init(&image)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw CEUSImagingError.unreadableImage(path: path, reason: message(&image))
        }
        let format = outputFormat(image.format)
        return Header(
            width: Int(image.width), height: Int(image.height), channels: Int(channelCount(format)),
            bitDepth: format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0 ? 16 : 8)
    }

    /// Decodes the PNG at `path` into a frame with the file's own sample depth and colour layout.
    ///
    /// Palette images become RGB (or RGBA); 16-bit files stay 16-bit. Truncated or corrupt files throw
    /// ``CEUSImagingError/unreadableImage(path:reason:)`` with libpng's message.
    public static func decode(path: String) throws -> Frame {
        var image = png_image()
        echoflow_png_image_init(&image)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw CEUSImagingError.unreadableImage(path: path, reason: message(&image))
        }
        image.format = outputFormat(image.format)
        let channels = Int(channelCount(image.format))
        let width = Int(image.width)
        let height = Int(image.height)
        let count = width * height * channels
        let sixteen = image.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
        if sixteen {
            var buffer = [UInt16](repeating: 0, count: count)
            let ok = buffer.withUnsafeMutableBytes { raw in
                png_image_finish_read(&image, nil, raw.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw CEUSImagingError.unreadableImage(path: path, reason: message(&image)) }
            return Frame(width: width, height: height, channels: channels, samples: .uint16(buffer))
        } else {
            var buffer = [UInt8](repeating: 0, count: count)
            let ok = buffer.withUnsafeMutableBytes { raw in
                png_image_finish_read(&image, nil, raw.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw CEUSImagingError.unreadableImage(path: path, reason: message(&image)) }
            return Frame(width: width, height: height, channels: channels, samples: .uint8(buffer))
        }
    }

    /// Encodes `frame` as a PNG (8-bit or 16-bit, grey, grey+alpha, RGB or RGBA) and returns the bytes.
    public static func encode(_ frame: Frame) throws -> [UInt8] {
        var image = png_image()
        echoflow_png_image_init(&image)
        defer { png_image_free(&image) }
        image.width = UInt32(frame.width)
        image.height = UInt32(frame.height)
        var format: UInt32 = 0
        if frame.channels == 2 || frame.channels == 4 { format |= UInt32(PNG_FORMAT_FLAG_ALPHA) }
        if frame.channels >= 3 { format |= UInt32(PNG_FORMAT_FLAG_COLOR) }
        if frame.bitDepth == 16 { format |= UInt32(PNG_FORMAT_FLAG_LINEAR) }
        image.format = format

        func write(_ pixels: UnsafeRawPointer?) throws -> [UInt8] {
            var size = 0
            guard png_image_write_to_memory(&image, nil, &size, 0, pixels, 0, nil) != 0 else {
                throw CEUSImagingError.writeFailed(path: "(PNG in memory)", reason: message(&image))
            }
            var bytes = [UInt8](repeating: 0, count: size)
            let ok = bytes.withUnsafeMutableBytes { raw in
                png_image_write_to_memory(&image, raw.baseAddress, &size, 0, pixels, 0, nil)
            }
            guard ok != 0 else { throw CEUSImagingError.writeFailed(path: "(PNG in memory)", reason: message(&image)) }
            return Array(bytes.prefix(size))
        }
        switch frame.samples {
        case .uint8(let s): return try s.withUnsafeBytes { try write($0.baseAddress) }
        case .uint16(let s): return try s.withUnsafeBytes { try write($0.baseAddress) }
        }
    }

    /// The output format for a file's format: its own layout, palettes expanded.
    static func outputFormat(_ fileFormat: UInt32) -> UInt32 {
        fileFormat & ~UInt32(PNG_FORMAT_FLAG_COLORMAP | PNG_FORMAT_FLAG_AFIRST | PNG_FORMAT_FLAG_BGR)
    }

    static func channelCount(_ format: UInt32) -> UInt32 {
        (format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0 ? 3 : 1) + (format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0 ? 1 : 0)
    }

    static func message(_ image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "not a valid PNG file" : text
    }
}
