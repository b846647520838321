import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis

@Suite("echoflow fit, end to end")
struct FitCommandTests {
    func write(_ text: String, _ name: String = "tics.csv") -> String {
        let path = TestPaths.temporaryFolder("fit") + "/" + name
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Long-format CSV of two known lognormal curves (one with quoted ids and an extra column).
    func longTable() -> String {
        var text = "\u{FEFF}curve,time_s,intensity,note\n"
        for (id, area, mu) in [("\"lesion, left\"", 50.0, 2.7), ("liver", 30.0, 3.3)] {
            for i in 0..<200 {
                let t = Double(i) * 0.4
                let y = referenceLognormal(t, area: area, mu: mu, sigma: 0.8, t0: 6, offset: 0.2)
                text += "\(id),\(t),\(y),x\n"
            }
        }
        return text
    }

    @Test("fits a long table written by another program, with quoting, a BOM and extra columns")
    func longFormat() throws {
        let input = write(longTable())
        let output = TestPaths.temporaryFolder("fit-out") + "/fits.csv"
        let r = try runEchoflow(["fit", input, "--output", output, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let table = try CSVFile(path: output)
        #expect(table.header == CurveFitTable.columns)
        let rows = table.dictionaries
        #expect(rows.map { $0["curve"] } == ["lesion, left", "liver"])
        // Noise-free curves: the Float fit recovers the area to ~1e-5.
        #expect(abs(Double(rows[0]["auc_au_s"]!)! / 50 - 1) < 1e-4)
        #expect(abs(Double(rows[1]["auc_au_s"]!)! / 30 - 1) < 1e-4)
        #expect(rows.allSatisfy { $0["status"] == "converged" && $0["dynamic_range_db"] == "" })
    }

    @Test("fits the real recording in its wide spreadsheet layout")
    func wideFormat() throws {
        let output = TestPaths.temporaryFolder("fit-wide") + "/real.csv"
        let r = try runEchoflow([
            "fit", TestPaths.fixtures + "/real-tic/example_TIC.csv", "--wide", "--time-column", "time",
            "--curves", "dia,cw,liver", "--dynamic-range", "60", "--output", output,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 curves fitted"))
        let rows = try CSVFile(path: output).dictionaries
        #expect(rows.map { $0["curve"] } == ["dia", "cw", "liver"])
        #expect(rows.allSatisfy { $0["dynamic_range_db"] == "60" && $0["weighting"] == "noise" })
        // Weighted by its noise, the liver curve (its wash-out cut off by the end of the recording) has its best fit
        // with t0 on its bound, as SciPy's careful fit of the same objective does (careful-fits.json): at_bound.
        #expect(rows.map { $0["status"] } == ["converged", "converged", "at_bound"])
        #expect(rows[2]["bound_parameters"] == "t0")
        // Unweighted, all three converge inside their bounds.
        let plain = TestPaths.temporaryFolder("fit-wide-plain") + "/real.csv"
        let unweighted = try runEchoflow([
            "fit", TestPaths.fixtures + "/real-tic/example_TIC.csv", "--wide", "--time-column", "time",
            "--curves", "dia,cw,liver", "--dynamic-range", "60", "--weighting", "none", "--output", plain,
        ])
        #expect(unweighted.status == 0, "\(unweighted.stderr)")
        let plainRows = try CSVFile(path: plain).dictionaries
        #expect(plainRows.allSatisfy { $0["status"] == "converged" && $0["weighting"] == "none" })
    }

    @Test(
        "bad tables name the line and the problem",
        arguments: [
            ("curve,time_s,intensity\na,0,1\na,1,x\n", ":3: \"x\" in column \"intensity\" is not a number"),
            ("curve,time_s,intensity\na,0,1\na,,2\n", ":3: empty cell in column \"time_s\""),
            ("curve,time_s,intensity\na,1,1\na,1,2\n", ":3: curve \"a\": time_s 1.0 does not increase"),
            ("curve,t,intensity\na,0,1\n", ":1: no \"time_s\" column"),
        ])
    func badTables(text: String, expected: String) throws {
        let r = try runEchoflow(["fit", write(text), "--output", TestPaths.temporaryFolder() + "/o.csv"])
        #expect(r.status == 65)
        #expect(r.stderr.contains(expected), "\(r.stderr)")
    }

    @Test("a wide table without a time column says which names it looked for")
    func wideWithoutTime() throws {
        let r = try runEchoflow([
            "fit", write("when,a\n0,1\n"), "--wide", "--output", TestPaths.temporaryFolder() + "/o.csv",
        ])
        #expect(r.status == 65)
        #expect(r.stderr.contains("no time column (expected time_s, time or t"))
    }

    @Test("a malformed --contrast-pane is a usage error")
    func badPane() throws {
        let r = try runEchoflow(["analyze", TestPaths.baselineClip, "--contrast-pane", "1,2,0,4"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--contrast-pane takes X,Y,W,H"))
    }

    @Test("a missing file exits 66")
    func missing() throws {
        let r = try runEchoflow(["fit", "/nonexistent.csv"])
        #expect(r.status == 66)
        #expect(r.stderr.hasPrefix("error: /nonexistent.csv"))
    }
}

@Suite("echoflow fit: fits on a bound")
struct FitBoundTests {
    @Test("a gamma fit that ends on its alpha bound is at_bound with bound_parameters alpha, not converged")
    func atBoundRow() throws {
        // A lognormal bolus sharper (sigma 0.04) than the gamma variate can follow with alpha <= 100.
        let text = lognormalCurveCSV(
            id: "sharp", count: 601, rate: 10, area: 100, mu: log(15) + 0.0016, sigma: 0.04, t0: 5, offset: 0.5,
            noise: 0.2, seed: 3)
        let folder = TestPaths.temporaryFolder("bound")
        try text.write(toFile: folder + "/sharp.csv", atomically: true, encoding: .utf8)
        let result = try runEchoflow([
            "fit", folder + "/sharp.csv", "--model", "gamma", "--output", folder + "/out.csv",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("at_bound"))
        let row = try #require(try CSVFile(path: folder + "/out.csv").dictionaries.first)
        #expect(row["status"] == "at_bound")
        #expect(row["bound_parameters"] == "alpha")
        #expect(row["gamma_alpha"] == "100")
        #expect(row["pe_au"]?.isEmpty == false)
    }
}
