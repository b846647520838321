import Foundation

/// A parsed DICOM file with typed access to the values Echoflow uses.
public struct DICOMFile: Sendable {
    let path: String
    let data: Data
    let parsed: DICOMParser.File

    /// Reads and parses the file at `path` (memory-mapped, so large clips are not copied).
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw CEUSImagingError.missingInput(path: path) }
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw CEUSImagingError.unreadableImage(path: path, reason: "cannot be read")
        }
        self.path = path
        parsed = try DICOMParser.parse(data, path: path)
    }

    var dataSet: DICOMDataSet { parsed.dataSet }
    /// Transfer syntax UID of the data set.
    public var transferSyntax: String { parsed.transferSyntax }

    /// Bytes of an element's value.
    func bytes(_ range: Range<Int>) -> Data {
        data.subdata(in: data.startIndex + range.lowerBound..<data.startIndex + range.upperBound)
    }

    /// Bytes of a (large) range read from the file with a positioned read rather than through the memory map, so
    /// pixel data already analysed does not stay resident: memory follows the frames in flight, not the clip.
    func readBytes(_ range: Range<Int>) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CEUSImagingError.unreadableImage(path: path, reason: "cannot be reopened")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(range.lowerBound))
        let data = try handle.read(upToCount: range.count) ?? Data()
        guard data.count == range.count else {
            throw CEUSImagingError.malformedDICOM(
                path: path, offset: range.lowerBound, detail: "the file ended while reading pixel data")
        }
        return data
    }

    // MARK: - Typed values (first value of multi-valued elements unless said otherwise)

    /// The text of element `tag` (of `set`, default the top-level data set), trailing spaces and NULs removed.
    public func string(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> String? {
        guard let e = (set ?? dataSet)[tag] else { return nil }
        return String(decoding: bytes(e.value), as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
    }

    /// Multi-valued decimal or integer strings (DS, IS), split at backslashes.
    func numbers(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> [Double]? {
        guard let text = string(tag, in: set) else { return nil }
        let values = text.split(separator: "\\").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        return values.contains(where: { $0 == nil }) ? nil : values.compactMap { $0 }
    }

    func uint16(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> Int? { integers(tag, size: 2, in: set)?.first }
    func uint32(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> Int? { integers(tag, size: 4, in: set)?.first }

    /// Unsigned integers of `size` bytes (US, UL, AT as pairs of US).
    func integers(_ tag: DICOMTag, size: Int, in set: DICOMDataSet? = nil) -> [Int]? {
        let set = set ?? dataSet
        guard let e = set[tag], e.value.count >= size else { return nil }
        let raw = bytes(e.value)
        return stride(from: 0, to: raw.count - size + 1, by: size).map { start in
            var v = 0
            for k in 0..<size {
                let byte = Int(raw[raw.startIndex + start + (set.bigEndian ? k : size - 1 - k)])
                v = v << 8 | byte
            }
            return v
        }
    }

    /// 64-bit floats (FD).
    func doubles(_ tag: DICOMTag, in set: DICOMDataSet? = nil) -> [Double]? {
        let set = set ?? dataSet
        guard let e = set[tag], e.value.count >= 8 else { return nil }
        let raw = bytes(e.value)
        return stride(from: 0, to: raw.count - 7, by: 8).map { start in
            var bits: UInt64 = 0
            for k in 0..<8 {
                bits = bits << 8 | UInt64(raw[raw.startIndex + start + (set.bigEndian ? k : 7 - k)])
            }
            return Double(bitPattern: bits)
        }
    }

    // MARK: - Frame timing

    /// Frame times (s from the first frame) from Frame Time Vector (0018,1065), then Frame Time (0018,1063), then
    /// Cine Rate (0018,0040); a Frame Increment Pointer (0028,0009) naming one of them is followed first. Nil
    /// when the file has no timing.
    func frameTimes(frameCount: Int) throws -> [Double]? {
        /// A timing tag that is present but holds no number is an error naming it.
        func unusable(_ tag: DICOMTag, _ name: String, _ unit: String) throws {
            guard let text = string(tag), !text.isEmpty else { return }
            throw CEUSImagingError.invalidField(
                path: path, field: "\(name) \(tag.formatted)", detail: "\"\(text)\" is not \(unit)")
        }
        let vectorTag = DICOMTag.tag(0x0018, 0x1065)
        let frameTimeTag = DICOMTag.tag(0x0018, 0x1063)
        let cineRateTag = DICOMTag.tag(0x0018, 0x0040)
        var order = [vectorTag, frameTimeTag, cineRateTag]
        if let pointers = integers(.tag(0x0028, 0x0009), size: 2) {
            // Pairs of US (group, element): put the pointed-to timing tags first.
            var pointed: [DICOMTag] = []
            var i = 0
            while i + 1 < pointers.count {
                pointed.append(.tag(UInt16(pointers[i]), UInt16(pointers[i + 1])))
                i += 2
            }
            order = pointed.filter(order.contains) + order.filter { !pointed.contains($0) }
        }
        for tag in order {
            switch tag {
            case vectorTag:
                guard let intervals = numbers(vectorTag), !intervals.isEmpty else {
                    try unusable(vectorTag, "Frame Time Vector", "a list of milliseconds")
                    continue
                }
                if let bad = intervals.dropFirst().first(where: { !($0.isFinite && $0 > 0) })
                    ?? intervals.first(where: { !$0.isFinite || $0 < 0 })
                {
                    throw CEUSImagingError.invalidField(
                        path: path, field: "Frame Time Vector \(vectorTag.formatted)",
                        detail: "holds \(bad); every interval must be a positive number of milliseconds")
                }
                // Intervals in ms between frames; the first (usually 0) is the start.
                guard intervals.count == frameCount || intervals.count == frameCount - 1 else {
                    throw CEUSImagingError.timestampCount(path: path, timestamps: intervals.count, frames: frameCount)
                }
                var time = 0.0
                var times: [Double] = []
                let steps = intervals.count == frameCount ? Array(intervals.dropFirst()) : intervals
                times.append(0)
                for step in steps {
                    time += step / 1000
                    times.append(time)
                }
                for i in 1..<times.count where !(times[i] > times[i - 1]) {
                    throw CEUSImagingError.nonIncreasingTimes(
                        path: path, index: i, previous: times[i - 1], value: times[i])
                }
                return times
            case frameTimeTag:
                guard let ms = numbers(frameTimeTag)?.first else {
                    try unusable(frameTimeTag, "Frame Time", "milliseconds")
                    continue
                }
                guard ms.isFinite, ms > 0 else {
                    throw CEUSImagingError.invalidField(
                        path: path, field: "Frame Time \(frameTimeTag.formatted)",
                        detail: "is \(ms); it must be a positive number of milliseconds")
                }
                return (0..<frameCount).map { Double($0) * ms / 1000 }
            default:
                guard let rate = numbers(cineRateTag)?.first ?? integers(cineRateTag, size: 2)?.first.map(Double.init)
                else { continue }
                guard rate.isFinite, rate > 0, rate <= 10_000 else {
                    throw CEUSImagingError.invalidField(
                        path: path, field: "Cine Rate \(cineRateTag.formatted)",
                        detail: "is \(rate); it must be a positive number of frames per second (at most 10000)")
                }
                return (0..<frameCount).map { Double($0) / rate }
            }
        }
        return nil
    }
}
