import Foundation

/// Regions from ImageJ / Fiji `.roi` files, as ImageJ's RoiDecoder defines the format (docs/METHODS.md §3): a
/// 64-byte big-endian header (`Iout`, version, type, bounds, vertex count, options, the offset of a second header
/// holding the name), the vertices as 16-bit integers relative to the bounds' corner, then, with the sub-pixel
/// option, as 32-bit floats in image pixels.
///
/// Areas are read: rectangles and ovals (their bounds; an oval is the ellipse inscribed in them), polygons,
/// freehand and traced outlines (their vertices; ImageJ's pixel convention, a pixel inside when its centre is,
/// is Echoflow's). Lines, points, text, composite shapes and rounded rectangles are refused with what to do.
enum ImageJRoi {
    static let rect = 1, oval = 2, polygon = 0, freehand = 7, traced = 8
    static let typeNames = [
        0: "polygon", 1: "rectangle", 2: "oval", 3: "straight line", 4: "freehand line", 5: "segmented line",
        6: "no ROI", 7: "freehand", 8: "traced", 9: "angle", 10: "point",
    ]
    static let subPixel: UInt16 = 128

    /// The region in `bytes` (one `.roi` file), named from the file unless it names itself; `source` in messages.
    static func decode(_ bytes: [UInt8], fallbackName: String, source: String) throws -> RegionOfInterest {
        func fail(_ detail: String) -> CEUSImagingError {
            .invalidRegion(path: source, region: fallbackName, detail: detail)
        }
        guard bytes.count >= 64, Array(bytes[0..<4]) == Array("Iout".utf8) else {
            throw fail("not an ImageJ ROI (the file does not start with \"Iout\")")
        }
        func u16(_ at: Int) -> Int { at + 2 <= bytes.count ? Int(bytes[at]) << 8 | Int(bytes[at + 1]) : 0 }
        func i16(_ at: Int) -> Int { Int(Int16(bitPattern: UInt16(u16(at)))) }
        func u32(_ at: Int) -> Int { at + 4 <= bytes.count ? u16(at) << 16 | u16(at + 2) : 0 }
        func f32(_ at: Int) -> Double { Double(Float(bitPattern: UInt32(u32(at)))) }
        let version = u16(4)
        let type = Int(bytes[6])
        let (top, left, bottom, right) = (i16(8), i16(10), i16(12), i16(14))
        let n = u16(16)
        let options = UInt16(u16(50))
        let subtype = u16(48)
        // The name, from the second header (version >= 218): its offset at 60, the name's offset and length at 16
        // and 20 in it, UTF-16 big-endian.
        var name = fallbackName
        let header2 = u32(60)
        if version >= 218, header2 > 0, header2 + 24 <= bytes.count {
            let (offset, length) = (u32(header2 + 16), u32(header2 + 20))
            if length > 0, offset > 0, offset + 2 * length <= bytes.count {
                let units = (0..<length).map { UInt16(u16(offset + 2 * $0)) }
                let decoded = String(decoding: units, as: UTF16.self)
                if !decoded.isEmpty { name = decoded }
            }
        }
        func named(_ detail: String) -> CEUSImagingError { .invalidRegion(path: source, region: name, detail: detail) }
        guard u32(36) == 0 else {
            throw named("a composite ROI (several shapes combined) cannot be read; split it in ImageJ's ROI Manager")
        }
        guard [1, 4].contains(subtype) == false else {
            throw named("a text ROI is not a region; delete it from the set")
        }
        let width = right - left
        let height = bottom - top
        switch type {
        case rect:
            guard u16(54) == 0 else {
                throw named(
                    "a rounded rectangle cannot be read exactly; convert it to a polygon in ImageJ (Edit > Selection > Interpolate, interval 1) or draw a plain rectangle"
                )
            }
            if options & subPixel != 0, version >= 223 {
                let (x, y, w, h) = (f32(18), f32(22), f32(26), f32(30))
                guard w > 0, h > 0 else { throw named("the rectangle has no area (\(w) x \(h))") }
                return RegionOfInterest(name: name, shape: .rectangle(x: x, y: y, width: w, height: h))
            }
            guard width > 0, height > 0 else { throw named("the rectangle has no area (\(width) x \(height))") }
            return RegionOfInterest(
                name: name,
                shape: .rectangle(x: Double(left), y: Double(top), width: Double(width), height: Double(height)))
        case oval:
            var (x, y, w, h) = (Double(left), Double(top), Double(width), Double(height))
            if options & subPixel != 0, version >= 223 { (x, y, w, h) = (f32(18), f32(22), f32(26), f32(30)) }
            guard w > 0, h > 0 else { throw named("the oval has no area (\(w) x \(h))") }
            return RegionOfInterest(
                name: name,
                shape: .ellipse(centerX: x + w / 2, centerY: y + h / 2, radiusX: w / 2, radiusY: h / 2, angleDegrees: 0)
            )
        case polygon, freehand, traced:
            guard n >= 3 else { throw named("an outline needs at least three vertices, found \(n)") }
            var points: [SIMD2<Double>] = []
            let floats = 64 + 4 * n
            if options & subPixel != 0, version >= 222, floats + 8 * n <= bytes.count {
                for k in 0..<n { points.append(SIMD2(f32(floats + 4 * k), f32(floats + 4 * n + 4 * k))) }
            } else {
                guard 64 + 4 * n <= bytes.count else {
                    throw named("the file ends before its \(n) vertices (\(bytes.count) bytes)")
                }
                for k in 0..<n {
                    points.append(SIMD2(Double(left + i16(64 + 2 * k)), Double(top + i16(64 + 2 * n + 2 * k))))
                }
            }
            guard points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
                throw named("a vertex is not a finite number")
            }
            return RegionOfInterest(name: name, shape: .polygon(points))
        default:
            let kind = typeNames[type] ?? "type \(type)"
            throw named(
                "a \(kind) ROI is not an area; Echoflow reads rectangles, ovals, polygons, freehand and traced outlines"
            )
        }
    }
}
