import Foundation

/// Writes small DICOM Part 10 files from the standard's encoding rules (PS3.5 §7, PS3.10 §7), independently of
/// Echoflow's parser, so tests can build files in every transfer syntax and break them on purpose.
public struct MinimalDICOMWriter {
    public enum Syntax: String, Sendable {
        case explicitLittle = "1.2.840.10008.1.2.1"
        case implicitLittle = "1.2.840.10008.1.2"
        case explicitBig = "1.2.840.10008.1.2.2"
        case jpegBaseline = "1.2.840.10008.1.2.4.50"
        case rleLossless = "1.2.840.10008.1.2.5"
        case jpegLS = "1.2.840.10008.1.2.4.80"
    }

    /// PackBits with both literal and repeat runs (PS3.5 G.3.1): runs of 3+ equal bytes repeat, others literal.
    public static func packBits(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            var run = 1
            while i + run < bytes.count && bytes[i + run] == bytes[i] && run < 128 { run += 1 }
            if run >= 3 {
                out.append(UInt8(bitPattern: Int8(1 - run)))
                out.append(bytes[i])
                i += run
            } else {
                var end = i
                while end < bytes.count && end - i < 128 {
                    if end + 2 < bytes.count && bytes[end] == bytes[end + 1] && bytes[end] == bytes[end + 2] { break }
                    end += 1
                }
                out.append(UInt8(end - i - 1))
                out += bytes[i..<end]
                i = end
            }
        }
        return out
    }

    /// One RLE frame: header and one PackBits segment per byte plane (most significant byte first).
    public static func rleFrame(samples: [[UInt16]], bytesPerSample: Int) -> [UInt8] {
        var segments: [[UInt8]] = []
        for plane in samples {
            for byte in 0..<bytesPerSample {
                let shift = UInt16(8 * (bytesPerSample - 1 - byte))
                var segment = packBits(plane.map { UInt8(truncatingIfNeeded: $0 >> shift) })
                if segment.count % 2 == 1 { segment.append(0x80) }  // no-op byte pads to even length
                segments.append(segment)
            }
        }
        var header = [UInt8](repeating: 0, count: 64)
        func put(_ v: Int, _ at: Int) { for k in 0..<4 { header[at + k] = UInt8((v >> (8 * k)) & 0xFF) } }
        put(segments.count, 0)
        var offset = 64
        for (k, segment) in segments.enumerated() {
            put(offset, 4 + 4 * k)
            offset += segment.count
        }
        return header + segments.flatMap { $0 }
    }

    /// An element: tag, VR and value bytes (already in the file's byte order), or a sequence of items.
    public indirect enum Element {
        case value(group: UInt16, element: UInt16, vr: String, bytes: [UInt8])
        case sequence(group: UInt16, element: UInt16, items: [[Element]], undefinedLength: Bool)
        case encapsulatedPixels(fragments: [[UInt8]])
        /// Encapsulated pixel data with a basic offset table (offsets of each frame's first item).
        case encapsulatedPixelsWithTable(table: [Int], fragments: [[UInt8]])
    }

    public let syntax: Syntax
    public init(syntax: Syntax) { self.syntax = syntax }

    var bigEndian: Bool { syntax == .explicitBig }
    var explicit: Bool { syntax != .implicitLittle }

    // MARK: - Values

    public func us(_ v: Int) -> [UInt8] { int(v, 2) }
    public func ul(_ v: Int) -> [UInt8] { int(v, 4) }
    public func int(_ v: Int, _ size: Int) -> [UInt8] {
        let little = (0..<size).map { UInt8((v >> (8 * $0)) & 0xFF) }
        return bigEndian ? little.reversed() : little
    }
    public func fd(_ v: Double) -> [UInt8] {
        let little = (0..<8).map { UInt8((v.bitPattern >> (8 * UInt64($0))) & 0xFF) }
        return bigEndian ? little.reversed() : little
    }
    /// Text padded to even length with a space (UIDs with a NUL).
    public static func text(_ s: String, uid: Bool = false) -> [UInt8] {
        var b = Array(s.utf8)
        if b.count % 2 == 1 { b.append(uid ? 0 : 0x20) }
        return b
    }

    // MARK: - Encoding

    static let longVRs: Set<String> = ["OB", "OD", "OF", "OL", "OW", "SQ", "UC", "UN", "UR", "UT"]

    func header(_ group: UInt16, _ element: UInt16, _ vr: String, _ length: UInt32, explicit: Bool, bigEndian: Bool)
        -> [UInt8]
    {
        func u16(_ v: UInt16) -> [UInt8] {
            bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)]
        }
        func u32(_ v: UInt32) -> [UInt8] {
            let l = (0..<4).map { UInt8((v >> (8 * UInt32($0))) & 0xFF) }
            return bigEndian ? l.reversed() : l
        }
        var out = u16(group) + u16(element)
        if explicit && group != 0xFFFE {
            out += Array(vr.utf8)
            if Self.longVRs.contains(vr) { out += [0, 0] + u32(length) } else { out += u16(UInt16(length)) }
        } else {
            out += u32(length)
        }
        return out
    }

    func encode(_ e: Element, explicit: Bool, bigEndian: Bool) -> [UInt8] {
        switch e {
        case .value(let g, let el, let vr, let bytes):
            return header(g, el, vr, UInt32(bytes.count), explicit: explicit, bigEndian: bigEndian) + bytes
        case .sequence(let g, let el, let items, let undefined):
            var body: [UInt8] = []
            for item in items {
                let content = item.flatMap { encode($0, explicit: explicit, bigEndian: bigEndian) }
                if undefined {
                    body += header(0xFFFE, 0xE000, "", 0xFFFF_FFFF, explicit: false, bigEndian: bigEndian) + content
                    body += header(0xFFFE, 0xE00D, "", 0, explicit: false, bigEndian: bigEndian)
                } else {
                    body +=
                        header(0xFFFE, 0xE000, "", UInt32(content.count), explicit: false, bigEndian: bigEndian)
                        + content
                }
            }
            if undefined {
                return header(g, el, "SQ", 0xFFFF_FFFF, explicit: explicit, bigEndian: bigEndian) + body
                    + header(0xFFFE, 0xE0DD, "", 0, explicit: false, bigEndian: bigEndian)
            }
            return header(g, el, "SQ", UInt32(body.count), explicit: explicit, bigEndian: bigEndian) + body
        case .encapsulatedPixels(let fragments):
            var out = header(0x7FE0, 0x0010, "OB", 0xFFFF_FFFF, explicit: explicit, bigEndian: bigEndian)
            out += header(0xFFFE, 0xE000, "", 0, explicit: false, bigEndian: bigEndian)  // empty offset table
            for f in fragments {
                out += header(0xFFFE, 0xE000, "", UInt32(f.count), explicit: false, bigEndian: bigEndian) + f
            }
            return out + header(0xFFFE, 0xE0DD, "", 0, explicit: false, bigEndian: bigEndian)
        case .encapsulatedPixelsWithTable(let table, let fragments):
            var out = header(0x7FE0, 0x0010, "OB", 0xFFFF_FFFF, explicit: explicit, bigEndian: bigEndian)
            let tableBytes = table.flatMap { v in (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
            out +=
                header(0xFFFE, 0xE000, "", UInt32(tableBytes.count), explicit: false, bigEndian: bigEndian) + tableBytes
            for f in fragments {
                out += header(0xFFFE, 0xE000, "", UInt32(f.count), explicit: false, bigEndian: bigEndian) + f
            }
            return out + header(0xFFFE, 0xE0DD, "", 0, explicit: false, bigEndian: bigEndian)
        }
    }

    /// The whole file: preamble, DICM, meta group (explicit little endian), then `elements` in the syntax.
    public func file(_ elements: [Element]) -> [UInt8] {
        let metaElements: [Element] = [
            .value(group: 0x0002, element: 0x0001, vr: "OB", bytes: [0, 1]),
            .value(
                group: 0x0002, element: 0x0002, vr: "UI", bytes: Self.text("1.2.840.10008.5.1.4.1.1.3.1", uid: true)),
            .value(group: 0x0002, element: 0x0010, vr: "UI", bytes: Self.text(syntax.rawValue, uid: true)),
        ]
        let meta = metaElements.flatMap { encode($0, explicit: true, bigEndian: false) }
        let length = MinimalDICOMWriter(syntax: .explicitLittle).ul(meta.count)
        let group = header(0x0002, 0x0000, "UL", 4, explicit: true, bigEndian: false) + length
        return [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + group + meta
            + elements.flatMap { encode($0, explicit: explicit, bigEndian: bigEndian) }
    }

    /// A typical ultrasound cine: image pixel module, timing elements and native pixel data.
    public func cine(
        width: Int, height: Int, frames: Int, samples: Int = 1, bits: Int = 8, photometric: String = "MONOCHROME2",
        planar: Int = 0, pixels: [UInt8], timing: [Element]
    ) -> [UInt8] {
        var elements: [Element] =
            timing + [
                .value(group: 0x0028, element: 0x0002, vr: "US", bytes: us(samples)),
                .value(group: 0x0028, element: 0x0004, vr: "CS", bytes: Self.text(photometric)),
                .value(group: 0x0028, element: 0x0008, vr: "IS", bytes: Self.text(String(frames))),
                .value(group: 0x0028, element: 0x0010, vr: "US", bytes: us(height)),
                .value(group: 0x0028, element: 0x0011, vr: "US", bytes: us(width)),
                .value(group: 0x0028, element: 0x0100, vr: "US", bytes: us(bits)),
                .value(group: 0x0028, element: 0x0101, vr: "US", bytes: us(bits)),
                .value(group: 0x0028, element: 0x0102, vr: "US", bytes: us(bits - 1)),
                .value(group: 0x0028, element: 0x0103, vr: "US", bytes: us(0)),
                .value(group: 0x7FE0, element: 0x0010, vr: bits == 8 ? "OB" : "OW", bytes: pixels),
            ]
        if samples == 3 {
            elements.insert(.value(group: 0x0028, element: 0x0006, vr: "US", bytes: us(planar)), at: timing.count + 2)
        }
        return file(elements)
    }
}
