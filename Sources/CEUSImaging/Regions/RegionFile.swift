import Foundation

/// The regions of a `roi.json` file (DESIGN.md §4) and the optional reference region.
public struct RegionFile: Sendable, Equatable {
    /// Path of the file (used in messages and to resolve mask paths).
    let path: String
    let regions: [RegionOfInterest]
    /// Name of the region that amplitudes are expressed against, if any.
    public let reference: String?
    /// The frame (index from 0) the regions were drawn on: the motion reference (`"referenceFrame"`).
    public let referenceFrame: Int?

    init(path: String, regions: [RegionOfInterest], reference: String?, referenceFrame: Int? = nil) {
        self.path = path
        self.regions = regions
        self.reference = reference
        self.referenceFrame = referenceFrame
    }

    /// Reads and validates the region file at `path`: `roi.json`, an ImageJ / Fiji `.roi` file, a `RoiSet.zip`
    /// of them (`ImageJRoi`, docs/METHODS.md §3), or a NIfTI-1 label mask (`.nii`, `.nii.gz`; `NIfTIMask`).
    public static func load(_ path: String) throws -> RegionFile {
        let lower = path.lowercased()
        if lower.hasSuffix(".roi") || lower.hasSuffix(".zip") { return try loadImageJ(path) }
        if lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz") {
            return RegionFile(path: path, regions: try NIfTIMask.regions(path), reference: nil)
        }
        guard FileManager.default.fileExists(atPath: path) else { throw CEUSImagingError.missingInput(path: path) }
        guard let data = FileBytes.read(path) else {
            throw CEUSImagingError.unreadableImage(path: path, reason: "cannot be read")
        }
        return try parse(json: data, path: path)
    }

    /// Validates `data` as a `roi.json` file that is (or will be) at `path`: exactly the checks of ``load(_:)``,
    /// with `path` in the messages and mask paths resolved against its folder. The viewer checks what a page sends
    /// with it before anything is saved.
    public static func parse(json data: Data, path: String) throws -> RegionFile {
        try keys.check(data, path: path)
        let raw = try JSONFile.decode(RawFile.self, from: data, path: path)
        var regions: [RegionOfInterest] = []
        for (index, r) in raw.rois.enumerated() {
            let name = r.name ?? "#\(index)"
            func fail(_ detail: String) -> CEUSImagingError {
                .invalidRegion(path: path, region: name, detail: detail)
            }
            guard let kind = r.kind else { throw fail("missing \"kind\" (ellipse, rectangle, polygon or mask)") }
            guard r.name != nil, !name.isEmpty else {
                throw CEUSImagingError.invalidField(
                    path: path, field: "rois[\(index)].name", detail: "every region needs a non-empty name")
            }
            guard !regions.contains(where: { $0.name == name }) else { throw fail("the name is used twice") }
            let shape: RegionOfInterest.Shape
            switch kind {
            case "ellipse":
                guard let c = r.center, c.count == 2, let radii = r.radii, radii.count == 2 else {
                    throw fail("an ellipse needs \"center\": [x, y] and \"radii\": [rx, ry]")
                }
                guard radii[0] > 0, radii[1] > 0 else { throw fail("radii must be positive, found \(radii)") }
                shape = .ellipse(
                    centerX: c[0], centerY: c[1], radiusX: radii[0], radiusY: radii[1], angleDegrees: r.angle ?? 0)
            case "rectangle":
                guard let x = r.x, let y = r.y, let w = r.width, let h = r.height else {
                    throw fail("a rectangle needs \"x\", \"y\", \"width\" and \"height\"")
                }
                guard w > 0, h > 0 else { throw fail("width and height must be positive, found \(w) x \(h)") }
                shape = .rectangle(x: x, y: y, width: w, height: h)
            case "polygon":
                guard let points = r.points, points.count >= 3, points.allSatisfy({ $0.count == 2 }) else {
                    throw fail("a polygon needs \"points\": at least three [x, y] pairs")
                }
                shape = .polygon(points.map { SIMD2($0[0], $0[1]) })
            case "mask":
                guard let maskPath = r.path, !maskPath.isEmpty else {
                    throw fail("a mask needs \"path\" to a PNG file")
                }
                let resolved =
                    maskPath.hasPrefix("/")
                    ? maskPath
                    : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(maskPath)
                shape = .mask(path: resolved)
            default:
                throw fail("unknown kind \"\(kind)\" (expected ellipse, rectangle, polygon or mask)")
            }
            regions.append(RegionOfInterest(name: name, shape: shape))
        }
        guard !regions.isEmpty else {
            throw CEUSImagingError.invalidField(path: path, field: "rois", detail: "the file defines no region")
        }
        if let reference = raw.reference, !regions.contains(where: { $0.name == reference }) {
            throw CEUSImagingError.invalidField(
                path: path, field: "reference",
                detail: "\"\(reference)\" is not one of the regions (\(regions.map(\.name).joined(separator: ", ")))")
        }
        if let frame = raw.referenceFrame, frame < 0 {
            throw CEUSImagingError.invalidField(
                path: path, field: "referenceFrame",
                detail: "must be the index (from 0) of the frame the regions were drawn on, found \(frame)")
        }
        return RegionFile(path: path, regions: regions, reference: raw.reference, referenceFrame: raw.referenceFrame)
    }

    /// Pixel masks of every region in a pane of `width` x `height`.
    ///
    /// - Throws: when a region extends outside the pane, contains no pixel centre, or a mask cannot be read or
    ///   has another size than the pane.
    public func masks(paneWidth width: Int, paneHeight height: Int) throws -> [RegionMask] {
        try regions.map { region in
            var indices: [Int] = []
            if case .mask(let maskPath) = region.shape {
                guard FileManager.default.fileExists(atPath: maskPath) else {
                    throw CEUSImagingError.missingInput(path: maskPath)
                }
                let image = try PNGCodec.decode(path: maskPath)
                guard image.width == width, image.height == height else {
                    throw CEUSImagingError.invalidRegion(
                        path: path, region: region.name,
                        detail:
                            "mask \(maskPath) is \(image.width)x\(image.height) but the contrast pane is \(width)x\(height)"
                    )
                }
                for row in 0..<height {
                    for col in 0..<width where image.displayValue(column: col, row: row) != 0 {
                        indices.append(row * width + col)
                    }
                }
            } else if case .labels(let w, let h, let labelled) = region.shape {
                guard w == width, h == height else {
                    throw CEUSImagingError.invalidRegion(
                        path: path, region: region.name,
                        detail: "the label image is \(w)x\(h) but the contrast pane is \(width)x\(height)")
                }
                indices = labelled
            } else if let b = region.bounds {
                guard b.minX >= 0, b.minY >= 0, b.maxX <= Double(width), b.maxY <= Double(height) else {
                    throw CEUSImagingError.regionOutsideFrame(
                        path: path, region: region.name,
                        bounds: "x \(format(b.minX))...\(format(b.maxX)), y \(format(b.minY))...\(format(b.maxY))",
                        frame: "\(width)x\(height)")
                }
                let c0 = max(0, Int((b.minX - 0.5).rounded(.up)))
                let c1 = min(width - 1, Int((b.maxX - 0.5).rounded(.down)))
                let r0 = max(0, Int((b.minY - 0.5).rounded(.up)))
                let r1 = min(height - 1, Int((b.maxY - 0.5).rounded(.down)))
                if c0 <= c1 && r0 <= r1 {
                    for row in r0...r1 {
                        for col in c0...c1 where region.contains(x: Double(col) + 0.5, y: Double(row) + 0.5) {
                            indices.append(row * width + col)
                        }
                    }
                }
            }
            guard !indices.isEmpty else { throw CEUSImagingError.emptyRegion(path: path, region: region.name) }
            return RegionMask(name: region.name, paneWidth: width, paneHeight: height, indices: indices)
        }
    }

    /// A coordinate for a message: whole numbers without decimals, others to 0.1 px, anything huge in %g (a whole
    /// number beyond Int's range must not trap: the fuzzer found a polygon point of 8.9e49).
    private func format(_ v: Double) -> String {
        guard abs(v) < 1e15 else { return String(format: "%g", v) }
        return v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    /// Regions of an ImageJ `.roi` file or `RoiSet.zip` (every `.roi` entry, in the archive's order; a region
    /// without a name of its own is named after its entry). ImageJ files name no reference region.
    static func loadImageJ(_ path: String) throws -> RegionFile {
        guard let data = FileBytes.read(path) else { throw CEUSImagingError.missingInput(path: path) }
        var regions: [RegionOfInterest] = []
        if path.lowercased().hasSuffix(".roi") {
            let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            regions = [try ImageJRoi.decode([UInt8](data), fallbackName: stem, source: path)]
        } else {
            for (entry, bytes) in try ZipEntries.read(path) where entry.lowercased().hasSuffix(".roi") {
                let stem = ((entry as NSString).lastPathComponent as NSString).deletingPathExtension
                regions.append(try ImageJRoi.decode(bytes, fallbackName: stem, source: "\(path): \(entry)"))
            }
        }
        guard !regions.isEmpty else {
            throw CEUSImagingError.invalidField(path: path, field: "rois", detail: "the archive holds no .roi file")
        }
        var seen = Set<String>()
        for r in regions where !seen.insert(r.name).inserted {
            throw CEUSImagingError.invalidRegion(
                path: path, region: r.name, detail: "the name is used twice; rename one in ImageJ's ROI Manager")
        }
        return RegionFile(path: path, regions: regions, reference: nil)
    }

    /// The same regions with `reference` and `referenceFrame` where given (they replace the file's own).
    ///
    /// - Throws: when `reference` is not one of the regions.
    public func with(reference newReference: String?, referenceFrame newFrame: Int?) throws -> RegionFile {
        if let newReference, !regions.contains(where: { $0.name == newReference }) {
            throw CEUSImagingError.invalidField(
                path: path, field: "reference",
                detail: "\"\(newReference)\" is not one of the regions (\(regions.map(\.name).joined(separator: ", ")))"
            )
        }
        return RegionFile(
            path: path, regions: regions, reference: newReference ?? reference,
            referenceFrame: newFrame ?? referenceFrame)
    }

    /// Whether any region comes from a label image (a NIfTI mask).
    public var hasLabelRegions: Bool {
        regions.contains { if case .labels = $0.shape { return true } else { return false } }
    }

    /// The mask PNG file names ``writeLabelMasks(into:)`` writes, one per label region.
    public var labelMaskFileNames: [String] {
        regions.compactMap { r in
            if case .labels = r.shape { return Self.maskFileName(r.name) }
            return nil
        }
    }

    /// File name of the mask PNG a label region is written to: `mask-<name>.png`, unsafe characters replaced.
    static func maskFileName(_ name: String) -> String {
        "mask-" + String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }) + ".png"
    }

    /// Writes every label region (from a NIfTI mask) as a mask PNG into `folder` (255 inside, 0 outside), so that
    /// ``jsonText`` can name them; returns the paths written.
    public func writeLabelMasks(into folder: String) throws -> [String] {
        var written: [String] = []
        for r in regions {
            guard case .labels(let w, let h, let indices) = r.shape else { continue }
            var pixels = [UInt8](repeating: 0, count: w * h)
            for i in indices { pixels[i] = 255 }
            let file = (folder as NSString).appendingPathComponent(Self.maskFileName(r.name))
            let png = try PNGCodec.encode(Frame(width: w, height: h, channels: 1, samples: .uint8(pixels)))
            let temporary = file + ".tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(png)) else {
                throw CEUSImagingError.writeFailed(path: file, reason: "cannot create the file")
            }
            _ = try? FileManager.default.removeItem(atPath: file)
            try FileManager.default.moveItem(atPath: temporary, toPath: file)
            written.append(file)
        }
        return written
    }

    /// The regions as a `roi.json` file (what `echoflow roi convert` writes): every region in order, the
    /// reference and the reference frame when known. Coordinates are written exactly (shortest round-trip form).
    public var jsonText: String {
        func n(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)" }
        func text(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
        let rows = regions.map { r -> String in
            let head = "{\"name\": \(text(r.name)), \"kind\": "
            switch r.shape {
            case .ellipse(let cx, let cy, let rx, let ry, let angle):
                return head
                    + "\"ellipse\", \"center\": [\(n(cx)), \(n(cy))], \"radii\": [\(n(rx)), \(n(ry))], \"angle\": \(n(angle))}"
            case .rectangle(let x, let y, let w, let h):
                return head + "\"rectangle\", \"x\": \(n(x)), \"y\": \(n(y)), \"width\": \(n(w)), \"height\": \(n(h))}"
            case .polygon(let points):
                return head + "\"polygon\", \"points\": ["
                    + points.map { "[\(n($0.x)), \(n($0.y))]" }.joined(separator: ", ") + "]}"
            case .mask(let path):
                return head + "\"mask\", \"path\": \(text(path))}"
            case .labels:
                // Written as a mask PNG beside the roi.json (`withLabelMasks(beside:)`).
                return head + "\"mask\", \"path\": \(text(Self.maskFileName(r.name)))}"
            }
        }
        var out = "{\"rois\": [\n  " + rows.joined(separator: ",\n  ") + "\n]"
        if let reference { out += ",\n \"reference\": \(text(reference))" }
        if let referenceFrame { out += ",\n \"referenceFrame\": \(referenceFrame)" }
        return out + "}\n"
    }

    // MARK: - File layout

    /// The keys `roi.json` may have (an unknown key is an error naming the closest of these).
    static let keys = JSONKeys(
        ["rois", "reference", "referenceFrame"],
        nested: [
            "rois": JSONKeys([
                "name", "kind", "center", "radii", "angle", "x", "y", "width", "height", "points", "path",
            ])
        ])

    struct RawFile: Decodable {
        var rois: [RawRegion]
        var reference: String?
        var referenceFrame: Int?
    }

    struct RawRegion: Decodable {
        var name: String?
        var kind: String?
        var center: [Double]?
        var radii: [Double]?
        var angle: Double?
        var x: Double?
        var y: Double?
        var width: Double?
        var height: Double?
        var points: [[Double]]?
        var path: String?
    }
}
