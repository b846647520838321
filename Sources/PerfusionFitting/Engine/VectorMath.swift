/// Vectorized `exp` and `log` for the `Float` lanes of ``SampleLanes``, branch-free, using only operations that compile to
/// vector instructions (the standard library's `exp`/`log` on SIMD types call the scalar function per lane).
///
/// Both reduce the argument with the binary exponent and evaluate a short polynomial (Cephes-style
/// coefficients, minimax on the reduced range). Accuracy, tested against `Double` functions in
/// `VectorMathTests`: relative error below 2e-7 for exp on [-87, 88] and absolute error below 2e-7 for log
/// on [1e-30, 1e30]. Clamps are comparisons feeding `replacing(with:where:)`, which compile to a vector
/// compare and a blend (with AVX-512 a mask register and one masked move).
///
/// Reference: S. L. Moshier, "Methods and Programs for Mathematical Functions" (Cephes library, 1989);
/// J.-M. Muller, "Elementary Functions: Algorithms and Implementation", 3rd ed. (2016), ch. 11.
enum VectorMath {
    typealias Vector = SampleLanes

    /// `exp(x)`, with x clamped to [-87.3, 88.3] (the finite range of Float).
    ///
    ///     x = n ln 2 + r, |r| <= ln 2 / 2;  exp(x) = 2^n * P(r)
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let high = Vector(repeating: 88.3)
        let low = Vector(repeating: -87.3)
        let clamped = x.replacing(with: high, where: x .> high)
        return expCore(clamped.replacing(with: low, where: clamped .< low))
    }

    /// `exp(x)` for x in [-87.3, 88.3].
    @inline(__always)
    static func expCore(_ x: Vector) -> Vector {
        // Round x / ln 2 to the nearest integer by adding 1.5 * 2^23 (round-to-nearest of the FPU).
        let magic = Vector(repeating: 12_582_912)
        let shifted = x * Vector(repeating: 1.442_695_04) + magic
        let n = shifted - magic
        // r = x - n ln 2, with ln 2 split in two for accuracy.
        var r = x - n * Vector(repeating: 0.693_359_375)
        r = r + n * Vector(repeating: 2.121_944_4e-4)
        // P(r) = 1 + r + r^2 (c0 + c1 r + c2 r^2 + c3 r^3 + c4 r^4 + c5 r^5), by Estrin's scheme: three
        // independent pairs instead of one chain of six (the loop is latency-bound).
        let r2 = r * r
        let r4 = r2 * r2
        let a = fma(r, Vector(repeating: 1.666_666_5e-1), Vector(repeating: 5e-1))
        let b = fma(r, Vector(repeating: 8.333_452e-3), Vector(repeating: 4.166_579_6e-2))
        let c = fma(r, Vector(repeating: 1.987_569_1e-4), Vector(repeating: 1.398_199_9e-3))
        let poly = fma(r4, c, fma(r2, b, a))
        let p = fma(r2, poly, r + Vector(repeating: 1))
        // 2^n from the integer in the low mantissa bits of `shifted`.
        let bits = unsafeBitCast(shifted, to: SIMD16<UInt32>.self) &- unsafeBitCast(magic, to: SIMD16<UInt32>.self)
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: Vector.self)
        return p * scale
    }

    /// `exp(x)` for x <= 0 (a Gaussian's exponent): as ``exp(_:)`` with only the lower clamp.
    @inline(__always)
    static func expOfNonPositive(_ x: Vector) -> Vector {
        expCore(x.replacing(with: Vector(repeating: -87.3), where: x .< Vector(repeating: -87.3)))
    }

    /// `a * b + c`, fused into one instruction in builds for CPUs with FMA (the Makefile's release builds
    /// define `ECHOFLOW_FMA` together with `-target-cpu native`); two instructions otherwise, because Swift
    /// does not contract `a * b + c` and `addingProduct` becomes a per-lane library call without FMA.
    @inline(__always)
    static func fma(_ a: Vector, _ b: Vector, _ c: Vector) -> Vector {
        #if ECHOFLOW_FMA
            return c.addingProduct(a, b)
        #else
            return a * b + c
        #endif
    }

    /// Exact conversion of small integers (|e| < 2^22) to Float without the per-lane conversion call:
    /// the integer is added into the mantissa of 1.5 * 2^23, which is then subtracted.
    @inline(__always)
    static func toFloat(_ e: LaneMask) -> Vector {
        unsafeBitCast(e &+ 0x4B40_0000, to: Vector.self) - Vector(repeating: 12_582_912)
    }

    /// `log(x)` for x > 0 (finite, normal). Results for zero, negative or subnormal input are unspecified.
    ///
    ///     x = m 2^e, m in [sqrt(1/2), sqrt(2));  log(x) = e ln 2 + log(m), log(m) = f - f^2/2 + f^3 Q(f), f = m - 1
    @inline(__always)
    static func log(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: LaneMask.self)
        // Subtracting the bits of sqrt(1/2) centres the mantissa range on 1.
        let offset = bits &- 0x3F35_04F3
        let e = offset &>> 23
        let mantissa = unsafeBitCast((offset & 0x007F_FFFF) &+ 0x3F35_04F3, to: Vector.self)
        let f = mantissa - Vector(repeating: 1)
        let ef = toFloat(e)
        let f2 = f * f
        let f4 = f2 * f2
        let f8 = f4 * f4
        // Q(f) = c0 + c1 f + ... + c8 f^8 by Estrin's scheme.
        let q01 = fma(f, Vector(repeating: -2.499_999_4e-1), Vector(repeating: 3.333_333_1e-1))
        let q23 = fma(f, Vector(repeating: -1.666_805_8e-1), Vector(repeating: 2.000_071_5e-1))
        let q45 = fma(f, Vector(repeating: -1.242_014_1e-1), Vector(repeating: 1.424_932_3e-1))
        let q67 = fma(f, Vector(repeating: -1.151_461e-1), Vector(repeating: 1.167_699_9e-1))
        let q03 = fma(f2, q23, q01)
        let q47 = fma(f2, q67, q45)
        let q = fma(f8, Vector(repeating: 7.037_683_6e-2), fma(f4, q47, q03))
        var y = q * (f2 * f)
        y = fma(ef, Vector(repeating: -2.121_944_4e-4), y)
        y = fma(Vector(repeating: -0.5), f2, y)
        return f + y + ef * Vector(repeating: 0.693_359_375)
    }
}
