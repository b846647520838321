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
    /// The steps of the window around sample i, `k` in `max(1, i - 15) ... min(n - 1, i + 16)`, are kept sorted as
    /// the window slides (one step in, one out); the scale is the upper median of that multiset without the two
    /// steps that touch sample i, read off by position, so no window is sorted from scratch.
    static func find(_ values: [Double]) -> [Int] {
        let n = values.count
        guard n >= 7 else { return [] }
        // steps[k] = |y_k - y_(k-1)|, k = 1 ..< n.
        var steps = [Double](repeating: 0, count: n)
        for k in 1..<n { steps[k] = abs(values[k] - values[k - 1]) }
        let range = runningMedianRange(values)
        guard range > 0 else { return [] }
        var outliers: [Int] = []
        let capacity = 2 * halfWindow + 2
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var sorted = SortedWindow(items: buffer)
        var (lo, hi) = (1, 0)  // the steps in `sorted`: lo ... hi
        for i in 1..<(n - 1) {
            let wantLo = max(1, i - halfWindow)
            let wantHi = min(n - 1, i + 1 + halfWindow)
            while hi < wantHi {
                hi += 1
                sorted.insert(steps[hi])
            }
            while lo < wantLo {
                sorted.remove(steps[lo])
                lo += 1
            }
            let jump = min(steps[i], steps[i + 1])
            guard jump > minimumFraction * range else { continue }
            guard (values[i] - values[i - 1]) * (values[i] - values[i + 1]) > 0 else { continue }
            let scale = sorted.upperMedian(excluding: steps[i], steps[i + 1]) / 0.674_489_75
            if jump > threshold * scale { outliers.append(i) }
        }
        // Two adjacent flagged samples are a run, not isolated outliers.
        return outliers.filter { i in !outliers.contains(i - 1) && !outliers.contains(i + 1) }
    }

    /// A small multiset of values kept in increasing order in memory the caller owns (room for
    /// `2 halfWindow + 2` values).
    struct SortedWindow {
        let items: UnsafeMutablePointer<Double>
        private(set) var count = 0

        init(items: UnsafeMutablePointer<Double>) { self.items = items }

        /// The first position whose value is not below `v`.
        @inline(__always)
        func lowerBound(_ v: Double) -> Int {
            guard count > 0 else { return 0 }
            // Without data-dependent branches (the window's values are noise: a branch would be mispredicted half
            // the time): halve the range, moving the base by a select.
            var base = 0
            var n = count
            while n > 1 {
                let half = n >> 1
                base += items[base + half - 1] < v ? half : 0
                n -= half
            }
            return base + (items[base] < v ? 1 : 0)
        }

        /// Inserts `v` after the values below it.
        @inline(__always)
        mutating func insert(_ v: Double) {
            var j = count
            while j > 0 && items[j - 1] >= v {
                items[j] = items[j - 1]
                j -= 1
            }
            items[j] = v
            count += 1
        }

        /// Removes one value equal to `v` (which must be present).
        @inline(__always)
        mutating func remove(_ v: Double) {
            var j = lowerBound(v)
            assert(j < count && items[j] == v, "removing a value that is not in the window")
            while j < count - 1 {
                items[j] = items[j + 1]
                j += 1
            }
            count -= 1
        }

        /// `window[window.count / 2]` of the sorted multiset without one `u` and one `v` (both present).
        @inline(__always)
        func upperMedian(excluding u: Double, _ v: Double) -> Double {
            var (p1, p2) = (lowerBound(u), lowerBound(v))
            if p1 == p2 { p2 += 1 }  // equal values: the next copy
            if p2 < p1 { swap(&p1, &p2) }
            let q = (count - 2) / 2
            // remaining[j] is items[j] before p1, items[j + 1] up to p2 - 1, items[j + 2] after.
            if q < p1 { return items[q] }
            if q < p2 - 1 { return items[q + 1] }
            return items[q + 2]
        }
    }

    /// Range (max - min) of the 5-sample running median.
    static func runningMedianRange(_ values: [Double]) -> Double {
        var lowest = Double.infinity
        var highest = -Double.infinity
        for i in 2..<(values.count - 2) {
            let m = median5(values[i - 2], values[i - 1], values[i], values[i + 1], values[i + 2])
            lowest = min(lowest, m)
            highest = max(highest, m)
        }
        return highest - lowest
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
