import Foundation

/// A deliberately simple PNG encoder written from the PNG specification (RFC 2083 / ISO 15948) without
/// libpng: stored (uncompressed) deflate blocks, filter type 0, CRC-32 and Adler-32 computed here.
///
/// Tests use it to write clips "by another program", so that the reader is checked against the format
/// rather than against its own writer.
public enum MinimalPNGWriter {
    /// PNG colour types.
    public enum ColorType: UInt8, Sendable {
        case grey = 0
        case rgb = 2
        case palette = 3
        case greyAlpha = 4
        case rgba = 6

        var channels: Int {
            switch self {
            case .grey, .palette: return 1
            case .greyAlpha: return 2
            case .rgb: return 3
            case .rgba: return 4
            }
        }
    }

    /// Encodes samples (row-major, interleaved; 16-bit samples as big-endian pairs are produced from `UInt16`s).
    /// For `.palette`, `samples` are palette indices and `palette` holds RGB triples.
    public static func encode(
        width: Int, height: Int, colorType: ColorType, bitDepth: Int, samples: [UInt16], palette: [UInt8] = []
    ) -> [UInt8] {
        var raw: [UInt8] = []
        let channels = colorType.channels
        for row in 0..<height {
            raw.append(0)  // filter: none
            for i in 0..<(width * channels) {
                let v = samples[row * width * channels + i]
                if bitDepth == 16 {
                    raw.append(UInt8(v >> 8))
                    raw.append(UInt8(v & 0xFF))
                } else {
                    raw.append(UInt8(v))
                }
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [UInt8(bitDepth), colorType.rawValue, 0, 0, 0]
        png += chunk("IHDR", header)
        if colorType == .palette { png += chunk("PLTE", palette) }
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return png
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, data.count - offset)
            let final: UInt8 = offset + n == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        out += bigEndian(b << 16 | a)
        return out
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// Writes `bytes` to `path`.
    public static func write(_ bytes: [UInt8], to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }
}
