import Foundation

/// xoshiro256** pseudo-random generator seeded through SplitMix64: the same seed gives the same stream on
/// every platform and run.
///
/// Reference: D. Blackman, S. Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 47 (2021),
/// doi:10.1145/3460772.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose state is seeded from `seed` through SplitMix64.
    public init(seed: UInt64) {
        var x = seed
        s = (Self.splitMix(&x), Self.splitMix(&x), Self.splitMix(&x), Self.splitMix(&x))
    }

    /// A generator with the raw xoshiro256** state `state` (not all zero), for checks against published
    /// reference streams.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        s = state
    }

    /// The raw xoshiro256** state.
    var state: (UInt64, UInt64, UInt64, UInt64) { s }

    /// A seed for stream `index` derived from `seed` (independent streams for frames, subjects, ...).
    public static func derive(_ seed: UInt64, _ index: UInt64) -> UInt64 {
        var x = seed ^ (index &* 0xD1B5_4A32_D192_ED03)
        return splitMix(&x)
    }

    static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in (0, 1), never 0.
    mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * uniform()
    }

    /// Standard normal by Box–Muller.
    public mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
    }

    /// Exponential with mean 1.
    mutating func exponential() -> Double {
        -log(uniform())
    }
}
