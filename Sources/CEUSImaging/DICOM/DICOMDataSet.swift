/// A DICOM tag: group and element packed as `group << 16 | element`.
public typealias DICOMTag = UInt32

extension DICOMTag {
    /// The tag (group, element) as one number, group in the high 16 bits.
    public static func tag(_ group: UInt16, _ element: UInt16) -> DICOMTag { DICOMTag(group) << 16 | DICOMTag(element) }
    var group: UInt16 { UInt16(self >> 16) }
    var element: UInt16 { UInt16(self & 0xFFFF) }
    var formatted: String {
        "(" + String(format4(group)) + "," + String(format4(element)) + ")"
    }
    private func format4(_ v: UInt16) -> String {
        let hex = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex
    }
}

/// One element: its value as a byte range of the file, or the items of a sequence, or the fragments of
/// encapsulated pixel data.
struct DICOMElement: Sendable, Equatable {
    let tag: DICOMTag
    /// Two-letter value representation (explicit transfer syntaxes), nil in implicit VR.
    let vr: String?
    /// Byte range of the value in the file (empty for sequences).
    let value: Range<Int>
    /// Items of a sequence.
    let items: [DICOMDataSet]
    /// Byte ranges of the fragments of encapsulated pixel data (the basic offset table excluded).
    let fragments: [Range<Int>]
    /// Byte range of the basic offset table of encapsulated pixel data.
    let offsetTable: Range<Int>?
}

/// The elements of a data set (or a sequence item), by tag; values are decoded on demand from the file bytes.
public struct DICOMDataSet: Sendable, Equatable {
    internal(set) var elements: [DICOMTag: DICOMElement] = [:]
    /// Byte order of multi-byte values.
    let bigEndian: Bool

    init(bigEndian: Bool) { self.bigEndian = bigEndian }

    subscript(_ tag: DICOMTag) -> DICOMElement? { elements[tag] }
}
