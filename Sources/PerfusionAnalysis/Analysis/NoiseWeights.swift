/// How the residuals of a fit are weighted.
public enum FitWeighting: String, CaseIterable, Sendable {
    /// Weights from the curve's own noise (var = a + b m^2 around its running median; docs/METHODS.md §5): the default.
    case noise
    /// Ordinary least squares, every sample weight 1 (what SciPy's `curve_fit` does without `sigma`).
    case none
}

/// Residual weights for a curve from its own noise, so that a fit weights each sample by how precisely it is
/// known.
///
/// The noise of a linearized CEUS curve grows with the signal: speckle and frame-to-frame fluctuation multiply the
/// echo power (G. Barrois et al., "A multiplicative model for improving microvascular flow estimation in dynamic
/// contrast-enhanced ultrasound", IEEE TUFFC 60 (2013)), and electronic noise and display quantization add a floor. The variance of sample i is modelled as
///
///     var(y_i) = a + b m_i^2,
///
/// with `m` the curve's 9-sample running median (the window shrinks at the ends; an even count takes the mean of
/// the two middle values). `a` and `b` come from an ordinary least-squares line through the points
/// `(m_i^2, (y_i - m_i)^2)`; when the intercept comes out negative the line is refitted through the origin. The
/// weights are
///
///     w_i = 1 / sqrt(m_i^2 + f^2),   f^2 = max(a / b, (0.01 R)^2),
///
/// scaled so that the mean of `w_i^2` is 1, with `R` the range of `m`: the floor `f` keeps a sample near zero from
/// outweighing the peak by more than about 100 to 1. Without evidence that the noise grows with the signal (slope
/// `b` not positive, fewer than 30 samples, a flat running median) the weights are all 1 and the fit is ordinary
/// least squares. Weighted least squares with a variance function estimated from the data is generalized least
/// squares in the sense of Carroll & Ruppert, "Transformation and weighting in regression" (1988), ch. 2.
///
/// Every model fitted to a curve gets the same weights, so their AIC values stay comparable.
enum NoiseWeights {
    /// Half the running median's window (samples).
    static let halfWindow = 4
    /// Curves shorter than this are fitted unweighted: too few residuals to estimate two variance terms.
    static let minimumSamples = 30
    /// Smallest floor `f`, relative to the running median's range.
    static let minimumFloor = 0.01

    /// The variance model of a curve: its running median `m` and the floor `f` (a.u.), so that
    /// `var(y_i)` is proportional to `m_i^2 + f^2`.
    struct Estimate {
        let median: [Double]
        let floor: Double
        /// Range of the running median (a.u.).
        let range: Double
    }

    /// The weights of `values`, or nil for ordinary least squares.
    static func weights(_ values: [Double]) -> [Double]? {
        guard let estimate = estimate(values) else { return nil }
        let n = values.count
        let floorSquared = estimate.floor * estimate.floor
        var w = [Double](repeating: 0, count: n)
        var meanSquare = 0.0
        // Four samples at a time: the square roots and divisions in lanes (each lane the scalar operation, so the
        // same values), the mean square still summed one sample after the other, in order.
        estimate.median.withUnsafeBufferPointer { m in
            w.withUnsafeMutableBufferPointer { w in
                var i = 0
                while i + 4 <= n {
                    let mi = UnsafeRawPointer(m.baseAddress! + i).loadUnaligned(as: SIMD4<Double>.self)
                    let v = mi * mi + floorSquared
                    UnsafeMutableRawPointer(w.baseAddress! + i).storeBytes(
                        of: 1 / v.squareRoot(), as: SIMD4<Double>.self)
                    let r = 1 / v
                    meanSquare += r[0]
                    meanSquare += r[1]
                    meanSquare += r[2]
                    meanSquare += r[3]
                    i += 4
                }
                while i < n {
                    let v = m[i] * m[i] + floorSquared
                    w[i] = 1 / v.squareRoot()
                    meanSquare += 1 / v
                    i += 1
                }
            }
        }
        let scale = 1 / (meanSquare / Double(n)).squareRoot()
        guard scale.isFinite, scale > 0 else { return nil }
        for i in 0..<n { w[i] *= scale }
        return w
    }

    /// The variance model of `values`, or nil when the curve gives no evidence that its noise grows with the signal.
    static func estimate(_ values: [Double]) -> Estimate? {
        let n = values.count
        guard n >= minimumSamples, values.allSatisfy(\.isFinite) else { return nil }
        let m = runningMedian(values)
        var (low, high) = (Double.infinity, -Double.infinity)
        for v in m {
            low = min(low, v)
            high = max(high, v)
        }
        let range = high - low
        guard range > 0 else { return nil }
        // The line z = a + b x through x_i = m_i^2, z_i = (y_i - m_i)^2.
        var (sx, sz) = (0.0, 0.0)
        for i in 0..<n {
            let e = values[i] - m[i]
            sx += m[i] * m[i]
            sz += e * e
        }
        let (mx, mz) = (sx / Double(n), sz / Double(n))
        var (sxx, sxz, sxxOrigin, sxzOrigin) = (0.0, 0.0, 0.0, 0.0)
        for i in 0..<n {
            let e = values[i] - m[i]
            let x = m[i] * m[i]
            let z = e * e
            sxx += (x - mx) * (x - mx)
            sxz += (x - mx) * (z - mz)
            sxxOrigin += x * x
            sxzOrigin += x * z
        }
        guard sxx > 0, sxxOrigin > 0 else { return nil }
        var b = sxz / sxx
        var a = mz - b * mx
        if a < 0 {
            a = 0
            b = sxzOrigin / sxxOrigin
        }
        guard b > 0, b.isFinite else { return nil }
        let floorSquared = max(a / b, minimumFloor * minimumFloor * range * range)
        guard floorSquared.isFinite else { return nil }
        return Estimate(median: m, floor: floorSquared.squareRoot(), range: range)
    }

    /// Running median over `2 halfWindow + 1` samples, the window cut at the ends.
    ///
    /// Inside, four windows at a time (``median9Lanes(_:)``), the rest one at a time (``median9(_:)``); at the ends
    /// an insertion sort of the cut window.
    static func runningMedian(_ values: [Double]) -> [Double] {
        let n = values.count
        var out = [Double](repeating: 0, count: n)
        var window = [Double](repeating: 0, count: 2 * halfWindow + 1)
        values.withUnsafeBufferPointer { y in
            out.withUnsafeMutableBufferPointer { o in
                var i = halfWindow
                while i + 4 <= n - halfWindow {
                    UnsafeMutableRawPointer(o.baseAddress! + i).storeBytes(
                        of: median9Lanes(y.baseAddress! + i - halfWindow), as: SIMD4<Double>.self)
                    i += 4
                }
                while i < n - halfWindow {
                    o[i] = median9(y.baseAddress! + i - halfWindow)
                    i += 1
                }
            }
            for i in 0..<n where i < halfWindow || i >= n - halfWindow {
                // The ends: insertion sort of the cut window (at most 8 values).
                let (lo, hi) = (i - halfWindow, i + halfWindow)
                var count = 0
                for k in max(0, lo)...min(n - 1, hi) {
                    let v = y[k]
                    var j = count
                    while j > 0 && window[j - 1] > v {
                        window[j] = window[j - 1]
                        j -= 1
                    }
                    window[j] = v
                    count += 1
                }
                out[i] = count % 2 == 1 ? window[count / 2] : (window[count / 2 - 1] + window[count / 2]) / 2
            }
        }
        return out
    }

    /// ``median9(_:)`` of four windows at once: lane j is the median of the nine values at `p + j`, the same network
    /// on vectors (each compare-exchange lane by lane as `Swift.min` and `Swift.max` choose), so every lane equals
    /// the scalar result bit for bit. Four lanes, not eight: with `SIMD8<Double>` the compiler took each comparison
    /// apart into 2-lane masks (about 150 mask moves per eight windows, a running median of 300 samples at 4.8 µs);
    /// four lanes compile to one `vminpd` and one `vmaxpd` per compare-exchange. The loads are at moved pointers, as
    /// the `fromByteOffset:` form stayed a call.
    @inline(__always)
    static func median9Lanes(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        median9Network { UnsafeRawPointer(p + $0).loadUnaligned(as: SIMD4<Double>.self) }
    }

    /// The median of the nine values at `p` by a fixed network of 19 compare-exchanges (A. W. Paeth's median of 9,
    /// as in N. Devillard, "Fast median search: an ANSI C implementation", 1998), without branches: exact for any
    /// finite values.
    @inline(__always)
    static func median9(_ p: UnsafePointer<Double>) -> Double {
        median9Network { p[$0] }
    }

    /// The network of ``median9(_:)`` on the nine values `value(0) ... value(8)`.
    @inline(__always)
    static func median9Network<V: CompareExchange>(_ value: (Int) -> V) -> V {
        var (p0, p1, p2, p3, p4) = (value(0), value(1), value(2), value(3), value(4))
        var (p5, p6, p7, p8) = (value(5), value(6), value(7), value(8))
        V.order(&p1, &p2)
        V.order(&p4, &p5)
        V.order(&p7, &p8)
        V.order(&p0, &p1)
        V.order(&p3, &p4)
        V.order(&p6, &p7)
        V.order(&p1, &p2)
        V.order(&p4, &p5)
        V.order(&p7, &p8)
        V.order(&p0, &p3)
        V.order(&p5, &p8)
        V.order(&p4, &p7)
        V.order(&p3, &p6)
        V.order(&p1, &p4)
        V.order(&p2, &p5)
        V.order(&p4, &p7)
        V.order(&p4, &p2)
        V.order(&p6, &p4)
        V.order(&p4, &p2)
        return p4
    }
}

/// A value a sorting network can order: a Double, or four of them lane by lane.
protocol CompareExchange {
    /// Puts the smaller of `a` and `b` in `a` and the larger in `b`, as `Swift.min` and `Swift.max` choose
    /// (`b < a ? b : a` and `b >= a ? b : a`).
    static func order(_ a: inout Self, _ b: inout Self)
}

extension Double: CompareExchange {
    @inline(__always)
    static func order(_ a: inout Double, _ b: inout Double) {
        (a, b) = (min(a, b), max(a, b))
    }
}

extension SIMD4: CompareExchange where Scalar == Double {
    /// One comparison for both: `b < a ? a : b` is `b >= a ? b : a` for every value but NaN, which the running
    /// median never sees (``NoiseWeights/estimate(_:)`` takes finite curves only).
    @inline(__always)
    static func order(_ a: inout SIMD4<Double>, _ b: inout SIMD4<Double>) {
        let swap = b .< a
        (a, b) = (a.replacing(with: b, where: swap), b.replacing(with: a, where: swap))
    }
}
