import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

/// ImageJ ROI files written by `roifile` (Tests/Data/imagej_rois.py, an independent writer), read back against
/// what roifile says they hold (Fixtures/roi/imagej/expected.json).
@Suite("ImageJ ROIs")
struct ImageJRoiTests {
    static let folder = TestPaths.packageRoot + "/Fixtures/roi/imagej"

    struct Expected: Decodable {
        var name: String
        var type: String
        var left: Int
        var top: Int
        var right: Int
        var bottom: Int
        var points: [[Double]]
    }

    static let expected: [String: Expected] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))
        let all = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        var out: [String: Expected] = [:]
        for (key, value) in all where key.hasSuffix(".zip") == false {
            let bytes = try! JSONSerialization.data(withJSONObject: value)
            out[key] = try! JSONDecoder().decode(Expected.self, from: bytes)
        }
        return out
    }()

    func region(_ file: String) throws -> RegionOfInterest {
        let loaded = try RegionFile.load(Self.folder + "/" + file)
        #expect(loaded.regions.count == 1 && loaded.reference == nil)
        return loaded.regions[0]
    }

    @Test("rectangles and ovals are their bounds; the name comes from the ROI")
    func rectangleAndOval() throws {
        let r = try #require(Self.expected["rect"])
        let rect = try region("rect.roi")
        #expect(rect.name == r.name)
        #expect(
            rect.shape
                == .rectangle(
                    x: Double(r.left), y: Double(r.top), width: Double(r.right - r.left),
                    height: Double(r.bottom - r.top)))
        let o = try #require(Self.expected["oval"])
        let oval = try region("oval.roi")
        #expect(oval.name == o.name)
        let (w, h) = (Double(o.right - o.left), Double(o.bottom - o.top))
        #expect(
            oval.shape
                == .ellipse(
                    centerX: Double(o.left) + w / 2, centerY: Double(o.top) + h / 2, radiusX: w / 2, radiusY: h / 2,
                    angleDegrees: 0))
    }

    @Test(
        "polygon, traced and freehand outlines are their vertices (integer and sub-pixel)",
        arguments: ["polygon", "traced", "freehand"])
    func outlines(key: String) throws {
        let e = try #require(Self.expected[key])
        let roi = try region(key + ".roi")
        #expect(roi.name == e.name)
        guard case .polygon(let points) = roi.shape else {
            Issue.record("\(key) is not a polygon: \(roi.shape)")
            return
        }
        #expect(points.count == e.points.count)
        for (p, q) in zip(points, e.points) {
            // Sub-pixel vertices are 32-bit floats in the file: equal to roifile's reading exactly.
            #expect(p.x == q[0] && p.y == q[1], "\(key): \(p) vs \(q)")
        }
    }

    @Test("RoiSet.zip gives every ROI of the set, in order; an oval masks like the same ellipse in roi.json")
    func roiSet() throws {
        let set = try RegionFile.load(Self.folder + "/RoiSet.zip")
        #expect(set.regions.map(\.name) == ["lesion", "parenchyma"])
        let folder = TestPaths.temporaryFolder("imagej-json")
        try
            #"{"rois": [{"name": "lesion", "kind": "ellipse", "center": [22, 28], "radii": [9, 9]}, {"name": "parenchyma", "kind": "rectangle", "x": 42, "y": 11, "width": 18, "height": 34}]}"#
            .write(toFile: folder + "/roi.json", atomically: true, encoding: .utf8)
        let json = try RegionFile.load(folder + "/roi.json")
        #expect(try set.masks(paneWidth: 64, paneHeight: 56) == json.masks(paneWidth: 64, paneHeight: 56))
    }

    @Test(
        "what is not an area, or not an ImageJ ROI, is refused with the file and what to do",
        arguments: [
            ("line.roi", "a straight line ROI is not an area")
        ])
    func refused(file: String, says: String) throws {
        let error = imagingError { _ = try RegionFile.load(Self.folder + "/" + file) }
        #expect(error?.description.contains(says) == true, "\(String(describing: error))")
        #expect(error?.description.contains(file) == true)
    }

    @Test("damaged files: wrong magic, cut short, a zip that is not one")
    func damaged() throws {
        let folder = TestPaths.temporaryFolder("imagej-bad")
        let polygon = try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/polygon.roi"))
        let cases: [(String, Data, String)] = [
            ("magic.roi", Data("Iowt".utf8) + polygon.dropFirst(4), "does not start with \"Iout\""),
            ("short.roi", polygon.prefix(70), "ends before its 3 vertices"),
            ("tiny.roi", polygon.prefix(10), "does not start with"),
            ("set.zip", Data("PK not really".utf8), "not a readable zip archive"),
        ]
        for (name, bytes, says) in cases {
            try bytes.write(to: URL(fileURLWithPath: folder + "/" + name))
            let error = imagingError { _ = try RegionFile.load(folder + "/" + name) }
            #expect(error?.description.contains(says) == true, "\(name): \(String(describing: error))")
        }
    }
}
