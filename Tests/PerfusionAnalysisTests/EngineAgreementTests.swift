import Foundation
import Testing

@testable import PerfusionAnalysis
@testable import PerfusionFitting

@Suite("SIMD path against the Double reference")
struct EngineAgreementTests {
    /// Residual sum of squares in Double at `p`.
    func rss(_ curve: CurveSamples, _ p: ParameterVector) -> Double {
        let model = LognormalModel()
        return zip(curve.times, curve.values).reduce(0) { sum, sample in
            let r = sample.1 - model.value(at: sample.0, parameters: p)
            return sum + r * r
        }
    }

    @Test("derived parameters agree to 1e-4 and the fit is never worse, on 400 realistic noisy curves")
    func agreement() {
        let set = SyntheticCurves.lognormal(count: 400, samples: 300, seed: 77)
        let fast = BatchFitter(engine: LevenbergMarquardt(options: .fast)).fit(LognormalModel(), curves: set.curves)
        let reference = BatchFitter(engine: LevenbergMarquardt(options: .reference)).fit(
            LognormalModel(), curves: set.curves)
        var sameMinimum = 0
        var worse = 0
        var worstRelative = 0.0
        for i in set.curves.indices where fast[i].status == .converged && reference[i].status == .converged {
            let costFast = rss(set.curves[i], fast[i].parameters)
            let costReference = rss(set.curves[i], reference[i].parameters)
            // "Worse" beyond the resolution of Float sums over 300 samples (about 1e-6 relative).
            if costFast > costReference * (1 + 1e-6) { worse += 1 }
            // Same minimum: costs equal to 1e-6 relative.
            guard abs(costFast - costReference) <= 1e-6 * costReference else { continue }
            sameMinimum += 1
            let a = LognormalModel().shape(fast[i].parameters)
            let b = LognormalModel().shape(reference[i].parameters)
            let pa = PerfusionParameters(shape: a, qualityOfFit: 0)
            let pb = PerfusionParameters(shape: b, qualityOfFit: 0)
            for x in [
                (pa.timeToPeak, pb.timeToPeak), (pa.peakEnhancement, pb.peakEnhancement),
                (pa.meanTransitTime, pb.meanTransitTime), (pa.washInArea, pb.washInArea),
            ].enumerated() {
                let rel = abs(x.element.1 - x.element.0) / abs(x.element.1)
                worstRelative = max(worstRelative, rel)
            }
        }
        let converged = fast.filter { $0.status == .converged }.count
        print(
            "agreement: converged \(converged)/400, same minimum \(sameMinimum), worse \(worse), worst relative \(worstRelative)"
        )
        // Issue #3 targets: >= 99 % converge; 1e-4 relative where both reach the same minimum; never worse on >= 99 %.
        #expect(converged >= 396)
        #expect(sameMinimum >= 390)
        #expect(worstRelative < 1e-4)
        #expect(worse <= 4)
    }
}

@Suite("Batch fitting")
struct BatchDeterminismTests {
    @Test(
        "results are in input order and bit-identical for 1, 2 and 3 threads",
        arguments: ModelRegistry.bolusModels.map(\.name))
    func threadCountDoesNotMatter(kind: String) {
        let model = ModelRegistry.model(named: kind)!
        // 200 curves: several chunks of 64, so threads share the work unevenly.
        let set = SyntheticCurves.lognormal(count: 200, samples: 120, seed: 5, backgroundFraction: 0.2)
        let runs = [1, 2, 3].map { model.fit(set.curves, fitter: BatchFitter(threads: $0)) }
        let single = set.curves.map { model.fit($0, engine: LevenbergMarquardt()) }
        for run in runs {
            #expect(run.count == set.curves.count)
            for i in run.indices {
                // Bitwise equality, NaN included (rejected fits carry NaN parameters).
                let a = (0..<8).map { run[i].parameters[$0].bitPattern }
                let b = (0..<8).map { single[i].parameters[$0].bitPattern }
                #expect(
                    a == b && run[i].cost.bitPattern == single[i].cost.bitPattern
                        && run[i].termination == single[i].termination)
            }
        }
    }
}
