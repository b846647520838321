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
