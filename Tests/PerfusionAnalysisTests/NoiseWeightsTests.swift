import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis
@testable import PerfusionFitting

@Suite("Residual weights from a curve's own noise")
struct NoiseWeightsTests {
    /// 300 samples over 90 s of a lognormal bolus (PE about 1, offset 0.05) with multiplicative noise of relative
    /// standard deviation `relative` and additive noise of standard deviation `additive`.
    func curve(seed: UInt64, relative: Double, additive: Double) -> (times: [Double], clean: [Double], noisy: [Double])
    {
        var rng = TestRandom(seed: seed)
        let times = (0..<300).map { 90 * Double($0) / 299 }
        let clean = times.map { referenceLognormal($0, area: 22, mu: 2.7, sigma: 0.78, t0: 10, offset: 0.05) }
        let noisy = clean.map { $0 * (1 + relative * rng.normal()) + additive * rng.normal() }
        return (times, clean, noisy)
    }

    @Test(
        "the running median (a median-of-9 network inside, sorting at the ends) is the median of each window, cut at the ends",
        arguments: [1, 2, 8, 9, 10, 37, 150, 309])
    func runningMedian(count: Int) {
        var rng = TestRandom(seed: UInt64(count))
        // Values on a coarse grid, so that windows hold ties, and continuous values.
        for coarse in [true, false] {
            let values = (0..<count).map { _ in coarse ? (rng.uniform() * 7).rounded(.down) : rng.normal() }
            let got = NoiseWeights.runningMedian(values)
            for i in 0..<count {
                let window = values[max(0, i - 4)...min(count - 1, i + 4)].sorted()
                let k = window.count
                let want = k % 2 == 1 ? window[k / 2] : (window[k / 2 - 1] + window[k / 2]) / 2
                #expect(got[i] == want, "sample \(i) of \(count), coarse \(coarse)")
            }
        }
    }

    @Test("the floor is recovered: near zero for multiplicative noise, the additive level for mixed noise")
    func floorRecovered() throws {
        // Truth for mixed noise (10 % multiplicative, additive 0.02 a.u.): var = 0.01 (m^2 + 0.2^2), a floor of 0.2
        // a.u. on a range of about 1. For multiplicative noise alone the truth is 0 (the estimate stops at the 1 %
        // minimum). One curve's estimate from 300 squared residuals is rough (measured over seeds 1-20: mixed 0.06 to
        // 0.35, median 0.17; multiplicative 0.01 for 12 of 20, up to 0.18, where the running median lags the rise),
        // and the fit hardly depends on it within a factor of 2 or 3; the medians over 20 curves are checked tightly,
        // single curves loosely.
        var mixed: [Double] = []
        var pure: [Double] = []
        for seed in UInt64(1)...20 {
            let m = try #require(NoiseWeights.estimate(curve(seed: seed, relative: 0.1, additive: 0.02).noisy))
            let p = try #require(NoiseWeights.estimate(curve(seed: seed, relative: 0.1, additive: 0).noisy))
            mixed.append(m.floor / m.range)
            pure.append(p.floor / p.range)
        }
        mixed.sort()
        pure.sort()
        let (mixedMedian, pureMedian) = ((mixed[9] + mixed[10]) / 2, (pure[9] + pure[10]) / 2)
        #expect(mixedMedian > 0.13 && mixedMedian < 0.27, "mixed: \(mixed)")
        #expect(pureMedian < 0.05, "multiplicative: \(pure)")
        #expect(mixed.first! > 0.04 && mixed.last! < 0.5, "mixed: \(mixed)")
        #expect(pure.last! < 0.25, "multiplicative: \(pure)")
    }

    @Test("additive noise alone gives ordinary least squares or nearly equal weights")
    func additiveNoise() {
        for seed in UInt64(1)...20 {
            guard let w = NoiseWeights.weights(curve(seed: seed, relative: 0, additive: 0.03).noisy) else { continue }
            // When the slope comes out positive by chance, the floor it implies is far above the signal.
            #expect(w.max()! / w.min()! < 1.6, "seed \(seed): weights \(w.min()!)...\(w.max()!)")
        }
    }

    @Test("weights follow 1 / sqrt(m^2 + f^2), with a mean square of 1")
    func weightsFromEstimate() throws {
        let values = curve(seed: 3, relative: 0.1, additive: 0.02).noisy
        let e = try #require(NoiseWeights.estimate(values))
        let w = try #require(NoiseWeights.weights(values))
        let meanSquare = w.map { $0 * $0 }.reduce(0, +) / Double(w.count)
        #expect(abs(meanSquare - 1) < 1e-12)
        // Any two samples: w_i^2 / w_j^2 = (m_j^2 + f^2) / (m_i^2 + f^2).
        let f2 = e.floor * e.floor
        for (i, j) in [(0, 60), (30, 299), (45, 100)] {
            let want: Double = (e.median[j] * e.median[j] + f2) / (e.median[i] * e.median[i] + f2)
            let got: Double = w[i] * w[i] / (w[j] * w[j])
            #expect(abs(got / want - 1) < 1e-12)
        }
    }

    @Test("the weights, four at a time, are the formula written sample by sample, bit for bit, at every length")
    func weightsBitForBit() throws {
        let full = curve(seed: 5, relative: 0.1, additive: 0.02).noisy
        for n in 30...41 {
            let values = Array(full.prefix(n * 7).enumerated().filter { $0.offset % 7 == 0 }.map(\.element))
            let e = try #require(NoiseWeights.estimate(values))
            let w = try #require(NoiseWeights.weights(values))
            // Sample by sample, in order: 1 / sqrt(m^2 + f^2), scaled to a mean square of 1.
            let f2 = e.floor * e.floor
            var raw = [Double]()
            var meanSquare = 0.0
            for m in e.median {
                let v = m * m + f2
                raw.append(1 / v.squareRoot())
                meanSquare += 1 / v
            }
            let scale = 1 / (meanSquare / Double(n)).squareRoot()
            #expect(w.count == n)
            for i in 0..<n { #expect(w[i].bitPattern == (raw[i] * scale).bitPattern, "n \(n), sample \(i)") }
        }
    }

    @Test("short, flat and non-finite curves are fitted unweighted")
    func fallBack() {
        #expect(NoiseWeights.weights(curve(seed: 1, relative: 0.1, additive: 0).noisy.prefix(29).map { $0 }) == nil)
        #expect(NoiseWeights.weights(Array(repeating: 2.5, count: 100)) == nil)
        var values = curve(seed: 1, relative: 0.1, additive: 0).noisy
        values[7] = .nan
        #expect(NoiseWeights.weights(values) == nil)
    }

    @Test(
        "with multiplicative noise, weighted fits halve the spread of mTT, and their standard errors match the spread of 200 fits within 20 %"
    )
    func monteCarlo() throws {
        // A lesion-like bolus with 10 % multiplicative and 0.5 % additive noise, 200 realisations, fitted by the
        // product path (outlier screen, weights, SIMD engine) with and without weights.
        let truth = (area: 22.0, mu: 2.7, sigma: 0.78, t0: 10.0)
        let times = (0..<300).map { 90 * Double($0) / 299 }
        let clean = times.map {
            referenceLognormal($0, area: truth.area, mu: truth.mu, sigma: truth.sigma, t0: truth.t0, offset: 0.05)
        }
        let curves = (0..<200).map { seed -> CurveSamples in
            var rng = TestRandom(seed: 7000 + UInt64(seed))
            return CurveSamples(
                times: times, values: clean.map { $0 * (1 + 0.1 * rng.normal()) + 0.005 * rng.normal() })
        }
        var spreads: [FitWeighting: Double] = [:]
        for weighting in FitWeighting.allCases {
            let fits = try CurveAnalyzer(modelName: "lognormal", weighting: weighting).fit(curves).map { $0[0] }
            #expect(fits.allSatisfy { $0.fit.status == .converged && $0.weighted == (weighting == .noise) })
            let names = ["PE", "TTP", "WiAUC", "RT", "mTTI", "mTT", "AUC"]
            let values: [[Double]] = try fits.map { f in
                let p = try #require(f.parameters)
                return [
                    p.peakEnhancement, p.timeToPeak, p.washInArea, p.riseTime, p.meanTransitTimeFromIntercept,
                    p.meanTransitTime, p.area,
                ]
            }
            let errors: [[Double]] = try fits.map { f in
                let e = try #require(f.standardErrors)
                return [
                    e.peakEnhancement, e.timeToPeak, e.washInArea, e.riseTime, e.meanTransitTimeFromIntercept,
                    e.meanTransitTime, e.area,
                ]
            }
            for k in 0..<7 {
                let column = values.map { $0[k] }
                let mean = column.reduce(0, +) / 200
                let spread = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 199).squareRoot()
                let typical = errors.map { $0[k] }.sorted()[100]
                if k == 5 { spreads[weighting] = spread }
                // Weighted, the noise model is right and the covariance is too: within the 20 % (the
                // sample standard deviation of 200 values is itself uncertain by 5 %). Unweighted, the covariance
                // assumes equal variances and is not checked here.
                if weighting == .noise {
                    #expect(
                        abs(typical / spread - 1) < 0.20, "\(names[k]): reported \(typical), observed \(spread)")
                }
            }
            // mTT is unbiased either way (truth t0 + exp(mu + sigma^2 / 2), written out), within 3 standard errors
            // of the mean of 200.
            let mtt = truth.t0 + exp(truth.mu + truth.sigma * truth.sigma / 2)
            let fitted = values.map { $0[5] }
            let mean = fitted.reduce(0, +) / 200
            #expect(abs(mean - mtt) < 3 * spreads[weighting]! / 200.0.squareRoot(), "\(weighting): mTT \(mean)")
        }
        // Measured: mTT spread 0.26 s weighted against 0.55 s unweighted (ratio 0.48).
        let ratio = try #require(spreads[.noise]) / #require(spreads[FitWeighting.none])
        #expect(ratio < 0.7, "mTT spread weighted / unweighted \(ratio)")
    }
}

@Suite("Weighted least squares in the engine")
struct WeightedEngineTests {
    let times = (0..<200).map { Double($0) * 0.3 }

    func values(seed: UInt64) -> [Double] {
        var rng = TestRandom(seed: seed)
        return times.map {
            referenceLognormal($0, area: 30, mu: 2.6, sigma: 0.7, t0: 4, offset: 0.2) * (1 + 0.08 * rng.normal())
        }
    }

    @Test("equal weights c give the unweighted minimum with the cost times c^2, in both passes")
    func constantWeights() throws {
        let y = values(seed: 4)
        for options in [LevenbergMarquardt.Options.reference, .fast] {
            let engine = LevenbergMarquardt(options: options)
            let plain = engine.fit(LognormalModel(), to: CurveSamples(times: times, values: y))
            let scaled = engine.fit(
                LognormalModel(), to: CurveSamples(times: times, values: y, weights: Array(repeating: 3, count: 200)))
            try #require(plain.status == .converged && scaled.status == .converged)
            // Double: to the reference tolerances; Float sums resolve the cost to about 1e-6.
            let tolerance = options.precision == .scalar ? 1e-8 : 1e-5
            #expect(abs(scaled.cost / (9 * plain.cost) - 1) < tolerance)
            for k in 0..<5 {
                #expect(
                    abs(scaled.parameters[k] - plain.parameters[k]) <= 0.02 * plain.standardErrors[k],
                    "parameter \(k)")
                // The standard errors do not depend on the scale of the weights.
                #expect(abs(scaled.standardErrors[k] / plain.standardErrors[k] - 1) < 0.01, "SE \(k)")
            }
        }
    }

    @Test("the SIMD pass and its Double twin reach the same weighted minimum")
    func twins() throws {
        var rng = TestRandom(seed: 9)
        let y = values(seed: 5)
        // Random weights between 0.3 and 2.3, and ten times more on the first half (the wash-in).
        let w = times.indices.map { i in (0.3 + 2 * rng.uniform()) * (i < 100 ? 10 : 1) }
        let curve = CurveSamples(times: times, values: y, weights: w)
        let fast = LevenbergMarquardt(options: .fast).fit(LognormalModel(), to: curve)
        let reference = LevenbergMarquardt(options: .reference).fit(LognormalModel(), to: curve)
        try #require(fast.status == .converged && reference.status == .converged)
        #expect(abs(fast.cost / reference.cost - 1) < 1e-5)
        for k in 0..<5 {
            #expect(abs(fast.parameters[k] - reference.parameters[k]) <= 0.05 * reference.standardErrors[k])
        }
        // And the weights matter: the unweighted minimum is elsewhere.
        let plain = LevenbergMarquardt(options: .reference).fit(
            LognormalModel(), to: CurveSamples(times: times, values: y))
        #expect(abs(plain.parameters[1] - reference.parameters[1]) > 0.2 * reference.standardErrors[1])
    }

    @Test("a weight of sqrt(2) on a sample counts it twice (the same cost as the sample written twice, scalar pass)")
    func duplicateEquivalence() {
        // The scalar pass only sums over samples, so a repeated time is allowed there: the cost of the weighted
        // curve at any point equals the cost of the curve with that sample doubled.
        let y = values(seed: 6)
        var w = Array(repeating: 1.0, count: 200)
        w[50] = 2.0.squareRoot()
        let weighted = CurveSamples(times: times, values: y, weights: w)
        let doubledTimes = Array(times[0...50]) + Array(times[50...])
        let doubledValues = Array(y[0...50]) + Array(y[50...])
        let engine = LevenbergMarquardt(options: .reference)
        let start = ParameterVector(28, 2.5, 0.75, 3.5, 0.25, 0, 0, 0)
        let bounds = LognormalModel().bounds(for: CurveSamples(times: times, values: y))
        let a = engine.fit(LognormalModel(), to: weighted, from: start, bounds: bounds)
        let b = engine.fit(
            LognormalModel(), to: CurveSamples(times: doubledTimes, values: doubledValues), from: start, bounds: bounds)
        #expect(abs(a.cost / b.cost - 1) < 1e-10)
        for k in 0..<5 { #expect(abs(a.parameters[k] - b.parameters[k]) <= 1e-6 * (abs(b.parameters[k]) + 1e-6)) }
    }
}
