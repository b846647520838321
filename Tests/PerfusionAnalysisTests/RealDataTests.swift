import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis
@testable import PerfusionFitting

@Suite("Real human CEUS curves (Fixtures/real-tic)")
struct RealDataTests {
    let path = TestPaths.fixtures + "/real-tic/example_TIC.csv"

    func curves() throws -> [NamedCurve] {
        try CurveTableReader.read(path, layout: .wide(timeColumn: "time"), select: ["dia", "cw", "liver"])
    }

    /// The best of many Double-precision fits from a grid of starts: a careful, independent least-squares fit.
    func carefulFit(_ curve: CurveSamples) -> FitResult? {
        let model = LognormalModel()
        let engine = LevenbergMarquardt(options: .reference)
        let bounds = model.bounds(for: curve)
        let t = curve.times
        let peak = curve.values.indices.max { curve.values[$0] < curve.values[$1] }!
        let base = curve.values.prefix(20).reduce(0, +) / 20
        var best: FitResult?
        for sigma in [0.3, 0.6, 1.0, 1.5] {
            for fraction in [0.0, 0.25, 0.5, 0.75] {
                let t0 = t[0] + fraction * (t[peak] - t[0])
                let mu = log(max(t[peak] - t0, 0.1)) + sigma * sigma
                let area =
                    (curve.values[peak] - base) * sigma * (2 * Double.pi).squareRoot() * exp(mu - sigma * sigma / 2)
                let fit = engine.fit(
                    model, to: curve, from: ParameterVector(area, mu, sigma, t0, base, 0, 0, 0), bounds: bounds)
                if fit.hasParameters && (best == nil || fit.cost < best!.cost) { best = fit }
            }
        }
        return best
    }

    @Test("every real curve converges, with non-negative amplitude, as well as a careful multi-start fit")
    func realCurves() throws {
        for linearize in [false, true] {
            var table = try curves()
            if linearize {
                table = table.map { CurveFitTable.linearized($0, .init(dynamicRangeDB: 60), maxDisplayValue: 255) }
            }
            let fits = try CurveAnalyzer().fit(table.map(\.samples)).map { $0[0] }
            for (curve, fitted) in zip(table, fits) {
                #expect(fitted.fit.status == .converged, "\(curve.id): \(fitted.fit.termination)")
                #expect(fitted.fit.parameters[0] >= 0)
                let p = try #require(fitted.parameters)
                #expect(p.peakEnhancement > 0 && p.washInArea > 0)
                let careful = try #require(carefulFit(curve.samples))
                let qofCareful = PerfusionParameters.qualityOfFit(
                    residualSumOfSquares: careful.cost, values: curve.samples.values)
                // Same minimum: QOF equal to Float resolution of the cost (1e-6 relative of SS_res, << 0.001 points).
                #expect(
                    p.qualityOfFit >= qofCareful - 1e-3,
                    "\(curve.id) linearized \(linearize): \(p.qualityOfFit) vs \(qofCareful)")
            }
        }
    }
}

@Suite("Real curves with every bolus model")
struct RealDataAllModelsTests {
    @Test("with --model auto every model converges or says why, amplitudes are never negative, and one is selected")
    func allModels() throws {
        let table = try CurveTableReader.read(
            TestPaths.fixtures + "/real-tic/example_TIC.csv", layout: .wide(timeColumn: "time"),
            select: ["dia", "cw", "liver"])
        let fits = try CurveAnalyzer(modelName: "auto").fit(table.map(\.samples))
        for (curve, candidates) in zip(table, fits) {
            #expect(candidates.map(\.model.name) == ModelRegistry.bolusModels.map(\.name))
            #expect(candidates.filter(\.selected).count == 1)
            for c in candidates {
                let message = "\(curve.id) \(c.model.name): \(c.fit.termination)"
                // "Converges or says why": converged, or rejected with a reason; never failed or stopped at the limit.
                #expect([FitStatus.converged, .notBolus, .noEnhancement].contains(c.fit.status), "\(message)")
                if let p = c.parameters {
                    #expect(p.peakEnhancement >= 0 && p.area >= 0, "\(message)")
                }
            }
            let chosen = try #require(candidates.first { $0.selected })
            #expect(chosen.aic == candidates.map(\.aic).filter(\.isFinite).min(), "\(curve.id)")
        }
    }
}

@Suite("Curves that are not boluses")
struct NotBolusTests {
    let engine = LevenbergMarquardt()

    func curve(_ f: (Double) -> Double) -> CurveSamples {
        var rng = TestRandom(seed: 5)
        let times = (0..<300).map { Double($0) * 0.2 }
        return CurveSamples(times: times, values: times.map { f($0) * (1 + 0.03 * rng.normal()) })
    }

    @Test("a clip that starts during the wash-in is reported, not fitted")
    func startsMidWashIn() {
        let fit = engine.fit(
            LognormalModel(),
            to: curve { referenceLognormal($0 + 18, area: 100, mu: 2.9, sigma: 0.78, t0: 5, offset: 0.1) })
        #expect(fit.status == .notBolus)
        #expect("\(fit.termination)".contains("already enhanced at the first sample"))
    }

    @Test("a destruction-replenishment curve (no wash-out) is reported, not fitted")
    func replenishment() {
        let fit = engine.fit(LognormalModel(), to: curve { $0 < 2 ? 0.05 : 0.05 + 1 - exp(-0.08 * ($0 - 2)) })
        #expect(fit.status == .notBolus)
        #expect("\(fit.termination)".contains("no wash-out"))
        // A refill that reaches its plateau early.
        let early = engine.fit(LognormalModel(), to: curve { $0 < 2 ? 0.05 : 0.05 + 1 - exp(-0.3 * ($0 - 2)) })
        #expect(early.status == .notBolus)
        #expect("\(early.termination)".contains("plateau"))
    }

    @Test("a whole bolus is still fitted")
    func wholeBolus() {
        let fit = engine.fit(
            LognormalModel(), to: curve { referenceLognormal($0, area: 100, mu: 2.9, sigma: 0.78, t0: 5, offset: 0.1) })
        #expect(fit.status == .converged)
    }
}
