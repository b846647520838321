import Foundation
import PerfusionFitting

/// Sets of noisy time-intensity curves with known lognormal parameters, for benchmarks and accuracy
/// studies: shapes from docs/METHODS.md §8 (NET lesions and parenchyma), 10 % multiplicative per-sample jitter
/// and additive noise of 2 % of the peak, over 90 s.
public enum SyntheticCurves {
    /// Duration of every curve (s).
    static let duration = 90.0

    /// One curve set with its truth.
    public struct CurveSet: Sendable {
        /// The noisy curves.
        public let curves: [CurveSamples]
        /// True parameters (A, mu, sigma, t0, O); nil for non-enhancing background curves.
        let truth: [ParameterVector?]
    }

    /// `count` curves of `samples` samples each; a `backgroundFraction` of them (spread evenly) are
    /// non-enhancing background: offset and noise only.
    public static func lognormal(count: Int, samples: Int, seed: UInt64, backgroundFraction: Double = 0) -> CurveSet {
        var curves: [CurveSamples] = []
        var truth: [ParameterVector?] = []
        curves.reserveCapacity(count)
        let times = (0..<samples).map { duration * Double($0) / Double(samples - 1) }
        let model = LognormalModel()
        var backgroundDebt = 0.0
        for i in 0..<count {
            var rng = SeededGenerator(seed: SeededGenerator.derive(seed, UInt64(i)))
            backgroundDebt += backgroundFraction
            let background = backgroundDebt >= 1
            if background { backgroundDebt -= 1 }
            let lesion = rng.uniform() < 0.5
            let mu = lesion ? rng.uniform(2.4, 2.9) : rng.uniform(3.3, 3.9)
            let sigma = lesion ? rng.uniform(0.7, 0.85) : rng.uniform(0.8, 0.91)
            let t0 = rng.uniform(8, 18)
            let pe = rng.uniform(0.5, 2)
            let offset = rng.uniform(0.02, 0.1)
            let curve = LognormalCurve(peak: pe, mu: mu, sigma: sigma, t0: t0, offset: offset)
            let p = curve.parameters
            let values = times.map { t -> Double in
                let mean = background ? offset : model.value(at: t, parameters: p)
                return mean * Foundation.exp(0.1 * rng.normal() - 0.005) + 0.02 * pe * rng.normal()
            }
            curves.append(CurveSamples(times: times, values: values))
            truth.append(background ? nil : p)
        }
        return CurveSet(curves: curves, truth: truth)
    }
}
