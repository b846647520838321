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
    /// The enhancement over the noise of the smoothed curve (``peakOverNoise(enhancement:medianDifference:window:)``)
    /// when it is below ``minimumPeakOverNoise``; nil when it is not, and then it was not measured exactly (see
    /// ``faintPeakOverNoise(_:enhancement:window:)``).
    let faintPeakOverNoise: Double?

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
        // One buffer: the smoothed curve (n) and scratch for medians (at most 64).
        self = ThreadScratch.withBuffer(count: n + 64) { buffer in
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
        // The smoothed curve, its first maximum and its lowest level (`floor`).
        let (peak, floor) = CurveScans.movingAverage(y, window: window, into: smooth)
        let smoothed = UnsafeBufferPointer(smooth)
        // The lowest smoothed level before the peak (the arrival threshold's base), and the lowest level before the
        // peak that a single sample cannot fake: the minimum over neighbouring pairs of the larger of the two raw
        // samples, so that one dark frame (the first, or any other) is not a baseline. Raw pairs, not the smoothed
        // curve: the smoothing window grows with the clip (n / 30) and on a long clip would carry the rise back over
        // the whole pre-bolus baseline.
        let lowest = CurveScans.minimum(smoothed, from: 0, to: peak + 1)
        let preFloor = peak > 0 ? CurveScans.pairFloor(y, from: 0, to: peak) : y[0]
        let threshold = lowest + CurveFeatures.arrivalFraction * (smooth[peak] - lowest)
        // Walk back from the peak to the last sample at or below the threshold.
        let k = CurveScans.lastNotAbove(threshold, smoothed, before: peak) + 1
        let base: Double
        let arrival: Double
        if k == 0 {
            // No baseline before the rise: measure against the lowest level of the whole curve, so a curve that
            // only washes out still shows its enhancement (and is then reported as not a bolus).
            base = floor
            arrival = t[0] - (n > 1 ? t[1] - t[0] : 1)
        } else {
            // Median of at most 32 pre-arrival samples spread evenly over them.
            let count = min(k, 32)
            CurveScans.evenlySpaced(count, over: k, into: scratch) { y[$0] }
            base = CurveFeatures.median(UnsafeMutableBufferPointer(rebasing: scratch[0..<count]))
            arrival = t[k - 1]
        }

        let (weight, moment) = CurveScans.moment(t, smoothed, base: base, after: arrival)

        // Noise from the median absolute first difference of at most 64 differences spread over the curve.
        let differences = min(n - 1, 64)
        CurveScans.evenlySpaced(differences, over: n - 1, into: scratch) { abs(y[$0 &+ 1] - y[$0]) }
        faintPeakOverNoise = CurveFeatures.faintPeakOverNoise(
            UnsafeMutableBufferPointer(rebasing: scratch[0..<differences]), enhancement: smooth[peak] - base,
            window: window)

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
        // Eight candidate indices at a time (the conditions of i ... i + 7 as lanes); the first lane that holds is
        // the answer, as in the one-at-a-time loop below. The fall itself (high, then low) is rare on a curve, so
        // the two samples after it are compared only when it occurs.
        let highs = CurveScans.Wide(repeating: high)
        let lows = CurveScans.Wide(repeating: low)
        while i &+ 9 < n {
            let drops = (CurveScans.loadWide(p, i &- 1) .> highs) .& (CurveScans.loadWide(p, i) .< lows)
            if any(drops) {
                let falls =
                    drops .& (CurveScans.loadWide(p, i &+ 1) .< lows) .& (CurveScans.loadWide(p, i &+ 2) .< lows)
                if any(falls) {
                    for lane in 0..<8 where falls[lane] { return i &+ lane }
                }
            }
            i &+= 8
        }
        while i + 2 < n {
            if y[i - 1] > high && y[i] < low && y[i + 1] < low && y[i + 2] < low { return i }
            i += 1
        }
        return nil
    }

    /// The least enhancement over the noise of the smoothed curve that a bolus needs.
    static let minimumPeakOverNoise = 5.0

    /// Enhancement over the noise of the smoothed curve (infinite for a noise-free curve with a bolus), for the
    /// median `m` of absolute first differences of the raw samples: the noise standard deviation of one sample is
    /// `m / (sqrt(2) 0.6745)` (the MAD of differences of independent noise is sigma sqrt(2) 0.6745), and that of the
    /// smoothed curve is smaller by the square root of the moving average's window.
    static func peakOverNoise(enhancement: Double, medianDifference m: Double, window: Int) -> Double {
        let noise = m / (0.674_489_75 * 2.0.squareRoot())
        let smoothedNoise = noise / Double(window).squareRoot()
        return smoothedNoise > 0 ? enhancement / smoothedNoise : (enhancement > 0 ? .infinity : 0)
    }

    /// ``peakOverNoise(enhancement:medianDifference:window:)`` of the median of `differences` when it is below
    /// ``minimumPeakOverNoise``, nil when it is not; reorders `differences` when it needs their median.
    ///
    /// Most curves that are fitted clear the minimum by far, and for them the median is not needed: the ratio falls
    /// as the median grows (each rounded step is monotone), so when more than half the differences lie at or below a
    /// level at which the ratio still clears the minimum, so does the median, and the ratio at the median. The level
    /// is the one solved for in exact arithmetic, lowered by 2^-40 of itself, far more than the few roundings of the
    /// ratio, and checked with the ratio itself. Every other curve takes the median.
    static func faintPeakOverNoise(
        _ differences: UnsafeMutableBufferPointer<Double>, enhancement: Double, window: Int
    ) -> Double? {
        let minimum = minimumPeakOverNoise
        let count = differences.count
        if enhancement > 0 && count > 0 {
            let level = enhancement * Double(window).squareRoot() * (0.674_489_75 * 2.0.squareRoot()) / minimum
            let below = level * (1 - 0x1p-40)
            if below > 0 && below < .greatestFiniteMagnitude / 4
                && peakOverNoise(enhancement: enhancement, medianDifference: below, window: window) >= minimum
            {
                // Both middle order statistics are at or below `below` when more than count / 2 values are.
                if countAtOrBelow(below, UnsafeBufferPointer(differences)) > count / 2 { return nil }
            }
        }
        let ratio = peakOverNoise(enhancement: enhancement, medianDifference: median(differences), window: window)
        return ratio >= minimum ? nil : ratio
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

    /// How many of `v` are at or below `level`: eight lanes at a time, the last (partial) eight by a load of the
    /// last eight that counts only the lanes not counted yet.
    static func countAtOrBelow(_ level: Double, _ v: UnsafeBufferPointer<Double>) -> Int {
        let n = v.count
        guard n >= 8 else {
            var count = 0
            for x in v where x <= level { count += 1 }
            return count
        }
        typealias Wide = CurveScans.Wide
        let p = v.baseAddress!
        let levels = Wide(repeating: level)
        var counts = Wide.zero
        var i = 0
        while i &+ 8 <= n {
            counts.replace(with: counts + 1, where: CurveScans.loadWide(p, i) .<= levels)
            i &+= 8
        }
        if i < n {
            // Lane j holds sample n - 8 + j, new when n - 8 + j >= i.
            let fresh = Wide(0, 1, 2, 3, 4, 5, 6, 7) .>= Wide(repeating: Double(i &- (n &- 8)))
            counts.replace(with: counts + 1, where: (CurveScans.loadWide(p, n &- 8) .<= levels) .& fresh)
        }
        return Int(counts.sum())
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
    /// repeats until at most 32 values are left (about a quarter are left each time), which two registers (up to 16)
    /// or four rank. A bracket that keeps every value (ties at the median) ends the narrowing, and the values left are
    /// ranked in eight registers. Up to 32 values are ranked at once with no narrowing: the copy-out is a chain of
    /// dependent stores, and for so few values costs more than the comparisons it saves.
    static func rankMedian(_ v: UnsafeBufferPointer<Double>) -> Double {
        let n = v.count
        precondition(n >= 1 && n <= rankLimit)
        let kHigh = n / 2
        let kLow = n % 2 == 1 ? kHigh : kHigh - 1
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: RankSelection.scratchCount) { buffer in
            let (low, high) = RankSelection.select(
                v.baseAddress!, count: n, kLow: kLow, kHigh: kHigh, scratch: buffer.baseAddress!)
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

/// The order statistics of ``CurveFeatures/rankMedian(_:)``: counts in `SIMD8<Double>` registers, picks by scalar
/// loops over them.
///
/// The vector kernels take and give their registers through memory and are not inlined. (A `SIMD8<Double>` argument
/// or result travels as four 2-lane pieces, and the compiler then keeps the caller's vectors in 2-lane pieces too;
/// `SIMD64<Double>` is not lowered to vector instructions at all.)
enum RankSelection {
    typealias Lanes = CurveScans.Wide

    /// Values `scratch` must hold: the values left (with their padding) in [0, 64), the 8-register counts in
    /// [64, 128), the sample and its counts (or the 2-register counts) in [80, 96).
    static let scratchCount = 128

    /// The kLow-th and kHigh-th smallest (from 0, `kLow <= kHigh`) of `values[0 ..< count]` (1 ... 64 values);
    /// `scratch` holds ``scratchCount`` values and may alias nothing else.
    static func select(
        _ values: UnsafePointer<Double>, count: Int, kLow: Int, kHigh: Int, scratch: UnsafeMutablePointer<Double>
    ) -> (Double, Double) {
        var source = values
        var n = count
        var kLow = kLow
        var kHigh = kHigh
        let results = scratch + 80
        while n > 32 {
            // Rank 8 values spread over the set against all of it: results[0 ..< 8] the values, [8 ..< 16] counts.
            sampleRanks(source, count: n, into: results)
            // lo: the largest sample with below <= kLow (-infinity if none); hi: the smallest sample with
            // below > kHigh.
            var lo = -Double.infinity
            var hi = Double.infinity
            for lane in 0..<8 {
                let value = results[lane]
                let below = results[8 + lane]
                lo = Swift.max(lo, below <= Double(kLow) ? value : -.infinity)
                hi = Swift.min(hi, below > Double(kHigh) ? value : .infinity)
            }
            // hi = +infinity bounds nothing, so that values equal to +infinity stay: NaN, above which no value is.
            if hi == .infinity { hi = .nan }
            var kept = 0
            // The values below lo, which leave the bracket on its low side (lo's own rank count).
            var skipped = 0
            for j in 0..<n {
                let x = source[j]
                scratch[kept] = x
                // The comparisons as 0 or 1, with no branch.
                kept &+= (x >= lo ? 1 : 0) & (x >= hi ? 0 : 1)
                skipped &+= x < lo ? 1 : 0
            }
            if kept == n { break }  // no narrowing: ties fill the bracket
            kLow -= skipped
            kHigh -= skipped
            n = kept
            source = UnsafePointer(scratch)
        }
        // The values left, in scratch, padded with +infinity (never chosen) to whole registers: 16 for up to 16
        // values, 32 for up to 32, else 64.
        if source != UnsafePointer(scratch) { scratch.update(from: source, count: n) }
        let registers = n <= 16 ? 2 : n <= 32 ? 4 : 8
        for i in n..<(8 * registers) { scratch[i] = .infinity }
        let counts = registers == 2 ? results : scratch + 64
        countBelow(UnsafePointer(scratch), count: n, registers: registers, into: counts)
        return pick(UnsafePointer(scratch), counts: UnsafePointer(counts), registers: registers, kLow, kHigh)
    }

    /// The largest of `values[0 ..< 8 * registers]` with a count `<= kLow`, and with one `<= kHigh`: eight lanes at
    /// a time, each lane as `Swift.max` over its values in turn, then the lanes. The answer is the same value
    /// whatever the order, except for the sign of a zero (+0 and -0 are equal, and `Swift.max` keeps the later):
    /// when a result is zero, the values are taken one at a time in order, as `Swift.max` over all of them would.
    @inline(never)
    static func pick(
        _ values: UnsafePointer<Double>, counts: UnsafePointer<Double>, registers: Int, _ kLow: Int, _ kHigh: Int
    ) -> (Double, Double) {
        let lowLimit = Lanes(repeating: Double(kLow))
        let highLimit = Lanes(repeating: Double(kHigh))
        let none = Lanes(repeating: -.infinity)
        var lows = none
        var highs = none
        for r in 0..<registers {
            let value = CurveScans.loadWide(values, 8 &* r)
            let below = CurveScans.loadWide(counts, 8 &* r)
            // Swift.max(x, y) is y when y >= x, else x.
            let lowCandidate = value.replacing(with: none, where: below .> lowLimit)
            let highCandidate = value.replacing(with: none, where: below .> highLimit)
            lows.replace(with: lowCandidate, where: lowCandidate .>= lows)
            highs.replace(with: highCandidate, where: highCandidate .>= highs)
        }
        // No lane holds a NaN (a NaN candidate never replaces), so the order of the lanes matters only for zeros.
        var low = lows.max()
        var high = highs.max()
        if low == 0 || high == 0 {
            low = -.infinity
            high = -.infinity
            for i in 0..<(8 &* registers) {
                let below = counts[i]
                low = Swift.max(low, below <= Double(kLow) ? values[i] : -.infinity)
                high = Swift.max(high, below <= Double(kHigh) ? values[i] : -.infinity)
            }
        }
        return (low, high)
    }

    @inline(__always)
    static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Double>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Lanes.self)
    }

    /// Writes 8 values spread over `p[0 ..< n]` (n > 8) to `out[0 ..< 8]` and, for each, how many of `p[0 ..< n]`
    /// are smaller to `out[8 ..< 16]`.
    @inline(never)
    static func sampleRanks(_ p: UnsafePointer<Double>, count n: Int, into out: UnsafeMutablePointer<Double>) {
        @inline(__always) func at(_ lane: Int) -> Double { p[(lane &* n) >> 3] }
        let v = Lanes(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7))
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
        store(v, out, 0)
        store((counts.0 + counts.1) + (counts.2 + counts.3), out, 8)
    }

    /// For each of `p[0 ..< 8 * registers]` (2, 4 or 8 registers; the first n are the values, the rest padding),
    /// how many of `p[0 ..< n]` are smaller, written to `out[0 ..< 8 * registers]`.
    @inline(never)
    static func countBelow(
        _ p: UnsafePointer<Double>, count n: Int, registers: Int, into out: UnsafeMutablePointer<Double>
    ) {
        if registers == 2 {
            let (a, b) = (CurveScans.loadWide(p, 0), CurveScans.loadWide(p, 8))
            var counts = (Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero)
            var j = 0
            while j + 2 <= n {
                let first = Lanes(repeating: p[j])
                let second = Lanes(repeating: p[j + 1])
                counts.0.replace(with: counts.0 + 1, where: first .< a)
                counts.1.replace(with: counts.1 + 1, where: first .< b)
                counts.2.replace(with: counts.2 + 1, where: second .< a)
                counts.3.replace(with: counts.3 + 1, where: second .< b)
                j += 2
            }
            if j < n {
                let probe = Lanes(repeating: p[j])
                counts.0.replace(with: counts.0 + 1, where: probe .< a)
                counts.1.replace(with: counts.1 + 1, where: probe .< b)
            }
            store(counts.0 + counts.2, out, 0)
            store(counts.1 + counts.3, out, 8)
            return
        }
        @inline(__always) func register(_ r: Int) -> Lanes { CurveScans.loadWide(p, 8 * r) }
        let (a, b, c, d) = (register(0), register(1), register(2), register(3))
        // The registers are written out one by one (here and in the two other paths): a helper taking a tuple of
        // registers inout, even inlined, made the compiler keep them on the stack (222 stack accesses; the guess
        // took 1.7 times as long).
        if registers == 4 {
            // Even and odd probes into separate counts, so that each count waits on half as many additions.
            var even = (Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero)
            var odd = (Lanes.zero, Lanes.zero, Lanes.zero, Lanes.zero)
            var j = 0
            while j &+ 2 <= n {
                let first = Lanes(repeating: p[j])
                let second = Lanes(repeating: p[j &+ 1])
                even.0.replace(with: even.0 + 1, where: first .< a)
                even.1.replace(with: even.1 + 1, where: first .< b)
                even.2.replace(with: even.2 + 1, where: first .< c)
                even.3.replace(with: even.3 + 1, where: first .< d)
                odd.0.replace(with: odd.0 + 1, where: second .< a)
                odd.1.replace(with: odd.1 + 1, where: second .< b)
                odd.2.replace(with: odd.2 + 1, where: second .< c)
                odd.3.replace(with: odd.3 + 1, where: second .< d)
                j &+= 2
            }
            if j < n {
                let probe = Lanes(repeating: p[j])
                even.0.replace(with: even.0 + 1, where: probe .< a)
                even.1.replace(with: even.1 + 1, where: probe .< b)
                even.2.replace(with: even.2 + 1, where: probe .< c)
                even.3.replace(with: even.3 + 1, where: probe .< d)
            }
            store(even.0 + odd.0, out, 0)
            store(even.1 + odd.1, out, 8)
            store(even.2 + odd.2, out, 16)
            store(even.3 + odd.3, out, 24)
            return
        }
        let (e, f, g, h) = (register(4), register(5), register(6), register(7))
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
        store(counts.0, out, 0)
        store(counts.1, out, 8)
        store(counts.2, out, 16)
        store(counts.3, out, 24)
        store(counts.4, out, 32)
        store(counts.5, out, 40)
        store(counts.6, out, 48)
        store(counts.7, out, 56)
    }
}
