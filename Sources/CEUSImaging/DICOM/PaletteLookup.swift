/// Palette Color lookup tables (PS3.3 C.7.6.3.1.5-6): one table per channel, normal or segmented, mapping stored
/// pixel values to red, green and blue.
///
/// Reference: DICOM PS3.3 §C.7.6.3.1.5 (descriptors), §C.7.6.3.1.6 (data), §C.7.9.2 (segmented palettes).
struct PaletteLookup: Sendable {
    /// Entries of red, green, blue (same length).
    let tables: [[UInt16]]
    let firstMapped: Int
    /// 8 or 16: the bits of each entry.
    let bitsPerEntry: Int

    init(file: DICOMFile) throws {
        let path = file.path
        var tables: [[UInt16]] = []
        var first = 0
        var bits = 16
        for (k, channel) in ["red", "green", "blue"].enumerated() {
            let element = UInt16(0x1101 + k)
            guard let descriptor = file.integers(.tag(0x0028, element), size: 2), descriptor.count == 3 else {
                throw CEUSImagingError.unsupportedDICOM(
                    path: path,
                    detail:
                        "PALETTE COLOR without a \(channel) palette descriptor \(DICOMTag.tag(0x0028, element).formatted)"
                )
            }
            let count = descriptor[0] == 0 ? 65536 : descriptor[0]
            first = descriptor[1]
            bits = descriptor[2] <= 8 ? 8 : 16
            let words: [Int]
            let segmented = DICOMTag.tag(0x0028, UInt16(0x1221 + k))
            if let data = file.integers(segmented, size: 2) {
                words = try Self.expandSegments(data, path: path)
            } else if let element = file.dataSet[.tag(0x0028, UInt16(0x1201 + k))] {
                if bits == 8 && element.value.count == count {
                    words = file.bytes(element.value).map(Int.init)  // 8-bit entries packed as bytes
                } else {
                    words = (file.integers(.tag(0x0028, UInt16(0x1201 + k)), size: 2) ?? []).map {
                        bits == 8 ? $0 & 0xFF : $0
                    }
                }
            } else {
                throw CEUSImagingError.unsupportedDICOM(
                    path: path, detail: "PALETTE COLOR without \(channel) palette data")
            }
            guard words.count >= count else {
                throw CEUSImagingError.malformedDICOM(
                    path: path, offset: 0,
                    detail: "the \(channel) palette holds \(words.count) entries, its descriptor says \(count)")
            }
            tables.append(words.prefix(count).map { UInt16(truncatingIfNeeded: $0) })
        }
        self.tables = tables
        firstMapped = first
        bitsPerEntry = bits
    }

    /// The colour of stored value `v`: values below the first mapped one take the first entry, above the last the
    /// last entry.
    @inline(__always)
    func color(_ v: Int, channel: Int) -> UInt16 {
        let table = tables[channel]
        return table[min(max(v - firstMapped, 0), table.count - 1)]
    }

    /// Expands segmented palette data: discrete (opcode 0), linear (1) and indirect (2) segments.
    static func expandSegments(_ words: [Int], path: String) throws -> [Int] {
        func fail(_ detail: String) -> CEUSImagingError {
            .malformedDICOM(path: path, offset: 0, detail: "segmented palette: \(detail)")
        }
        var out: [Int] = []
        func run(_ start: Int, _ segmentLimit: Int?, depth: Int) throws {
            guard depth < 4 else { throw fail("indirect segments nested too deeply") }
            var i = start
            var segments = 0
            while i < words.count && (segmentLimit == nil || segments < segmentLimit!) {
                guard i + 1 < words.count else { throw fail("truncated segment header") }
                let opcode = words[i]
                let length = words[i + 1]
                switch opcode {
                case 0:
                    guard i + 2 + length <= words.count else {
                        throw fail("a discrete segment passes the end of the data")
                    }
                    out += words[(i + 2)..<(i + 2 + length)]
                    i += 2 + length
                case 1:
                    guard let y0 = out.last, i + 2 < words.count else {
                        throw fail("a linear segment without a start value")
                    }
                    let y1 = words[i + 2]
                    for step in 1...max(length, 1) where length > 0 {
                        out.append(y0 + Int((Double(y1 - y0) * Double(step) / Double(length)).rounded()))
                    }
                    i += 3
                case 2:
                    guard i + 3 < words.count else { throw fail("a truncated indirect segment") }
                    let offset = words[i + 2] | words[i + 3] << 16
                    guard offset < words.count else { throw fail("an indirect segment points past the data") }
                    try run(offset, length, depth: depth + 1)
                    i += 4
                default:
                    throw fail("unknown opcode \(opcode)")
                }
                segments += 1
                guard out.count <= 65536 else { throw fail("more than 65536 entries") }
            }
        }
        try run(0, nil, depth: 0)
        return out
    }
}
