import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

/// `echoflow view` through its HTTP contract (README "The viewer"), against the running server: the clip and its
/// frames, curves and fits equal to what `echoflow analyze` writes, saving and reloading, invalid regions refused
/// with the file untouched, path traversal and non-loopback Host refused. The page itself is driven in Chromium
/// by Tests/Browser/drive_viewer.py (`make browser-test`).
@Suite("echoflow view", .serialized)
struct ViewerTests {
    /// A copy of the baseline fixture clip with frames 3 and 4 excluded by hand (a known exclusion).
    static func clip(_ label: String) throws -> String {
        let folder = TestPaths.temporaryFolder(label) + "/clip01"
        try FileManager.default.copyItem(atPath: TestPaths.baselineClip, toPath: folder)
        try Data(#"{"dynamicRangeDB": 50, "frameRate": 5, "excludedFrames": [3, 4]}"#.utf8)
            .write(to: URL(fileURLWithPath: folder + "/clip.json"))
        return folder
    }

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// A served PNG decoded by libpng (through a file, as the reader takes paths).
    static func decodePNG(_ png: [UInt8]) throws -> Frame {
        let path = TestPaths.temporaryFolder("served-png") + "/frame.png"
        try Data(png).write(to: URL(fileURLWithPath: path))
        return try PNGCodec.decode(path: path)
    }

    @Test("/api/clip, frames as PNG with the clip's own pixels, 404 past the end and for anything that is not a frame")
    func clipAndFrames() throws {
        let clip = try Self.clip("view-frames")
        let viewer = try ViewerProcess([clip])
        #expect(viewer.banner.contains("321 frames") && viewer.banner.contains(clip + "/roi.json"))
        let info = try #require(try viewer.request("GET", "/api/clip").json)
        #expect(info["frames"] as? Int == 321 && info["width"] as? Int == 64 && info["height"] as? Int == 56)
        let times = try #require(info["times_s"] as? [Double])
        // 5 frames per second from clip.json: frame k at k / 5 s.
        #expect(times.count == 321 && times.enumerated().allSatisfy { abs($0.element - Double($0.offset) / 5) < 1e-9 })
        let pane = try #require(info["contrastPane"] as? [String: Int])
        #expect(pane == ["x": 0, "y": 0, "width": 64, "height": 56])
        #expect(info["bmodePane"] is NSNull)

        let frames = try FileManager.default.contentsOfDirectory(atPath: clip).filter { $0.hasSuffix(".png") }.sorted()
        for index in [0, 160, 320] {
            let reply = try viewer.request("GET", "/api/frame/\(index).png")
            #expect(reply.status == 200 && reply.headers["content-type"] == "image/png")
            // libpng decodes both: the served frame holds exactly the pixels of the file on disk.
            let served = try Self.decodePNG(reply.body)
            let original = try PNGCodec.decode(path: clip + "/" + frames[index])
            #expect(served == original, "frame \(index)")
        }
        for path in ["/api/frame/321.png", "/api/frame/-1.png", "/api/frame/abc.png", "/api/frame/1", "/api/frames"] {
            #expect(try viewer.request("GET", path).status == 404, "\(path)")
        }
        let page = try viewer.request("GET", "/")
        #expect(page.status == 200 && page.text.contains("<canvas id=\"view\""))
        // Offline: the page names no other server (no CDN, no web font); its policy allows this server only.
        // (The SVG namespace is a name, not an address that is fetched.)
        let addresses = page.text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
        #expect(!addresses.contains("http://") && !addresses.contains("https://") && !addresses.contains("//cdn"))
        #expect(!page.text.contains("<script src") && !page.text.contains("<link"))
        #expect(page.headers["content-security-policy"]?.contains("default-src 'none'") == true)
    }

    @Test("/api/tic and /api/fit give what analyze writes to tic.csv and parameters.csv")
    func curvesAndFitsAreAnalyzes() throws {
        let clip = try Self.clip("view-curves")
        let out = TestPaths.temporaryFolder("view-analyze")
        let analyzed = try runEchoflow(["analyze", clip, "--output", out, "--quiet"])
        #expect(analyzed.status == 0, "\(analyzed.stderr)")
        let viewer = try ViewerProcess([clip])
        let roi = try Self.bytes(clip + "/roi.json")

        let tic = try viewer.request("POST", "/api/tic", body: roi)
        #expect(tic.status == 200, "\(tic.text)")
        let regions = try #require(tic.json?["regions"] as? [[String: Any]])
        #expect(regions.map { $0["name"] as? String } == ["lesion", "parenchyma"])
        let rows = try CSVFile(path: out + "/tic.csv").dictionaries
        for region in regions {
            let name = region["name"] as! String
            let values = region["intensity_au"] as! [Any]
            let excluded = region["excluded"] as! [Bool]
            let mine = rows.filter { $0["roi"] == name }
            #expect(values.count == 321 && mine.count == 321)
            // The hand-excluded frames 3 and 4, and only the frame rules' frames (tic.csv adds fit outliers).
            #expect(excluded[3] && excluded[4])
            for (k, row) in mine.enumerated() {
                let reason = row["exclusion"] ?? ""
                if reason != "" && reason != "outlier" { #expect(excluded[k], "\(name) frame \(k)") }
                if reason == "" { #expect(!excluded[k], "\(name) frame \(k)") }
                // tic.csv writes 7 significant digits.
                let csv = Double(row["intensity_au"]!)!
                let value = values[k] as! Double
                #expect(abs(value - csv) <= 1e-6 * abs(csv) + 1e-12, "\(name) frame \(k): \(value) vs \(csv)")
            }
        }

        let fit = try viewer.request("POST", "/api/fit", body: roi)
        #expect(fit.status == 200, "\(fit.text)")
        let fitted = try #require(fit.json?["regions"] as? [[String: Any]])
        let parameters = try CSVFile(path: out + "/parameters.csv").dictionaries
        #expect(fitted.count == 2 && parameters.count == 2)
        for (region, row) in zip(fitted, parameters) {
            #expect(region["name"] as? String == row["roi"] && region["status"] as? String == row["status"])
            let values = try #require(region["parameters"] as? [String: Any])
            for column in [
                "pe_au", "ttp_s", "wiauc_au_s", "rt_s", "mtti_s", "mtt_s", "auc_au_s", "qof_pct", "pe_rel_pct",
            ] {
                let csv = Double(row[column]!)!
                let value = try #require(values[column] as? Double, "\(column)")
                #expect(abs(value - csv) <= 1e-6 * abs(csv), "\(row["roi"]!) \(column): \(value) vs \(csv)")
            }
            #expect((values["n_excluded"] as? Int).map(String.init) == row["n_excluded"])
            #expect((region["fitted_au"] as? [Any])?.count == 321)
        }
    }

    @Test(
        "PUT /api/roi saves atomically and the next viewer reads it; invalid regions get 400 and the file is untouched")
    func saveReloadAndRefuse() throws {
        let clip = try Self.clip("view-save")
        let roiPath = clip + "/roi.json"
        var viewer: ViewerProcess? = try ViewerProcess([clip])
        let drawn = Array(
            #"{"rois": [{"name": "drawn", "kind": "polygon", "points": [[4, 4], [30, 6], [12, 40]]}, {"name": "ref", "kind": "rectangle", "x": 40, "y": 10, "width": 12, "height": 20}], "reference": "ref"}"#
                .utf8)
        let put = try viewer!.request("PUT", "/api/roi", body: drawn)
        #expect(put.status == 200, "\(put.text)")
        #expect(try Self.bytes(roiPath) == drawn)
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: clip).contains { $0.hasSuffix(".tmp") }))

        let refusals: [(String, String)] = [
            (
                #"{"rois": [{"name": "big", "kind": "rectangle", "x": 50, "y": 10, "width": 30, "height": 20}]}"#,
                "outside"
            ),
            (#"{"rois": [{"name": "a", "kind": "ellipse", "center": [10, 10]}]}"#, "radii"),
            (
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 1, "y": 1, "width": 5, "height": 5}], "refrence": "a"}"#,
                "did you mean"
            ),
            (
                #"{"rois": [{"name": "a", "kind": "rectangle", "x": 1, "y": 1, "width": 5, "height": 5}], "reference": "b"}"#,
                "\"b\" is not one of the regions"
            ),
            ("{\"rois\": [\n  {\"name\": \"a\",, }\n]}", "roi.json:2:16: malformed JSON"),
            (#"{"rois": []}"#, "no region"),
        ]
        for (body, message) in refusals {
            let reply = try viewer!.request("PUT", "/api/roi", body: Array(body.utf8))
            let error = reply.json?["error"] as? String ?? ""
            #expect(reply.status == 400 && error.contains(message), "\(body): \(reply.status) \(error)")
            #expect(error.contains("roi.json"), "the message names the file: \(error)")
            #expect(try Self.bytes(roiPath) == drawn, "untouched after \(body)")
            // The same checks on the curves: 400 with the message, never a crash.
            #expect(try viewer!.request("POST", "/api/tic", body: Array(body.utf8)).status == 400)
        }
        viewer!.stop()
        viewer = nil
        // A new viewer starts from the saved regions.
        let again = try ViewerProcess([clip])
        let regions = try again.request("GET", "/api/roi")
        let json = try #require(regions.json)
        #expect((json["rois"] as? [[String: Any]])?.map { $0["name"] as? String } == ["drawn", "ref"])
        #expect(json["reference"] as? String == "ref")
        let kinds = (json["rois"] as? [[String: Any]])?.map { $0["kind"] as? String }
        #expect(kinds == ["polygon", "rectangle"])
    }

    @Test("paths outside the contract are 404 (no file of the clip is served); a Host that is not loopback gets 403")
    func traversalAndHost() throws {
        let clip = try Self.clip("view-safety")
        let secret = try String(contentsOfFile: clip + "/clip.json", encoding: .utf8)
        let viewer = try ViewerProcess([clip])
        for path in [
            "/clip.json", "/roi.json", "/../clip.json", "/api/../clip.json", "/api/frame/../../clip.json",
            "/api/frame/..%2F..%2Fclip.json", "/api/frame/%2e%2e/roi.json", "/frame_0001.png",
            "/api/roi/../../clip.json",
            "//etc/passwd", "/api/frame/0.png/../../clip.json",
        ] {
            let reply = try viewer.request("GET", path)
            #expect(reply.status == 404, "\(path): \(reply.status)")
            #expect(!reply.text.contains("dynamicRangeDB") && !reply.text.contains(secret), "\(path)")
        }
        #expect(try viewer.request("DELETE", "/api/roi").status == 404)
        #expect(try viewer.request("POST", "/api/clip").status == 404)
        for host in [
            "example.com", "evil.test:\(viewer.port)", "127.0.0.1.evil.test", "192.168.1.5", "localhost.evil", "",
        ] {
            #expect(try viewer.request("GET", "/api/clip", host: host).status == 403, "Host \(host)")
            #expect(try viewer.request("GET", "/", host: host).status == 403, "Host \(host)")
        }
        let before = try Self.bytes(clip + "/roi.json")
        let put = try viewer.request(
            "PUT", "/api/roi",
            body: Array(
                #"{"rois": [{"name": "x", "kind": "rectangle", "x": 1, "y": 1, "width": 5, "height": 5}]}"#.utf8),
            host: "attacker.example")
        let after = try Self.bytes(clip + "/roi.json")
        #expect(put.status == 403 && after == before)
        for host in ["localhost:\(viewer.port)", "127.0.0.1:\(viewer.port)", "[::1]:\(viewer.port)", "LOCALHOST"] {
            #expect(try viewer.request("GET", "/api/clip", host: host).status == 200, "Host \(host)")
        }
    }

    @Test("regions imported from a RoiSet.zip are saved to the clip's roi.json; the zip is never overwritten")
    func importedRegions() throws {
        let clip = try Self.clip("view-imagej")
        try FileManager.default.removeItem(atPath: clip + "/roi.json")
        let zip = clip + "/RoiSet.zip"
        try FileManager.default.copyItem(atPath: RoiCommandTests.set, toPath: zip)
        let original = try Self.bytes(zip)
        let viewer = try ViewerProcess([clip])
        #expect(viewer.banner.contains("regions from \(zip)") && viewer.banner.contains("Save writes \(clip)/roi.json"))
        let current = try viewer.request("GET", "/api/roi")
        let names = (current.json?["rois"] as? [[String: Any]])?.map { $0["name"] as? String }
        #expect(names == ["lesion", "parenchyma"])
        // What GET gives is a valid roi.json: saving it back writes roi.json beside the zip.
        let put = try viewer.request("PUT", "/api/roi", body: current.body)
        #expect(put.status == 200, "\(put.text)")
        let zipAfter = try Self.bytes(zip)
        #expect(FileManager.default.fileExists(atPath: clip + "/roi.json") && zipAfter == original)
    }

    @Test(
        "regions from a NIfTI mask: curves of the label pixels; saving writes roi.json and a mask PNG per label beside it, never the .nii.gz"
    )
    func niftiRegions() throws {
        let clip = try Self.clip("view-nifti")
        try FileManager.default.removeItem(atPath: clip + "/roi.json")
        let nifti = TestPaths.temporaryFolder("view-nifti-file") + "/labels.nii.gz"
        try FileManager.default.copyItem(
            atPath: TestPaths.fixtures + "/roi/nifti/labels-int16-3d.nii.gz", toPath: nifti)
        let original = try Self.bytes(nifti)
        let viewer = try ViewerProcess([clip, "--roi", nifti])
        #expect(viewer.banner.contains("Save writes \(clip)/roi.json"))
        let current = try viewer.request("GET", "/api/roi")
        let rois = try #require(current.json?["rois"] as? [[String: Any]])
        #expect(rois.map { $0["kind"] as? String }.allSatisfy { $0 == "mask" } && !rois.isEmpty)
        // nibabel wrote the labels (Fixtures/roi/nifti/expected.json): each region's pixel count is its label's.
        let data = try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixtures + "/roi/nifti/expected.json"))
        let expected = try #require(
            (try JSONSerialization.jsonObject(with: data) as? [String: [String: [Int]]])?["labels-int16-3d.nii.gz"])
        let put = try viewer.request("PUT", "/api/roi", body: current.body)
        #expect(put.status == 200, "\(put.text)")
        let masks = try FileManager.default.contentsOfDirectory(atPath: clip).filter { $0.hasPrefix("mask-") }
        #expect(masks.count == expected.count, "\(masks)")
        let after = try Self.bytes(nifti)
        #expect(after == original)
        let tic = try viewer.request("POST", "/api/tic", body: try Self.bytes(clip + "/roi.json"))
        let curves = try #require(tic.json?["regions"] as? [[String: Any]])
        for curve in curves {
            let name = curve["name"] as! String
            #expect(curve["pixels"] as? Int == expected[name]?.count, "\(name)")
        }
    }

    @Test("a DICOM clip: frames with the file's pixels, regions saved as NAME.roi.json beside it")
    func dicomClip() throws {
        let folder = TestPaths.temporaryFolder("view-dicom")
        let (width, height, frames) = (40, 30, 12)
        var pixels: [UInt8] = []
        for f in 0..<frames {
            for i in 0..<(width * height) { pixels.append(UInt8((i * 7 + f * 13) % 251)) }
        }
        let writer = MinimalDICOMWriter(syntax: .explicitLittle)
        let timing: [MinimalDICOMWriter.Element] = [
            .value(group: 0x0018, element: 0x1063, vr: "DS", bytes: MinimalDICOMWriter.text("100"))
        ]
        let path = folder + "/exam.dcm"
        try Data(writer.cine(width: width, height: height, frames: frames, pixels: pixels, timing: timing))
            .write(to: URL(fileURLWithPath: path))
        let viewer = try ViewerProcess([path])
        #expect(viewer.banner.contains("Save writes \(folder)/exam.roi.json"))
        let info = try #require(try viewer.request("GET", "/api/clip").json)
        #expect(info["frames"] as? Int == frames && info["width"] as? Int == width)
        for f in [0, 11] {
            let reply = try viewer.request("GET", "/api/frame/\(f).png")
            let served = try Self.decodePNG(reply.body)
            let expected = Frame(
                width: width, height: height, channels: 1,
                samples: .uint8(Array(pixels[(f * width * height)..<((f + 1) * width * height)])))
            #expect(served == expected, "frame \(f)")
        }
        #expect(try viewer.request("GET", "/api/frame/12.png").status == 404)
        let body = Array(
            #"{"rois": [{"name": "a", "kind": "rectangle", "x": 2, "y": 2, "width": 10, "height": 8}]}"#.utf8)
        #expect(try viewer.request("PUT", "/api/roi", body: body).status == 200)
        #expect(try Self.bytes(folder + "/exam.roi.json") == body)
    }

    @Test("a region file that does not fit the clip, a missing one, or a port in use stops the viewer with the reason")
    func badStart() throws {
        let clip = try Self.clip("view-bad")
        try Data(#"{"rois": [{"name": "a", "kind": "rectangle", "x": 60, "y": 2, "width": 10, "height": 8}]}"#.utf8)
            .write(to: URL(fileURLWithPath: clip + "/roi.json"))
        let r = try runEchoflow(["view", clip, "--port", "0"])
        #expect(r.status == 65 && r.stderr.contains(clip + "/roi.json") && r.stderr.contains("outside"), "\(r.stderr)")
        // A port already in use: exit 70 with what to do, not a crash.
        let first = try ViewerProcess([TestPaths.baselineClip])
        let busy = try runEchoflow(["view", TestPaths.baselineClip, "--port", String(first.port)])
        #expect(busy.status == 70 && busy.stderr.contains("127.0.0.1:\(first.port)"), "\(busy.stderr)")
        #expect(busy.stderr.contains("--port 0"))
        let missing = try runEchoflow(["view", clip, "--roi", clip + "/none.json", "--port", "0"])
        #expect(missing.status != 0 && missing.stderr.contains("none.json"), "\(missing.stderr)")
    }
}
