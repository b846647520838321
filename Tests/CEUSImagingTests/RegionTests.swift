import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

@Suite("Regions of interest")
struct RegionTests {
    let root = TestPaths.temporaryFolder("roi")

    func regions(_ json: String) throws -> RegionFile {
        let path = root + "/roi-\(UUID().uuidString).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return try RegionFile.load(path)
    }

    @Test("the README's roi.json example loads and fits the bundled 64 x 56 clips")
    func readmeExample() throws {
        let readme = try String(contentsOfFile: TestPaths.packageRoot + "/README.md", encoding: .utf8)
        let section = try #require(readme.range(of: "### Regions (`roi.json`)"))
        let open = try #require(readme.range(of: "```json\n", range: section.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "```", range: open.upperBound..<readme.endIndex))
        let file = try regions(String(readme[open.upperBound..<close.lowerBound]))
        let clip = try Clip.open(TestPaths.baselineClip)
        let masks = try file.masks(paneWidth: clip.contrastPane.width, paneHeight: clip.contrastPane.height)
        #expect(masks.count == 3 && masks.allSatisfy { !$0.indices.isEmpty })
        #expect(file.reference == "parenchyma")
    }

    func mask(_ json: String, _ w: Int = 40, _ h: Int = 30) throws -> RegionMask {
        try regions(json).masks(paneWidth: w, paneHeight: h)[0]
    }

    @Test("a rectangle holds exactly the pixels whose centres it covers")
    func rectangle() throws {
        // Centres at col + 0.5: x in [2, 6] covers cols 2...5; y in [3, 8] covers rows 3...7.
        let m = try mask(#"{"rois": [{"name": "r", "kind": "rectangle", "x": 2, "y": 3, "width": 4, "height": 5}]}"#)
        #expect(m.pixelCount == 20)
        #expect(m.contains(column: 2, row: 3) && m.contains(column: 5, row: 7))
        #expect(!m.contains(column: 6, row: 3) && !m.contains(column: 1, row: 3))
        // A boundary through pixel centres includes them: x = 2.5 ... 4.5 covers cols 2, 3, 4.
        let edge = try mask(
            #"{"rois": [{"name": "r", "kind": "rectangle", "x": 2.5, "y": 0.5, "width": 2, "height": 1}]}"#)
        #expect(edge.pixelCount == 3 * 2)
    }

    @Test("an ellipse's pixel count approaches its area", arguments: [(6.0, 6.0), (10.0, 4.0), (12.5, 7.3)])
    func ellipseArea(rx: Double, ry: Double) throws {
        let m = try mask(
            #"{"rois": [{"name": "e", "kind": "ellipse", "center": [20, 15], "radii": [\#(rx), \#(ry)]}]}"#)
        let area = Double.pi * rx * ry
        // Counting pixel centres errs by at most about the perimeter's worth of half pixels.
        let perimeter = Double.pi * (3 * (rx + ry) - ((3 * rx + ry) * (rx + 3 * ry)).squareRoot())
        #expect(abs(Double(m.pixelCount) - area) < perimeter / 2)
    }

    @Test("angle turns the ellipse counter-clockwise on screen")
    func ellipseAngle() throws {
        let rotated = try mask(
            #"{"rois": [{"name": "e", "kind": "ellipse", "center": [20, 15], "radii": [10, 2], "angle": 45}]}"#)
        // Counter-clockwise on screen (y down): the long axis points up-right, toward smaller rows.
        #expect(rotated.contains(column: 25, row: 9))
        #expect(!rotated.contains(column: 25, row: 20))
        let quarter = try mask(
            #"{"rois": [{"name": "e", "kind": "ellipse", "center": [20, 15], "radii": [9, 4], "angle": 90}]}"#)
        let swapped = try mask(#"{"rois": [{"name": "e", "kind": "ellipse", "center": [20, 15], "radii": [4, 9]}]}"#)
        #expect(quarter.indices == swapped.indices)
    }

    @Test("a polygon matches the rectangle with the same corners, and a triangle its area")
    func polygon() throws {
        let square = try mask(
            #"{"rois": [{"name": "p", "kind": "polygon", "points": [[2, 3], [6, 3], [6, 8], [2, 8]]}]}"#)
        let rect = try mask(#"{"rois": [{"name": "r", "kind": "rectangle", "x": 2, "y": 3, "width": 4, "height": 5}]}"#)
        #expect(square.indices == rect.indices)
        let triangle = try mask(#"{"rois": [{"name": "t", "kind": "polygon", "points": [[0, 0], [30, 0], [0, 20]]}]}"#)
        #expect(abs(Double(triangle.pixelCount) - 300) < 25)
    }

    @Test("a mask PNG selects its non-zero pixels, relative to the ROI file")
    func maskFile() throws {
        var pixels = [UInt16](repeating: 0, count: 40 * 30)
        for i in [0, 41, 599, 1199] { pixels[i] = 255 }
        MinimalPNGWriter.write(
            MinimalPNGWriter.encode(width: 40, height: 30, colorType: .grey, bitDepth: 8, samples: pixels),
            to: root + "/drawn.png")
        let m = try mask(#"{"rois": [{"name": "m", "kind": "mask", "path": "drawn.png"}]}"#)
        #expect(m.indices == [0, 41, 599, 1199])
        let error = imagingError {
            _ = try mask(#"{"rois": [{"name": "m", "kind": "mask", "path": "drawn.png"}]}"#, 20, 20)
        }
        #expect(error?.description.contains("40x30") == true)
    }

    @Test("several regions and the reference are read by name")
    func severalRegions() throws {
        let file = try regions(
            #"""
            {"rois": [
              {"name": "lesion", "kind": "ellipse", "center": [10, 10], "radii": [5, 5]},
              {"name": "parenchyma", "kind": "rectangle", "x": 20, "y": 5, "width": 10, "height": 10}],
             "reference": "parenchyma"}
            """#)
        #expect(file.regions.map(\.name) == ["lesion", "parenchyma"])
        #expect(file.reference == "parenchyma")
    }

    @Test("a region outside the pane is an error naming it and the pane size")
    func outside() {
        let error = imagingError {
            _ = try mask(#"{"rois": [{"name": "edge", "kind": "ellipse", "center": [38, 15], "radii": [5, 5]}]}"#)
        }
        #expect(error?.description.contains("\"edge\"") == true)
        #expect(error?.description.contains("40x30") == true)
    }

    @Test("a region without a pixel centre is empty")
    func empty() {
        let error = imagingError {
            _ = try mask(#"{"rois": [{"name": "dot", "kind": "ellipse", "center": [1, 1], "radii": [0.2, 0.2]}]}"#)
        }
        guard case .emptyRegion(_, let region) = error else {
            Issue.record("expected emptyRegion, got \(String(describing: error))")
            return
        }
        #expect(region == "dot")
    }

    @Test(
        "bad region files say what is wrong",
        arguments: [
            (#"{"rois": [{"name": "a", "kind": "circle"}]}"#, "unknown kind \"circle\""),
            (
                #"{"rois": [{"name": "a", "kind": "ellipse", "center": [1, 1], "radii": [0, 2]}]}"#,
                "radii must be positive"
            ),
            (#"{"rois": [{"name": "a", "kind": "polygon", "points": [[1, 1], [2, 2]]}]}"#, "at least three"),
            (
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 1, "y": 1, "width": 2, "height": 2}, {"name": "a", "kind": "rectangle", "x": 1, "y": 1, "width": 2, "height": 2}]}"#,
                "used twice"
            ),
            (
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 1, "y": 1, "width": 2, "height": 2}], "reference": "liver"}"#,
                "\"liver\" is not one of the regions"
            ),
            (#"{"rois": []}"#, "no region"),
            (#"{"regions": []}"#, "unknown key \"regions\" (known keys: rois, reference, referenceFrame)"),
            (#"{"reference": "lesion"}"#, "missing required key \"rois\""),
        ])
    func badFiles(json: String, expected: String) {
        let error = imagingError { _ = try regions(json) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test("malformed roi.json reports its line")
    func malformed() {
        let error = imagingError {
            _ = try regions("{\"rois\": [\n  {\"name\": \"a\",\n   \"kind\": \"ellipse\"\n   \"center\": [1, 2]}]}")
        }
        guard case .malformedJSON(_, let line, _, _) = error else {
            Issue.record("expected malformedJSON, got \(String(describing: error))")
            return
        }
        #expect(line == 4)
    }
}
