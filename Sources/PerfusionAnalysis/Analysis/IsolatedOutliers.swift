/// Isolated outlier samples of a curve: single frames far off both their neighbours (a flash frame, a dropout, a
/// frame of another clip in an export), found by a robust rule before fitting and left out of the fit.
///
/// For every interior sample the jump to its nearer neighbour,
///
///     j_i = min(|y_i - y_(i-1)|, |y_i - y_(i+1)|),   both neighbours on the same side of y_i,
///
/// is compared with the local robust scale of the curve's steps, s_i = median |y_k - y_(k-1)| / 0.6745 over the 30
/// nearest steps (local, because CEUS noise grows with the signal). Sample i is an outlier when
///
///     j_i > 6 s_i   and   j_i > 5 % of the curve's range
///
/// (the range of its 5-sample running median, which the outliers themselves do not move). Requiring both jumps
/// keeps the edge of a step (a sample level with one neighbour) and the peak of a sharp bolus; 6 robust standard
/// deviations of a step are exceeded by both steps around a sample far less than once in 10^9 samples of Gaussian
/// noise, and the 5 % floor keeps a noise-free curve's curvature from counting. The first and last samples and runs
/// of two or more deviating samples are not isolated and are kept.
enum IsolatedOutliers {
    static let threshold = 6.0
    static let minimumFraction = 0.05
    static let halfWindow = 15

    /// Indices of the isolated outliers of `values`, increasing.
    ///
    /// The median is never formed: with `m` the upper median of the window's steps without the two that touch sample
    /// i, `jump > 6 m / 0.6745` holds exactly when more than half of those steps (at least `q + 1` of them, `m` being
    /// the one at position `q` in order) satisfy `jump > 6 step / 0.6745`, the test being monotone in the step. So each
    /// candidate counts the steps of its window below the jump, and only samples that pass the two cheap tests (a jump
    /// above the floor, both neighbours on one side) count at all.
    static func find(_ values: [Double]) -> [Int] {
        let n = values.count
        guard n >= 7 else { return [] }
        let range = runningMedianRange(values)
        guard range > 0 else { return [] }
        // steps[k] = |y_k - y_(k-1)|, k = 1 ..< n, and each as the jump it would allow: 6 step / 0.6745.
        var steps = [Double](repeating: 0, count: n)
        var allowed = [Double](repeating: 0, count: n)
        for k in 1..<n {
            steps[k] = abs(values[k] - values[k - 1])
            allowed[k] = threshold * (steps[k] / 0.674_489_75)
        }
        var outliers: [Int] = []
        for i in 1..<(n - 1) {
            let jump = min(steps[i], steps[i + 1])
            guard jump > minimumFraction * range else { continue }
            guard (values[i] - values[i - 1]) * (values[i] - values[i + 1]) > 0 else { continue }
            let lo = max(1, i - halfWindow)
            let hi = min(n - 1, i + 1 + halfWindow)
            // The window without steps i and i + 1 holds hi - lo - 1 steps; its upper median is at q.
            let q = (hi - lo - 1) / 2
            var below = allowed.withUnsafeBufferPointer { countBelow(jump, $0.baseAddress!, from: lo, through: hi) }
            below -= (jump > allowed[i] ? 1 : 0) + (jump > allowed[i + 1] ? 1 : 0)
            if below >= q + 1 { outliers.append(i) }
        }
        // Two adjacent flagged samples are a run, not isolated outliers.
        return outliers.filter { i in !outliers.contains(i - 1) && !outliers.contains(i + 1) }
    }

    /// How many of `a[lo ... hi]` are below `jump`, four at a time in vector lanes: a count with a branch per step
    /// mispredicts on noise (about half the steps of a window lie below a candidate's jump), and the windows of the
    /// candidates cost more than the rest of the screen.
    @inline(__always)
    static func countBelow(_ jump: Double, _ a: UnsafePointer<Double>, from lo: Int, through hi: Int) -> Int {
        let jumps = SIMD4<Double>(repeating: jump)
        var counts = SIMD4<Double>.zero
        var k = lo
        while k + 4 <= hi + 1 {
            let steps = UnsafeRawPointer(a + k).loadUnaligned(as: SIMD4<Double>.self)
            counts.replace(with: counts + 1, where: steps .< jumps)
            k += 4
        }
        var count = Int(counts.sum())
        while k <= hi {
            count += a[k] < jump ? 1 : 0
            k += 1
        }
        return count
    }

    /// Range (max - min) of the 5-sample running median: eight windows at a time (``median5Lanes(_:)``), the rest
    /// one at a time.
    static func runningMedianRange(_ values: [Double]) -> Double {
        let n = values.count
        var lowest = Double.infinity
        var highest = -Double.infinity
        values.withUnsafeBufferPointer { y in
            var i = 2
            var (low, high) = (SIMD8<Double>(repeating: .infinity), SIMD8<Double>(repeating: -.infinity))
            while i + 8 <= n - 2 {
                let m = median5Lanes(y.baseAddress! + i - 2)
                low = low.replacing(with: m, where: m .< low)
                high = high.replacing(with: m, where: m .> high)
                i += 8
            }
            for j in 0..<8 {
                lowest = min(lowest, low[j])
                highest = max(highest, high[j])
            }
            while i < n - 2 {
                let m = median5(y[i - 2], y[i - 1], y[i], y[i + 1], y[i + 2])
                lowest = min(lowest, m)
                highest = max(highest, m)
                i += 1
            }
        }
        return highest - lowest
    }

    /// The medians of eight windows of five at once (lane j: the five values at `p + j`), by minima and maxima only:
    /// of four values a, b, c, d the middle two are max(min(a, b), min(c, d)) and min(max(a, b), max(c, d)) whichever
    /// pair holds the smallest, and the median of five is the median of those two and the fifth value e (the smallest
    /// and largest of the four cannot be it: one of them lies below or above all of the other three and e).
    @inline(__always)
    static func median5Lanes(_ p: UnsafePointer<Double>) -> SIMD8<Double> {
        let raw = UnsafeRawPointer(p)
        @inline(__always) func load(_ k: Int) -> SIMD8<Double> {
            raw.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self)
        }
        @inline(__always) func lower(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> {
            a.replacing(with: b, where: b .< a)
        }
        @inline(__always) func upper(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> {
            a.replacing(with: b, where: b .>= a)
        }
        let (a, b, c, d, e) = (load(0), load(1), load(3), load(4), load(2))
        let u = upper(lower(a, b), lower(c, d))
        let v = lower(upper(a, b), upper(c, d))
        return upper(lower(u, v), lower(upper(u, v), e))
    }

    /// The median of five values without sorting or allocating: the largest of the three smallest (six compares
    /// to drop the two largest).
    @inline(__always)
    static func median5(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double) -> Double {
        // Sort the pairs (a, b) and (d, e), and put the pair with the smaller minimum first.
        var (a, b, c, d, e) = (a, b, c, d, e)
        if b < a { swap(&a, &b) }
        if e < d { swap(&d, &e) }
        if d < a {
            swap(&a, &d)
            swap(&b, &e)
        }
        // a is at most b, d and e, so at most one value (c) is below it: a is not the median, which is the second
        // smallest of {b, c, d, e}. With b <= c and d <= e that is min(max(b, d), min(c, e)).
        if c < b { swap(&b, &c) }
        return min(max(b, d), min(c, e))
    }
}
