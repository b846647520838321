/// The passes over a curve that ``CurveFeatures`` makes, in vector lanes. Minima and maxima (and the flash search)
/// are exact whatever the order, so they take eight samples at a time in `SIMD8<Double>` lanes (two registers in
/// turn for the minima) and equal a one-sample-at-a-time scan; sums (the moving average, the first moment) keep four
/// interleaved partial sums in `SIMD4<Double>` lanes, which changes only their rounding, and the same rounding as
/// before (tested against plain loops in `CurveScanTests`).
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

    /// Writes `transform(j * span / count)` (integer division) to `out[j]` for `j` in `0 ..< count`: a shift when
    /// `count` is a power of two (the 32 and 64 of the features' medians on any curve long enough), else stepping
    /// the quotient and remainder instead of dividing for each `j`.
    @inline(__always)
    static func evenlySpaced(
        _ count: Int, over span: Int, into out: UnsafeMutableBufferPointer<Double>, _ transform: (Int) -> Double
    ) {
        guard count > 0 else { return }
        let o = out.baseAddress!
        if count & (count &- 1) == 0 && span <= Int.max / count {
            let shift = count.trailingZeroBitCount
            for j in 0..<count { o[j] = transform((j &* span) &>> shift) }
            return
        }
        let (step, extra) = span.quotientAndRemainder(dividingBy: count)
        var index = 0
        var remainder = 0
        for j in 0..<count {
            o[j] = transform(index)
            index &+= step
            remainder &+= extra
            if remainder >= count {
                remainder &-= count
                index &+= 1
            }
        }
    }

    /// Eight lanes, for the scans whose result does not depend on the order of the samples (minima, maxima, the
    /// first flash): a range of at least 8 samples ends with one more load of its last 8, which repeats samples
    /// already seen and so changes nothing.
    typealias Wide = SIMD8<Double>

    @inline(__always)
    static func loadWide(_ p: UnsafePointer<Double>, _ i: Int) -> Wide {
        UnsafeRawPointer(p + i).loadUnaligned(as: Wide.self)
    }

    @inline(__always)
    static func lower(_ x: Wide, _ y: Wide) -> Wide { x.replacing(with: y, where: y .< x) }

    @inline(__always)
    static func minimum(_ v: Wide) -> Double {
        let four = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .< v.lowHalf)
        return minimum(four)
    }

    /// The smallest of `y[from ..< to]` (`from < to`).
    static func minimum(_ y: UnsafeBufferPointer<Double>, from: Int, to: Int) -> Double {
        let p = y.baseAddress!
        guard to &- from >= 8 else {
            var result = p[from]
            for i in (from &+ 1)..<to { result = Swift.min(result, p[i]) }
            return result
        }
        return lowest(from: from, to: to) { loadWide(p, $0) }
    }

    /// The smallest over `i` in `from ..< to` of `max(y[i], y[i + 1])` (`from < to`, `to < y.count`).
    static func pairFloor(_ y: UnsafeBufferPointer<Double>, from: Int, to: Int) -> Double {
        let p = y.baseAddress!
        guard to &- from >= 8 else {
            var result = Swift.max(p[from], p[from &+ 1])
            for i in (from &+ 1)..<to { result = Swift.min(result, Swift.max(p[i], p[i &+ 1])) }
            return result
        }
        @inline(__always) func pair(_ i: Int) -> Wide {
            let x = loadWide(p, i)
            let y = loadWide(p, i &+ 1)
            return x.replacing(with: y, where: y .> x)
        }
        return lowest(from: from, to: to, pair)
    }

    /// The smallest lane of `element(i)` over `i` in `from ..< to` stepping by 8 (`to - from >= 8`), the last
    /// `element(to - 8)`: eight samples a register, two registers in turn, so that each comparison waits on the one
    /// two loads back.
    @inline(__always)
    static func lowest(from: Int, to: Int, _ element: (Int) -> Wide) -> Double {
        var a = element(from)
        var b = a
        var i = from &+ 8
        while i &+ 16 <= to {
            a = lower(a, element(i))
            b = lower(b, element(i &+ 8))
            i &+= 16
        }
        if i &+ 8 <= to {
            a = lower(a, element(i))
            i &+= 8
        }
        if i < to { b = lower(b, element(to &- 8)) }
        return minimum(lower(a, b))
    }

    /// The largest index `i < end` where `y[i] > level` does not hold (at or below it, or NaN), or -1 when there is
    /// none: eight samples at a time from `end` back, the last lane that holds in the first block that has one.
    static func lastNotAbove(_ level: Double, _ y: UnsafeBufferPointer<Double>, before end: Int) -> Int {
        let p = y.baseAddress!
        let levels = Wide(repeating: level)
        var i = end
        while i >= 8 {
            let stops = .!(loadWide(p, i &- 8) .> levels)
            if any(stops) {
                for lane in (0..<8).reversed() where stops[lane] { return i &- 8 &+ lane }
            }
            i &-= 8
        }
        while i > 0 {
            i -= 1
            if !(p[i] > level) { return i }
        }
        return -1
    }

    /// Index of the first largest value of `y` (non-empty): the lane-wise first maxima, then the largest of
    /// them with the smallest index among equals.
    static func firstMaximum(_ y: UnsafeBufferPointer<Double>) -> Int {
        let p = y.baseAddress!
        let n = y.count
        guard n >= 8 else {
            var best = 0
            for i in 1..<Swift.max(n, 1) where p[i] > p[best] { best = i }
            return best
        }
        // Lane-wise (value, index) of the first maximum; a later sample replaces only a larger one, and the last
        // load (of the last 8, repeating some) replaces a lane only with a larger value.
        var top = loadWide(p, 0)
        var at = Wide(0, 1, 2, 3, 4, 5, 6, 7)
        var index = at
        var i = 8
        while i &+ 8 <= n {
            index += 8
            let v = loadWide(p, i)
            let higher = v .> top
            top = top.replacing(with: v, where: higher)
            at = at.replacing(with: index, where: higher)
            i &+= 8
        }
        if i < n {
            let v = loadWide(p, n &- 8)
            let higher = v .> top
            top = top.replacing(with: v, where: higher)
            at = at.replacing(with: Wide(repeating: Double(n &- 8)) + Wide(0, 1, 2, 3, 4, 5, 6, 7), where: higher)
        }
        var best = Int(at[0])
        for lane in 1..<8 where top[lane] > p[best] || top[lane] == p[best] && Int(at[lane]) < best {
            best = Int(at[lane])
        }
        return best
    }

    /// Centred moving average over `y[max(0, i - h) ... min(n - 1, i + h)]`, `h = window / 2`: the window is cut
    /// at the ends, so every average holds at least h + 1 samples. Inside, four running window sums advance
    /// together by four samples. The head's cut windows all start at sample 0, so one running sum serves them, added
    /// in the same order as a sum of each window would be.
    ///
    /// Returns what the features read next from the smoothed curve, taken as its values are made: the index of its
    /// first largest value (``firstMaximum(_:)``) and its smallest value (``minimum(_:from:to:)`` over all of it).
    /// When any average is not finite (sums that overflow), both come from those scans of the stored averages.
    @discardableResult
    static func movingAverage(
        _ y: UnsafeBufferPointer<Double>, window: Int, into out: UnsafeMutableBufferPointer<Double>
    ) -> (peak: Int, lowest: Double) {
        let n = y.count
        let h = window / 2
        let full = 2 * h + 1
        let p = y.baseAddress!
        let o = out.baseAddress!
        // Samples whose window is whole: h ... n - 1 - h.
        let first = h
        let end = n - h
        @inline(__always) func scanned() -> (peak: Int, lowest: Double) {
            let smoothed = UnsafeBufferPointer(out)
            return (firstMaximum(smoothed), minimum(smoothed, from: 0, to: n))
        }
        guard end - first >= 8 else {
            for j in 0..<n { o[j] = cutAverage(p, n, j, h) }
            return scanned()
        }
        // The whole windows in a kernel that is not inlined and hands its lanes over in memory: lanes taken out of
        // its registers one by one make the compiler split the loop's vectors into 2-lane pieces.
        var lanes = (Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero)
        let i = withUnsafeMutableBytes(of: &lanes) {
            wholeWindows(
                p, from: first, to: end, full: full, into: o,
                lanes: $0.baseAddress!.assumingMemoryBound(to: Double.self))
        }
        let (top, at, low, sums) = lanes
        // Inf and NaN stay once in a sum, so finite last sums mean every average of the loop was finite.
        var finite = sums[0].isFinite && sums[1].isFinite && sums[2].isFinite && sums[3].isFinite
        // Head: windows [0, j + h], one running sum.
        var head = 0.0
        for k in 0..<h { head += p[k] }
        var peak = 0
        var lowest = Double.infinity
        for j in 0..<first {
            head += p[j &+ h]
            let average = head / Double(j &+ h &+ 1)
            o[j] = average
            if average > o[peak] { peak = j }
            lowest = Swift.min(lowest, average)
        }
        finite = finite && head.isFinite
        // The loop's lanes, by value and then by index, after the head: a lane wins only with a larger value.
        var best = Int(at[0])
        var bestValue = top[0]
        for lane in 1..<4 where top[lane] > bestValue || top[lane] == bestValue && Int(at[lane]) < best {
            best = Int(at[lane])
            bestValue = top[lane]
        }
        if bestValue > o[peak] { peak = best }
        lowest = Swift.min(lowest, minimum(low))
        // Tail (and the interior samples after the last whole step): sums of the window as cut.
        cutWindows(p, count: n, from: i, half: h, into: o)
        for j in i..<n {
            let average = o[j]
            if average > o[peak] { peak = j }
            lowest = Swift.min(lowest, average)
            finite = finite && average.isFinite
        }
        return finite ? (peak, lowest) : scanned()
    }

    /// The averages of the whole windows of `first ..< end` (at least 8 of them) into `o`, four running window sums
    /// advancing together; returns the index after the last average written (up to 3 before `end` are left). Writes
    /// to `lanes` the lane-wise first maxima of the averages, their indices, the lane-wise minima and the last sums.
    @inline(never)
    static func wholeWindows(
        _ p: UnsafePointer<Double>, from first: Int, to end: Int, full: Int, into o: UnsafeMutablePointer<Double>,
        lanes: UnsafeMutablePointer<Double>
    ) -> Int {
        let scale = 1 / Double(full)
        var sums = Lanes.zero
        for k in 0..<full { sums += load(p, k) }
        // The windows of i ... i + 3 start at `leaving` and end just before `entering`.
        var leaving = p
        var entering = p + full
        var target = o + first
        var i = first
        var index = Lanes(0, 1, 2, 3) + Double(first)
        var top = sums * scale
        var at = index
        var low = top
        while true {
            let averages = sums * scale
            UnsafeMutableRawPointer(target).storeBytes(of: averages, as: Lanes.self)
            let higher = averages .> top
            top.replace(with: averages, where: higher)
            at.replace(with: index, where: higher)
            low.replace(with: averages, where: averages .< low)
            if i &+ 8 > end { break }
            // The next four windows: add the four samples entering, subtract the four leaving.
            let added = (load(entering, 0) + load(entering, 1)) + (load(entering, 2) + load(entering, 3))
            let removed = (load(leaving, 0) + load(leaving, 1)) + (load(leaving, 2) + load(leaving, 3))
            sums += added - removed
            entering += 4
            leaving += 4
            target += 4
            index += 4
            i &+= 4
        }
        UnsafeMutableRawPointer(lanes).storeBytes(of: top, as: Lanes.self)
        UnsafeMutableRawPointer(lanes + 4).storeBytes(of: at, as: Lanes.self)
        UnsafeMutableRawPointer(lanes + 8).storeBytes(of: low, as: Lanes.self)
        UnsafeMutableRawPointer(lanes + 12).storeBytes(of: sums, as: Lanes.self)
        return i &+ 4
    }

    /// The averages of the windows of `start ..< n` as cut at the end (`start >= h`), each the sum of its samples
    /// in order divided by their number as ``cutAverage(_:_:_:_:)`` makes it, four outputs at a time in lanes: lane l
    /// of a block adds sample `j + l - h + m` at step m. The lanes read a copy of `p[start - h ..< n]` padded with
    /// zeros, so that no load passes the end of the curve, and a zero past the end leaves a sum as it was (a sum that
    /// starts at +0 is never -0, the one value `+ 0` would change).
    @inline(never)
    static func cutWindows(
        _ p: UnsafePointer<Double>, count n: Int, from start: Int, half h: Int, into o: UnsafeMutablePointer<Double>
    ) {
        let outputs = n &- start
        guard outputs > 0 else { return }
        let origin = start &- h
        let span = n &- origin
        let blocks = (outputs &+ 3) / 4
        let full = 2 &* h &+ 1
        // The copy (4 blocks + full - 1 values read at most) and 4 averages of the last block.
        let size = 4 &* blocks &+ full &+ 4
        withUnsafeTemporaryAllocation(of: Double.self, capacity: size) { buffer in
            let copy = buffer.baseAddress!
            copy.update(from: p + origin, count: span)
            (copy + span).update(repeating: 0, count: size &- span)
            for block in 0..<blocks {
                let offset = 4 &* block
                var sums = Lanes.zero
                for m in 0..<full { sums += load(copy, offset &+ m) }
                // Samples summed: from j - h to min(n - 1, j + h), with j = start + offset + lane.
                let firstIndex = Lanes(0, 1, 2, 3) + Double(origin &+ offset)
                let lastIndex = (firstIndex + Double(2 &* h)).replacing(
                    with: Double(n &- 1), where: firstIndex + Double(2 &* h) .> Double(n &- 1))
                let averages = sums / (lastIndex - firstIndex + 1)
                let j = start &+ offset
                if j &+ 4 <= n {
                    UnsafeMutableRawPointer(o + j).storeBytes(of: averages, as: Lanes.self)
                } else {
                    let rest = copy + (size &- 4)
                    UnsafeMutableRawPointer(rest).storeBytes(of: averages, as: Lanes.self)
                    (o + j).update(from: rest, count: n &- j)
                }
            }
        }
    }

    @inline(__always)
    static func cutAverage(_ p: UnsafePointer<Double>, _ n: Int, _ i: Int, _ h: Int) -> Double {
        let lo = Swift.max(0, i &- h)
        let hi = Swift.min(n &- 1, i &+ h)
        var sum = 0.0
        for k in lo...hi { sum += p[k] }
        return sum / Double(hi &- lo &+ 1)
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
        // Leading blocks with every time at or before the arrival add only zeros (for finite time steps): skipped,
        // which leaves the partial sums as they were.
        while i &+ 4 < n && !any(load(tp, i) .> arrivalLanes) { i &+= 4 }
        while i &+ 4 < n {
            let times = load(tp, i)
            var e = load(sp, i) - baseLanes
            e = e.replacing(with: 0, where: e .< 0 .| times .<= arrivalLanes)
            let ed = e * ((load(tp, i &+ 1) - load(tp, i &- 1)) * 0.5)
            w4 += ed
            m4 += ed * times
            i &+= 4
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
