import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis
@testable import PerfusionFitting

@Suite("95 % intervals of changes and verdicts")
struct ChangeIntervalTests {
    /// Fits one noisy lognormal curve and returns the columns `compare` reads for WiAUC.
    static func region(area: Double, noise: Double, rng: inout TestRandom) throws -> [String: Double] {
        let model = LognormalModel()
        let times = (0...360).map { Double($0) / 4 }
        let truth = ParameterVector(area, 2.9, 0.78, 5, 0.02 * area, 0, 0, 0)
        let peak = try #require(model.bolusShape(truth)).peakEnhancement
        let curve = CurveSamples(
            times: times, values: times.map { model.value(at: $0, parameters: truth) + noise * peak * rng.normal() })
        let fit = model.fit(curve, engine: LevenbergMarquardt(options: .reference))
        try #require(fit.status == .converged)
        let shape = try #require(model.bolusShape(fit.parameters))
        let parameters = PerfusionParameters(shape: shape, qualityOfFit: 0)
        let errors = try #require(DerivedStandardErrors(model: model, fit: fit))
        return ["wiauc_au_s": parameters.washInArea, "wiauc_au_s_se": errors.washInArea]
    }

    @Test(
        "over 200 synthetic lesions with a known change of -50 %, the 95 % intervals of the absolute and the relative WiAUC cover it 90 to 99 % of the time"
    )
    func monteCarloCoverage() throws {
        var covered = (absolute: 0, relative: 0, percentAbsolute: 0)
        var widths: [Double] = []
        let replicates = 200
        let truth = ParameterVector(100, 2.9, 0.78, 5, 2, 0, 0, 0)
        let trueShape = try #require(LognormalModel().bolusShape(truth))
        let trueWiAUC = PerfusionParameters(shape: trueShape, qualityOfFit: 0).washInArea
        for seed in 0..<replicates {
            var rng = TestRandom(seed: UInt64(7000 + seed))
            // Baseline at gain 1; follow-up at gain 1.6 with the lesion's perfusion halved. The parenchyma is the
            // reference: its true WiAUC changes only by the gain, so the relative WiAUC changes by exactly -50 %.
            let gain = 1.6
            var lesion0 = try Self.region(area: 100, noise: 0.04, rng: &rng)
            let reference0 = try Self.region(area: 60, noise: 0.03, rng: &rng)
            var lesion1 = try Self.region(area: 100 * 0.5 * gain, noise: 0.04, rng: &rng)
            let reference1 = try Self.region(area: 60 * gain, noise: 0.03, rng: &rng)
            lesion0["wiauc_rel_pct"] = 100 * lesion0["wiauc_au_s"]! / reference0["wiauc_au_s"]!
            lesion1["wiauc_rel_pct"] = 100 * lesion1["wiauc_au_s"]! / reference1["wiauc_au_s"]!
            let e0 = Comparison.errors(lesion0, reference: reference0, isReference: false)
            let e1 = Comparison.errors(lesion1, reference: reference1, isReference: false)
            let relative = try #require(
                Comparison.ChangeInterval(
                    baseline: lesion0["wiauc_rel_pct"]!, baselineSE: e0["wiauc_rel_pct"]!,
                    followup: lesion1["wiauc_rel_pct"]!, followupSE: e1["wiauc_rel_pct"]!))
            let range = try #require(relative.percent)
            if range.contains(-50) { covered.relative += 1 }
            widths.append(range.upperBound - range.lowerBound)
            // The absolute WiAUC's true change is 0.5 x 1.6 - 1 = -20 %, and -0.2 times its true baseline value.
            let absolute = try #require(
                Comparison.ChangeInterval(
                    baseline: lesion0["wiauc_au_s"]!, baselineSE: e0["wiauc_au_s"]!, followup: lesion1["wiauc_au_s"]!,
                    followupSE: e1["wiauc_au_s"]!))
            if try #require(absolute.percent).contains(-20) { covered.percentAbsolute += 1 }
            if absolute.absolute.contains(-0.2 * trueWiAUC) { covered.absolute += 1 }
        }
        // Binomial spread of a 95 % coverage over 200 replicates is 1.5 %: 90 % is 3.3 SD below, 99 % 2.6 above. An
        // interval that ignored the reference's error, or a z of 1, would fall below; one twice too wide above.
        for (name, count) in [
            ("relative", covered.relative), ("absolute %", covered.percentAbsolute), ("absolute", covered.absolute),
        ] {
            let share = Double(count) / Double(replicates)
            #expect(share >= 0.90 && share <= 0.99, "\(name): coverage \(share)")
        }
        // The interval is informative: a few percent wide at this noise, not tens.
        let median = widths.sorted()[replicates / 2]
        #expect(median > 0.5 && median < 15, "median width \(median) %")
    }

    @Test("the log-ratio interval agrees with its closed form, and the verdict follows the interval's ends")
    func closedFormAndVerdicts() throws {
        let interval = try #require(
            Comparison.ChangeInterval(baseline: 200, baselineSE: 10, followup: 100, followupSE: 8))
        // s = sqrt(0.05^2 + 0.08^2) = 0.0943398; exp(ln 0.5 -+ 1.959964 s) - 1, worked by hand.
        let s = (0.05 * 0.05 + 0.08 * 0.08).squareRoot()
        let range = try #require(interval.percent)
        #expect(abs(range.lowerBound - 100 * (0.5 * exp(-1.959964 * s) - 1)) < 1e-4)
        #expect(abs(range.upperBound - 100 * (0.5 * exp(1.959964 * s) - 1)) < 1e-4)
        #expect(abs(interval.absolute.lowerBound - (-100 - 1.959964 * (100.0 + 64).squareRoot())) < 1e-4)
        let rule = try #require(ResponseRule("wiauc_au_s<-40%"))
        // -58.5 % to -39.7 %: straddles -40 %.
        #expect(Comparison.verdict(rule, interval) == .indeterminate)
        #expect(Comparison.verdict(try #require(ResponseRule("wiauc_au_s<-35%")), interval) == .responder)
        #expect(Comparison.verdict(try #require(ResponseRule("wiauc_au_s<-60%")), interval) == .nonResponder)
        // An absolute rule reads the absolute interval: -100 -+ 25.1 a.u. s.
        #expect(Comparison.verdict(try #require(ResponseRule("wiauc_au_s<-70")), interval) == .responder)
        #expect(Comparison.verdict(try #require(ResponseRule("wiauc_au_s<-100")), interval) == .indeterminate)
        #expect(Comparison.verdict(rule, nil) == .indeterminate)
        // No percent interval unless both values are positive.
        #expect(Comparison.ChangeInterval(baseline: 200, baselineSE: 10, followup: 0, followupSE: 1)?.percent == nil)
        #expect(Comparison.ChangeInterval(baseline: 200, baselineSE: .nan, followup: 100, followupSE: 8) == nil)
    }
}
