import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis
@testable import PerfusionFitting

@Suite("Isolated outlier samples")
struct OutlierTests {
    /// A lognormal bolus over 72 s at 5 Hz with 1 % additive noise of its peak.
    func bolus(seed: UInt64 = 2) -> (times: [Double], values: [Double], peak: Double) {
        var rng = TestRandom(seed: seed)
        let times = (0...360).map { Double($0) / 5 }
        let clean = times.map { referenceLognormal($0, area: 100, mu: 2.9, sigma: 0.78, t0: 5, offset: 0.3) }
        let peak = clean.max()! - 0.3
        return (times, clean.map { $0 + 0.01 * peak * rng.normal() }, peak)
    }

    @Test("a single flash frame or dropout is found; steps, peaks, pairs and noise are not")
    func rule() {
        var (_, values, peak) = bolus()
        #expect(IsolatedOutliers.find(values).isEmpty, "noise alone")
        values[100] += 3 * peak  // a flash frame in the wash-out
        values[60] -= 0.6 * values[60]  // a dark frame near the peak
        #expect(IsolatedOutliers.find(values) == [60, 100])
        // Two adjacent bright frames are a run, not isolated.
        values[101] += 3 * peak
        #expect(IsolatedOutliers.find(values) == [60])
        // A step (level shift) keeps its edge samples.
        let step = (0..<200).map { $0 < 100 ? 1.0 : 2.0 }
        #expect(IsolatedOutliers.find(step).isEmpty)
        // A noise-free sharp bolus keeps its peak.
        let sharp = (0..<200).map {
            referenceLognormal(Double($0) / 5, area: 100, mu: 2.0, sigma: 0.3, t0: 5, offset: 0)
        }
        #expect(IsolatedOutliers.find(sharp).isEmpty)
    }

    /// The rule written out as its documentation states it, the median formed by sorting: the screen counts steps
    /// below each candidate's jump in vector lanes instead, and must flag exactly the same samples (noisy curves with
    /// spikes, dips and pairs, where many samples are candidates and a count off by one at a window's edge or middle
    /// would show).
    @Test("the screen flags what the rule with a sorted median flags", arguments: 0..<12)
    func againstSortedMedian(seed: Int) {
        var rng = TestRandom(seed: UInt64(300 + seed))
        let n = [40, 97, 200, 361][seed % 4]
        var values = (0..<n).map { i in 1 + 0.5 * sin(Double(i) / 9) + [0.02, 0.1, 0.3][seed % 3] * rng.normal() }
        for _ in 0..<(n / 15) {
            let at = Int(rng.uniform() * Double(n - 1))
            values[at] += (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + 2 * rng.uniform())
        }
        func reference(_ y: [Double]) -> [Int] {
            let range = IsolatedOutliers.runningMedianRange(y)
            guard y.count >= 7, range > 0 else { return [] }
            let steps = [0] + (1..<y.count).map { abs(y[$0] - y[$0 - 1]) }
            var flagged: [Int] = []
            for i in 1..<(y.count - 1) {
                let jump = min(steps[i], steps[i + 1])
                guard jump > IsolatedOutliers.minimumFraction * range else { continue }
                guard (y[i] - y[i - 1]) * (y[i] - y[i + 1]) > 0 else { continue }
                let lo = max(1, i - IsolatedOutliers.halfWindow)
                let hi = min(y.count - 1, i + 1 + IsolatedOutliers.halfWindow)
                let window = (lo...hi).filter { $0 != i && $0 != i + 1 }.map { steps[$0] }.sorted()
                let median = window[window.count / 2]
                if jump > IsolatedOutliers.threshold * (median / 0.674_489_75) { flagged.append(i) }
            }
            return flagged.filter { !flagged.contains($0 - 1) && !flagged.contains($0 + 1) }
        }
        #expect(IsolatedOutliers.find(values) == reference(values), "seed \(seed)")
    }

    @Test("with one spike sample in a clean curve, PE and WiAUC stay within 5 % of truth, and the spike is counted")
    func spikeDoesNotBias() throws {
        let (times, clean, peak) = bolus(seed: 5)
        var values = clean
        values[120] += 5 * peak  // a flash frame 24 s after the start, on the wash-out
        let fits = try CurveAnalyzer().fit([CurveSamples(times: times, values: values)])[0]
        let fitted = try #require(fits.first)
        #expect(fitted.outliers == [120])
        #expect(fitted.fit.status == .converged)
        let p = try #require(fitted.parameters)
        let truth = LognormalShape(area: 100, mu: 2.9, sigma: 0.78, appearanceTime: 5)
        let wiauc = PerfusionParameters(shape: truth, qualityOfFit: 100).washInArea
        #expect(abs(p.peakEnhancement / truth.peakEnhancement - 1) < 0.05)
        #expect(abs(p.washInArea / wiauc - 1) < 0.05)
    }
}

@Suite("Median of five")
struct MedianOfFiveTests {
    @Test("equals the middle of the sorted five, ties and all", arguments: 0..<20)
    func againstSorting(seed: Int) {
        var rng = TestRandom(seed: UInt64(900 + seed))
        for _ in 0..<500 {
            // Small integers make ties common.
            let v = (0..<5).map { _ in seed % 2 == 0 ? Double(Int(rng.uniform() * 4)) : rng.normal() }
            #expect(IsolatedOutliers.median5(v[0], v[1], v[2], v[3], v[4]) == v.sorted()[2], "\(v)")
        }
    }

    @Test("the running median's range, eight windows at a time, equals the range of sorted windows", arguments: 0..<4)
    func rangeAgainstSorting(seed: Int) {
        var rng = TestRandom(seed: UInt64(950 + seed))
        for n in Array(5...40) + [299, 300, 301] {
            // Small integers make ties common; then continuous values.
            let values = (0..<n).map { _ in seed % 2 == 0 ? Double(Int(rng.uniform() * 5)) : rng.normal() }
            let medians = (2..<(n - 2)).map { values[($0 - 2)...($0 + 2)].sorted()[2] }
            let plain = medians.max()! - medians.min()!
            #expect(IsolatedOutliers.runningMedianRange(values) == plain, "n \(n), seed \(seed)")
        }
    }
}

@Suite("The outlier screen against sorting every window")
struct OutlierWindowTests {
    /// The outlier rule written out plainly: for every candidate, the steps around it collected and sorted afresh.
    func plainFind(_ values: [Double]) -> [Int] {
        let n = values.count
        guard n >= 7 else { return [] }
        let steps = [0] + (1..<n).map { abs(values[$0] - values[$0 - 1]) }
        let range = IsolatedOutliers.runningMedianRange(values)
        guard range > 0 else { return [] }
        var found: [Int] = []
        for i in 1..<(n - 1) {
            let jump = min(steps[i], steps[i + 1])
            guard jump > 0.05 * range, (values[i] - values[i - 1]) * (values[i] - values[i + 1]) > 0 else { continue }
            let window = (max(1, i - 15)...min(n - 1, i + 16)).filter { $0 != i && $0 != i + 1 }.map { steps[$0] }
                .sorted()
            if jump > 6 * window[window.count / 2] / 0.674_489_75 { found.append(i) }
        }
        return found.filter { !found.contains($0 - 1) && !found.contains($0 + 1) }
    }

    @Test(
        "the counting outlier screen finds exactly what sorting every window finds",
        arguments: [7, 8, 20, 33, 34, 35, 120, 361])
    func outliersAgainstSorting(count: Int) {
        var flagged = 0
        for seed in UInt64(0)..<40 {
            var rng = TestRandom(seed: seed * 1000 + UInt64(count))
            // A bolus with multiplicative noise, spikes and dips, and (every fourth seed) values on a coarse grid so
            // that steps tie.
            var values = (0..<count).map { k -> Double in
                let t = 72 * Double(k) / Double(max(1, count - 1))
                return referenceLognormal(t, area: 100, mu: 2.9, sigma: 0.78, t0: 5, offset: 0.3)
                    * (1 + 0.1 * rng.normal())
            }
            for _ in 0..<(count / 15) {
                let k = Int(rng.uniform() * Double(count))
                values[k] *= rng.uniform() < 0.5 ? 4 : 0.2
            }
            if seed % 4 == 0 { values = values.map { ($0 * 4).rounded() / 4 } }
            let found = IsolatedOutliers.find(values)
            flagged += found.count
            #expect(found == plainFind(values), "count \(count) seed \(seed)")
        }
        // The curves do have outliers to find (the spikes), except the shortest, whose spikes are too few.
        if count >= 33 { #expect(flagged > 0) }
    }
}
