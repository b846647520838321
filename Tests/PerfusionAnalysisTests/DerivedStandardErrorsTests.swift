import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis
@testable import PerfusionFitting

@Suite("Standard errors of derived parameters (delta method)")
struct DerivedStandardErrorsTests {
    @Test("the gradients of TTP, mTT, PE and AUC agree with the lognormal's analytic derivatives")
    func lognormalGradients() {
        let (a, mu, sigma) = (100.0, 2.9, 0.78)
        let p = ParameterVector(a, mu, sigma, 5, 0.3, 0, 0, 0)
        let steps = 1e-3 * ParameterVector(2, 0.02, 0.01, 0.1, 0.01, 0, 0, 0)
        let g = DerivedStandardErrors.gradients(model: LognormalModel(), parameters: p, steps: steps)
        // Written out: TTP = t0 + e^(mu - s^2), mTT = t0 + e^(mu + s^2/2), PE = A / (s sqrt(2 pi)) e^(s^2/2 - mu).
        let mode = exp(mu - sigma * sigma)
        let mean = exp(mu + sigma * sigma / 2)
        let pe = a / (sigma * (2 * Double.pi).squareRoot()) * exp(sigma * sigma / 2 - mu)
        let analytic: [(Int, [Double])] = [
            (1, [0, mode, -2 * sigma * mode, 1, 0]),  // TTP
            (5, [0, mean, sigma * mean, 1, 0]),  // mTT
            (0, [pe / a, -pe, pe * (sigma - 1 / sigma), 0, 0]),  // PE
            (6, [1, 0, 0, 0, 0]),  // AUC
        ]
        for (row, want) in analytic {
            for k in 0..<5 {
                // Central differences with steps of 1e-3 standard errors: truncation ~1e-8 relative.
                #expect(abs(g[row][k] - want[k]) <= 1e-6 * max(1, abs(want[k])), "value \(row) parameter \(k)")
            }
        }
    }

    @Test("the seven values differentiated are PerfusionParameters' own, bit for bit, for every bolus model")
    func valuesAreTheParameters() throws {
        let cases: [(String, ParameterVector)] = [
            ("lognormal", ParameterVector(100, 2.9, 0.78, 5, 0.3, 0, 0, 0)),
            ("lognormal", ParameterVector(3, 1.2, 1.4, 0.5, 0, 0, 0, 0)),
            ("gamma", ParameterVector(4, 2.5, 10, 5, 0.3, 0, 0, 0)),
            ("ldrw", ParameterVector(100, 20, 3, 5, 0.3, 0, 0, 0)),
            ("fpt", ParameterVector(100, 20, 3, 5, 0.3, 0, 0, 0)),
        ]
        for (name, p) in cases {
            let model = try #require(ModelRegistry.model(named: name))
            let shape = try #require(model.bolusShape(p))
            let parameters = PerfusionParameters(shape: shape, qualityOfFit: .nan)
            let want = [
                parameters.peakEnhancement, parameters.timeToPeak, parameters.washInArea, parameters.riseTime,
                parameters.meanTransitTimeFromIntercept, parameters.meanTransitTime, parameters.area,
            ]
            let got = DerivedStandardErrors.values(shape)
            for v in 0..<DerivedStandardErrors.count {
                #expect(got[v].bitPattern == want[v].bitPattern, "\(name) value \(v): \(got[v]) vs \(want[v])")
            }
        }
    }

    @Test(
        "the standard errors agree with the spread of fitted values over 200 noise realisations within 20 %",
        arguments: [
            ("lognormal", ParameterVector(100, 2.9, 0.78, 5, 0.3, 0, 0, 0)),
            ("gamma", ParameterVector(4, 2.5, 10, 5, 0.3, 0, 0, 0)),
            ("ldrw", ParameterVector(100, 20, 3, 5, 0.3, 0, 0, 0)),
            ("fpt", ParameterVector(100, 20, 3, 5, 0.3, 0, 0, 0)),
        ])
    func monteCarlo(name: String, truth: ParameterVector) throws {
        let model = try #require(ModelRegistry.model(named: name))
        let peak = try #require(model.bolusShape(truth)).peakEnhancement
        let times = (0...360).map { Double($0) / 4 }
        let clean = times.map { model.value(at: $0, parameters: truth) }
        var values: [[Double]] = Array(repeating: [], count: 7)
        var reported: [[Double]] = Array(repeating: [], count: 7)
        for seed in 0..<200 {
            var rng = TestRandom(seed: UInt64(1000 + seed))
            let curve = CurveSamples(times: times, values: clean.map { $0 + 0.03 * peak * rng.normal() })
            let fit = model.fit(curve, engine: LevenbergMarquardt(options: .reference))
            try #require(fit.status == .converged, "\(name) seed \(seed): \(fit.termination)")
            let shape = try #require(model.bolusShape(fit.parameters))
            let parameters = PerfusionParameters(shape: shape, qualityOfFit: 0)
            let errors = try #require(DerivedStandardErrors(model: model, fit: fit))
            let pairs: [(Double, Double)] = [
                (parameters.peakEnhancement, errors.peakEnhancement), (parameters.timeToPeak, errors.timeToPeak),
                (parameters.washInArea, errors.washInArea), (parameters.riseTime, errors.riseTime),
                (parameters.meanTransitTimeFromIntercept, errors.meanTransitTimeFromIntercept),
                (parameters.meanTransitTime, errors.meanTransitTime), (parameters.area, errors.area),
            ]
            for (k, pair) in pairs.enumerated() {
                values[k].append(pair.0)
                reported[k].append(pair.1)
            }
        }
        let names = ["PE", "TTP", "WiAUC", "RT", "mTTI", "mTT", "AUC"]
        for k in 0..<7 {
            let mean = values[k].reduce(0, +) / 200
            let spread = (values[k].map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 199).squareRoot()
            let typical = reported[k].sorted()[100]
            // The sample standard deviation of 200 values is itself uncertain by 5 %; the issue allows 20 %.
            #expect(abs(typical / spread - 1) < 0.20, "\(name) \(names[k]): reported \(typical), observed \(spread)")
        }
    }
}
