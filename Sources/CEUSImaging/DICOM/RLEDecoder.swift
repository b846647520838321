/// DICOM RLE Lossless (1.2.840.10008.1.2.5): each frame is a 64-byte header (segment count, then up to 15
/// segment offsets, little endian) followed by PackBits-compressed segments, one per byte plane: for each sample,
/// the most significant byte first. Every read is bounds-checked.
///
/// Reference: DICOM PS3.5 Annex G.
enum RLEDecoder {
    /// Decodes one frame into `count` pixels of `samples` samples of `bytesPerSample` bytes, interleaved, as
    /// big-endian byte planes reassembled into sample values.
    static func decode(
        _ frame: UnsafeRawBufferPointer, pixels count: Int, samples: Int, bytesPerSample: Int, path: String
    ) throws -> [UInt16] {
        func fail(_ detail: String) -> CEUSImagingError {
            .malformedDICOM(path: path, offset: 0, detail: "RLE: \(detail)")
        }
        guard frame.count >= 64 else { throw fail("frame shorter than its 64-byte header") }
        func u32(_ at: Int) -> Int {
            Int(frame[at]) | Int(frame[at + 1]) << 8 | Int(frame[at + 2]) << 16 | Int(frame[at + 3]) << 24
        }
        let segments = u32(0)
        let expected = samples * bytesPerSample
        guard segments == expected, segments <= 15 else { throw fail("\(segments) segments, expected \(expected)") }
        let offsets = (0..<segments).map { u32(4 + 4 * $0) } + [frame.count]
        // PackBits expands 2 bytes to at most 128: a segment shorter than count / 64 bytes cannot hold a plane, so
        // nothing is allocated for a header that claims more than the data can give.
        for s in 0..<segments {
            let size = offsets[s + 1] - offsets[s]
            guard offsets[s] >= 64, size >= 0, offsets[s + 1] <= frame.count else {
                throw fail("segment \(s + 1) has bad offsets \(offsets[s])..\(offsets[s + 1])")
            }
            guard size * 64 >= count else {
                throw fail("segment \(s + 1) has \(size) bytes, too few to decode to \(count) pixels")
            }
        }
        var values = [UInt16](repeating: 0, count: count * samples)
        for s in 0..<segments {
            let start = offsets[s]
            let end = offsets[s + 1]
            guard start >= 64, start <= end, end <= frame.count else {
                throw fail("segment \(s + 1) has bad offsets \(start)..\(end)")
            }
            // Plane s: sample s / bytesPerSample, byte (most significant first) s % bytesPerSample.
            let sample = s / bytesPerSample
            let shift = UInt16(8 * (bytesPerSample - 1 - s % bytesPerSample))
            var i = start
            var out = 0
            func put(_ byte: UInt8) {
                if out < count { values[out * samples + sample] |= UInt16(byte) << shift }
                out += 1
            }
            while i < end && out < count {
                let n = Int(Int8(bitPattern: frame[i]))
                i += 1
                if n >= 0 {
                    guard i + n + 1 <= end else { throw fail("a literal run passes the end of segment \(s + 1)") }
                    for k in 0...n { put(frame[i + k]) }
                    i += n + 1
                } else if n != -128 {
                    guard i < end else { throw fail("a repeat run passes the end of segment \(s + 1)") }
                    for _ in 0...(-n) { put(frame[i]) }
                    i += 1
                }
            }
            guard out >= count else { throw fail("segment \(s + 1) holds \(out) bytes, expected \(count)") }
        }
        return values
    }
}
