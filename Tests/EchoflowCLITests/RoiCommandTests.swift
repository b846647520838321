import EchoflowTestSupport
import Foundation
import Testing

@Suite("ImageJ ROIs through the command line")
struct RoiCommandTests {
    static let set = TestPaths.packageRoot + "/Fixtures/roi/imagej/RoiSet.zip"

    @Test("roi convert writes a roi.json that analyze reads to the same numbers as the RoiSet.zip itself")
    func convertRoundTrip() throws {
        let folder = TestPaths.temporaryFolder("roi-convert")
        let converted = folder + "/roi.json"
        let c = try runEchoflow(["roi", "convert", Self.set, "--reference", "parenchyma", "--output", converted])
        #expect(c.status == 0, "\(c.stderr)")
        let text = try String(contentsOfFile: converted, encoding: .utf8)
        #expect(text.contains(#""reference": "parenchyma""#) && text.contains(#""kind": "ellipse""#))
        let fromJSON = TestPaths.temporaryFolder("roi-json-out")
        let fromZip = TestPaths.temporaryFolder("roi-zip-out")
        #expect(
            try runEchoflow(["analyze", TestPaths.baselineClip, "--roi", converted, "--output", fromJSON, "--quiet"])
                .status == 0)
        let z = try runEchoflow(["analyze", TestPaths.baselineClip, "--roi", Self.set, "--output", fromZip, "--quiet"])
        #expect(z.status == 0, "\(z.stderr)")
        let a = try CSVFile(path: fromJSON + "/parameters.csv").dictionaries
        let b = try CSVFile(path: fromZip + "/parameters.csv").dictionaries
        #expect(a.map { $0["roi"] } == ["lesion", "parenchyma"] && b.map { $0["roi"] } == ["lesion", "parenchyma"])
        for (x, y) in zip(a, b) {
            for column in ["pe_au", "ttp_s", "wiauc_au_s", "mtt_s", "pixel_count"] {
                #expect(x[column] == y[column], "\(column)")
            }
        }
        // The reference region exists only in the converted file: relative amplitudes there, not from the zip.
        #expect(a[0]["pe_rel_pct"] != "" && b[0]["pe_rel_pct"] == "")
    }

    @Test("roi convert refuses a reference that is not a region, and non-area ROIs, naming the file")
    func refusals() throws {
        let r = try runEchoflow(["roi", "convert", Self.set, "--reference", "liver"])
        #expect(r.status == 65 && r.stderr.contains("\"liver\" is not one of the regions"))
        let line = TestPaths.packageRoot + "/Fixtures/roi/imagej/line.roi"
        let l = try runEchoflow(["roi", "convert", line])
        #expect(l.status == 65 && l.stderr.contains("line.roi") && l.stderr.contains("not an area"))
    }

    @Test("a clip folder with a RoiSet.zip and no roi.json is analysed with it, alone and in a folder study")
    func roiSetInTheClipFolder() throws {
        let study = TestPaths.temporaryFolder("imagej-study")
        let clip = study + "/P1/baseline/liver"
        try FileManager.default.createDirectory(atPath: study + "/P1/baseline", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestPaths.baselineClip, toPath: clip)
        try FileManager.default.removeItem(atPath: clip + "/roi.json")
        try FileManager.default.copyItem(atPath: Self.set, toPath: clip + "/RoiSet.zip")
        let out = TestPaths.temporaryFolder("imagej-study-clip")
        let a = try runEchoflow(["analyze", clip, "--output", out, "--quiet"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(try CSVFile(path: out + "/parameters.csv").dictionaries.map { $0["roi"] } == ["lesion", "parenchyma"])
        let results = TestPaths.temporaryFolder("imagej-study-out")
        let b = try runEchoflow(["batch", study, "--output", results, "--quiet"])
        #expect(b.status == 0, "\(b.stderr)")
        #expect(FileManager.default.fileExists(atPath: results + "/clips/P1/liver/baseline/parameters.csv"))
    }

    @Test("a NIfTI mask works as --roi; roi convert writes roi.json with mask PNGs that give the same numbers")
    func niftiMask() throws {
        let mask = TestPaths.packageRoot + "/Fixtures/roi/nifti/labels-int16-3d.nii.gz"
        let direct = TestPaths.temporaryFolder("nifti-direct")
        let a = try runEchoflow(["analyze", TestPaths.baselineClip, "--roi", mask, "--output", direct, "--quiet"])
        #expect(a.status == 0, "\(a.stderr)")
        let folder = TestPaths.temporaryFolder("nifti-convert")
        let c = try runEchoflow(["roi", "convert", mask, "--reference", "label 2", "--output", folder + "/roi.json"])
        #expect(c.status == 0, "\(c.stderr)")
        for n in 1...3 { #expect(FileManager.default.fileExists(atPath: folder + "/mask-label_\(n).png")) }
        let viaJSON = TestPaths.temporaryFolder("nifti-json")
        let b = try runEchoflow([
            "analyze", TestPaths.baselineClip, "--roi", folder + "/roi.json", "--output", viaJSON, "--quiet",
        ])
        #expect(b.status == 0, "\(b.stderr)")
        let x = try CSVFile(path: direct + "/parameters.csv").dictionaries
        let y = try CSVFile(path: viaJSON + "/parameters.csv").dictionaries
        #expect(x.map { $0["roi"] } == ["label 1", "label 2", "label 3"] && y.map { $0["roi"] } == x.map { $0["roi"] })
        for (p, q) in zip(x, y) {
            for column in ["pixel_count", "pe_au", "ttp_s", "wiauc_au_s"] {
                #expect(p[column] == q[column], "\(column)")
            }
        }
        // Without --output the masks have nowhere to go.
        let stdout = try runEchoflow(["roi", "convert", mask])
        #expect(stdout.status == 64 && stdout.stderr.contains("give --output"))
    }
}
