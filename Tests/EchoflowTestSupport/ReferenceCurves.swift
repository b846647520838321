import Foundation

/// A reference lognormal enhancement written independently of the library (docs/METHODS.md §4).
public func referenceLognormal(_ t: Double, area: Double, mu: Double, sigma: Double, t0: Double, offset: Double)
    -> Double
{
    let x = t - t0
    guard x > 0 else { return offset }
    let l = log(x) - mu
    return offset + area / (x * sigma * (2 * Double.pi).squareRoot()) * exp(-l * l / (2 * sigma * sigma))
}

/// A long-format curve table (`curve,time_s,intensity`) of ``referenceLognormal`` sampled `count` times at `rate`
/// Hz with Gaussian noise of standard deviation `noise` (seeded), plus `added[i]` at sample i.
public func lognormalCurveCSV(
    id: String, count: Int, rate: Double, area: Double, mu: Double, sigma: Double, t0: Double, offset: Double,
    noise: Double, seed: UInt64, added: [Int: Double] = [:]
) -> String {
    var rng = TestRandom(seed: seed)
    var text = "curve,time_s,intensity\n"
    for i in 0..<count {
        let t = Double(i) / rate
        let y = referenceLognormal(t, area: area, mu: mu, sigma: sigma, t0: t0, offset: offset)
        text += "\(id),\(t),\(y + noise * rng.normal() + (added[i] ?? 0))\n"
    }
    return text
}
