/// The passes over a curve that ``CurveFeatures`` makes, written four samples at a time in `SIMD4<Double>`
/// lanes (minima, the first maximum, the moving average, the first moment). Minima and maxima are exact, so
/// they equal a one-sample-at-a-time scan; sums are added in four interleaved partial sums, which changes only
/// their rounding (tested against plain loops in `CurveScanTests`).
///
/// Comparisons feed `replacing(with:where:)`, which compiles to vector blends; `pointwiseMin` does not.
enum CurveScans {
    typealias Lanes = SIMD4<Double>

    @inline(__always)
    static func load(_ p: UnsafePointer<Double>, _ i: Int) -> Lanes {
        UnsafeRawPointer(p + i).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    static func minimum(_ v: Lanes) -> Double { Swift.min(Swift.min(v[0], v[1]), Swift.min(v[2], v[3])) }

    /// Writes `transform(j * span / count)` (integer division) to `out[j]` for `j` in `0 ..< count`, stepping the
    /// quotient and remainder instead of dividing for each `j`.
    @inline(__always)
    static func evenlySpaced(
        _ count: Int, over span: Int, into out: UnsafeMutableBufferPointer<Double>, _ transform: (Int) -> Double
    ) {
        guard count > 0 else { return }
        let (step, extra) = span.quotientAndRemainder(dividingBy: count)
        var index = 0
        var remainder = 0
        for j in 0..<count {
            out[j] = transform(index)
            index += step
            remainder += extra
            if remainder >= count {
                remainder -= count
                index += 1
            }
        }
    }

    /// The smallest of `y[from ..< to]` (`from < to`).
    static func minimum(_ y: UnsafeBufferPointer<Double>, from: Int, to: Int) -> Double {
        let p = y.baseAddress!
        var lowest = Lanes(repeating: p[from])
        var i = from
        while i + 4 <= to {
            let v = load(p, i)
            lowest = lowest.replacing(with: v, where: v .< lowest)
            i += 4
        }
        var result = minimum(lowest)
        while i < to {
            result = Swift.min(result, p[i])
            i += 1
        }
        return result
    }

    /// The smallest over `i` in `from ..< to` of `max(y[i], y[i + 1])` (`from < to`, `to < y.count`).
    static func pairFloor(_ y: UnsafeBufferPointer<Double>, from: Int, to: Int) -> Double {
        let p = y.baseAddress!
        var lowest = Lanes(repeating: Swift.max(p[from], p[from + 1]))
        var i = from
        while i + 4 <= to {
            let a = load(p, i)
            let b = load(p, i + 1)
            let pair = a.replacing(with: b, where: b .> a)
            lowest = lowest.replacing(with: pair, where: pair .< lowest)
            i += 4
        }
        var result = minimum(lowest)
        while i < to {
            result = Swift.min(result, Swift.max(p[i], p[i + 1]))
            i += 1
        }
        return result
    }

    /// Index of the first largest value of `y` (non-empty): the lane-wise first maxima, then the largest of
    /// them with the smallest index among equals.
    static func firstMaximum(_ y: UnsafeBufferPointer<Double>) -> Int {
        let p = y.baseAddress!
        let n = y.count
        var best = 0
        var i = 0
        if n >= 4 {
            var top = load(p, 0)
            var at = SIMD4<Double>(0, 1, 2, 3)
            var index = at
            i = 4
            while i + 4 <= n {
                index += 4
                let v = load(p, i)
                let higher = v .> top
                top = top.replacing(with: v, where: higher)
                at = at.replacing(with: index, where: higher)
                i += 4
            }
            best = Int(at[0])
            for lane in 1..<4 where top[lane] > p[best] || top[lane] == p[best] && Int(at[lane]) < best {
                best = Int(at[lane])
            }
        }
        while i < n {
            if p[i] > p[best] { best = i }
            i += 1
        }
        return best
    }

    /// Centred moving average over `y[max(0, i - h) ... min(n - 1, i + h)]`, `h = window / 2`: the window is cut
    /// at the ends, so every average holds at least h + 1 samples. Inside, four running window sums advance
    /// together by four samples.
    static func movingAverage(
        _ y: UnsafeBufferPointer<Double>, window: Int, into out: UnsafeMutableBufferPointer<Double>
    ) {
        let n = y.count
        let h = window / 2
        let full = 2 * h + 1
        let p = y.baseAddress!
        let o = out.baseAddress!
        // Samples whose window is whole: h ... n - 1 - h.
        let first = h
        let end = n - h
        var i = 0
        if end - first >= 8 {
            let scale = 1 / Double(full)
            var sums = Lanes.zero
            for k in 0..<full { sums += load(p, first - h + k) }
            i = first
            while true {
                (UnsafeMutableRawPointer(o + i)).storeBytes(of: sums * scale, as: Lanes.self)
                if i + 8 > end { break }
                // The next four windows: add the four samples entering, subtract the four leaving.
                let entering = (load(p, i + h + 1) + load(p, i + h + 2)) + (load(p, i + h + 3) + load(p, i + h + 4))
                let leaving = (load(p, i - h) + load(p, i - h + 1)) + (load(p, i - h + 2) + load(p, i - h + 3))
                sums += entering - leaving
                i += 4
            }
            i += 4
            // Ends (and the interior samples after the last whole step): sums of the window as cut.
            for j in 0..<first { o[j] = cutAverage(p, n, j, h) }
            for j in i..<n { o[j] = cutAverage(p, n, j, h) }
        } else {
            for j in 0..<n { o[j] = cutAverage(p, n, j, h) }
        }
    }

    @inline(__always)
    static func cutAverage(_ p: UnsafePointer<Double>, _ n: Int, _ i: Int, _ h: Int) -> Double {
        let lo = Swift.max(0, i - h)
        let hi = Swift.min(n - 1, i + h)
        var sum = 0.0
        for k in lo...hi { sum += p[k] }
        return sum / Double(hi - lo + 1)
    }

    /// Sums of `e_i dt_i` and `e_i dt_i t_i` over the samples after `arrival` (`t_i > arrival`), with
    /// `e_i = max(s_i - base, 0)` and `dt_i` half the distance between the neighbouring times (one-sided at the
    /// ends).
    static func moment(
        _ t: UnsafeBufferPointer<Double>, _ s: UnsafeBufferPointer<Double>, base: Double, after arrival: Double
    ) -> (weight: Double, moment: Double) {
        let n = t.count
        let tp = t.baseAddress!
        let sp = s.baseAddress!
        var weight = 0.0
        var moment = 0.0
        @inline(__always) func add(_ i: Int) {
            guard tp[i] > arrival else { return }
            let e = Swift.max(sp[i] - base, 0)
            let dt = i + 1 < n ? (tp[i + 1] - tp[Swift.max(i - 1, 0)]) / 2 : tp[i] - tp[i - 1]
            weight += e * dt
            moment += e * dt * tp[i]
        }
        guard n > 0 else { return (0, 0) }
        add(0)
        // Interior samples (both neighbours exist) four at a time.
        var i = 1
        var w4 = Lanes.zero
        var m4 = Lanes.zero
        let baseLanes = Lanes(repeating: base)
        let arrivalLanes = Lanes(repeating: arrival)
        while i + 4 < n {
            let times = load(tp, i)
            var e = load(sp, i) - baseLanes
            e = e.replacing(with: 0, where: e .< 0 .| times .<= arrivalLanes)
            let ed = e * ((load(tp, i + 1) - load(tp, i - 1)) * 0.5)
            w4 += ed
            m4 += ed * times
            i += 4
        }
        weight += (w4[0] + w4[1]) + (w4[2] + w4[3])
        moment += (m4[0] + m4[1]) + (m4[2] + m4[3])
        while i < n {
            add(i)
            i += 1
        }
        return (weight, moment)
    }
}
