import Foundation

/// A tinted display colour map: the colour of each display level 0...255 (docs/METHODS.md §2). A tinted contrast
/// pane is turned back into display levels through the map before the inverse law is applied.
///
/// Inversion is exact for colours of the map (lossless frames) and otherwise takes the nearest entry in RGB
/// (Euclidean); a pixel farther than ``tolerance`` from every entry (text, markers, a colour the map lacks, heavy
/// compression) still gets its nearest level but is counted as unmatched, and the share of unmatched pane pixels
/// is reported (`colormap_unmatched_pct`).
public struct ColorMap: Sendable, Equatable {
    /// Name in outputs: a built-in map's name or the file's path.
    public let name: String
    /// Colour of display level k, packed 0xRRGGBB.
    let colours: [UInt32]

    /// Largest RGB distance from the nearest entry at which a pixel still counts as matched (8-bit units).
    public static let tolerance = 12.0

    /// Built-in tinted maps, each an injective ramp from black (so every colour names one level):
    /// - `amber`: (k, round(0.8 k), round(0.45 k)), the warm tint of many CEUS displays;
    /// - `hot`: red, then yellow, then white: (min(255, 3k), min(255, max(0, 3k - 255)), max(0, 3k - 510)).
    public static let builtIn: [String: ColorMap] = [
        "amber": ColorMap(
            name: "amber",
            colours: (0...255).map { k in
                pack(k, Int((0.8 * Double(k)).rounded()), Int((0.45 * Double(k)).rounded()))
            }),
        "hot": ColorMap(
            name: "hot",
            colours: (0...255).map { k in pack(min(255, 3 * k), min(255, max(0, 3 * k - 255)), max(0, 3 * k - 510)) }),
    ]

    static func pack(_ r: Int, _ g: Int, _ b: Int) -> UInt32 { UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b) }

    init(name: String, colours: [UInt32]) {
        self.name = name
        self.colours = colours
    }

    /// Reads a map file: a CSV with header `r,g,b` and 256 rows of integers 0...255, row k the colour of level k.
    ///
    /// - Throws: naming the file and the row: a missing file, another header, a row count other than 256, a
    ///   value that is not an integer 0...255, or a colour given to two levels (the inversion would be ambiguous).
    static func load(_ path: String) throws -> ColorMap {
        // FileBytes, not FileManager.contents: Foundation leaks 4 KB reading an empty file (found by `make fuzz`).
        guard let data = FileBytes.read(path) else {
            throw CEUSImagingError.missingInput(path: path)
        }
        func fail(_ detail: String) -> CEUSImagingError {
            .invalidField(path: path, field: "colorMap", detail: detail)
        }
        guard var text = String(data: data, encoding: .utf8) else { throw fail("the file is not UTF-8 text") }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
            .enumerated().filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let header = lines.first,
            header.element.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() })
                == ["r", "g", "b"]
        else {
            throw fail("the first line must be the header r,g,b")
        }
        let rows = lines.dropFirst()
        guard rows.count == 256 else {
            throw fail(
                "a colour map has 256 rows after the header (one per display level 0...255), found \(rows.count)")
        }
        var colours: [UInt32] = []
        var seen: [UInt32: Int] = [:]
        for (level, (lineIndex, line)) in rows.enumerated() {
            let values = line.split(separator: ",", omittingEmptySubsequences: false).map {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            guard values.count == 3, let r = values[0], let g = values[1], let b = values[2],
                [r, g, b].allSatisfy({ (0...255).contains($0) })
            else {
                throw fail("line \(lineIndex + 1) (level \(level)): expected three integers 0...255, found \"\(line)\"")
            }
            let c = pack(r, g, b)
            if let earlier = seen[c] {
                throw fail(
                    "levels \(earlier) and \(level) have the same colour (\(r),\(g),\(b)): the map cannot be inverted")
            }
            seen[c] = level
            colours.append(c)
        }
        return ColorMap(name: path, colours: colours)
    }

    /// The map named by `clip.json`'s `colorMap`: nil for `grey` (or `gray`), a built-in map, or a file (relative
    /// to the folder of `metadataPath`).
    static func resolve(_ value: String, metadataPath: String) throws -> ColorMap? {
        let lower = value.lowercased()
        if lower == "grey" || lower == "gray" { return nil }
        if let map = builtIn[lower] { return map }
        guard value.lowercased().hasSuffix(".csv") || value.contains("/") else {
            throw CEUSImagingError.invalidField(
                path: metadataPath, field: "colorMap",
                detail:
                    "\"\(value)\" is not a known map (grey, \(builtIn.keys.sorted().joined(separator: ", "))) or a .csv file with header r,g,b"
            )
        }
        let path =
            value.hasPrefix("/")
            ? value : ((metadataPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(value)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CEUSImagingError.invalidField(
                path: metadataPath, field: "colorMap",
                detail: "the colour-map file \(path) does not exist (paths are relative to clip.json)")
        }
        return try load(path)
    }
}

/// Colour-to-level lookup for one map: an exact hash table, then the nearest entry through a coarse grid.
///
/// The grid has 16 x 16 x 16 cells of 16 levels per channel. For each cell it keeps every entry whose distance to
/// the cell's centre is at most the distance of the nearest entry plus twice the cell's half-diagonal, which by the
/// triangle inequality contains the nearest entry of every colour in the cell; a lookup scans only those.
struct ColorMapInverter: Sendable {
    let map: ColorMap
    private let keys: [UInt32]
    private let levels: [UInt8]
    private let mask: Int
    private let candidates: [[UInt8]]
    private let toleranceSquared: Int

    init(_ map: ColorMap) {
        self.map = map
        var size = 1024
        while size < 4 * map.colours.count { size *= 2 }
        var keys = [UInt32](repeating: UInt32.max, count: size)
        var levels = [UInt8](repeating: 0, count: size)
        for (level, c) in map.colours.enumerated() {
            var slot = Self.hash(c) & (size - 1)
            while keys[slot] != UInt32.max { slot = (slot + 1) & (size - 1) }
            keys[slot] = c
            levels[slot] = UInt8(level)
        }
        self.keys = keys
        self.levels = levels
        mask = size - 1
        let rgb = map.colours.map { (Double($0 >> 16), Double(($0 >> 8) & 0xFF), Double($0 & 0xFF)) }
        let halfDiagonal = 8 * 3.0.squareRoot()
        var candidates: [[UInt8]] = []
        candidates.reserveCapacity(4096)
        for cell in 0..<4096 {
            let centre = (
                Double((cell >> 8) * 16) + 7.5, Double(((cell >> 4) & 15) * 16) + 7.5, Double((cell & 15) * 16) + 7.5
            )
            let d = rgb.map { e in
                ((e.0 - centre.0) * (e.0 - centre.0) + (e.1 - centre.1) * (e.1 - centre.1)
                    + (e.2 - centre.2) * (e.2 - centre.2)).squareRoot()
            }
            let limit = d.min()! + 2 * halfDiagonal + 1e-9
            candidates.append(d.indices.filter { d[$0] <= limit }.map { UInt8($0) })
        }
        self.candidates = candidates
        toleranceSquared = Int((ColorMap.tolerance * ColorMap.tolerance).rounded(.down))
    }

    @inline(__always) static func hash(_ c: UInt32) -> Int { Int((c &* 0x9E37_79B1) >> 16) }

    /// The display level of colour (r, g, b) and whether it is within the tolerance of the map.
    @inline(__always)
    func level(_ r: Int, _ g: Int, _ b: Int) -> (level: Int, matched: Bool) {
        let c = ColorMap.pack(r, g, b)
        var slot = Self.hash(c) & mask
        while keys[slot] != UInt32.max {
            if keys[slot] == c { return (Int(levels[slot]), true) }
            slot = (slot + 1) & mask
        }
        var best = 0
        var bestDistance = Int.max
        for k in candidates[(r >> 4) << 8 | (g >> 4) << 4 | (b >> 4)] {
            let e = map.colours[Int(k)]
            let (dr, dg, db) = (Int(e >> 16) - r, Int((e >> 8) & 0xFF) - g, Int(e & 0xFF) - b)
            let d = dr * dr + dg * dg + db * db
            if d < bestDistance { (best, bestDistance) = (Int(k), d) }
        }
        return (best, bestDistance <= toleranceSquared)
    }
}
