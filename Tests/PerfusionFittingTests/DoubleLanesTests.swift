import Foundation
import Testing

@testable import PerfusionFitting

/// The four-lane `exp` and `log` against the C library's, in units in the last place of the result, over the
/// ranges the QOF meets (log of times since the appearance time, exp of a Gaussian exponent) and beyond.
@Suite("Four-lane exp and log in double precision")
struct DoubleLanesTests {
    /// |got - want| in units of the last place of want.
    static func ulps(_ got: Double, _ want: Double) -> Double {
        if got == want { return 0 }
        return abs(got - want) / want.ulp
    }

    /// The largest error over 50,000 draws of four arguments (`arguments` maps two uniform numbers in [0, 1) to
    /// them) of the lanes' function against the C library's.
    static func worstError(
        seed: UInt64, arguments: (Double, Double) -> SIMD4<Double>, lanes: (SIMD4<Double>) -> SIMD4<Double>,
        reference: (Double) -> Double
    ) -> Double {
        var rng = TestRandomLite(seed: seed)
        var worst = 0.0
        for _ in 0..<50_000 {
            let a = Double(rng.next() % 1_000_000) / 1_000_000
            let b = Double(rng.next() % 1_000_000) / 1_000_000
            let x = arguments(a, b)
            let got = lanes(x)
            for lane in 0..<4 { worst = max(worst, ulps(got[lane], reference(x[lane]))) }
        }
        return worst
    }

    @Test("log is within one unit in the last place of the C library's, from 1e-300 to 1e300")
    func logAccuracy() {
        let worst = Self.worstError(
            seed: 17,
            arguments: { a, b in
                let x = Foundation.pow(10, -300 + 600 * a)
                return SIMD4(x, b + 0.5, x * 1.000_001, 1 / x)
            }, lanes: DoubleLanes.log, reference: { Foundation.log($0) })
        // fdlibm's reduction is below 1 ulp; the C library's own answer may be off by up to about half an ulp.
        #expect(worst <= 1, "worst \(worst) ulp")
        let special = DoubleLanes.log(SIMD4(1, 2, 0.5, Double.leastNormalMagnitude))
        #expect(special[0] == 0 && special[1] == Foundation.log(2.0) && special[2] == -Foundation.log(2.0))
        #expect(Self.ulps(special[3], Foundation.log(Double.leastNormalMagnitude)) <= 1)
    }

    @Test("exp is within one unit in the last place of the C library's, from 0 down to underflow")
    func expAccuracy() {
        let worst = Self.worstError(
            seed: 23, arguments: { a, b in SIMD4(-a * 700, -b * 20, -a, -b * 1e-6) }, lanes: DoubleLanes.exp,
            reference: { Foundation.exp($0) })
        #expect(worst <= 1, "worst \(worst) ulp")
        let special = DoubleLanes.exp(SIMD4(0, -0.0, -746, -1e10))
        #expect(special == SIMD4(1, 1, 0, 0))
        #expect(DoubleLanes.exp(SIMD4(.nan, -1, -.infinity, -2))[0].isNaN)
        #expect(DoubleLanes.exp(SIMD4(.nan, -1, -.infinity, -2))[2] == 0)
        // Subnormal results: within one ulp of the subnormal spacing.
        let small = DoubleLanes.exp(SIMD4(-709, -720, -740, -744))
        for (lane, z) in [-709.0, -720, -740, -744].enumerated() {
            #expect(abs(small[lane] - Foundation.exp(z)) <= Double.leastNonzeroMagnitude, "exp(\(z))")
        }
    }
}

/// The lognormal model's residual sum in lanes against the sum written out here with the C library's functions, on
/// curves that start before the appearance time, sample every few frames or densely, and one whose times put a
/// subnormal distance from t0 in a block (taken one sample at a time).
@Test("the lognormal residual sum in lanes equals the scalar sum to 1e-12 relative")
func lognormalResidualSum() {
    var rng = TestRandomLite(seed: 31)
    let model = LognormalModel()
    func reference(_ t: [Double], _ y: [Double], _ p: ParameterVector) -> Double {
        var sum = 0.0
        for (ti, yi) in zip(t, y) {
            let x = ti - p[3]
            var f = p[4]
            if x > 0 {
                let l = Foundation.log(x) - p[1]
                f += p[0] * Foundation.exp(-l * l / (2 * p[2] * p[2])) / (x * p[2] * (2 * Double.pi).squareRoot())
            }
            sum += (yi - f) * (yi - f)
        }
        return sum
    }
    var cases: [([Double], [Double], ParameterVector)] = []
    for k in 0..<40 {
        let n = [3, 4, 7, 9, 100, 301][k % 6]
        let t = (0..<n).map { 0.3 * Double($0) + 0.01 * Double(k) }
        let p = ParameterVector(
            10 + Double(rng.next() % 100), 1.5 + Double(rng.next() % 100) / 50, 0.2 + Double(rng.next() % 100) / 60,
            Double(rng.next() % 10), 0.5, 0, 0, 0)
        let y = t.map { model.value(at: $0, parameters: p) + Double(rng.next() % 1000) / 5000 - 0.1 }
        cases.append((t, y, p))
    }
    // t0 a subnormal distance before the first sample.
    let t = [0, 1, 2, 3, 4, 5, 6, 7].map { Double($0) }
    let p = ParameterVector(5, 1, 0.5, -1e-310, 0.2, 0, 0, 0)
    cases.append((t, t.map { _ in 1 }, p))
    for (t, y, p) in cases {
        let got = model.residualSumOfSquares(CurveSamples(times: t, values: y), parameters: p)
        let want = reference(t, y, p)
        // Terms within a few units in the last place, summed in another order: 1e-12 leaves room for the far tails,
        // where an error of log x is multiplied by l / sigma^2 but the term is small.
        #expect(abs(got - want) <= 1e-12 * want, "n \(t.count): \(got) against \(want)")
    }
}
