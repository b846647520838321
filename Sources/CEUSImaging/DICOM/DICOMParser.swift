import Foundation

/// Parses DICOM Part 10 files: the 128-byte preamble and `DICM`, the file meta group (explicit VR little endian),
/// then the data set in Explicit VR Little Endian, Implicit VR Little Endian or Explicit VR Big Endian, with
/// sequences and items of defined or undefined length and encapsulated pixel data (basic offset table and
/// fragments). Every read is bounds-checked: malformed lengths give an error with the byte offset, never a read
/// past the end of the buffer.
///
/// Reference: DICOM PS3.5 (Data Structures and Encoding) §7.1-7.5 and Annex A.4; PS3.10 §7.
public struct DICOMParser {
    /// Transfer syntaxes read by Echoflow.
    static let implicitLittle = "1.2.840.10008.1.2"
    static let explicitLittle = "1.2.840.10008.1.2.1"
    static let explicitBig = "1.2.840.10008.1.2.2"
    static let jpegBaseline = "1.2.840.10008.1.2.4.50"
    static let rleLossless = "1.2.840.10008.1.2.5"

    /// Names of transfer syntaxes for messages.
    public static let names: [String: String] = [
        implicitLittle: "Implicit VR Little Endian", explicitLittle: "Explicit VR Little Endian",
        explicitBig: "Explicit VR Big Endian", jpegBaseline: "JPEG Baseline (Process 1)", rleLossless: "RLE Lossless",
        "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian", "1.2.840.10008.1.2.4.51": "JPEG Extended",
        "1.2.840.10008.1.2.4.57": "JPEG Lossless", "1.2.840.10008.1.2.4.70": "JPEG Lossless SV1",
        "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless", "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
        "1.2.840.10008.1.2.4.90": "JPEG 2000 Lossless", "1.2.840.10008.1.2.4.91": "JPEG 2000",
    ]

    /// VRs with a 2-byte reserved field and a 4-byte length in explicit transfer syntaxes.
    static let longVRs: Set<String> = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]
    /// Tags read as sequences in implicit VR (their VR is not in the file).
    static let knownSequences: Set<DICOMTag> = [.tag(0x0018, 0x6011), .tag(0x0028, 0x3000)]

    let bytes: UnsafeRawBufferPointer
    let path: String

    /// The file meta group, the main data set, and the transfer syntax UID.
    public struct File: Sendable {
        let meta: DICOMDataSet
        let dataSet: DICOMDataSet
        let transferSyntax: String
    }

    /// Whether `data` starts like a Part 10 file (`DICM` at byte 128).
    static func hasMagic(_ data: Data) -> Bool {
        data.count >= 132 && data[data.startIndex + 128..<data.startIndex + 132].elementsEqual("DICM".utf8)
    }

    /// Parses `data` read from `path` (used in messages).
    public static func parse(_ data: Data, path: String) throws -> File {
        try data.withUnsafeBytes { raw in
            let parser = DICOMParser(bytes: raw, path: path)
            return try parser.parseFile()
        }
    }

    func fail(_ offset: Int, _ detail: String) -> CEUSImagingError {
        .malformedDICOM(path: path, offset: offset, detail: detail)
    }

    func parseFile() throws -> File {
        guard bytes.count >= 132, bytes[128] == 0x44, bytes[129] == 0x49, bytes[130] == 0x43, bytes[131] == 0x4D else {
            throw CEUSImagingError.notAClip(path: path, reason: "not a DICOM Part 10 file (no DICM marker at byte 128)")
        }
        // The meta group is always explicit VR little endian; it ends where group 0002 ends.
        var offset = 132
        var meta = DICOMDataSet(bigEndian: false)
        while offset + 4 <= bytes.count, readUInt16(offset, bigEndian: false) == 0x0002 {
            let element = try parseElement(&offset, explicit: true, bigEndian: false, end: bytes.count)
            meta.elements[element.tag] = element
        }
        guard let syntaxElement = meta[.tag(0x0002, 0x0010)] else {
            throw fail(132, "the file meta group has no Transfer Syntax UID (0002,0010)")
        }
        let syntax = string(syntaxElement.value)
        let explicit: Bool
        let bigEndian: Bool
        switch syntax {
        case Self.implicitLittle: (explicit, bigEndian) = (false, false)
        case Self.explicitBig: (explicit, bigEndian) = (true, true)
        default: (explicit, bigEndian) = (true, false)  // explicit little endian, and every encapsulated syntax
        }
        let dataSet = try parseDataSet(&offset, end: bytes.count, explicit: explicit, bigEndian: bigEndian, item: false)
        return File(meta: meta, dataSet: dataSet, transferSyntax: syntax)
    }

    /// Parses elements until `end` or, inside an undefined-length item, the item delimiter.
    func parseDataSet(
        _ offset: inout Int, end: Int, explicit: Bool, bigEndian: Bool, item: Bool, depth: Int = 0
    ) throws -> DICOMDataSet {
        var set = DICOMDataSet(bigEndian: bigEndian)
        while offset < end {
            guard offset + 8 <= end else { throw fail(offset, "truncated element header") }
            let group = readUInt16(offset, bigEndian: bigEndian)
            let element = readUInt16(offset + 2, bigEndian: bigEndian)
            if group == 0xFFFE && element == 0xE00D {  // item delimitation
                offset += 8
                if item { return set }
                continue
            }
            let parsed = try parseElement(&offset, explicit: explicit, bigEndian: bigEndian, end: end, depth: depth)
            set.elements[parsed.tag] = parsed
        }
        return set
    }

    func parseElement(_ offset: inout Int, explicit: Bool, bigEndian: Bool, end: Int, depth: Int = 0) throws
        -> DICOMElement
    {
        let start = offset
        guard offset + 8 <= end else { throw fail(offset, "truncated element header") }
        let tag = DICOMTag.tag(readUInt16(offset, bigEndian: bigEndian), readUInt16(offset + 2, bigEndian: bigEndian))
        var vr: String?
        var length: UInt32
        if explicit && tag.group != 0xFFFE {
            let v = String(decoding: [bytes[offset + 4], bytes[offset + 5]], as: UTF8.self)
            guard v.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                throw fail(
                    offset + 4,
                    "element \(tag.formatted) has no valid VR (found bytes \(bytes[offset + 4]), \(bytes[offset + 5]))")
            }
            vr = v
            if Self.longVRs.contains(v) {
                guard offset + 12 <= end else { throw fail(offset, "truncated element header of \(tag.formatted)") }
                length = readUInt32(offset + 8, bigEndian: bigEndian)
                offset += 12
            } else {
                length = UInt32(readUInt16(offset + 6, bigEndian: bigEndian))
                offset += 8
            }
        } else {
            length = readUInt32(offset + 4, bigEndian: bigEndian)
            offset += 8
        }
        let undefined = length == 0xFFFF_FFFF
        let isSequence =
            vr == "SQ"
            || (vr == nil && (Self.knownSequences.contains(tag) || (undefined && tag != .tag(0x7FE0, 0x0010))))
        if tag == .tag(0x7FE0, 0x0010) && undefined {
            return try parseEncapsulated(tag: tag, vr: vr, &offset, end: end, bigEndian: bigEndian)
        }
        if isSequence {
            guard depth < ImageLimits.sequenceDepth else {
                throw fail(
                    start,
                    "sequence \(tag.formatted) is nested \(depth + 1) deep, beyond the limit of \(ImageLimits.sequenceDepth) (real files nest a few levels)"
                )
            }
            let items = try parseSequence(
                &offset, length: undefined ? nil : Int(length), end: end, explicit: explicit, bigEndian: bigEndian,
                depth: depth + 1)
            return DICOMElement(tag: tag, vr: vr, value: offset..<offset, items: items, fragments: [], offsetTable: nil)
        }
        guard !undefined else {
            throw fail(start, "element \(tag.formatted) has an undefined length but is not a sequence")
        }
        let valueEnd = offset + Int(length)
        guard valueEnd <= end else {
            throw fail(start, "element \(tag.formatted) claims \(length) bytes but only \(end - offset) remain")
        }
        defer { offset = valueEnd }
        return DICOMElement(tag: tag, vr: vr, value: offset..<valueEnd, items: [], fragments: [], offsetTable: nil)
    }

    func parseSequence(_ offset: inout Int, length: Int?, end: Int, explicit: Bool, bigEndian: Bool, depth: Int) throws
        -> [DICOMDataSet]
    {
        let sequenceEnd = length.map { offset + $0 } ?? end
        guard sequenceEnd <= end else {
            throw fail(offset, "a sequence claims \(length ?? 0) bytes but only \(end - offset) remain")
        }
        var items: [DICOMDataSet] = []
        while offset < sequenceEnd {
            guard offset + 8 <= sequenceEnd else { throw fail(offset, "truncated sequence item") }
            let group = readUInt16(offset, bigEndian: bigEndian)
            let element = readUInt16(offset + 2, bigEndian: bigEndian)
            let itemLength = readUInt32(offset + 4, bigEndian: bigEndian)
            offset += 8
            if group == 0xFFFE && element == 0xE0DD { return items }  // sequence delimitation
            guard group == 0xFFFE && element == 0xE000 else {
                throw fail(
                    offset - 8, "expected a sequence item (FFFE,E000), found \(DICOMTag.tag(group, element).formatted)")
            }
            if itemLength == 0xFFFF_FFFF {
                items.append(
                    try parseDataSet(
                        &offset, end: sequenceEnd, explicit: explicit, bigEndian: bigEndian, item: true, depth: depth))
            } else {
                let itemEnd = offset + Int(itemLength)
                guard itemEnd <= sequenceEnd else {
                    throw fail(offset - 8, "an item claims \(itemLength) bytes but only \(sequenceEnd - offset) remain")
                }
                items.append(
                    try parseDataSet(
                        &offset, end: itemEnd, explicit: explicit, bigEndian: bigEndian, item: false, depth: depth))
                offset = itemEnd
            }
        }
        if length == nil {
            throw fail(offset, "a sequence of undefined length has no delimiter before the end of the file")
        }
        return items
    }

    /// Encapsulated pixel data: items holding the basic offset table, then the fragments, then a delimiter.
    func parseEncapsulated(tag: DICOMTag, vr: String?, _ offset: inout Int, end: Int, bigEndian: Bool) throws
        -> DICOMElement
    {
        var table: Range<Int>?
        var fragments: [Range<Int>] = []
        while true {
            guard offset + 8 <= end else {
                throw fail(offset, "encapsulated pixel data ends without a sequence delimiter")
            }
            let group = readUInt16(offset, bigEndian: bigEndian)
            let element = readUInt16(offset + 2, bigEndian: bigEndian)
            let length = Int(readUInt32(offset + 4, bigEndian: bigEndian))
            offset += 8
            if group == 0xFFFE && element == 0xE0DD { break }
            guard group == 0xFFFE && element == 0xE000 else {
                throw fail(offset - 8, "expected a pixel data item, found \(DICOMTag.tag(group, element).formatted)")
            }
            guard length <= end - offset else {
                throw fail(offset - 8, "a pixel data fragment claims \(length) bytes but only \(end - offset) remain")
            }
            if table == nil { table = offset..<offset + length } else { fragments.append(offset..<offset + length) }
            offset += length
        }
        return DICOMElement(
            tag: tag, vr: vr, value: offset..<offset, items: [], fragments: fragments, offsetTable: table)
    }

    // MARK: - Reading values

    func readUInt16(_ at: Int, bigEndian: Bool) -> UInt16 {
        let a = UInt16(bytes[at])
        let b = UInt16(bytes[at + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    func readUInt32(_ at: Int, bigEndian: Bool) -> UInt32 {
        let v = (0..<4).map { UInt32(bytes[at + $0]) }
        return bigEndian ? v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3] : v[3] << 24 | v[2] << 16 | v[1] << 8 | v[0]
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
    }
}
