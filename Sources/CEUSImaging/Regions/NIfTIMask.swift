import CInflate
import Foundation

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
        // vox_offset is a float: anything not a whole number of bytes within the file is refused before it is
        // made an integer (a NaN or 1e30 would trap; found by `make fuzz`).
        let voxOffset = Float(bitPattern: u32(108))
        guard voxOffset.isFinite, voxOffset >= 0, voxOffset <= Float(bytes.count), voxOffset == voxOffset.rounded()
        else {
            throw fail(
                "vox_offset is \(voxOffset): not the byte offset of the voxels within the file's \(bytes.count) bytes")
        }
        let offset = Int(voxOffset)
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

/// gzip (RFC 1952) files, inflated by zlib in its gzip mode: zlib reads the header and checks the CRC-32 and length
/// of the trailer itself. Concatenated members are read one after another, as `gzip -d` does.
enum Gzip {
    static let maximumBytes = 1 << 30

    static func decompress(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        func fail(_ detail: String) -> CEUSImagingError { .invalidField(path: path, field: "gzip", detail: detail) }
        guard bytes.count >= 18, bytes[0] == 0x1F, bytes[1] == 0x8B, bytes[2] == 8 else {
            throw fail("not a gzip file (or not deflate-compressed)")
        }
        var out = [UInt8]()
        var stream = z_stream()
        guard echoflow_inflate_init_gzip(&stream) == Z_OK else { throw fail("zlib could not start") }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try bytes.withUnsafeBufferPointer { input in
            var consumed = 0
            while true {
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                stream.avail_in = UInt32(input.count - consumed)
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                out.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                consumed = input.count - Int(stream.avail_in)
                guard out.count <= maximumBytes else { throw fail("more than 1 GB uncompressed") }
                switch status {
                case Z_OK:
                    // No progress with input left means zlib needs more than there is: the file is cut short.
                    if stream.avail_in == 0 && stream.avail_out != 0 {
                        throw fail("the compressed data ends before the stream does (a truncated file)")
                    }
                case Z_STREAM_END:
                    // Another member may follow; anything else after the end is damage.
                    if consumed == input.count { return }
                    guard input.count - consumed >= 18, input[consumed] == 0x1F, input[consumed + 1] == 0x8B else {
                        throw fail(
                            "\(input.count - consumed) bytes that are not gzip data follow the end of the stream")
                    }
                    guard inflateReset(&stream) == Z_OK else { throw fail("zlib could not restart") }
                case Z_BUF_ERROR:
                    throw fail("the compressed data ends before the stream does (a truncated file)")
                case Z_DATA_ERROR:
                    let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    throw fail("the compressed data is damaged (\(message))")
                case Z_MEM_ERROR:
                    throw fail("zlib ran out of memory")
                default:
                    throw fail("zlib stopped with status \(status)")
                }
            }
        }
        return out
    }
}
