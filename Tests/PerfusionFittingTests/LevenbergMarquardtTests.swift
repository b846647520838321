import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionFitting

/// Curves sampled at 5 Hz for 72 s from known lognormal parameters, with optional Gaussian noise.
func syntheticCurve(
    area: Double = 100, mu: Double = 2.9, sigma: Double = 0.78, t0: Double = 8, offset: Double = 0.5,
    noise: Double = 0, seed: UInt64 = 1, rate: Double = 5, duration: Double = 72
) -> CurveSamples {
    var rng = TestRandom(seed: seed)
    let n = Int(duration * rate) + 1
    let times = (0..<n).map { Double($0) / rate }
    let values = times.map {
        referenceLognormal($0, area: area, mu: mu, sigma: sigma, t0: t0, offset: offset) + noise * rng.normal()
    }
    return CurveSamples(times: times, values: values)
}

/// Both fused passes: the Float SIMD fast path and the Double scalar reference.
let bothPaths: [LevenbergMarquardt.Options] = [.fast, .reference]

@Suite("Levenberg-Marquardt engine")
struct LevenbergMarquardtTests {
    let engine = LevenbergMarquardt()
    let model = LognormalModel()

    @Test(
        "recovers exact parameters from a noise-free curve, starting from the data-driven guess", arguments: bothPaths)
    func noiseFreeRecovery(options: LevenbergMarquardt.Options) {
        let fit = LevenbergMarquardt(options: options).fit(model, to: syntheticCurve())
        #expect(fit.status == .converged)
        let truth = ParameterVector(100, 2.9, 0.78, 8, 0.5, 0, 0, 0)
        // Double path: only the stopping tolerances (1e-10) limit the agreement. Float path: model values carry
        // ~1e-7 relative rounding, which moves the minimum by ~1e-5 relative at most.
        let tolerance = options.precision == .scalar ? 1e-6 : 1e-4
        for k in 0..<5 {
            #expect(abs(fit.parameters[k] - truth[k]) <= tolerance * max(1, abs(truth[k])), "parameter \(k)")
        }
    }

    @Test(
        "converges on noisy curves and recovers the shape",
        arguments: [(0.02, UInt64(1)), (0.02, 2), (0.05, 3), (0.05, 4), (0.1, 5), (0.1, 6)])
    func noisyRecovery(noiseFraction: Double, seed: UInt64) {
        for options in bothPaths { noisyRecovery(noiseFraction, seed, LevenbergMarquardt(options: options)) }
    }

    func noisyRecovery(_ noiseFraction: Double, _ seed: UInt64, _ engine: LevenbergMarquardt) {
        let pe = LognormalShape(area: 100, mu: 2.9, sigma: 0.78, appearanceTime: 8).peakEnhancement
        let curve = syntheticCurve(noise: noiseFraction * pe, seed: seed)
        let fit = engine.fit(model, to: curve)
        #expect(fit.status == .converged)
        let shape = model.shape(fit.parameters)
        let truth = LognormalShape(area: 100, mu: 2.9, sigma: 0.78, appearanceTime: 8)
        // Measured over 40 seeds at each noise level (2, 5, 10 % of the peak, 361 samples), the relative errors
        // scatter in proportion to the noise: standard deviation 0.108 x noise for TTP and 0.168 x noise for PE.
        // Bounds: 4 of those standard deviations. The total area extrapolates the tail beyond the clip, so it is
        // checked against its own standard error: 4 SE (a false alarm in ~1 of 16,000 cases).
        #expect(abs(shape.timeToPeak / truth.timeToPeak - 1) < 4 * 0.108 * noiseFraction)
        #expect(abs(shape.peakEnhancement / truth.peakEnhancement - 1) < 4 * 0.168 * noiseFraction)
        #expect(abs(fit.parameters[0] - truth.area) < 4 * fit.standardErrors[0])
    }

    @Test("standard errors match the spread of fits over noise realisations")
    func standardErrorsMatchMonteCarlo() {
        let pe = LognormalShape(area: 100, mu: 2.9, sigma: 0.78, appearanceTime: 8).peakEnhancement
        var areas: [Double] = []
        var reported: [Double] = []
        for seed in 0..<150 {
            let fit = engine.fit(model, to: syntheticCurve(noise: 0.05 * pe, seed: UInt64(seed) + 100))
            #expect(fit.status == .converged)
            areas.append(fit.parameters[0])
            reported.append(fit.standardErrors[0])
        }
        let mean = areas.reduce(0, +) / Double(areas.count)
        let spread = (areas.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(areas.count - 1)).squareRoot()
        let typical = reported.sorted()[reported.count / 2]
        // The sample standard deviation of 150 fits is itself uncertain by ~6 %; allow 25 %.
        #expect(abs(typical / spread - 1) < 0.25, "reported \(typical), observed \(spread)")
    }

    @Test("subnormals are flushed only inside a Float fit: afterwards the caller's arithmetic is IEEE again")
    func floatModeRestored() {
        // Values the compiler cannot fold: 1e-20 squared is 1e-40, a Float subnormal (zero if FTZ/DAZ leaked out).
        let tiny = [Float(1e-20), Float(3e-21)]
        #expect(tiny[0] * tiny[0] > 0 && tiny[1] * tiny[0] > 0, "subnormals work before the fits")
        // A fit that collapses onto its amplitude bound runs through the flushed range (flat noise, a far tail).
        for curve in [syntheticCurve(noise: 0.01), syntheticCurve(area: 1e-9, noise: 1e-3, seed: 3)] {
            _ = engine.fit(model, to: curve)
            #expect(tiny[0] * tiny[0] > 0 && tiny[1] * tiny[0] > 0, "subnormals work after the fit")
            // 1e-40 is held with 17 significant bits as a subnormal: its root within 1e-4 of 1e-20.
            #expect(abs(Float(sqrt(Double(tiny[0] * tiny[0]))) / tiny[0] - 1) < 1e-4, "the subnormal has its value")
        }
    }

    @Test("a curve shorter than twice the parameter count is rejected as too short")
    func tooShort() {
        let curve = CurveSamples(times: [0, 1, 2, 3, 4, 5], values: [0, 1, 3, 2, 1, 0.5])
        let fit = engine.fit(model, to: curve)
        #expect(fit.status == .tooShort)
        #expect(fit.termination == .rejected(.tooFewSamples(found: 6, needed: 10)))
        #expect("\(fit.termination)".contains("too few samples"))
    }

    @Test("flat noise is reported as no enhancement, not fitted", arguments: [UInt64(1), 2, 3, 4, 5])
    func flatNoise(seed: UInt64) {
        var rng = TestRandom(seed: seed)
        let times = (0..<300).map { Double($0) * 0.2 }
        let curve = CurveSamples(times: times, values: times.map { _ in 1 + 0.05 * rng.normal() })
        let fit = engine.fit(model, to: curve)
        #expect(fit.status == .noEnhancement)
        #expect(!fit.hasParameters)
    }

    @Test("non-finite samples are reported as a failed fit")
    func nonFinite() {
        var curve = syntheticCurve()
        var values = curve.values
        values[10] = .nan
        curve = CurveSamples(times: curve.times, values: values)
        #expect(engine.fit(model, to: curve).status == .failed)
    }

    @Test("the amplitude stays non-negative even when the data dip below the baseline")
    func amplitudeBound() {
        let dip = syntheticCurve(area: -50)
        let fit = engine.fit(
            model, to: dip, from: ParameterVector(10, 2.9, 0.78, 8, 0.5, 0, 0, 0), bounds: model.bounds(for: dip))
        #expect(fit.parameters[0] >= 0)
    }

    @Test("an iteration limit is reported as max_iterations")
    func iterationLimit() {
        var options = LevenbergMarquardt.Options.fast
        options.maxIterations = 2
        let curve = syntheticCurve(noise: 0.01, seed: 9)
        let fit = LevenbergMarquardt(options: options).fit(
            model, to: curve, from: ParameterVector(30, 3.5, 0.4, 2, 0, 0, 0, 0), bounds: model.bounds(for: curve))
        #expect(fit.status == .maxIterations)
        #expect(fit.iterations == 2)
    }
}

@Suite("Symmetric solver")
struct SymmetricSolverTests {
    @Test("solves a positive-definite system to rounding accuracy")
    func solves() throws {
        // M = B^T B + I for a fixed B is positive definite.
        let b: [[Double]] = [[2, 1, 0, 3], [1, 4, 1, 0], [0, 1, 5, 2], [3, 0, 2, 6]]
        var m = [ParameterVector](repeating: .zero, count: 4)
        for i in 0..<4 {
            for j in 0..<4 {
                var s = i == j ? 1.0 : 0
                for k in 0..<4 { s += b[k][i] * b[k][j] }
                m[i][j] = s
            }
        }
        let x = ParameterVector(1, -2, 3, 0.5, 0, 0, 0, 0)
        var rhs = ParameterVector.zero
        for i in 0..<4 { rhs[i] = (m[i] * x).sum() }
        let solved = try #require(SymmetricSolver.solve(m, rhs, n: 4))
        for i in 0..<4 { #expect(abs(solved[i] - x[i]) < 1e-12) }
        let inverse = try #require(SymmetricSolver.inverse(m, n: 4))
        for i in 0..<4 {
            for j in 0..<4 {
                var s = 0.0
                for k in 0..<4 { s += inverse[i][k] * m[k][j] }
                #expect(abs(s - (i == j ? 1 : 0)) < 1e-12)
            }
        }
    }

    @Test("reports a singular matrix instead of dividing by zero")
    func singular() {
        let m = [ParameterVector(1, 2, 0, 0, 0, 0, 0, 0), ParameterVector(2, 4, 0, 0, 0, 0, 0, 0)]
        #expect(SymmetricSolver.solve(m, ParameterVector(1, 1, 0, 0, 0, 0, 0, 0), n: 2) == nil)
    }
}

@Suite("Fits on a bound")
struct BoundTests {
    /// A lognormal bolus far sharper (sigma 0.04) than a gamma variate can follow within its bound alpha <= 100.
    static func sharpBolus() -> CurveSamples {
        var rng = TestRandom(seed: 3)
        let times = (0...600).map { Double($0) / 10 }
        let values = times.map {
            referenceLognormal($0, area: 100, mu: log(15) + 0.0016, sigma: 0.04, t0: 5, offset: 0.5) + 0.2
                * rng.normal()
        }
        return CurveSamples(times: times, values: values)
    }

    @Test("a parameter on its bound makes the status at_bound, names it, and keeps the parameters")
    func gammaOnAlphaBound() {
        let model = GammaVariateModel()
        let fit = LevenbergMarquardt().fit(model, to: Self.sharpBolus())
        #expect(fit.status == .atBound, "\(fit.termination)")
        #expect(fit.boundSymbols(model) == ["alpha"])
        #expect(fit.parameters[1] == model.bounds(for: Self.sharpBolus()).upper[1])
        #expect(fit.hasParameters)
    }

    @Test("a fit inside the bounds stays converged with no bound parameters", arguments: bothPaths)
    func interior(options: LevenbergMarquardt.Options) {
        let fit = LevenbergMarquardt(options: options).fit(LognormalModel(), to: syntheticCurve(noise: 0.05, seed: 4))
        #expect(fit.status == .converged)
        #expect(fit.boundParameters == 0)
    }

    @Test("the bound tolerance: 1e-4 of a finite box, or a hundredth of the standard error of a one-sided bound")
    func tolerance() {
        let bounds = ParameterBounds(
            lower: ParameterVector(0, 0, 0, 0, -.infinity, 0, 0, 0),
            upper: ParameterVector(.infinity, 10, 10, 10, .infinity, 0, 0, 0))
        let se = ParameterVector(2, 1, 1, 1, 1, 0, 0, 0)
        // Amplitude 0.01 above zero with standard error 2: within 0.02, on the bound; sigma-like parameter
        // 0.0009 from 0 in a box of width 10 (tolerance 0.001): on it; 0.0011 from 10: not; the free offset never.
        let p = ParameterVector(0.01, 0.0009, 9.9989, 5, -1e9, 0, 0, 0)
        #expect(bounds.onBound(p, standardErrors: se, count: 5) == 0b0_0011)
        // Without a standard error only 1e-9 relative counts for a one-sided bound.
        let noSE = ParameterVector(repeating: .nan)
        #expect(bounds.onBound(ParameterVector(0, 5, 5, 5, 0, 0, 0, 0), standardErrors: noSE, count: 5) == 0b0_0001)
        #expect(bounds.onBound(ParameterVector(1e-6, 5, 5, 5, 0, 0, 0, 0), standardErrors: noSE, count: 5) == 0)
    }
}

@Suite("Phase times")
struct PhaseTimeTests {
    /// The times themselves depend on the machine; what can be checked is that each phase was measured (finite and
    /// positive), that passes per fit is the mean iteration count of the same fits made here without the profile,
    /// and that a curve the model rejects takes no pass but still counts as a fit.
    @Test("phase times measure every phase and count the passes of the fits they time")
    func phaseTimes() {
        let engine = LevenbergMarquardt()
        let model = LognormalModel()
        var curves = (1...6).map { syntheticCurve(mu: 2.6 + 0.1 * Double($0), noise: 0.5, seed: UInt64($0)) }
        curves.append(syntheticCurve(area: 0, noise: 0.5, seed: 9))  // flat noise: rejected, zero iterations
        let times = engine.phaseTimes(model, curves: curves, seconds: 0, passRepeats: 2)
        let iterations = curves.map { engine.fit(model, to: $0).iterations }
        #expect(iterations.last == 0 && iterations.dropLast().allSatisfy { $0 > 0 })
        #expect(times.passesPerFit == Double(iterations.reduce(0, +)) / Double(curves.count))
        for value in [
            times.startMicroseconds, times.initialGuessMicroseconds, times.initialGuessInCacheMicroseconds,
            times.passMicroseconds, times.iterateMicroseconds, times.fitMicroseconds,
        ] {
            #expect(value.isFinite && value > 0)
        }
    }
}
