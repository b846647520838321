import Foundation
import ZIPFoundation

/// Regions from a NIfTI-1 label mask (`.nii`, or `.nii.gz` gzip-compressed), one region per non-zero label value
/// (docs/METHODS.md §3).
///
/// The 348-byte header gives the byte order (its first field is 348), the dimensions `dim[1]` x `dim[2]` (x `dim[3]`
/// slices: the first slice is used), the data type and the offset of the voxels (`vox_offset`). **Axis
/// convention:** voxel (i, j) is pane pixel column i, row j, with no flip: the first index runs along a row, left
/// to right, the second down the pane, as image arrays are usually written (nibabel: `array[col, row]`). The
/// affine (qform, sform) is not used. Labels are the raw stored values (integers; the scaling `scl_slope` is not
/// applied), and region `label N` holds the pixels of value N.
enum NIfTIMask {
    static func regions(_ path: String) throws -> [RegionOfInterest] {
        func fail(_ detail: String) -> CEUSImagingError { .invalidField(path: path, field: "NIfTI", detail: detail) }
        guard let data = FileBytes.read(path) else { throw CEUSImagingError.missingInput(path: path) }
        var bytes = [UInt8](data)
        if path.lowercased().hasSuffix(".gz") { bytes = try Gzip.decompress(bytes, path: path) }
        guard bytes.count >= 348 else { throw fail("\(bytes.count) bytes: shorter than a NIfTI-1 header (348)") }
        func u32le(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        let little = u32le(0) == 348
        let big = u32le(0).byteSwapped == 348
        guard little || big else { throw fail("not a NIfTI-1 file (the header size field is not 348)") }
        func u16(_ at: Int) -> Int {
            little ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 : Int(bytes[at]) << 8 | Int(bytes[at + 1])
        }
        func i16(_ at: Int) -> Int { Int(Int16(bitPattern: UInt16(u16(at)))) }
        func u32(_ at: Int) -> UInt32 { little ? u32le(at) : u32le(at).byteSwapped }
        let magic = String(decoding: bytes[344..<347], as: UTF8.self)
        guard magic == "n+1" else {
            throw fail(
                magic == "ni1"
                    ? "a header/image pair (.hdr + .img) is not read; save the mask as one .nii file"
                    : "not a NIfTI-1 single file (magic \"\(magic)\")")
        }
        let dims = (0..<8).map { i16(40 + 2 * $0) }
        guard (2...7).contains(dims[0]) else {
            throw fail("dim[0] = \(dims[0]): the mask must have 2 or more dimensions")
        }
        let (width, height) = (dims[1], dims[2])
        guard width > 0, height > 0, width <= ImageLimits.side, height <= ImageLimits.side else {
            throw fail("a \(width) x \(height) slice is not a pane (each side 1 to \(ImageLimits.side))")
        }
        let datatype = i16(70)
        let sizes = [2: 1, 256: 1, 4: 2, 512: 2, 8: 4, 768: 4, 16: 4, 64: 8]
        guard let size = sizes[datatype] else {
            throw fail(
                "data type \(datatype) is not a label type (unsigned or signed 8, 16, 32-bit integers, 32 or 64-bit floats)"
            )
        }
        let offset = Int(Float(bitPattern: u32(108)))
        let count = width * height
        guard offset >= 348, offset + count * size <= bytes.count else {
            throw fail(
                "the voxels (offset \(offset), \(count) of \(size) bytes) lie outside the file's \(bytes.count) bytes")
        }
        var byLabel: [Int: [Int]] = [:]
        for j in 0..<height {
            for i in 0..<width {
                let at = offset + (j * width + i) * size
                let raw: Double
                switch datatype {
                case 2: raw = Double(bytes[at])
                case 256: raw = Double(Int8(bitPattern: bytes[at]))
                case 4: raw = Double(i16(at))
                case 512: raw = Double(u16(at))
                case 8: raw = Double(Int32(bitPattern: u32(at)))
                case 768: raw = Double(u32(at))
                case 16: raw = Double(Float(bitPattern: u32(at)))
                default:
                    let hi = UInt64(u32(little ? at + 4 : at))
                    let lo = UInt64(u32(little ? at : at + 4))
                    raw = Double(bitPattern: hi << 32 | lo)
                }
                guard raw.isFinite, raw == raw.rounded(), abs(raw) < 1e9 else {
                    throw fail("voxel (\(i), \(j)) holds \(raw): labels are whole numbers")
                }
                if raw != 0 { byLabel[Int(raw), default: []].append(j * width + i) }
            }
        }
        guard !byLabel.isEmpty else { throw fail("the first slice holds no non-zero label: no region") }
        return byLabel.keys.sorted().map { label in
            RegionOfInterest(
                name: "label \(label)", shape: .labels(width: width, height: height, indices: byLabel[label]!.sorted()))
        }
    }
}

/// gzip (RFC 1952) members: the header is parsed here, the deflate stream is inflated by ZIPFoundation (zlib), and
/// the CRC-32 and length in the trailer are checked.
enum Gzip {
    static let maximumBytes = 1 << 30

    static func decompress(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        func fail(_ detail: String) -> CEUSImagingError { .invalidField(path: path, field: "gzip", detail: detail) }
        guard bytes.count >= 18, bytes[0] == 0x1F, bytes[1] == 0x8B, bytes[2] == 8 else {
            throw fail("not a gzip file (or not deflate-compressed)")
        }
        let flags = bytes[3]
        var at = 10
        if flags & 4 != 0 {  // FEXTRA
            guard at + 2 <= bytes.count else { throw fail("the header is cut short") }
            at += 2 + (Int(bytes[at]) | Int(bytes[at + 1]) << 8)
        }
        for bit in [UInt8(8), 16] where flags & bit != 0 {  // FNAME, FCOMMENT: zero-terminated
            while at < bytes.count && bytes[at] != 0 { at += 1 }
            at += 1
        }
        if flags & 2 != 0 { at += 2 }  // FHCRC
        guard at < bytes.count - 8 else { throw fail("the header is cut short") }
        let body = Data(bytes[at..<(bytes.count - 8)])
        var out = Data()
        let crc: UInt32
        do {
            crc = try Data.decompress(
                size: Int64(body.count), bufferSize: 64 << 10, skipCRC32: false,
                provider: { position, size in
                    // A stream that has not ended when the data does is cut short: asking for bytes past the end
                    // would otherwise go on for ever (found by `make fuzz`).
                    guard position >= 0, Int(position) < body.count else {
                        throw CEUSImagingError.invalidField(
                            path: path, field: "gzip", detail: "the compressed data ends before the stream does")
                    }
                    return body.subdata(in: Int(position)..<min(body.count, Int(position) + size))
                },
                consumer: { chunk in
                    out.append(chunk)
                    if out.count > maximumBytes {
                        throw CEUSImagingError.invalidField(
                            path: path, field: "gzip", detail: "more than 1 GB uncompressed")
                    }
                })
        } catch let error as CEUSImagingError {
            throw error
        } catch {
            throw fail("the compressed data is damaged (\(error))")
        }
        let trailer = bytes.suffix(8).map(UInt32.init)
        let storedCRC = trailer[0] | trailer[1] << 8 | trailer[2] << 16 | trailer[3] << 24
        let storedSize = trailer[4] | trailer[5] << 8 | trailer[6] << 16 | trailer[7] << 24
        guard crc == storedCRC, UInt32(truncatingIfNeeded: out.count) == storedSize else {
            throw fail("the checksum or length in the trailer does not match the data (a damaged or truncated file)")
        }
        return [UInt8](out)
    }
}
