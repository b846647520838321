internal import CJPEG
import Foundation

/// JPEG Baseline frames decoded with libjpeg-turbo's TurboJPEG API (error codes, no setjmp), with libjpeg's
/// default accurate integer DCT and fancy upsampling, so pixels equal those of libjpeg-based reference decoders.
/// Colour images (YBR_FULL_422, YBR_FULL, RGB) come out as RGB; grey images as grey.
///
/// This is the only file that imports libjpeg-turbo.
enum JPEGDecoder {
    /// libjpeg's message in plain words, with its own text after it.
    static func plainWords(_ libjpeg: String) -> String {
        LibraryMessage.plainWords(
            libjpeg, library: "libjpeg",
            rules: [
                (["premature end", "empty input", "truncated"], "the compressed frame is truncated"),
                (["not a jpeg", "soi"], "the frame is not JPEG data"),
                (["corrupt", "invalid", "bogus", "huffman"], "the compressed frame is corrupt"),
                (["unsupported"], "the frame uses a JPEG feature that is not supported"),
            ], otherwise: "the frame cannot be decoded")
    }

    /// Decodes `jpeg`; its header must give the `expected` size (the image's Columns and Rows), checked before the
    /// pixels are allocated.
    static func decode(_ jpeg: Data, grey: Bool, path: String, frame: Int, expected: (width: Int, height: Int)) throws
        -> (
            width: Int, height: Int, pixels: [UInt8]
        )
    {
        guard let handle = tjInitDecompress() else {
            throw CEUSImagingError.unreadableImage(path: path, reason: "cannot start the JPEG decoder")
        }
        defer { tjDestroy(handle) }
        func failure() -> CEUSImagingError {
            let message = String(cString: tjGetErrorStr2(handle))
            return .malformedDICOM(
                path: path, offset: 0, detail: "JPEG frame \(frame + 1): \(plainWords(message))")
        }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let channels = grey ? 1 : 3
        return try jpeg.withUnsafeBytes { raw -> (Int, Int, [UInt8]) in
            let source = raw.bindMemory(to: UInt8.self)
            guard let base = source.baseAddress,
                tjDecompressHeader3(handle, base, UInt(source.count), &width, &height, &subsampling, &colorspace) == 0
            else { throw failure() }
            guard Int(width) == expected.width, Int(height) == expected.height else {
                throw CEUSImagingError.malformedDICOM(
                    path: path, offset: 0,
                    detail:
                        "JPEG frame \(frame + 1) is \(width)x\(height), the image is \(expected.width)x\(expected.height)"
                )
            }
            var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
            let format = grey ? TJPF_GRAY : TJPF_RGB
            let status = pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(
                    handle, base, UInt(source.count), out.baseAddress, width, 0, height, Int32(format.rawValue), 0)
            }
            guard status == 0 else { throw failure() }
            return (Int(width), Int(height), pixels)
        }
    }
}
