import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis

@Suite("echoflow analyze, end to end")
struct AnalyzeCommandTests {
    @Test("analyses a fixture clip: files, columns and parameters near the truth")
    func fixtureClip() throws {
        let out = TestPaths.temporaryFolder("analyze")
        let result = try runEchoflow(["analyze", TestPaths.baselineClip, "--output", out, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.contains("lesion"))
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(
            files == [
                "overview.png", "parameters.csv", "report.html", "tic-lesion.svg", "tic-parenchyma.svg", "tic.csv",
            ])

        let parameters = try CSVFile(path: out + "/parameters.csv")
        #expect(parameters.header == ParameterTable.schema.names)
        #expect(parameters.rows.allSatisfy { $0.count == parameters.header.count })
        let lesion = try #require(parameters.dictionaries.first { $0["roi"] == "lesion" })
        #expect(lesion["status"] == "converged")
        #expect(lesion["dynamic_range_db"] == "50")
        #expect(lesion["reference_roi"] == "parenchyma")
        let truth = try SyntheticTruth.load(TestPaths.baselineClip + "/truth.json").regions[0].parameters
        // Same bounds as the recovery tests (TTP 4.5 %, PE 7.1 %, WiAUC 10 %), now through files and the binary.
        #expect(abs(Double(lesion["ttp_s"]!)! / truth.ttp_s - 1) < 0.045)
        #expect(abs(Double(lesion["pe_au"]!)! / truth.pe_au - 1) < 0.071)
        #expect(abs(Double(lesion["wiauc_au_s"]!)! / truth.wiauc_au_s - 1) < 0.10)
        let parenchyma = try #require(parameters.dictionaries.first { $0["roi"] == "parenchyma" })
        #expect(parenchyma["pe_rel_pct"] == "100")

        let tic = try CSVFile(path: out + "/tic.csv")
        #expect(
            tic.header == [
                "clip", "roi", "frame", "time_s", "intensity_au", "saturated_pct", "excluded", "fitted_au", "exclusion",
            ])
        #expect(tic.rows.count == 2 * 321)
        #expect(tic.rows.allSatisfy { !$0.contains("nan") })
    }

    @Test("a clip written by another program in the documented format is analysed correctly")
    func clipFromAnotherProgram() throws {
        // 12 Hz for 50 s; frame times given explicitly; injection at 2 s; 16-bit grey; DR 40 dB.
        let folder = TestPaths.temporaryFolder("foreign")
        let (w, h, dr) = (24, 20, 40.0)
        let times = (0..<600).map { 2 + Double($0) / 12 }
        let truth = (area: 3.0, mu: 2.6, sigma: 0.7, t0: 6.0, offset: 0.002)
        for (i, t) in times.enumerated() {
            let p = referenceLognormal(
                t - 2, area: truth.area, mu: truth.mu, sigma: truth.sigma, t0: truth.t0, offset: truth.offset)
            // Forward law written out independently: Y = Ymax (1 + (10 / DR) log10 P).
            let y = UInt16((65535 * (1 + 10 / dr * log10(p))).rounded())
            let png = MinimalPNGWriter.encode(
                width: w, height: h, colorType: .grey, bitDepth: 16, samples: Array(repeating: y, count: w * h))
            MinimalPNGWriter.write(png, to: folder + "/img\(i).png")
        }
        let timesJSON = times.map { String($0) }.joined(separator: ", ")
        try #"{"frameTimes": [\#(timesJSON)], "injectionTime": 2, "dynamicRangeDB": 40, "excludedFrames": [5]}"#
            .write(toFile: folder + "/clip.json", atomically: true, encoding: .utf8)
        try #"{"rois": [{"name": "all", "kind": "rectangle", "x": 2, "y": 2, "width": 20, "height": 16}]}"#
            .write(toFile: folder + "/regions.json", atomically: true, encoding: .utf8)
        let out = TestPaths.temporaryFolder("foreign-out")
        let result = try runEchoflow(["analyze", folder, "--roi", folder + "/regions.json", "--output", out, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(try CSVFile(path: out + "/parameters.csv").dictionaries.first)
        #expect(row["status"] == "converged")
        // Noise-free frames repeat wherever the 16-bit value does not change: the duplicate rule drops every frame
        // whose value equals the previous frame's (counted here from the values written), besides frame 5.
        var ys: [UInt16] = []
        for t in times {
            let p = referenceLognormal(
                t - 2, area: truth.area, mu: truth.mu, sigma: truth.sigma, t0: truth.t0, offset: truth.offset)
            ys.append(UInt16((65535 * (1 + 10 / dr * log10(p))).rounded()))
        }
        let repeats = Set((1..<ys.count).filter { ys[$0] == ys[$0 - 1] })
        #expect(repeats.count > 10)
        #expect(row["n_excluded"] == String(repeats.union([5]).count))
        let shape = (
            ttp: truth.t0 + exp(truth.mu - truth.sigma * truth.sigma),
            mtt: truth.t0 + exp(truth.mu + truth.sigma * truth.sigma / 2)
        )
        // Noise-free apart from 16-bit quantization (0.0006 dB per level): agreement to 0.1 %.
        #expect(abs(Double(row["ttp_s"]!)! / shape.ttp - 1) < 1e-3)
        #expect(abs(Double(row["mtt_s"]!)! / shape.mtt - 1) < 1e-3)
        #expect(abs(Double(row["auc_au_s"]!)! / truth.area - 1) < 1e-3)
        let tic = try CSVFile(path: out + "/tic.csv")
        #expect(tic.rows[5][6] == "1")
        #expect(Double(tic.rows[0][3]) == 0)
    }
}

@Suite("Bad input through the command line")
struct BadInputTests {
    func run(_ args: [String]) throws -> CommandResult { try runEchoflow(args + ["--quiet"]) }

    @Test("a missing clip folder exits 66 and names it")
    func missingFolder() throws {
        let r = try run(["analyze", "/nonexistent/clip", "--output", TestPaths.temporaryFolder()])
        #expect(r.status == 66)
        #expect(r.stderr.hasPrefix("error: /nonexistent/clip"))
    }

    @Test("a folder without frames exits 65")
    func noFrames() throws {
        let folder = TestPaths.temporaryFolder("noframes")
        let r = try run(["analyze", folder, "--output", TestPaths.temporaryFolder()])
        #expect(r.status == 65)
        #expect(r.stderr.contains("no frames found"))
    }

    @Test("malformed roi.json exits 65 with the file and line")
    func malformedROI() throws {
        let roi = TestPaths.temporaryFolder("badroi") + "/roi.json"
        try "{\"rois\": [\n  {\"name\": \"x\" \"kind\": \"ellipse\"}]}".write(
            toFile: roi, atomically: true, encoding: .utf8)
        let r = try run(["analyze", TestPaths.baselineClip, "--roi", roi, "--output", TestPaths.temporaryFolder()])
        #expect(r.status == 65)
        #expect(r.stderr.contains("\(roi):2:"))
    }

    @Test("a region outside the frame exits 65 and names the region")
    func regionOutside() throws {
        let roi = TestPaths.temporaryFolder("outside") + "/roi.json"
        try #"{"rois": [{"name": "far", "kind": "rectangle", "x": 50, "y": 10, "width": 30, "height": 10}]}"#
            .write(toFile: roi, atomically: true, encoding: .utf8)
        let r = try run(["analyze", TestPaths.baselineClip, "--roi", roi, "--output", TestPaths.temporaryFolder()])
        #expect(r.status == 65)
        #expect(r.stderr.contains("\"far\"") && r.stderr.contains("64x56"))
    }

    @Test("a clip too short to fit is written with a status and exits 65, as batch counts it a failure")
    func tooShort() throws {
        let folder = TestPaths.temporaryFolder("short")
        for i in 0..<6 {
            let png = MinimalPNGWriter.encode(
                width: 8, height: 8, colorType: .grey, bitDepth: 8,
                samples: Array(repeating: UInt16(100 + i * 10), count: 64))
            MinimalPNGWriter.write(png, to: folder + "/f\(i).png")
        }
        try #"{"frameRate": 2}"#.write(toFile: folder + "/clip.json", atomically: true, encoding: .utf8)
        try #"{"rois": [{"name": "all", "kind": "rectangle", "x": 0, "y": 0, "width": 8, "height": 8}]}"#
            .write(toFile: folder + "/roi.json", atomically: true, encoding: .utf8)
        let out = TestPaths.temporaryFolder("short-out")
        let r = try run(["analyze", folder, "--output", out])
        #expect(r.status == 65)
        #expect(r.stderr.contains("no region could be fitted") && r.stderr.contains("too few samples"))
        let row = try #require(try CSVFile(path: out + "/parameters.csv").dictionaries.first)
        #expect(row["status"] == "too_short")
        #expect(row["pe_au"] == "")
    }

    @Test(
        "bad flag values are usage errors (64)",
        arguments: [["--frame-rate", "-2"], ["--model", "cubic"], ["--dynamic-range", "0"]])
    func usage(flags: [String]) throws {
        let r = try run(["analyze", TestPaths.baselineClip] + flags)
        #expect(r.status == 64)
    }
}

@Suite("DICOM clips through the command line")
struct DICOMCommandTests {
    @Test("a dual-display DICOM cine is analysed like a PNG folder, with areas in mm^2, and inspect describes it")
    func dicomClip() throws {
        let w = MinimalDICOMWriter(syntax: .explicitLittle)
        let (width, height, frames, dr) = (32, 12, 400, 60.0)
        var pixels: [UInt8] = []
        for k in 0..<frames {
            let t = Double(k) / 10
            let p = referenceLognormal(t, area: 2, mu: 2.6, sigma: 0.7, t0: 4, offset: 0.001)
            let contrast = UInt8((255 * (1 + 10 / dr * log10(p))).rounded())
            for _ in 0..<height {
                for col in 0..<width { pixels.append(col < 16 ? 90 : contrast) }
            }
        }
        func region(_ x0: Int, _ x1: Int) -> [MinimalDICOMWriter.Element] {
            [
                .value(group: 0x0018, element: 0x6012, vr: "US", bytes: w.us(1)),
                .value(group: 0x0018, element: 0x6018, vr: "UL", bytes: w.ul(x0)),
                .value(group: 0x0018, element: 0x601A, vr: "UL", bytes: w.ul(0)),
                .value(group: 0x0018, element: 0x601C, vr: "UL", bytes: w.ul(x1)),
                .value(group: 0x0018, element: 0x601E, vr: "UL", bytes: w.ul(height - 1)),
                .value(group: 0x0018, element: 0x6024, vr: "US", bytes: w.us(3)),
                .value(group: 0x0018, element: 0x6026, vr: "US", bytes: w.us(3)),
                .value(group: 0x0018, element: 0x602C, vr: "FD", bytes: w.fd(0.01)),
                .value(group: 0x0018, element: 0x602E, vr: "FD", bytes: w.fd(0.01)),
            ]
        }
        let timing: [MinimalDICOMWriter.Element] = [
            .value(group: 0x0018, element: 0x1063, vr: "DS", bytes: MinimalDICOMWriter.text("100")),
            .sequence(group: 0x0018, element: 0x6011, items: [region(0, 15), region(16, 31)], undefinedLength: true),
        ]
        let folder = TestPaths.temporaryFolder("dicom-cli")
        MinimalPNGWriter.write(
            w.cine(width: width, height: height, frames: frames, pixels: pixels, timing: timing),
            to: folder + "/cine.dcm")
        try #"{"rois": [{"name": "pane", "kind": "rectangle", "x": 2, "y": 2, "width": 10, "height": 8}]}"#
            .write(toFile: folder + "/roi.json", atomically: true, encoding: .utf8)
        let out = TestPaths.temporaryFolder("dicom-out")
        let r = try runEchoflow([
            "analyze", folder + "/cine.dcm", "--roi", folder + "/roi.json", "--output", out, "--quiet",
            // Noise-free 8-bit frames repeat wherever the quantized level does not change; they are not an
            // export's duplicates, so the automatic rules are off.
            "--keep-all-frames",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let row = try #require(try CSVFile(path: out + "/parameters.csv").dictionaries.first)
        #expect(row["status"] == "converged")
        // 80 pixels of 0.1 mm x 0.1 mm.
        #expect(row["area_mm2"] == "0.8")
        // Noise-free apart from 8-bit quantization (0.24 dB per level): TTP within 1 %.
        let ttp = 4 + exp(2.6 - 0.49)
        #expect(abs(Double(row["ttp_s"]!)! / ttp - 1) < 0.01)
        let inspect = try runEchoflow(["inspect", folder + "/cine.dcm"])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("Explicit VR Little Endian"))
        #expect(inspect.stdout.contains("<- contrast pane"))
        #expect(inspect.stdout.contains("400"))
    }
}

@Suite("echoflow analyze --model auto")
struct AnalyzeAutoTests {
    @Test("says per region which model was selected, in the table, the plots and aic_delta / aic_weight")
    func selectedModelShown() throws {
        let out = TestPaths.temporaryFolder("analyze-auto")
        let result = try runEchoflow(["analyze", TestPaths.baselineClip, "--model", "auto", "--output", out, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("region") && $0.contains("model") })
        for region in ["lesion", "parenchyma"] {
            #expect(lines.contains { $0.hasPrefix(region) && $0.contains("lognormal") }, "\(result.stdout)")
            let svg = try String(contentsOfFile: out + "/tic-\(region).svg", encoding: .utf8)
            #expect(svg.contains("lognormal (selected by AIC among 4 models)"))
        }
        let rows = try CSVFile(path: out + "/parameters.csv").dictionaries
        #expect(rows.count == 8)
        for region in ["lesion", "parenchyma"] {
            let fits = rows.filter { $0["roi"] == region }
            let weights = fits.compactMap { Double($0["aic_weight"] ?? "") }
            // Weights of the four models sum to 1 (each written to 7 significant digits).
            #expect(weights.count == 4 && abs(weights.reduce(0, +) - 1) < 1e-6)
            #expect(fits.contains { $0["aic_delta"] == "0" })
            #expect(fits.filter { $0["selected"] == "1" }.map { $0["model"] } == ["lognormal"])
        }
    }
}
