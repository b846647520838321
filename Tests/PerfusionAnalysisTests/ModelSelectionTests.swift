import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis
@testable import PerfusionFitting

@Suite("Model selection (--model auto)")
struct ModelSelectionTests {
    /// A converged fit result standing for a model's fit with the given status.
    func result(_ termination: FitTermination, bound: UInt8 = 0) -> FitResult {
        var r = FitResult(
            parameters: .zero, standardErrors: .zero, cost: 1, iterations: 3, termination: termination,
            sampleCount: 100, parameterCount: 5)
        r.boundParameters = bound
        return r
    }

    @Test("lognormal is kept unless another model's AIC is lower by more than the margin of 6")
    func margin() {
        #expect(ModelSelection.margin == 6)
        let fits = Array(repeating: result(.convergedOnCost), count: 4)
        #expect(ModelSelection.select(fits, aic: [10, 4.1, 9, 12], preferred: 0) == 0)
        #expect(ModelSelection.select(fits, aic: [10, 3.9, 9, 12], preferred: 0) == 1)
        // Without the preferred model among the fits, the lowest AIC.
        #expect(ModelSelection.select(fits, aic: [10, 8.1, 9, 12], preferred: nil) == 1)
    }

    @Test("fits on a bound or stopped at the iteration limit are not chosen over converged ones")
    func onlyConverged() {
        let fits = [result(.convergedOnCost), result(.convergedOnCost, bound: 1), result(.iterationLimit)]
        #expect(ModelSelection.select(fits, aic: [10, 1, 2], preferred: 0) == 0)
        // With no converged fit at all, the lowest AIC of those with parameters.
        let none = [result(.iterationLimit), result(.convergedOnCost, bound: 2)]
        #expect(ModelSelection.select(none, aic: [10, 1], preferred: 0) == 1)
    }

    @Test("AIC differences and Akaike weights")
    func weights() {
        let (deltas, weights) = ModelSelection.akaikeWeights([12, 10, .nan, 16])
        #expect(deltas[0] == 2 && deltas[1] == 0 && deltas[2].isNaN && deltas[3] == 6)
        // exp(-1), 1, exp(-3) normalised: 0.2594, 0.7054, 0.0351.
        let total = exp(-1.0) + 1 + exp(-3.0)
        #expect(abs(weights[0] - exp(-1) / total) < 1e-15 && abs(weights[1] - 1 / total) < 1e-15)
        #expect(weights[2].isNaN)
        #expect(abs(weights.filter(\.isFinite).reduce(0, +) - 1) < 1e-15)
    }

    @Test("on noisy lognormal curves auto keeps lognormal for at least 90 %, and lesion mTT is within 3 % for 90 %")
    func lognormalCurves() throws {
        // 400 realistic curves (lesion and parenchyma shapes, 10 % jitter, 2 % noise, 300 samples over 90 s).
        let set = SyntheticCurves.lognormal(count: 400, samples: 300, seed: 31)
        let fits = try CurveAnalyzer(modelName: "auto").fit(set.curves)
        var lognormal = 0
        var (lesions, close) = (0, 0)
        for (candidates, truth) in zip(fits, set.truth) {
            let p = try #require(truth)
            let chosen = try #require(candidates.first { $0.selected })
            if chosen.model.name == "lognormal" { lognormal += 1 }
            // mTT is measured where the wash-out is recorded: lesion shapes (mu < 3: mTT 25-45 s of 90 s). The
            // parenchyma's mTT lies near or beyond the end of the curve and is extrapolated.
            guard p[1] < 3 else { continue }
            lesions += 1
            // Truth mTT of the lognormal, written out: t0 + exp(mu + sigma^2 / 2).
            let mtt = p[3] + exp(p[1] + p[2] * p[2] / 2)
            if let got = chosen.parameters?.meanTransitTime, abs(got / mtt - 1) < 0.03 { close += 1 }
        }
        // Measured: 399 of 400 keep lognormal; 207 of 211 lesion mTTs are within 3 % (194 when the fits were
        // unweighted).
        #expect(lognormal >= 360, "lognormal selected for \(lognormal) of 400")
        #expect(close * 10 >= lesions * 9, "selected mTT within 3 % for \(close) of \(lesions) lesion curves")
    }

    @Test(
        "on synthetic lognormal clips auto keeps lognormal for at least 90 % of the regions; where the wash-out is recorded, mTT is within 3 % of truth for 90 % and its standard error is calibrated"
    )
    func lognormalClips() throws {
        var (kept, regions) = (0, 0)
        var (recorded, within3, sumSquaredZ) = (0, 0, 0.0)
        for seed in UInt64(1)...30 {
            for entry in SyntheticStudy(seed: seed, subjects: 1, template: studyTemplate()).entries {
                let analysed = try SyntheticRecoveryTests().analyse(entry.spec, model: "auto")
                for (k, region) in analysed.enumerated() {
                    regions += 1
                    if region.model == "lognormal" { kept += 1 }
                    // Every fit of these clips is weighted: their noise is multiplicative.
                    #expect(region.selected.weighted, "seed \(seed) \(entry.timepoint) \(region.region)")
                    // mTT where the clip records the wash-out (no `short_washout` flag); where it does not, the flag
                    // tells the reader that mTT is the model's extrapolation.
                    guard !region.selected.shortWashout, let got = region.parameters?.meanTransitTime else {
                        continue
                    }
                    recorded += 1
                    let truth = entry.spec.truth.regions[k].parameters.mtt_s
                    let se = try #require(region.selected.standardErrors).meanTransitTime
                    if abs(got / truth - 1) < 0.03 { within3 += 1 }
                    let z = (got - truth) / se
                    sumSquaredZ += z * z
                    // With calibrated standard errors, |z| > 4 has a chance of 6e-5 per region (0.4 % over 60).
                    #expect(abs(z) <= 4, "mTT \(got) s, truth \(truth) s, SE \(se) s")
                }
            }
        }
        #expect(recorded >= regions / 3, "only \(recorded) of \(regions) regions record their wash-out")
        // Weighted by the clips' own noise (docs/METHODS.md §5) the target holds: measured 55 of the 60
        // recorded wash-outs within 3 % (the five others are slow post-PRRT lesions, mTT about 45 s of a 64-s clip,
        // -4.0 % to +3.0 %); unweighted it was 16 of the first 20.
        #expect(
            within3 * 10 >= recorded * 9, "mTT within 3 % of truth for \(within3) of \(recorded) recorded wash-outs")
        // The standard errors say how far mTT may be: the root mean square of (mTT - truth) / SE is 1 when they are
        // right (measured 1.06; over 60 regions its own uncertainty is about 10 %).
        let rmsZ = (sumSquaredZ / Double(recorded)).squareRoot()
        #expect(rmsZ > 0.75 && rmsZ < 1.3, "root mean square of (mTT - truth) / SE: \(rmsZ)")
        // Measured over 120 regions (seeds 1-30): all keep lognormal with the margin of 6.
        #expect(kept * 10 >= regions * 9, "lognormal kept for \(kept) of \(regions) regions")
    }
}
