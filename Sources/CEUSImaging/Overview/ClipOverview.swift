import Foundation

/// An RGB picture, 8 bits per channel, row-major.
struct Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8)) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]) = fill }
    }

    mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 3 * (y * width + x)
        (pixels[i], pixels[i + 1], pixels[i + 2]) = c
    }

    /// Fills the part of the rectangle that lies on the canvas (none when it lies wholly off it).
    mutating func fill(_ x: Int, _ y: Int, _ w: Int, _ h: Int, _ c: (UInt8, UInt8, UInt8)) {
        let (x0, x1, y0, y1) = (max(0, x), min(width, x + w), max(0, y), min(height, y + h))
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { set(xx, yy, c) } }
    }

    /// Draws `text` with its top-left corner at (x, y), on a dark box one scaled pixel wider on every side.
    mutating func text(_ text: String, x: Int, y: Int, scale: Int, colour: (UInt8, UInt8, UInt8)) {
        let w = BitmapFont.textWidth(text, scale: scale)
        fill(x - scale, y - scale, w + 2 * scale, BitmapFont.height * scale + 2 * scale, (0, 0, 0))
        for (k, c) in text.enumerated() {
            let bitmap = BitmapFont.bitmap(c)
            let left = x + k * (BitmapFont.width + 1) * scale
            for (row, bits) in bitmap.enumerated() {
                for (col, on) in bits.enumerated() where on {
                    fill(left + col * scale, y + row * scale, scale, scale, colour)
                }
            }
        }
    }

    var frame: Frame { Frame(width: width, height: height, channels: 3, samples: .uint8(pixels)) }
}

/// One region to outline in an overview.
public struct OverviewRegion: Sendable {
    let mask: RegionMask
    let isReference: Bool

    /// The region's mask; `isReference` marks the reference region (dashed outline, `(REF)` label).
    public init(mask: RegionMask, isReference: Bool) {
        self.mask = mask
        self.isReference = isReference
    }
}

/// The picture of what was measured (`overview.png`): the contrast pane of one frame, enlarged to at least 300
/// pixels, with every region outlined in its own colour and labelled, the reference region dashed and marked
/// `(REF)`, and the B-mode pane beside it when the clip has one; a title bar names the clip and the frame.
public enum ClipOverview {
    /// Outline colours, in region order (then repeating): chosen to stand out on grey and on tinted panes.
    static let colours: [(UInt8, UInt8, UInt8)] = [
        (255, 221, 0), (0, 230, 255), (255, 64, 200), (120, 255, 60), (255, 140, 0), (90, 150, 255),
        (255, 60, 60), (255, 255, 255),
    ]

    /// PNG bytes of the overview of frame `index`, regions moved by `shift` (whole pixels, the frame's motion).
    public static func png(
        clip: Clip, frame index: Int, regions: [OverviewRegion], shift: (x: Int, y: Int) = (0, 0), title: String
    ) throws -> [UInt8] {
        let frame = try clip.source.frame(at: index)
        let pane = clip.contrastPane
        let panes = [clip.bmodePane, pane].compactMap { $0 }
        let tallest = panes.map(\.height).max() ?? pane.height
        let scale = max(1, min(8, Int((300.0 / Double(max(pane.width, pane.height))).rounded(.up))))
        let gap = 8
        let titleHeight = 24
        let width = panes.map { $0.width * scale }.reduce(0, +) + gap * (panes.count + 1)
        var canvas = Canvas(width: max(width, 200), height: tallest * scale + titleHeight + gap, fill: (40, 40, 40))
        var left = gap
        var contrastLeft = gap
        for p in panes {
            if p == pane { contrastLeft = left }
            blit(frame, p, into: &canvas, x: left, y: titleHeight, scale: scale)
            left += p.width * scale + gap
        }
        let time = clip.times[index]
        // The frame first, then as much of the title as fits.
        let frameText = "FRAME \(index) (\(String(format: "%.1f", time)) S)  "
        let room = max(0, (canvas.width - 2 * gap) / (BitmapFont.width + 1) - frameText.count)
        let shown = title.count <= room ? title : String(title.prefix(max(0, room - 2))) + ".."
        canvas.text(frameText + shown, x: gap, y: 8, scale: 1, colour: (230, 230, 230))
        let thickness = max(1, scale / 2)
        for (k, region) in regions.enumerated() {
            let colour = colours[k % colours.count]
            let m = region.mask
            let inside = Set(m.indices)
            var top = Int.max
            var leftmost = Int.max
            for index in m.indices {
                let (row, col) = (index / m.paneWidth, index % m.paneWidth)
                let (r, c) = (row + shift.y, col + shift.x)
                guard r >= 0, c >= 0, r < pane.height, c < pane.width else { continue }
                top = min(top, r)
                leftmost = min(leftmost, c)
                if region.isReference && (row + col) % 4 >= 2 { continue }  // dashed
                let x0 = contrastLeft + c * scale
                let y0 = titleHeight + r * scale
                func outside(_ rr: Int, _ cc: Int) -> Bool {
                    rr < 0 || cc < 0 || rr >= m.paneHeight || cc >= m.paneWidth
                        || !inside.contains(rr * m.paneWidth + cc)
                }
                if outside(row - 1, col) { canvas.fill(x0, y0, scale, thickness, colour) }
                if outside(row + 1, col) { canvas.fill(x0, y0 + scale - thickness, scale, thickness, colour) }
                if outside(row, col - 1) { canvas.fill(x0, y0, thickness, scale, colour) }
                if outside(row, col + 1) { canvas.fill(x0 + scale - thickness, y0, thickness, scale, colour) }
            }
            guard top != Int.max else { continue }
            let label = m.name + (region.isReference ? " (REF)" : "")
            let textScale = scale >= 3 ? 2 : 1
            let labelHeight = BitmapFont.height * textScale
            var y = titleHeight + top * scale - labelHeight - 3 * textScale
            if y < titleHeight { y = titleHeight + top * scale + 2 * textScale }
            let x = min(
                contrastLeft + leftmost * scale, canvas.width - BitmapFont.textWidth(label, scale: textScale) - 2)
            canvas.text(label, x: max(textScale, x), y: y, scale: textScale, colour: colour)
        }
        return try PNGCodec.encode(canvas.frame, fast: true)
    }

    /// Copies `pane` of `frame` (display values; 16-bit reduced to 8) enlarged `scale` times to (x, y).
    static func blit(_ frame: Frame, _ pane: PixelRect, into canvas: inout Canvas, x: Int, y: Int, scale: Int) {
        let ch = frame.channels
        func sample(_ i: Int) -> UInt8 {
            switch frame.samples {
            case .uint8(let s): return s[i]
            case .uint16(let s): return UInt8(s[i] >> 8)
            }
        }
        for row in 0..<pane.height {
            for col in 0..<pane.width {
                let base = ((pane.y + row) * frame.width + pane.x + col) * ch
                let c =
                    frame.isColor
                    ? (sample(base), sample(base + 1), sample(base + 2)) : (sample(base), sample(base), sample(base))
                canvas.fill(x + col * scale, y + row * scale, scale, scale, c)
            }
        }
    }
}
