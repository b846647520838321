/// Numerical tools for bolus shapes without closed forms: Gauss–Legendre quadrature and golden-section
/// search. Both are deterministic and accurate to about 1e-10 relative on the smooth curves used here.
///
/// Reference: W. H. Press et al., "Numerical Recipes", 3rd ed. (2007), §4.6 and §10.2.
enum ShapeNumerics {
    /// 8-point Gauss–Legendre nodes and weights on [-1, 1].
    static let nodes: [Double] = [
        -0.960_289_856_497_536_2, -0.796_666_477_413_626_7, -0.525_532_409_916_329_0, -0.183_434_642_495_649_8,
        0.183_434_642_495_649_8, 0.525_532_409_916_329_0, 0.796_666_477_413_626_7, 0.960_289_856_497_536_2,
    ]
    static let weights: [Double] = [
        0.101_228_536_290_376_3, 0.222_381_034_453_374_5, 0.313_706_645_877_887_3, 0.362_683_783_378_362_0,
        0.362_683_783_378_362_0, 0.313_706_645_877_887_3, 0.222_381_034_453_374_5, 0.101_228_536_290_376_3,
    ]

    /// Integral of `f` from `a` to `b` by composite 8-point Gauss–Legendre on `panels` equal panels.
    static func integral(_ f: (Double) -> Double, from a: Double, to b: Double, panels: Int = 256) -> Double {
        guard b > a else { return 0 }
        let h = (b - a) / Double(panels)
        var sum = 0.0
        for p in 0..<panels {
            let mid = a + (Double(p) + 0.5) * h
            for k in 0..<8 { sum += weights[k] * f(mid + 0.5 * h * nodes[k]) }
        }
        return sum * 0.5 * h
    }

    /// The `x` in [a, b] where the unimodal `f` is largest (golden-section search to 1e-12 relative).
    static func argmax(_ f: (Double) -> Double, in a: Double, _ b: Double) -> Double {
        let ratio = (5.0.squareRoot() - 1) / 2
        var lo = a
        var hi = b
        var x1 = hi - ratio * (hi - lo)
        var x2 = lo + ratio * (hi - lo)
        var f1 = f(x1)
        var f2 = f(x2)
        for _ in 0..<200 where hi - lo > 1e-12 * max(1, abs(lo) + abs(hi)) {
            if f1 < f2 {
                lo = x1
                x1 = x2
                f1 = f2
                x2 = lo + ratio * (hi - lo)
                f2 = f(x2)
            } else {
                hi = x2
                x2 = x1
                f2 = f1
                x1 = hi - ratio * (hi - lo)
                f1 = f(x1)
            }
        }
        return (lo + hi) / 2
    }
}
