import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionFitting

/// Typical parameters for each bolus model, by registry name (x in seconds after t0 = 5 s).
let typical: [(String, ParameterVector)] = [
    ("lognormal", ParameterVector(100, 2.9, 0.78, 5, 0.3, 0, 0, 0)),
    ("gamma", ParameterVector(4, 2.5, 10, 5, 0.3, 0, 0, 0)),
    ("ldrw", ParameterVector(100, 20, 3, 5, 0.3, 0, 0, 0)),
    ("fpt", ParameterVector(100, 20, 3, 5, 0.3, 0, 0, 0)),
]

/// Every model, replenishment included (flash at 5 s, plateau 2, refill rate 0.15/s).
let allTypical = typical + [("replenishment", ParameterVector(2, 0.15, 5, 0.3, 0, 0, 0, 0))]

/// The registered model of `name` with its typical parameters.
func typicalModel(_ name: String) -> (model: any CurveModel, parameters: ParameterVector) {
    (ModelRegistry.model(named: name)!, allTypical.first { $0.0 == name }!.1)
}

@Suite("Bolus models")
struct BolusModelsTests {
    @Test("docs/METHODS.md golden vectors: gamma, LDRW and FPT closed forms")
    func goldenVectors() {
        // Values carry 7 significant digits: 1e-6 relative.
        func close(_ a: Double, _ b: Double, _ what: String) {
            #expect(abs(a - b) <= 1e-6 * abs(b), "\(what): \(a) vs \(b)")
        }
        let gamma = GammaVariateShape(k: 2, alpha: 2.5, beta: 4, appearanceTime: 5)
        close(gamma.area, 850.7778, "gamma AUC")
        close(gamma.timeToPeak, 15, "gamma TTP")
        close(gamma.meanTransitTime, 19, "gamma mTT")
        close(gamma.peakEnhancement, 51.91511, "gamma PE")
        let ldrw = LDRWModel().shape(ParameterVector(1, 20, 3, 5, 0, 0, 0, 0))
        close(ldrw.timeToPeak, 21.94254, "LDRW TTP")
        close(ldrw.meanTransitTime, 31.66667, "LDRW first moment")
        let fpt = FPTModel().shape(ParameterVector(1, 20, 3, 5, 0, 0, 0, 0))
        close(fpt.timeToPeak, 17.36068, "FPT TTP")
        close(fpt.meanTransitTime, 25, "FPT mean")
    }

    @Test("closed forms agree with numerical integration and search of the curve", arguments: typical.map(\.0))
    func closedForms(kind: String) {
        let (model, p) = typicalModel(kind)
        let shape = model.bolusShape(p)!
        let dt = 0.001
        var area = 0.0
        var moment = 0.0
        var peak = (time: 0.0, value: 0.0)
        var rise = (time: 0.0, slope: -Double.infinity)
        var t = 5 + dt / 2
        while t < 3000 {
            let f = shape.enhancement(at: t)
            area += f * dt
            moment += f * t * dt
            if f > peak.value { peak = (t, f) }
            let s = shape.slope(at: t)
            if s > rise.slope { rise = (t, s) }
            t += dt
        }
        // Riemann sums with 1 ms steps to 3000 s: ~1e-5 relative on moments; grid-limited argmax (1 ms).
        #expect(abs(area / shape.area - 1) < 1e-4, "area \(area) vs \(shape.area)")
        #expect(abs(moment / area - shape.meanTransitTime) < 1e-2)
        #expect(abs(peak.time - shape.timeToPeak) < 2 * dt)
        #expect(abs(peak.value / shape.peakEnhancement - 1) < 1e-6)
        #expect(abs(rise.time - shape.steepestRiseTime) < 2 * dt)
        let h = 1e-5
        let numeric = (shape.enhancement(at: 12 + h) - shape.enhancement(at: 12 - h)) / (2 * h)
        #expect(abs(shape.slope(at: 12) - numeric) < 1e-6 * max(1, abs(numeric)))
    }

    @Test("gradients match central finite differences", arguments: allTypical.map(\.0))
    func gradients(kind: String) {
        let (model, p) = typicalModel(kind)
        for t in [5.5, 9.0, 15, 25, 60] {
            let (value, gradient) = model.valueAndGradient(at: t, parameters: p)
            #expect(abs(value - model.value(at: t, parameters: p)) <= 1e-12 * max(1, abs(value)))
            for k in 0..<model.parameterCount {
                let h = 1e-6 * max(1, abs(p[k]))
                var up = p
                var down = p
                up[k] += h
                down[k] -= h
                let numeric = (model.value(at: t, parameters: up) - model.value(at: t, parameters: down)) / (2 * h)
                // O(h^2) truncation and O(eps / h) rounding: 1e-6 relative.
                #expect(abs(gradient[k] - numeric) <= 1e-6 * max(1, abs(numeric)), "\(kind) d\(k) at \(t)")
            }
        }
    }

    @Test("the SIMD block agrees with the scalar value and gradient", arguments: allTypical.map(\.0))
    func simdTwin(kind: String) {
        let model = typicalModel(kind).model
        let p = ParameterVector(SIMD8<Float>(typicalModel(kind).parameters))
        let times: [Float] = [0, 4.9, 5.2, 7, 12, 20, 40, 90, 0.5, 5.01, 6, 9, 15, 27, 60, 120]
        let block = model.block(at: SampleLanes(times), parameters: SIMD8<Float>(p))
        let derivatives = [block.d0, block.d1, block.d2, block.d3, block.d4]
        for (lane, t) in times.enumerated() {
            let (value, gradient) = model.valueAndGradient(at: Double(t), parameters: p)
            // Float evaluation of log/exp products: 1e-5 relative of the largest term.
            #expect(abs(Double(block.value[lane]) - value) <= 1e-5 * max(1, abs(value)), "\(kind) value at \(t)")
            for k in 0..<5 {
                #expect(
                    abs(Double(derivatives[k][lane]) - gradient[k]) <= 2e-4 * max(1, abs(gradient[k])),
                    "\(kind) d\(k) at \(t)")
            }
        }
    }

    @Test("each model recovers its own noise-free curve from its data-driven start", arguments: typical.map(\.0))
    func recovery(kind: String) {
        let (model, truth) = typicalModel(kind)
        let times = (0..<400).map { Double($0) * 0.25 }
        let curve = CurveSamples(times: times, values: times.map { model.value(at: $0, parameters: truth) })
        for options in [LevenbergMarquardt.Options.fast, .reference] {
            let fit = model.fit(curve, engine: LevenbergMarquardt(options: options))
            #expect(fit.status == .converged, "\(kind): \(fit.termination)")
            let got = model.bolusShape(fit.parameters)!
            let want = model.bolusShape(truth)!
            // Noise-free: the Float path reaches ~1e-5 relative, the Double path ~1e-8.
            #expect(abs(got.timeToPeak / want.timeToPeak - 1) < 1e-4, "\(kind) TTP")
            #expect(abs(got.area / want.area - 1) < 1e-4, "\(kind) AUC")
        }
    }

    @Test("auto picks the generating model by AIC on noisy curves", arguments: typical.map(\.0))
    func autoSelection(kind: String) {
        let (model, truth) = typicalModel(kind)
        var rng = TestRandom(seed: 3)
        let times = (0..<600).map { Double($0) * 0.2 }
        let peak = model.bolusShape(truth)!.peakEnhancement
        let curve = CurveSamples(
            times: times, values: times.map { model.value(at: $0, parameters: truth) + 0.005 * peak * rng.normal() })
        let fits = ModelRegistry.bolusModels.map { $0.fit(curve, engine: LevenbergMarquardt()) }
        let aic = fits.map(ModelSelection.akaikeInformationCriterion)
        let best = ModelRegistry.bolusModels[ModelSelection.select(fits, aic: aic, preferred: 0)].name
        // With 0.5 % noise on 600 samples the shapes differ far beyond the noise.
        #expect(best == kind, "AIC \(aic)")
    }

    @Test("replenishment recovers rBV, mTT and PI from a noisy refill curve, and is not used by auto")
    func replenishment() throws {
        var rng = TestRandom(seed: 8)
        let model = ReplenishmentModel()
        let truth = ParameterVector(2, 0.15, 5, 0.3, 0, 0, 0, 0)
        let times = (0..<300).map { Double($0) * 0.2 }
        let curve = CurveSamples(
            times: times, values: times.map { model.value(at: $0, parameters: truth) + 0.02 * rng.normal() })
        let fit = LevenbergMarquardt().fit(model, to: curve)
        #expect(fit.status == .converged, "\(fit.termination)")
        let p = model.parameters(fit.parameters)
        // 1 % noise of the plateau over 300 samples: rBV and mTT within 3 % (several standard errors).
        #expect(abs(p.relativeBloodVolume / 2 - 1) < 0.03)
        #expect(abs(p.meanTransitTime / (1 / 0.15) - 1) < 0.03)
        #expect(abs(p.perfusionIndex / 0.3 - 1) < 0.03)
        #expect(!ModelRegistry.bolusModels.contains { $0.name == model.name })
        // The bolus models reject the same curve as having no wash-out.
        #expect(LevenbergMarquardt().fit(LognormalModel(), to: curve).status == .notBolus)
    }
}
