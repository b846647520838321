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

    /// Median of 1 ... 64 values by ranks, with no branch on the data (a selection's branches are mispredicted
    /// about half the time on noise). For each value `v_i`, `below_i` counts the values smaller than it; the k-th
    /// smallest value (from 0) is then the largest `v_i` with `below_i <= k`: any larger value has at least the
    /// k + 1 smallest below it, and the k-th smallest itself has at most k. Ties need no care. The values sit in
    /// eight `SIMD8<Double>` registers, padded with +infinity (which counts all n values below it and is never
    /// chosen), and each value is compared with all 64 lanes at once: n * 8 vector comparisons.
    static func rankMedian(_ v: UnsafeBufferPointer<Double>) -> Double {
        let n = v.count
        precondition(n >= 1 && n <= rankLimit)
        var values = RankLanes(repeating: .infinity)
        withUnsafeMutableBytes(of: &values) { raw in
            raw.baseAddress!.copyMemory(from: v.baseAddress!, byteCount: n * MemoryLayout<Double>.stride)
        }
        var below = RankLanes(repeating: 0)
        for j in 0..<n { below.countBelow(values, probe: v[j]) }
        let m = n / 2
        return n % 2 == 1
            ? values.largest(where: below, atMost: m)
            : (values.largest(where: below, atMost: m - 1) + values.largest(where: below, atMost: m)) / 2
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

/// 64 `Double` lanes as eight `SIMD8<Double>` registers, for ``CurveFeatures/rankMedian(_:)``. (`SIMD64<Double>`
/// itself is not lowered to vector instructions: each of its operations runs lane by lane.)
struct RankLanes {
    typealias Lanes = SIMD8<Double>
    var a, b, c, d, e, f, g, h: Lanes

    init(repeating value: Double) {
        let v = Lanes(repeating: value)
        (a, b, c, d, e, f, g, h) = (v, v, v, v, v, v, v, v)
    }

    /// Adds 1 to every lane of `self` where `values` is above `probe`.
    @inline(__always)
    mutating func countBelow(_ values: RankLanes, probe: Double) {
        let p = Lanes(repeating: probe)
        a.replace(with: a + 1, where: p .< values.a)
        b.replace(with: b + 1, where: p .< values.b)
        c.replace(with: c + 1, where: p .< values.c)
        d.replace(with: d + 1, where: p .< values.d)
        e.replace(with: e + 1, where: p .< values.e)
        f.replace(with: f + 1, where: p .< values.f)
        g.replace(with: g + 1, where: p .< values.g)
        h.replace(with: h + 1, where: p .< values.h)
    }

    /// The largest lane of `self` whose lane in `counts` is at most `k`.
    @inline(__always)
    func largest(where counts: RankLanes, atMost k: Int) -> Double {
        let limit = Lanes(repeating: Double(k))
        let low = Lanes(repeating: -.infinity)
        @inline(__always) func keep(_ v: Lanes, _ count: Lanes) -> Lanes {
            v.replacing(with: low, where: count .> limit)
        }
        @inline(__always) func larger(_ x: Lanes, _ y: Lanes) -> Lanes { x.replacing(with: y, where: y .> x) }
        let top = larger(
            larger(larger(keep(a, counts.a), keep(b, counts.b)), larger(keep(c, counts.c), keep(d, counts.d))),
            larger(larger(keep(e, counts.e), keep(f, counts.f)), larger(keep(g, counts.g), keep(h, counts.h))))
        let four = top.lowHalf.replacing(with: top.highHalf, where: top.highHalf .> top.lowHalf)
        return Swift.max(Swift.max(four[0], four[1]), Swift.max(four[2], four[3]))
    }
}
