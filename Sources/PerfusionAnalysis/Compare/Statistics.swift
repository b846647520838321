import Foundation

/// Wilcoxon signed-rank test of paired differences, two-sided.
///
/// Zero differences are dropped (Wilcoxon's convention); tied absolute differences get mid-ranks. The
/// statistic is W+, the sum of the ranks of the positive differences (R's `V`). For n <= 25 the p-value is
/// exact: the permutation distribution of W+ over all 2^n sign assignments, counted by dynamic programming on
/// doubled ranks (so mid-ranks stay integers). Above, the normal approximation with mean n(n+1)/4, variance
/// n(n+1)(2n+1)/24 - sum(t^3 - t)/48 over tie groups, and a continuity correction of 1/2.
///
/// Reference: M. Hollander, D. A. Wolfe, "Nonparametric Statistical Methods" (1973), §3.1;
/// W. J. Conover, "Practical Nonparametric Statistics", 3rd ed. (1999), §5.7.
public enum WilcoxonSignedRank {
    /// The test's outcome.
    public struct Result: Sendable, Equatable {
        /// Differences used (zeros dropped).
        let n: Int
        /// W+ (sum of ranks of positive differences).
        let statistic: Double
        /// Two-sided p-value (NaN when n = 0).
        public let pValue: Double
        /// Whether the p-value is exact.
        let exact: Bool
    }

    static let exactLimit = 25

    static func test(_ differences: [Double]) -> Result {
        let d = differences.filter { $0 != 0 && $0.isFinite }
        let n = d.count
        guard n > 0 else { return Result(n: 0, statistic: 0, pValue: .nan, exact: true) }
        let order = d.indices.sorted { abs(d[$0]) < abs(d[$1]) }
        var ranks = [Double](repeating: 0, count: n)
        var tieCorrection = 0.0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && abs(d[order[j + 1]]) == abs(d[order[i]]) { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i...j { ranks[order[k]] = rank }
            let t = Double(j - i + 1)
            tieCorrection += t * t * t - t
            i = j + 1
        }
        let wPlus = d.indices.filter { d[$0] > 0 }.reduce(0) { $0 + ranks[$1] }
        if n <= exactLimit {
            // counts[s]: sign assignments whose doubled W+ equals s.
            let doubled = ranks.map { Int(($0 * 2).rounded()) }
            let total = doubled.reduce(0, +)
            var counts = [Double](repeating: 0, count: total + 1)
            counts[0] = 1
            var reach = 0
            for r in doubled {
                for s in stride(from: reach, through: 0, by: -1) where counts[s] > 0 { counts[s + r] += counts[s] }
                reach += r
            }
            let observed = Int((wPlus * 2).rounded())
            let all = Foundation.pow(2.0, Double(n))
            let lower = counts[0...observed].reduce(0, +) / all
            let upper = counts[observed...].reduce(0, +) / all
            return Result(n: n, statistic: wPlus, pValue: min(1, 2 * min(lower, upper)), exact: true)
        }
        let nn = Double(n)
        let mean = nn * (nn + 1) / 4
        let variance = nn * (nn + 1) * (2 * nn + 1) / 24 - tieCorrection / 48
        let difference = wPlus - mean
        let corrected = abs(difference) >= 0.5 ? abs(difference) - 0.5 : 0
        let z = corrected / variance.squareRoot()
        return Result(n: n, statistic: wPlus, pValue: erfc(z / 2.0.squareRoot()), exact: false)
    }
}

/// Sample quantiles by linear interpolation between order statistics (Hyndman and Fan type 7, the default of
/// R and NumPy): for p in [0, 1], h = (n - 1) p, Q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
enum Quantile {
    static func of(_ values: [Double], _ p: Double) -> Double {
        let x = values.filter(\.isFinite).sorted()
        guard !x.isEmpty else { return .nan }
        let h = Double(x.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, x.count - 1)
        return x[lo] + (h - Double(lo)) * (x[hi] - x[lo])
    }
}
