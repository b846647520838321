import EchoflowTestSupport
import Foundation
import Testing

/// A speckled clip written without any of Echoflow's synthesis code: its own random numbers (`TestRandom`), its own
/// display law, its own pixel-centre membership for the regions, PNG files from `MinimalPNGWriter`; and truth
/// computed numerically from the curve (dense sampling, finite differences, trapezoids), not from closed forms.
struct IndependentClip {
    static let (width, height) = (48, 40)
    static let frameRate = 6.0
    static let frames = 421  // 70 s
    static let dynamicRange = 50.0
    /// Lesion ellipse and parenchyma rectangle, in pane pixels.
    static let lesion = (cx: 15.0, cy: 20.0, rx: 10.0, ry: 9.0)
    static let parenchyma = (x: 30, y: 6, width: 14, height: 28)

    typealias Curve = (area: Double, mu: Double, sigma: Double, t0: Double, offset: Double)
    let lesionCurve: Curve
    let parenchymaCurve: Curve
    let seed: UInt64
    /// A frame five times too bright (a flash frame), if any.
    var flashFrame: Int? = nil

    static func value(_ c: Curve, _ t: Double) -> Double {
        referenceLognormal(t, area: c.area, mu: c.mu, sigma: c.sigma, t0: c.t0, offset: c.offset)
    }

    /// Writes frames, `clip.json` and `roi.json` into `folder`.
    func write(to folder: String) throws {
        var rng = TestRandom(seed: seed)
        let (w, h) = (Self.width, Self.height)
        // Membership by pixel centre, written out here: (col + 0.5, row + 0.5) inside the ellipse or rectangle.
        let inLesion = (0..<(w * h)).map { i -> Bool in
            let (x, y) = (Double(i % w) + 0.5, Double(i / w) + 0.5)
            let (dx, dy) = ((x - Self.lesion.cx) / Self.lesion.rx, (y - Self.lesion.cy) / Self.lesion.ry)
            return dx * dx + dy * dy <= 1
        }
        let inParenchyma = (0..<(w * h)).map { i -> Bool in
            let (col, row) = (i % w, i / w)
            return col >= Self.parenchyma.x && col < Self.parenchyma.x + Self.parenchyma.width
                && row >= Self.parenchyma.y && row < Self.parenchyma.y + Self.parenchyma.height
        }
        for f in 0..<Self.frames {
            let t = Double(f) / Self.frameRate
            // Per-frame multiplicative jitter, log-normal with 8 % spread and mean 1.
            let jitter = exp(0.08 * rng.normal() - 0.0032) * (f == flashFrame ? 5 : 1)
            let lesionMean = Self.value(lesionCurve, t) * jitter
            let parenchymaMean = Self.value(parenchymaCurve, t) * jitter
            let samples = (0..<(w * h)).map { i -> UInt16 in
                let mean = inLesion[i] ? lesionMean : inParenchyma[i] ? parenchymaMean : 0.001
                // Fully developed speckle: exponentially distributed power around the mean.
                let power = mean * -log(rng.uniform())
                // Display law Y = 255 (1 + (10 / DR) log10 P), clipped and rounded to 8 bits.
                let y = 255 * (1 + 10 / Self.dynamicRange * log10(max(power, 1e-30)))
                return UInt16(min(max(y.rounded(), 0), 255))
            }
            let png = MinimalPNGWriter.encode(width: w, height: h, colorType: .grey, bitDepth: 8, samples: samples)
            MinimalPNGWriter.write(png, to: folder + String(format: "/f%03d.png", f))
        }
        try #"{"frameRate": 6, "dynamicRangeDB": 50}"#.write(
            toFile: folder + "/clip.json", atomically: true, encoding: .utf8)
        let rois = """
            {"rois": [
              {"name": "lesion", "kind": "ellipse", "center": [\(Self.lesion.cx), \(Self.lesion.cy)], "radii": [\(Self.lesion.rx), \(Self.lesion.ry)], "angle": 0},
              {"name": "parenchyma", "kind": "rectangle", "x": \(Self.parenchyma.x), "y": \(Self.parenchyma.y), "width": \(Self.parenchyma.width), "height": \(Self.parenchyma.height)}],
             "reference": "parenchyma"}
            """
        try rois.write(toFile: folder + "/roi.json", atomically: true, encoding: .utf8)
    }

    /// Perfusion parameters of a curve by brute force: the curve sampled every 1 ms to 2000 s, its maximum,
    /// steepest rise by central differences, the tangent's zero, and trapezoidal areas and moments.
    static func numericTruth(_ c: Curve) -> (pe: Double, ttp: Double, wiauc: Double, mtt: Double) {
        let dt = 0.001
        let f = { (t: Double) in value(c, t) - c.offset }
        var (peak, ttp) = (0.0, 0.0)
        var (slope, tIn) = (-Double.infinity, 0.0)
        var (area, moment) = (0.0, 0.0)
        var t = c.t0
        while t < 2000 {
            let v = f(t)
            if v > peak { (peak, ttp) = (v, t) }
            let s = (f(t + dt) - f(t - dt)) / (2 * dt)
            if s > slope { (slope, tIn) = (s, t) }
            let next = f(t + dt)
            area += (v + next) / 2 * dt
            moment += (v * t + next * (t + dt)) / 2 * dt
            t += dt
        }
        let ti = tIn - f(tIn) / slope
        var wiauc = 0.0
        t = ti
        while t < ttp {
            wiauc += (f(t) + f(min(t + dt, ttp))) / 2 * (min(t + dt, ttp) - t)
            t += dt
        }
        return (peak, ttp, wiauc, moment / area)
    }
}

@Suite("Recovery from clips written by an independent writer")
struct IndependentRecoveryTests {
    // NET-like lesion and slower parenchyma (docs/METHODS.md §8 shapes); linear power, P_top = 1.
    static let lesion: IndependentClip.Curve = (area: 1.2, mu: 2.7, sigma: 0.75, t0: 9, offset: 0.003)
    static let parenchyma: IndependentClip.Curve = (area: 2.0, mu: 3.6, sigma: 0.85, t0: 12, offset: 0.004)

    @Test(
        "lesion TTP, PE, WiAUC, mTT and relative PE recovered within 4 times their measured scatter",
        arguments: [UInt64(11), 12, 13])
    func recovery(seed: UInt64) throws {
        let folder = TestPaths.temporaryFolder("independent-\(seed)")
        try IndependentClip(lesionCurve: Self.lesion, parenchymaCurve: Self.parenchyma, seed: seed).write(to: folder)
        let out = TestPaths.temporaryFolder("independent-out-\(seed)")
        let result = try runEchoflow(["analyze", folder, "--output", out, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try CSVFile(path: out + "/parameters.csv").dictionaries
        let lesion = try #require(rows.first { $0["roi"] == "lesion" })
        #expect(lesion["status"] == "converged")
        let truth = IndependentClip.numericTruth(Self.lesion)
        let reference = IndependentClip.numericTruth(Self.parenchyma)
        func error(_ column: String, _ want: Double) -> Double { Double(lesion[column] ?? "")! / want - 1 }
        // Tolerances are 4 times the standard deviation of each relative error, measured over 20 seeds (100-119)
        // of this clip: TTP 0.58 %, PE 1.50 %, WiAUC 1.80 %, mTT 1.30 %, relative PE 1.51 % (means within
        // 0.5 %: no bias).
        #expect(abs(error("ttp_s", truth.ttp)) < 0.023, "TTP \(lesion["ttp_s"]!) vs \(truth.ttp)")
        #expect(abs(error("pe_au", truth.pe)) < 0.060, "PE \(lesion["pe_au"]!) vs \(truth.pe)")
        #expect(abs(error("wiauc_au_s", truth.wiauc)) < 0.072, "WiAUC \(lesion["wiauc_au_s"]!) vs \(truth.wiauc)")
        #expect(abs(error("mtt_s", truth.mtt)) < 0.052, "mTT \(lesion["mtt_s"]!) vs \(truth.mtt)")
        #expect(
            abs(error("pe_rel_pct", 100 * truth.pe / reference.pe)) < 0.060,
            "relative PE \(lesion["pe_rel_pct"]!) vs \(100 * truth.pe / reference.pe)")
    }
}

@Suite("Isolated outliers, end to end")
struct OutlierEndToEndTests {
    @Test(
        "a flash frame in a clip is excluded by the flash rule, counted in n_excluded and named in tic.csv; with --keep-all-frames the outlier screen still leaves it out"
    )
    func flashFrameInAClip() throws {
        let folder = TestPaths.temporaryFolder("flash")
        var clip = IndependentClip(
            lesionCurve: IndependentRecoveryTests.lesion, parenchymaCurve: IndependentRecoveryTests.parenchyma, seed: 11
        )
        clip.flashFrame = 150  // 25 s: on the lesion's wash-out
        try clip.write(to: folder)
        for (flags, reason) in [([String](), "flash"), (["--keep-all-frames"], "outlier")] {
            let out = TestPaths.temporaryFolder("flash-out")
            let result = try runEchoflow(["analyze", folder, "--output", out, "--quiet"] + flags)
            #expect(result.status == 0, "\(result.stderr)")
            let rows = try CSVFile(path: out + "/parameters.csv").dictionaries
            for row in rows {
                #expect(row["n_excluded"] == "1", "\(row["roi"]!) \(flags)")
                // The per-region flag is for the outlier screen; a frame rule's exclusion is named in tic.csv.
                #expect(row["flags"]?.contains("outliers_removed") == (reason == "outlier"), "\(flags)")
            }
            let tic = try CSVFile(path: out + "/tic.csv").dictionaries
            let excluded = tic.filter { $0["excluded"] == "1" }
            #expect(excluded.map { $0["frame"]! } == ["150", "150"], "\(flags)")
            #expect(excluded.map { $0["exclusion"]! } == [reason, reason], "\(flags)")
            #expect(tic.filter { $0["excluded"] == "0" }.allSatisfy { $0["exclusion"] == "" })
            if reason == "flash" { #expect(result.stderr.contains("1 of 421 frames excluded as flash")) }
            // The lesion is still recovered within the bounds of the recovery test.
            let lesion = try #require(rows.first { $0["roi"] == "lesion" })
            let truth = IndependentClip.numericTruth(IndependentRecoveryTests.lesion)
            #expect(abs(Double(lesion["pe_au"]!)! / truth.pe - 1) < 0.060)
        }
    }

    @Test("fit lists an outlier sample in --fitted and counts it")
    func outlierInAnExportedCurve() throws {
        // A flash frame at sample 120 (24 s).
        let text = lognormalCurveCSV(
            id: "a", count: 361, rate: 5, area: 100, mu: 2.9, sigma: 0.78, t0: 5, offset: 0.3, noise: 0.04, seed: 9,
            added: [120: 20])
        let folder = TestPaths.temporaryFolder("fit-outlier")
        try text.write(toFile: folder + "/a.csv", atomically: true, encoding: .utf8)
        let result = try runEchoflow([
            "fit", folder + "/a.csv", "--output", folder + "/out.csv", "--fitted", folder + "/fitted.csv", "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(try CSVFile(path: folder + "/out.csv").dictionaries.first)
        #expect(row["n_excluded"] == "1")
        #expect(row["flags"] == "outliers_removed")
        let fitted = try CSVFile(path: folder + "/fitted.csv")
        #expect(fitted.header == ["curve", "time_s", "intensity", "fitted", "excluded"])
        #expect(fitted.rows.count == 361)
        #expect(fitted.dictionaries.filter { $0["excluded"] == "1" }.map { $0["time_s"]! } == ["24"])
    }
}
