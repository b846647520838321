import Foundation
import Testing

@testable import PerfusionFitting

/// The vector scans of `CurveScans` against plain one-sample-at-a-time loops written here, on random curves of
/// every length from 1 to 70 (all remainders of four and eight, ranges that start and end anywhere, shorter and
/// longer than a register) and a few long ones.
@Suite("Curve scans in vector lanes")
struct CurveScanTests {
    static let lengths = Array(1...70) + [299, 300, 301, 1000, 3001]

    /// Random values; every third curve on a few levels only, so that ties (equal maxima and minima) occur.
    static func values(_ n: Int, seed: UInt64) -> [Double] {
        var rng = TestRandomLite(seed: seed)
        return (0..<n).map { _ in
            seed % 3 == 0 ? Double(rng.next() % 4) : Double(rng.next() % 100_000) / 997 - 20
        }
    }

    @Test("minimum and pair floor equal plain loops on every range", arguments: lengths)
    func minima(n: Int) {
        let y = Self.values(n, seed: UInt64(n))
        y.withUnsafeBufferPointer { p in
            for from in Set([0, 1, 2, 3, n / 3, n - 1]) where from >= 0 && from < n {
                for to in Set([from + 1, from + 4, from + 5, n / 2, n - 1, n]) where to > from && to <= n {
                    #expect(CurveScans.minimum(p, from: from, to: to) == y[from..<to].min()!, "n \(n) [\(from), \(to))")
                    if to < n {
                        let plain = (from..<to).map { max(y[$0], y[$0 + 1]) }.min()!
                        #expect(CurveScans.pairFloor(p, from: from, to: to) == plain, "pairs n \(n) [\(from), \(to))")
                    }
                }
            }
        }
    }

    @Test("the first maximum is the first index of the largest value", arguments: lengths)
    func firstMaximum(n: Int) {
        for seed in [UInt64(n), UInt64(3 * n)] {
            let y = Self.values(n, seed: seed)
            var plain = 0
            for i in 1..<n where y[i] > y[plain] { plain = i }
            #expect(y.withUnsafeBufferPointer { CurveScans.firstMaximum($0) } == plain, "n \(n) seed \(seed)")
        }
    }

    /// The walk back from the peak: every end, levels between, at and outside the values, and a NaN that stops it.
    @Test("the last sample not above a level equals a backward walk", arguments: lengths)
    func lastNotAbove(n: Int) {
        var y = Self.values(n, seed: UInt64(n) + 5)
        if n > 20 { y[n / 3] = .nan }
        for level in [-100.0, 0, 1, 2, 30, 1e9] {
            for end in Set([0, 1, 7, 8, 9, n / 2, n - 1, n]) where end <= n {
                var k = end
                while k > 0 && y[k - 1] > level { k -= 1 }
                let got = y.withUnsafeBufferPointer { CurveScans.lastNotAbove(level, $0, before: end) }
                #expect(got == k - 1, "n \(n), level \(level), end \(end)")
            }
        }
    }

    /// The moving average also returns the first maximum and the minimum of what it wrote, taken as it wrote them;
    /// the values on few levels (every third seed) make equal maxima in several lanes and in the head and tail.
    @Test("the moving average equals direct averages of the cut windows", arguments: lengths)
    func movingAverage(n: Int) {
        for window in [3, 5, 11, 31, 101] {
            let y = Self.values(n, seed: UInt64(n + window) * 3 + (window == 11 ? 0 : 1))
            let half = window / 2
            var out = [Double](repeating: .nan, count: n)
            let (peak, lowest) = y.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { CurveScans.movingAverage(input, window: window, into: $0) }
            }
            var plainPeak = 0
            for i in 1..<n where out[i] > out[plainPeak] { plainPeak = i }
            #expect(peak == plainPeak, "peak: n \(n), window \(window)")
            #expect(lowest == out.min()!, "lowest: n \(n), window \(window)")
            for i in 0..<n {
                let lo = max(0, i - half)
                let hi = min(n - 1, i + half)
                let direct = y[lo...hi].reduce(0, +) / Double(hi - lo + 1)
                // Running sums over up to 3,000 steps of values below 100: rounding below 1e-11. The windows cut at
                // either end are summed in the same order as here: the same number.
                if i < half || i > n - 1 - half {
                    #expect(out[i] == direct, "cut window: n \(n), window \(window), i \(i)")
                } else {
                    #expect(abs(out[i] - direct) < 1e-11, "n \(n), window \(window), i \(i)")
                }
            }
        }
    }

    /// Sums that overflow leave averages that are not finite (infinite, or NaN once an infinity leaves the window);
    /// the first maximum and the minimum then come from scans of what was stored, as they did before they were
    /// taken in the loop. On these two curves the loop's own picks differ from the scans (found by a search).
    @Test("the moving average's peak and minimum fall back to the scans when sums overflow")
    func movingAverageOverflow() {
        let big = Double.greatestFiniteMagnitude
        let curves: [[Double]] = [
            [6, 0, big, big, big, big, 9, 3, 2, 5, 5, 7, 3, 0, 4, 3],
            [
                -big, -big, 0, 6, 9, 4, 4, 9, 7, 5, 1, 8, -big, -big, 3, 5, 2, 0, 2, 7, 6, 1, 8, 4, 7, 7, 2, 3, 6, 2, 5,
                big, big, 8, 6, 9,
            ],
        ]
        for y in curves {
            let n = y.count
            var out = [Double](repeating: 0, count: n)
            let (peak, lowest) = y.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { CurveScans.movingAverage(input, window: 5, into: $0) }
            }
            let scanned = out.withUnsafeBufferPointer {
                (CurveScans.firstMaximum($0), CurveScans.minimum($0, from: 0, to: n))
            }
            #expect(peak == scanned.0 && lowest == scanned.1, "n \(n): \(peak), \(lowest) against \(scanned)")
        }
    }

    // Features need at least 3 samples (one-sided intervals at both ends need 2).
    @Test("the first-moment sums equal a plain loop, with any arrival time", arguments: lengths.filter { $0 >= 2 })
    func moment(n: Int) {
        let y = Self.values(n, seed: UInt64(n) + 11)
        // Uneven, increasing times.
        var t: [Double] = []
        var now = 0.25
        for i in 0..<n {
            t.append(now)
            now += 0.1 + Double(i % 5) * 0.07
        }
        let base = 3.0
        for arrival in [-1.0, t[0], t[n / 2], t[n - 1]] {
            var weight = 0.0
            var moment = 0.0
            for i in 0..<n where t[i] > arrival {
                let e = max(y[i] - base, 0)
                let dt = i + 1 < n ? (t[i + 1] - t[max(i - 1, 0)]) / 2 : t[i] - t[i - 1]
                weight += e * dt
                moment += e * dt * t[i]
            }
            let got = t.withUnsafeBufferPointer { tp in
                y.withUnsafeBufferPointer { CurveScans.moment(tp, $0, base: base, after: arrival) }
            }
            // Four partial sums instead of one: the same terms, rounded differently (1e-12 relative).
            #expect(abs(got.weight - weight) <= 1e-12 * max(1, abs(weight)), "n \(n) arrival \(arrival)")
            #expect(abs(got.moment - moment) <= 1e-12 * max(1, abs(moment)), "n \(n) arrival \(arrival)")
        }
    }

    @Test("evenly spaced indices equal j * span / count")
    func evenlySpaced() {
        var out = [Double](repeating: -1, count: 64)
        for span in [0, 1, 5, 31, 32, 63, 64, 65, 299, 3000] {
            for count in [1, 2, 7, 32, 64] {
                out.withUnsafeMutableBufferPointer {
                    CurveScans.evenlySpaced(count, over: span, into: $0) { Double($0) }
                }
                for j in 0..<count { #expect(out[j] == Double(j * span / count), "span \(span) count \(count) j \(j)") }
            }
        }
    }

    /// Curves on a few levels (0 ... 3, floor 0, range 3: "high" is above 1.5, "low" below 0.75), so that falls from
    /// high to low, single dark frames and recoveries after one or two samples all occur at every lane position.
    @Test("the flash search finds the first flash a plain loop finds", arguments: lengths)
    func flashIndex(n: Int) {
        for seed in [UInt64(n), UInt64(7 * n + 1), UInt64(13 * n + 5)] {
            var rng = TestRandomLite(seed: seed)
            let y = (0..<n).map { _ in Double(rng.next() % 4) }
            y.withUnsafeBufferPointer { p in
                for from in Set([1, 2, 3, 4, n / 3, n - 3]) where from >= 1 && from < n {
                    var plain: Int? = nil
                    var i = from
                    while i + 2 < n {
                        if y[i - 1] > 1.5 && y[i] < 0.75 && y[i + 1] < 0.75 && y[i + 2] < 0.75 {
                            plain = i
                            break
                        }
                        i += 1
                    }
                    #expect(
                        CurveFeatures.flashIndex(p, from: from, floor: 0, range: 3) == plain,
                        "n \(n) seed \(seed) from \(from)")
                }
            }
        }
    }

    @Test("a curve is finite unless one of its values is NaN or infinite, wherever it sits")
    func allFinite() {
        for n in [0, 1, 3, 4, 5, 8, 31, 300] {
            let y = (0..<n).map { Double($0) * 1.5e300 / Double(max(n, 1)) - 7e299 }
            #expect(LevenbergMarquardt.allFinite(y), "n \(n)")
            for bad in [Double.nan, .infinity, -.infinity] {
                for at in Set([0, n / 2, n - 1]) where at >= 0 && at < n {
                    var z = y
                    z[at] = bad
                    #expect(!LevenbergMarquardt.allFinite(z), "n \(n), \(bad) at \(at)")
                }
            }
        }
        // Large finite values whose differences overflow nothing: x - x is 0 for every finite x.
        #expect(LevenbergMarquardt.allFinite([.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, 2, 3]))
    }
}
