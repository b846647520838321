/// One decoded frame: interleaved samples, row-major, top row first.
public struct Frame: Sendable, Equatable {
    /// Sample storage: 8-bit or 16-bit values.
    public enum Samples: Sendable, Equatable {
        case uint8([UInt8])
        case uint16([UInt16])
    }

    /// Pixels per row and rows.
    let width: Int
    let height: Int
    /// Interleaved samples per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. Alpha is carried but ignored.
    public let channels: Int
    let samples: Samples

    /// A frame of `width` x `height` pixels with `channels` interleaved samples each.
    public init(width: Int, height: Int, channels: Int, samples: Samples) {
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }

    /// Whether the frame carries colour (RGB) rather than grey.
    var isColor: Bool { channels >= 3 }
    /// Bits per sample: 8 or 16.
    public var bitDepth: Int {
        if case .uint8 = samples { return 8 }
        return 16
    }
    /// Largest display value, Ymax: 255 or 65535.
    var maxValue: Int { bitDepth == 8 ? 255 : 65535 }

    /// Display value at (column, row): the grey sample, or luminance 0.299 R + 0.587 G + 0.114 B.
    func displayValue(column: Int, row: Int) -> Double {
        let base = (row * width + column) * channels
        func sample(_ i: Int) -> Double {
            switch samples {
            case .uint8(let s): return Double(s[base + i])
            case .uint16(let s): return Double(s[base + i])
            }
        }
        if isColor { return 0.299 * sample(0) + 0.587 * sample(1) + 0.114 * sample(2) }
        return sample(0)
    }
}
