/// `exp` and `log` of four `Double`s at a time, for sums over a curve's samples in double precision (the QOF's
/// residual sum), where the C library's scalar functions cost more than the fit.
///
/// Both follow the classic reductions of Sun's fdlibm (`e_exp.c`, `e_log.c`), whose published constants they use:
/// an error below one unit in the last place, tested against the C library over the ranges the models meet. Every lane
/// does the same operations, so a lane's result does not depend on its neighbours.
enum DoubleLanes {
    typealias Lanes = SIMD4<Double>

    static let ln2High = 6.931_471_803_691_238_164_90e-01
    static let ln2Low = 1.908_214_929_270_587_700_02e-10

    /// `exp(z)` for `z <= 0` (larger `z` are not reduced correctly; the models' Gaussian exponents are never
    /// positive). Below -746 the result is 0, as the double nearest `exp(z)` is; NaN gives NaN.
    ///
    /// z = k ln 2 + r with |r| <= ln 2 / 2; exp(r) = 1 + r + r c / (2 - c), c = r - r^2 (P1 + r^2 (P2 + ... P5));
    /// then 2^k in two halves, each a normal power of two, so that results down to the subnormals round once.
    @inline(__always)
    static func exp(_ input: Lanes) -> Lanes {
        // NaN is reduced as -746 and comes back at the end.
        let z = input.replacing(with: -746, where: .!(input .>= -746))
        // k = z / ln 2 rounded to the nearest integer (ties to even), by adding and subtracting 1.5 2^52: the sum's
        // low bits are k in two's complement.
        let shifted = z * 1.442_695_040_888_963_387_00 + magic
        let k = shifted - magic
        let high = z - k * ln2High
        let low = k * ln2Low
        let r = high - low
        let t = r * r
        var p =
            t * Lanes(repeating: 4.138_136_797_057_238_460_39e-08) + Lanes(repeating: -1.653_390_220_546_525_153_90e-06)
        p = t * p + Lanes(repeating: 6.613_756_321_437_934_361_17e-05)
        p = t * p + Lanes(repeating: -2.777_777_777_701_559_338_42e-03)
        p = t * p + Lanes(repeating: 1.666_666_666_666_660_190_37e-01)
        let c = r - t * p
        let y = 1 - ((low - (r * c) / (2 - c)) - high)
        // 2^k as 2^(k - k/2) 2^(k/2): k >= -1077, so each half is at least -539, a normal power of two.
        let k64 = unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- magicBits
        let half = k64 &>> 1
        return (y * power(k64 &- half) * power(half)).replacing(with: .nan, where: input .!= input)
    }

    /// 1.5 2^52, and its bits: adding it to a double below 2^51 in magnitude leaves the nearest integer in the low
    /// bits of the sum.
    static let magic = Lanes(repeating: 6_755_399_441_055_744)
    static let magicBits = SIMD4<Int64>(repeating: 0x4338_0000_0000_0000)

    /// 2^k for -1022 <= k <= 1023, from the exponent bits.
    @inline(__always)
    static func power(_ k: SIMD4<Int64>) -> Lanes {
        unsafeBitCast((k &+ 1023) &<< 52, to: Lanes.self)
    }

    /// `log(x)` for positive normal `x` (lanes that are zero, negative, subnormal, infinite or NaN give meaningless
    /// values: the caller masks them or takes them one at a time).
    ///
    /// x = 2^e m with m in [sqrt(2)/2, sqrt(2)); f = m - 1, s = f / (2 + f),
    /// log(1 + f) = f - (f^2/2 - s (f^2/2 + R)), R = s^2 (Lg1 + s^2 (Lg2 + ... Lg7)).
    @inline(__always)
    static func log(_ x: Lanes) -> Lanes {
        let bits = unsafeBitCast(x, to: SIMD4<Int64>.self)
        // Mantissa with the exponent of 1 (m in [1, 2)); above sqrt(2) it is halved and the exponent raised. The
        // biased exponent becomes a double by the same 1.5 2^52 as in exp.
        let mantissa = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: Lanes.self)
        let biased = unsafeBitCast((bits &>> 52) &+ magicBits, to: Lanes.self) - magic
        let large = mantissa .> 1.414_213_562_373_095_048_80
        let m = mantissa.replacing(with: mantissa * 0.5, where: large)
        let e = biased - Lanes(repeating: 1023).replacing(with: 1022, where: large)
        let f = m - 1
        let s = f / (2 + f)
        let z = s * s
        let w = z * z
        // fdlibm's Lg1 ... Lg7, the even ones (t1) and the odd ones (t2) in w = s^4.
        var t1 = w * Lanes(repeating: 1.531_383_769_920_937_332e-01) + Lanes(repeating: 2.222_219_843_214_978_396e-01)
        t1 = w * (w * t1 + Lanes(repeating: 3.999_999_999_940_941_908e-01))
        var t2 = w * Lanes(repeating: 1.479_819_860_511_658_591e-01) + Lanes(repeating: 1.818_357_216_161_805_012e-01)
        t2 = w * t2 + Lanes(repeating: 2.857_142_874_366_239_149e-01)
        t2 = z * (w * t2 + Lanes(repeating: 6.666_666_666_666_735_130e-01))
        let r = t2 + t1
        let hfsq = 0.5 * f * f
        return e * ln2High - ((hfsq - (s * (hfsq + r) + e * ln2Low)) - f)
    }
}
