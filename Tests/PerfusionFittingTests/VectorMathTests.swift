import Foundation
import Testing

@testable import PerfusionFitting

@Suite("Vectorized exp and log")
struct VectorMathTests {
    @Test("exp agrees with the double-precision function over the whole Float range")
    func expAccuracy() {
        var worst = 0.0
        var x = -87.0
        while x < 88 {
            let lanes = VectorMath.Vector((0..<sampleLaneCount).map { Float(x + Double($0) * 0.0137) })
            let got = VectorMath.exp(lanes)
            for i in 0..<sampleLaneCount {
                let exact = Foundation.exp(Double(lanes[i]))
                worst = max(worst, abs(Double(got[i]) - exact) / exact)
            }
            x += 0.0791
        }
        // Float has 2^-24 = 6e-8 relative resolution; the polynomial and 2^n scaling add a few ulps.
        #expect(worst < 2e-7, "worst relative error \(worst)")
    }

    @Test("the exp of a Gaussian's exponent agrees with exp on [-87, 0] and clamps below, never to NaN")
    func expOfNonPositive() {
        var worst = 0.0
        var x = -87.0
        while x < 0 {
            let lanes = VectorMath.Vector((0..<sampleLaneCount).map { Float(min(0, x + Double($0) * 0.0137)) })
            let got = VectorMath.expOfNonPositive(lanes)
            let full = VectorMath.exp(lanes)
            for i in 0..<sampleLaneCount {
                let exact = Foundation.exp(Double(lanes[i]))
                worst = max(worst, abs(Double(got[i]) - exact) / exact)
                #expect(got[i] == full[i], "x \(lanes[i])")
            }
            x += 0.0791
        }
        #expect(worst < 2e-7, "worst relative error \(worst)")
        // Far tails (a sample many sigma from the bolus): tiny and finite, as the full exp clamps them.
        let tails = VectorMath.expOfNonPositive(VectorMath.Vector(repeating: -1e6))
        #expect(tails[0] >= 0 && tails[0] < 1e-37)
    }

    @Test("log agrees with the double-precision function from 1e-30 to 1e30")
    func logAccuracy() {
        var worst = 0.0
        var x = 1e-30
        while x < 1e30 {
            let lanes = VectorMath.Vector((0..<sampleLaneCount).map { Float(x * (1 + Double($0) * 0.093)) })
            let got = VectorMath.log(lanes)
            for i in 0..<sampleLaneCount {
                let exact = Foundation.log(Double(lanes[i]))
                worst = max(worst, abs(Double(got[i]) - exact) / max(1, abs(exact)))
            }
            x *= 1.0137
        }
        // Absolute error near log(1) = 0 (relative elsewhere), a few Float ulps.
        #expect(worst < 2e-7, "worst error \(worst)")
    }

    @Test("exp clamps instead of overflowing")
    func expClamps() {
        let got = VectorMath.exp(
            VectorMath.Vector([-1000, -100, 100, 1000, 0, 1, -1, 88, -87.3, 88.3, 1e-8, -1e-8, 50, -50, 10, -10]))
        #expect(got[0] >= 0 && got[0] < 1e-37)
        #expect(got[3].isFinite && got[3] > 1e38)
        #expect(got[4] == 1)
    }
}

@Suite("Curve features")
struct CurveFeaturesTests {
    /// Up to 64 values take the rank median, more the selection; values from 1,000 levels (few ties) and from
    /// 5 (mostly ties, where a rank count that mishandled equal values would pick the wrong one).
    @Test(
        "the median equals the sorted median, with and without ties",
        arguments: [1, 2, 3, 10, 11, 31, 32, 33, 63, 64, 65, 101, 300])
    func median(count: Int) {
        for levels in [1000, 5] {
            var rng = TestRandomLite(seed: UInt64(count * levels))
            let values = (0..<count).map { _ in Double(rng.next() % UInt64(levels)) / 7 }
            let sorted = values.sorted()
            let expected = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
            var copy = values
            #expect(copy.withUnsafeMutableBufferPointer { CurveFeatures.median($0) } == expected, "levels \(levels)")
        }
        // Negative values and both signs of zero rank like any others.
        let signed = (0..<count).map { Double(($0 * 37) % 11) - 5 }
        let sorted = signed.sorted()
        let expected = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
        var copy = signed
        #expect(copy.withUnsafeMutableBufferPointer { CurveFeatures.median($0) } == expected, "signed")
    }
}

/// The sampling selection narrows to brackets and falls back on ties: every count it takes, on inputs that make the
/// narrowing take each of its turns (distinct values, sorted and reversed runs, values with few levels, one value
/// repeated around the median, infinities), against the sorted median.
@Test("the rank median equals the sorted median for every count up to 64 and awkward orders")
func rankMedianAgainstSorting() {
    var rng = TestRandomLite(seed: 99)
    func sortedMedian(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    for count in 1...CurveFeatures.rankLimit {
        var inputs: [[Double]] = []
        for _ in 0..<20 { inputs.append((0..<count).map { _ in Double(rng.next() % 1_000_000) / 3 }) }
        for levels in [2, 3, 7] {
            inputs.append((0..<count).map { _ in Double(rng.next() % UInt64(levels)) })
        }
        let ramp = (0..<count).map { Double($0) * 0.5 - 3 }
        inputs.append(ramp)
        inputs.append(ramp.reversed())
        inputs.append([Double](repeating: 2.5, count: count))
        // A block of equal values around the median, the rest spread on both sides.
        inputs.append(
            (0..<count).map { (i: Int) -> Double in
                if i % 3 == 0 { return 7 }
                return i % 2 == 0 ? Double(i) + 100 : -Double(i)
            })
        inputs.append(
            (0..<count).map { (i: Int) -> Double in
                if i % 5 == 0 { return .infinity }
                return i % 7 == 0 ? -.infinity : Double(i % 9)
            })
        inputs.append((0..<count).map { (i: Int) -> Double in i < count / 2 ? .infinity : Double(i) })
        for values in inputs {
            let got = values.withUnsafeBufferPointer { CurveFeatures.rankMedian($0) }
            let expected = sortedMedian(values)
            #expect(got == expected || got.isNaN && expected.isNaN, "count \(count): \(values)")
        }
    }
}

/// Which zero the median is, when +0 and -0 tie at the middle: the one a scan with `Swift.max` in index order
/// keeps (the last of the tied values), as the one-value-at-a-time pick did before the lanes. A pick that takes the
/// lanes' maximum without looking at zeros gives the other sign on some of these inputs.
@Test("the rank median keeps the sign of zero a scan in index order gives")
func rankMedianSignedZeros() {
    var rng = TestRandomLite(seed: 7)
    /// The last value in index order equal to the k-th smallest.
    func lastTied(_ v: [Double], _ k: Int) -> Double {
        let target = v.sorted()[k]
        return v.last { $0 == target }!
    }
    for count in 1...CurveFeatures.rankLimit {
        for _ in 0..<40 {
            // Mostly zeros of both signs, some values on each side.
            let values = (0..<count).map { _ -> Double in
                switch rng.next() % 6 {
                case 0: -1.5
                case 1: 2.25
                case 2, 3: -0.0
                default: 0.0
                }
            }
            let got = values.withUnsafeBufferPointer { CurveFeatures.rankMedian($0) }
            let k = count / 2
            let expected = count % 2 == 1 ? lastTied(values, k) : (lastTied(values, k - 1) + lastTied(values, k)) / 2
            #expect(got.bitPattern == expected.bitPattern, "count \(count): \(values)")
        }
    }
}

/// The noise check decides most curves by counting differences below a level instead of taking their median: it must
/// give what the median gives, also when the ratio at the median lies within a few roundings of the minimum (where a
/// level set without its margin, or a count off by one at the middle, would let a curve through that the median
/// rejects).
@Test("the noise check by counting equals the ratio at the median, at and around the minimum")
func faintPeakOverNoiseAgainstMedian() {
    var rng = TestRandomLite(seed: 7)
    var cleared = 0
    var faint = 0
    for count in [2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64] {
        for round in 0..<40 {
            // Absolute differences: spread values, or few levels (ties at the middle), or some zeros.
            var values: [Double] = (0..<count).map { _ in Double(rng.next() % 100_000) / 997 }
            if round % 4 == 1 { values = values.map { ($0 * 3).rounded(.down) } }
            if round % 4 == 2 { values = values.enumerated().map { $0.offset % 3 == 0 ? 0 : $0.element } }
            let sorted = values.sorted()
            let median = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
            let window = [3, 9, 11, 21][round % 4]
            // Enhancements that put the ratio at the median just below, at and just above 5, and far on both sides.
            let atMinimum =
                5 * (median / (0.674_489_75 * 2.0.squareRoot())) / Double(window).squareRoot()
            var enhancements = [atMinimum * 0.5, atMinimum * 2, 0, -1]
            var e = atMinimum
            for _ in 0..<4 { e = e.nextDown }
            for _ in 0..<9 {
                enhancements.append(e)
                e = e.nextUp
            }
            for enhancement in enhancements {
                let ratio = CurveFeatures.peakOverNoise(
                    enhancement: enhancement, medianDifference: median, window: window)
                let expected: Double? = ratio >= 5 ? nil : ratio
                var copy = values
                let got = copy.withUnsafeMutableBufferPointer {
                    CurveFeatures.faintPeakOverNoise($0, enhancement: enhancement, window: window)
                }
                #expect(got == expected, "count \(count), enhancement \(enhancement), median \(median)")
                if expected == nil { cleared += 1 } else { faint += 1 }
            }
        }
    }
    // Both outcomes occur often, so each path is exercised.
    #expect(cleared > 1000 && faint > 1000, "cleared \(cleared), faint \(faint)")
}

/// The count in eight lanes ends with an overlapping load that must count only the samples it has not seen.
@Test("counting at or below a level equals a plain count for every length up to 70")
func countAtOrBelowAgainstPlainCount() {
    var rng = TestRandomLite(seed: 11)
    for count in 0...70 {
        let values = (0..<count).map { _ in Double(rng.next() % 10) }
        for level in [-1.0, 0, 4, 4.5, 9, 10] {
            let got = values.withUnsafeBufferPointer { CurveFeatures.countAtOrBelow(level, $0) }
            #expect(got == values.filter { $0 <= level }.count, "count \(count), level \(level)")
        }
    }
}

struct TestRandomLite {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}

@Suite("Inverse diagonal")
struct SmallKernelTests {
    @Test("the packed upper triangle of the inverse equals the full inverse")
    func inverseUpper() throws {
        let rows: [ParameterVector] = [
            ParameterVector(6, 2, 1, 0, 1, 0, 0, 0), ParameterVector(2, 5, 2, 1, 0, 0, 0, 0),
            ParameterVector(1, 2, 7, 2, 1, 0, 0, 0), ParameterVector(0, 1, 2, 4, 1, 0, 0, 0),
            ParameterVector(1, 0, 1, 1, 3, 0, 0, 0),
        ]
        let inverse = try #require(SymmetricSolver.inverse(rows, n: 5))
        let upper = try #require(SymmetricSolver.withMatrix(rows, n: 5) { SymmetricSolver.inverseUpper($0, n: 5) })
        let packed = ParameterCovariance(packed: upper)
        // Both from the same Cholesky factor: agreement to rounding (1e-13 on entries of order 0.1-1).
        for i in 0..<5 { for j in 0..<5 { #expect(abs(packed[i, j] - inverse[i][j]) < 1e-13, "(\(i), \(j))") } }
    }
}
