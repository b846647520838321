import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

/// Colour-map inversion (docs/METHODS.md §2) against maps and clips written in the tests.
@Suite("Colour maps")
struct ColorMapTests {
    /// The `hot` map written out here from its documented formula.
    static func hot(_ k: Int) -> (Int, Int, Int) {
        (min(255, 3 * k), min(255, max(0, 3 * k - 255)), max(0, 3 * k - 510))
    }

    @Test("every built-in map is injective and inverts each of its colours to its level")
    func builtInExact() throws {
        for (name, map) in ColorMap.builtIn {
            #expect(Set(map.colours).count == 256, "\(name)")
            let inverter = ColorMapInverter(map)
            for (k, c) in map.colours.enumerated() {
                let found = inverter.level(Int(c >> 16), Int((c >> 8) & 0xFF), Int(c & 0xFF))
                #expect(found.level == k && found.matched, "\(name) level \(k)")
            }
        }
        let hot = try #require(ColorMap.builtIn["hot"])
        for k in [0, 40, 85, 86, 170, 171, 255] {
            let (r, g, b) = Self.hot(k)
            #expect(hot.colours[k] == UInt32(r << 16 | g << 8 | b), "hot level \(k)")
        }
    }

    @Test("off-map colours go to the nearest entry (brute force over all 256 agrees), matched within the tolerance")
    func nearestEntry() throws {
        var rng = TestRandom(seed: 77)
        for map in ColorMap.builtIn.values {
            let inverter = ColorMapInverter(map)
            for trial in 0..<3000 {
                // Half near the map (compression noise of a few levels), half anywhere.
                var (r, g, b): (Int, Int, Int)
                if trial % 2 == 0 {
                    let e = map.colours[Int(rng.uniform() * 256)]
                    func jitter(_ v: UInt32) -> Int { max(0, min(255, Int(v) + Int((rng.uniform() - 0.5) * 24))) }
                    (r, g, b) = (jitter(e >> 16), jitter((e >> 8) & 0xFF), jitter(e & 0xFF))
                } else {
                    (r, g, b) = (Int(rng.uniform() * 256), Int(rng.uniform() * 256), Int(rng.uniform() * 256))
                }
                var best = Int.max
                for e in map.colours {
                    let d =
                        (Int(e >> 16) - r) * (Int(e >> 16) - r) + (Int((e >> 8) & 0xFF) - g)
                        * (Int((e >> 8) & 0xFF) - g)
                        + (Int(e & 0xFF) - b) * (Int(e & 0xFF) - b)
                    best = min(best, d)
                }
                let found = inverter.level(r, g, b)
                let e = map.colours[found.level]
                let d =
                    (Int(e >> 16) - r) * (Int(e >> 16) - r) + (Int((e >> 8) & 0xFF) - g) * (Int((e >> 8) & 0xFF) - g)
                    + (Int(e & 0xFF) - b) * (Int(e & 0xFF) - b)
                #expect(d == best, "\(map.name) (\(r),\(g),\(b))")
                #expect(found.matched == (Double(best) <= ColorMap.tolerance * ColorMap.tolerance))
            }
        }
    }

    @Test(
        "a map file names the file and the line of each problem",
        arguments: [
            ("r,g,b\n" + (0..<255).map { "\($0),\($0),\($0)" }.joined(separator: "\n"), "found 255"),
            ("red,green,blue\n0,0,0", "header r,g,b"),
            ("", "header r,g,b"),
            (
                "r,g,b\n" + (0..<256).map { $0 == 9 ? "1,2,300" : "\($0),0,0" }.joined(separator: "\n"),
                "line 11 (level 9)"
            ),
            ("r,g,b\n" + (0..<256).map { $0 == 20 ? "3,0,0" : "\($0),0,0" }.joined(separator: "\n"), "levels 3 and 20"),
        ])
    func badFiles(text: String, expected: String) throws {
        let folder = TestPaths.temporaryFolder("lut")
        try text.write(toFile: folder + "/lut.csv", atomically: true, encoding: .utf8)
        let error = imagingError { _ = try ColorMap.resolve("lut.csv", metadataPath: folder + "/clip.json") }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.description.contains("lut.csv") == true)
    }

    @Test("an unknown map name lists the known maps")
    func unknownName() {
        let error = imagingError { _ = try ColorMap.resolve("jet", metadataPath: "/x/clip.json") }
        #expect(error?.description.contains("amber, hot") == true)
    }

    /// A speckle clip of `frames` frames whose levels are `level(frame, pixel)`, written grey or through `tint`.
    func writeClip(_ folder: String, tint: ((Int) -> (Int, Int, Int))?, clipJSON: String, overlay: Bool = false) {
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var rng = TestRandom(seed: 4)
        let (w, h) = (20, 16)
        for f in 0..<60 {
            var samples: [UInt16] = []
            for p in 0..<(w * h) {
                let mean = 60 + 100 * exp(-pow(Double(f - 25) / 10, 2))
                var level = max(0, min(255, Int(mean + 40 * (rng.uniform() - 0.5))))
                if p % w >= 10 { level = 90 }
                if let tint {
                    var (r, g, b) = tint(level)
                    // A green marker the map has no colour for: 4 x 4 of 320 pixels in the corner.
                    if overlay && p % w < 4 && p / w < 4 { (r, g, b) = (0, 255, 0) }
                    samples += [UInt16(r), UInt16(g), UInt16(b)]
                } else {
                    samples.append(UInt16(level))
                }
            }
            let png = MinimalPNGWriter.encode(
                width: w, height: h, colorType: tint == nil ? .grey : .rgb, bitDepth: 8, samples: samples)
            MinimalPNGWriter.write(png, to: folder + String(format: "/f%03d.png", f))
        }
        try! clipJSON.write(toFile: folder + "/clip.json", atomically: true, encoding: .utf8)
    }

    func curve(_ folder: String) throws -> (TimeIntensityCurve, FrameLog) {
        let clip = try Clip.open(folder)
        let mask = RegionMask(name: "left", paneWidth: 20, paneHeight: 16, indices: (0..<320).filter { $0 % 20 < 10 })
        let e = try CurveExtractor(clip: clip, masks: [mask]).extract()
        return (e.curves[0], e.frames)
    }

    @Test("a clip tinted with hot, or with a map file, gives exactly the curve of the same clip in grey")
    func tintedEqualsGrey() throws {
        let grey = TestPaths.temporaryFolder("grey")
        writeClip(grey, tint: nil, clipJSON: #"{"frameRate": 5, "dynamicRangeDB": 50}"#)
        let hot = TestPaths.temporaryFolder("hot")
        writeClip(hot, tint: Self.hot, clipJSON: #"{"frameRate": 5, "dynamicRangeDB": 50, "colorMap": "hot"}"#)
        // A map of our own in a file: blue to cyan to white, (k / 3, k, 255 - k / 2) rounded down, injective in g.
        let own: (Int) -> (Int, Int, Int) = { k in (k / 3, k, 255 - k / 2) }
        let file = TestPaths.temporaryFolder("file-map")
        writeClip(file, tint: own, clipJSON: #"{"frameRate": 5, "dynamicRangeDB": 50, "colorMap": "maps/own.csv"}"#)
        try FileManager.default.createDirectory(atPath: file + "/maps", withIntermediateDirectories: true)
        let lut =
            "\u{FEFF}r,g,b\r\n" + (0..<256).map { k in "\(own(k).0),\(own(k).1),\(own(k).2)" }.joined(separator: "\r\n")
        try lut.write(toFile: file + "/maps/own.csv", atomically: true, encoding: .utf8)

        let (reference, greyLog) = try curve(grey)
        #expect(greyLog.colorMapUnmatchedPercent == nil)
        for folder in [hot, file] {
            let (tinted, log) = try curve(folder)
            #expect(tinted.intensities == reference.intensities, "\(folder)")
            #expect(log.colorMapUnmatchedPercent == 0)
        }
        // The same clip read by luminance (no colorMap) is not the same curve: the inversion matters.
        try #"{"frameRate": 5, "dynamicRangeDB": 50}"#.write(
            toFile: hot + "/clip.json", atomically: true, encoding: .utf8)
        let (luminance, _) = try curve(hot)
        #expect(luminance.intensities != reference.intensities)
    }

    @Test("pixels the map lacks are counted: a 4 x 4 marker is 5 % of the pane (every second pixel sampled)")
    func unmatchedShare() throws {
        let folder = TestPaths.temporaryFolder("overlay")
        writeClip(
            folder, tint: Self.hot, clipJSON: #"{"frameRate": 5, "dynamicRangeDB": 50, "colorMap": "hot"}"#,
            overlay: true)
        let (_, log) = try curve(folder)
        // Sampled: columns and rows 0, 2, 4, ...: 10 x 8 = 80 pixels per frame, of which the marker holds 2 x 2.
        #expect(log.colorMapUnmatchedPercent == 100 * 4.0 / 80)
    }
}
