import RealModule

/// Model-independent features of a bolus curve used to build initial guesses.
///
/// All values come from a centred moving average of the samples, so that single noisy frames do not
/// decide the start of a fit.
struct CurveFeatures: Sendable, Equatable {
    /// Level before the bolus arrives (a.u.): median of the raw samples before the rise.
    let baseline: Double
    /// Index and time (s) of the smoothed maximum.
    let peakIndex: Int
    let peakTime: Double
    /// Smoothed maximum minus the baseline (a.u.).
    let enhancement: Double
    /// Time (s) of the last sample before the smoothed curve exceeds 10 % of its enhancement;
    /// the first sample time minus one sample interval when the curve starts already enhanced.
    let arrivalTime: Double
    /// Index of the first sample of the rise (0 when the curve is above 10 % of its enhancement from the start).
    let arrivalIndex: Int
    /// Number of samples.
    let sampleCount: Int
    /// Samples before a destruction flash (all samples without one): the part of the curve the bolus checks
    /// look at.
    let usableCount: Int
    /// Time (s) of a destruction flash after the peak, if there is one (see ``flashIndex(_:from:range:)``).
    let flashTime: Double?
    /// Smoothed value at the last usable sample minus the baseline (a.u.).
    let finalEnhancement: Double
    /// Lowest smoothed value over the second half of the usable samples minus the baseline (a.u.).
    let lateMinimumEnhancement: Double
    /// The lowest level before the peak that no single sample can fake (the minimum over neighbouring pairs of the
    /// larger raw sample, so one dark frame does not count), above the lowest smoothed level of the whole curve, as a
    /// fraction of the curve's range: near 0 (or below) when the clip starts before the bolus arrives, large when it
    /// starts after.
    let startFraction: Double

    /// First moment of the enhancement above the baseline after arrival (s, clip time axis).
    let firstMoment: Double
    /// Noise standard deviation of one sample (a.u.), from the median absolute first difference.
    let noise: Double
    /// Noise standard deviation of the smoothed curve (a.u.).
    let smoothedNoise: Double

    /// Fraction of the enhancement that marks arrival.
    static let arrivalFraction = 0.1

    /// Measures the features of `curve`.
    ///
    /// - Precondition: at least 3 samples, all finite.
    /// - Complexity: O(n), plus O(window^2) at the two ends of the moving average.
    init(_ curve: CurveSamples) {
        let n = curve.count
        precondition(n >= 3)
        // Odd window of about 1/30 of the curve, at least 3 samples.
        var window = max(3, n / 30)
        if window % 2 == 0 { window += 1 }
        // One stack buffer: the smoothed curve (n) and scratch for medians (at most 64).
        self = withUnsafeTemporaryAllocation(of: Double.self, capacity: n + 64) { buffer in
            curve.times.withUnsafeBufferPointer { t in
                curve.values.withUnsafeBufferPointer { y in
                    let smooth = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
                    let scratch = UnsafeMutableBufferPointer(rebasing: buffer[n..<(n + 64)])
                    return CurveFeatures(t, y, window: window, smooth: smooth, scratch: scratch)
                }
            }
        }
    }

    private init(
        _ t: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, window: Int,
        smooth: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>
    ) {
        let n = t.count
        CurveScans.movingAverage(y, window: window, into: smooth)
        let smoothed = UnsafeBufferPointer(smooth)
        let peak = CurveScans.firstMaximum(smoothed)
        // The lowest smoothed level before the peak (the arrival threshold's base), and the lowest level before the
        // peak that a single sample cannot fake: the minimum over neighbouring pairs of the larger of the two raw
        // samples, so that one dark frame (the first, or any other) is not a baseline. Raw pairs, not the smoothed
        // curve: the smoothing window grows with the clip (n / 30) and on a long clip would carry the rise back over
        // the whole pre-bolus baseline.
        let lowest = CurveScans.minimum(smoothed, from: 0, to: peak + 1)
        let preFloor = peak > 0 ? CurveScans.pairFloor(y, from: 0, to: peak) : y[0]
        let threshold = lowest + CurveFeatures.arrivalFraction * (smooth[peak] - lowest)
        // Walk back from the peak to the last sample at or below the threshold.
        var k = peak
        while k > 0 && smooth[k - 1] > threshold { k -= 1 }
        let base: Double
        let arrival: Double
        if k == 0 {
            // No baseline before the rise: measure against the lowest level of the whole curve, so a curve that
            // only washes out still shows its enhancement (and is then reported as not a bolus).
            base = CurveScans.minimum(smoothed, from: 0, to: n)
            arrival = t[0] - (n > 1 ? t[1] - t[0] : 1)
        } else {
            // Median of at most 32 pre-arrival samples spread evenly over them.
            let count = min(k, 32)
            CurveScans.evenlySpaced(count, over: k, into: scratch) { y[$0] }
            base = CurveFeatures.median(UnsafeMutableBufferPointer(rebasing: scratch[0..<count]))
            arrival = t[k - 1]
        }

        let (weight, moment) = CurveScans.moment(t, smoothed, base: base, after: arrival)

        // Noise from the median absolute first difference of at most 64 differences spread over the curve;
        // the MAD of differences of independent noise is sigma * sqrt(2) * 0.6745.
        let differences = min(n - 1, 64)
        CurveScans.evenlySpaced(differences, over: n - 1, into: scratch) { abs(y[$0 + 1] - y[$0]) }
        let noise =
            CurveFeatures.median(UnsafeMutableBufferPointer(rebasing: scratch[0..<differences]))
            / (0.674_489_75 * 2.0.squareRoot())

        let floor = min(lowest, CurveScans.minimum(smoothed, from: peak, to: n))
        let range = smooth[peak] - floor
        startFraction = range > 0 ? (preFloor - floor) / range : 0
        // Checks of the wash-out stop before a destruction flash and the samples its smoothing reaches.
        let flash = CurveFeatures.flashIndex(y, from: peak + 1, floor: floor, range: range)
        let usable = flash.map { max(peak + 1, $0 - window / 2) } ?? n
        flashTime = flash.map { t[$0] }
        usableCount = usable

        baseline = base
        arrivalIndex = k
        sampleCount = n
        finalEnhancement = smooth[usable - 1] - base
        lateMinimumEnhancement = CurveScans.minimum(smoothed, from: usable / 2, to: usable) - base
        peakIndex = peak
        peakTime = t[peak]
        enhancement = smooth[peak] - base
        arrivalTime = arrival
        firstMoment = weight > 0 ? moment / weight : t[peak]
        self.noise = noise
        smoothedNoise = noise / Double(window).squareRoot()
    }

    /// Fraction of the enhancement at the start of the clip above which the wash-in counts as not recorded.
    static let startedFraction = 0.25

    /// Whether the clip starts after the bolus arrived: the wash-in was not recorded.
    var washInMissing: Bool { arrivalIndex == 0 || startFraction >= Self.startedFraction }

    /// Why the curve is not a whole bolus, or nil when it looks like one: it must fall again before the last
    /// samples (or before a destruction flash).
    var notBolusReason: String? {
        let hint = "; destruction-replenishment clips are fitted with --model replenishment"
        let ending = flashTime.map { " before the destruction flash at \(($0 * 10).rounded() / 10) s" } ?? ""
        let tail = max(3, usableCount / 20)
        if peakIndex >= usableCount - tail && finalEnhancement >= 0.9 * enhancement {
            return
                "it still rises at the last sample\(ending), with no wash-out (a replenishment curve, or a clip that ends too early)"
                + hint
        }
        if lateMinimumEnhancement >= 0.9 * enhancement {
            return
                "it stays on a plateau through the second half\(ending), with no wash-out (a steady state, infusion or replenishment curve)"
                + hint
        }
        return nil
    }

    /// Index of a destruction flash after `from`: from one sample to the next the curve falls from above half its
    /// range to below a quarter of it (above its lowest smoothed level `floor`), and stays there for the next two
    /// samples. A single dark frame (dropout) recovers at once and is not a flash; a wash-out, however fast, takes
    /// more than one frame to fall by a quarter of the range from above half of it.
    static func flashIndex(_ y: UnsafeBufferPointer<Double>, from: Int, floor: Double, range: Double) -> Int? {
        guard range > 0, from >= 1 else { return nil }
        let (high, low) = (floor + 0.5 * range, floor + 0.25 * range)
        let n = y.count
        let p = y.baseAddress!
        var i = from
        // Four candidate indices at a time (the conditions of i ... i + 3 as lanes); the first lane that holds is
        // the answer, as in the one-at-a-time loop below.
        let highs = CurveScans.Lanes(repeating: high)
        let lows = CurveScans.Lanes(repeating: low)
        while i + 5 < n {
            let falls =
                (CurveScans.load(p, i - 1) .> highs) .& (CurveScans.load(p, i) .< lows)
                .& (CurveScans.load(p, i + 1) .< lows) .& (CurveScans.load(p, i + 2) .< lows)
            if any(falls) {
                for lane in 0..<4 where falls[lane] { return i + lane }
            }
            i += 4
        }
        while i + 2 < n {
            if y[i - 1] > high && y[i] < low && y[i + 1] < low && y[i + 2] < low { return i }
            i += 1
        }
        return nil
    }

    /// Enhancement over the noise of the smoothed curve (infinite for a noise-free curve with a bolus).
    var peakOverNoise: Double {
        smoothedNoise > 0 ? enhancement / smoothedNoise : (enhancement > 0 ? .infinity : 0)
    }

    /// Median of `v`; reorders `v` when it holds more than ``rankLimit`` values.
    static func median(_ v: UnsafeMutableBufferPointer<Double>) -> Double {
        if v.isEmpty { return 0 }
        if v.count <= rankLimit { return rankMedian(UnsafeBufferPointer(v)) }
        let m = v.count / 2
        let upper = select(v, m)
        guard v.count % 2 == 0 else { return upper }
        // The lower middle is the largest value left of position m after selection.
        var lower = v[0]
        for i in 1..<m where v[i] > lower { lower = v[i] }
        return (lower + upper) / 2
    }

    /// Most values ``rankMedian(_:)`` takes.
    static let rankLimit = 64

    /// Median of 1 ... 64 values with no branch on the data that a noisy curve mispredicts: a sampling selection
    /// that narrows the values to a bracket around the median, then ranks the few left.
    ///
    /// Ranks: for each value `v_i`, `below_i` counts the values smaller than it; the k-th smallest value (from 0) is
    /// the largest `v_i` with `below_i <= k` (any larger value has at least the k + 1 smallest below it, and the k-th
    /// smallest itself has at most k; ties need no care).
    ///
    /// Narrowing (as in Floyd and Rivest's selection): rank 8 values spread over the set against all of it (one
    /// 8-lane register, n comparisons). Of these, `lo` is the largest with `below <= kLow` and `hi` the smallest with
    /// `below > kHigh`, for the two order statistics the median needs (kLow = kHigh for an odd count). Both lie in
    /// `[lo, hi)`, at ranks `k - below(lo)` among the values there, which are copied out without a branch. This
    /// repeats until at most 16 values are left (about a quarter are left each time), which two registers rank. A
    /// bracket that keeps every value (ties at the median) ends the narrowing, and the values left are ranked in eight
    /// registers.
    static func rankMedian(_ v: UnsafeBufferPointer<Double>) -> Double {
        let n = v.count
        precondition(n >= 1 && n <= rankLimit)
        let kHigh = n / 2
        let kLow = n % 2 == 1 ? kHigh : kHigh - 1
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: rankLimit + 1) { buffer in
            let kept = buffer.baseAddress!
            let (low, high) = RankSelection.select(
                v.baseAddress!, count: n, kLow: kLow, kHigh: kHigh, scratch: kept)
            return n % 2 == 1 ? high : (low + high) / 2
        }
    }

    /// Puts the k-th smallest value at index k (smaller ones before it) and returns it.
    static func select(_ v: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var lo = 0
        var hi = v.count - 1
        while lo < hi {
            // Median-of-three pivot keeps sorted and reversed inputs linear.
            let mid = (lo + hi) / 2
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[mid] { v.swapAt(hi, mid) }
            let pivot = v[mid]
            var i = lo
            var j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j {
                    v.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                hi = j
            } else if k >= i {
                lo = i
            } else {
                break
            }
        }
        return v[k]
    }
}

/// The order statistics of ``CurveFeatures/rankMedian(_:)``, in `SIMD8<Double>` registers. (`SIMD64<Double>`
/// is not lowered to vector instructions: each of its operations runs lane by lane.)
enum RankSelection {
    typealias Lanes = SIMD8<Double>

    /// The kLow-th and kHigh-th smallest (from 0, `kLow <= kHigh`) of `values[0 ..< count]` (1 ... 64 values);
    /// `scratch` holds at least 65 values and may alias nothing else.
    static func select(
        _ values: UnsafePointer<Double>, count: Int, kLow: Int, kHigh: Int, scratch: UnsafeMutablePointer<Double>
    ) -> (Double, Double) {
        var source = values
        var n = count
        var kLow = kLow
        var kHigh = kHigh
        while n > 16 {
            // Rank 8 values spread over the set (distinct indices, as n > 8).
            @inline(__always) func at(_ lane: Int) -> Double { source[(lane &* n) >> 3] }
            let sample = Lanes(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7))
            let below = countBelow(source, count: n, sample)
            // lo: the largest sample with below <= kLow (-infinity if none), with its count (below grows with the
            // value, so the largest kept count is lo's); hi: the smallest sample with below > kHigh.
            let atMostLow = below .<= Lanes(repeating: Double(kLow))
            let lo = maximum(sample.replacing(with: -.infinity, where: .!atMostLow))
            let belowLo = maximum(below.replacing(with: 0, where: .!atMostLow))
            // hi = +infinity bounds nothing, so that values equal to +infinity stay: NaN, above which no value is.
            let upper = -maximum(-sample.replacing(with: .infinity, where: below .<= Lanes(repeating: Double(kHigh))))
            let hi = upper == .infinity ? .nan : upper
            var kept = 0
            for j in 0..<n {
                let x = source[j]
                scratch[kept] = x
                // Both comparisons as 0 or 1, with no branch.
                kept &+= (x >= lo ? 1 : 0) & (x >= hi ? 0 : 1)
            }
            if kept == n { break }  // no narrowing: ties fill the bracket
            let skipped = Int(belowLo)
            kLow -= skipped
            kHigh -= skipped
            n = kept
            source = UnsafePointer(scratch)
        }
        return n <= 16
            ? rank16(source, count: n, kLow: kLow, kHigh: kHigh) : rank64(source, count: n, kLow: kLow, kHigh: kHigh)
    }

    /// For each lane of `v`, how many of `p[0 ..< n]` are smaller. Not inlined: the caller's reductions by halves
    /// would otherwise make the compiler keep the counts in 2-lane pieces.
    @inline(never)
    static func countBelow(_ p: UnsafePointer<Double>, count n: Int, _ v: Lanes) -> Lanes {
        // Four counts in turn, so that the additions do not wait on each other.
        var counts = (Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero)
        var j = 0
        while j + 4 <= n {
            counts.0.replace(with: counts.0 + 1, where: Lanes(repeating: p[j]) .< v)
            counts.1.replace(with: counts.1 + 1, where: Lanes(repeating: p[j + 1]) .< v)
            counts.2.replace(with: counts.2 + 1, where: Lanes(repeating: p[j + 2]) .< v)
            counts.3.replace(with: counts.3 + 1, where: Lanes(repeating: p[j + 3]) .< v)
            j += 4
        }
        while j < n {
            counts.0.replace(with: counts.0 + 1, where: Lanes(repeating: p[j]) .< v)
            j += 1
        }
        return (counts.0 + counts.1) + (counts.2 + counts.3)
    }

    /// ``countBelow(_:count:_:)`` for two registers.
    @inline(never)
    static func countBelow(_ p: UnsafePointer<Double>, count n: Int, _ a: Lanes, _ b: Lanes) -> (Lanes, Lanes) {
        var countA = Lanes.zero
        var countB = Lanes.zero
        for j in 0..<n {
            let probe = Lanes(repeating: p[j])
            countA.replace(with: countA + 1, where: probe .< a)
            countB.replace(with: countB + 1, where: probe .< b)
        }
        return (countA, countB)
    }

    /// The largest lane of `v` (none NaN), by halves. (`SIMD8.max()` is a call that runs lane by lane.)
    @inline(__always)
    static func maximum(_ v: Lanes) -> Double {
        let four = larger(v.lowHalf, v.highHalf)
        let two = larger(four.lowHalf, four.highHalf)
        return Swift.max(two[0], two[1])
    }

    @inline(__always)
    static func larger<V: SIMD>(_ x: V, _ y: V) -> V where V.Scalar: Comparable { x.replacing(with: y, where: y .> x) }

    /// The largest lane of `v` whose count in `below` is at most `k`.
    @inline(__always)
    static func largest(_ v: Lanes, _ below: Lanes, atMost k: Int) -> Lanes {
        v.replacing(with: -.infinity, where: below .> Lanes(repeating: Double(k)))
    }

    /// Ranks of up to 16 values in two registers (padded with +infinity, which is never chosen).
    static func rank16(_ p: UnsafePointer<Double>, count n: Int, kLow: Int, kHigh: Int) -> (Double, Double) {
        var padded = (Lanes(repeating: .infinity), Lanes(repeating: .infinity))
        withUnsafeMutableBytes(of: &padded) { raw in
            raw.baseAddress!.copyMemory(from: p, byteCount: n * MemoryLayout<Double>.stride)
        }
        let (a, b) = padded
        let (countA, countB) = countBelow(p, count: n, a, b)
        let low = maximum(larger(largest(a, countA, atMost: kLow), largest(b, countB, atMost: kLow)))
        let high = maximum(larger(largest(a, countA, atMost: kHigh), largest(b, countB, atMost: kHigh)))
        return (low, high)
    }

    /// Ranks of up to 64 values in eight registers (padded with +infinity).
    static func rank64(_ p: UnsafePointer<Double>, count n: Int, kLow: Int, kHigh: Int) -> (Double, Double) {
        let padding = Lanes(repeating: .infinity)
        var lanes = (padding, padding, padding, padding, padding, padding, padding, padding)
        withUnsafeMutableBytes(of: &lanes) { raw in
            raw.baseAddress!.copyMemory(from: p, byteCount: n * MemoryLayout<Double>.stride)
        }
        let (a, b, c, d, e, f, g, h) = lanes
        var counts = (Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero)
        for j in 0..<n {
            let probe = Lanes(repeating: p[j])
            counts.0.replace(with: counts.0 + 1, where: probe .< a)
            counts.1.replace(with: counts.1 + 1, where: probe .< b)
            counts.2.replace(with: counts.2 + 1, where: probe .< c)
            counts.3.replace(with: counts.3 + 1, where: probe .< d)
            counts.4.replace(with: counts.4 + 1, where: probe .< e)
            counts.5.replace(with: counts.5 + 1, where: probe .< f)
            counts.6.replace(with: counts.6 + 1, where: probe .< g)
            counts.7.replace(with: counts.7 + 1, where: probe .< h)
        }
        func pick(_ k: Int) -> Double {
            maximum(
                larger(
                    larger(
                        larger(largest(a, counts.0, atMost: k), largest(b, counts.1, atMost: k)),
                        larger(largest(c, counts.2, atMost: k), largest(d, counts.3, atMost: k))),
                    larger(
                        larger(largest(e, counts.4, atMost: k), largest(f, counts.5, atMost: k)),
                        larger(largest(g, counts.6, atMost: k), largest(h, counts.7, atMost: k)))))
        }
        return (pick(kLow), pick(kHigh))
    }
}
