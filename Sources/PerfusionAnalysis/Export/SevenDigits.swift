import CFormat

/// Numbers as C's `printf("%.7g")` writes them (the C locale), without calling it for nearly every number.
///
/// `%.7g` rounds |v| to seven significant digits, exactly and ties to even, and writes them in fixed notation when
/// the decimal exponent X of the rounded value satisfies -4 <= X < 7, else as `d.dddddde±XX`; trailing zeros of the
/// fraction and a bare decimal point are dropped.
///
/// Here the seven digits come from one floating-point operation: y = |v| x 10^(6 - X), or |v| / 10^(X - 6), with the
/// power of ten exact (10^0 ... 10^22), so y is the exact scaled value rounded once to a Double. Rounding is monotone
/// and every k + 1/2 below 10^7 is a Double, so when the exact value lies above k + 1/2, y is not below it, and when
/// below, not above: the fraction of y is on the same side of one half as the exact one's, or exactly one half. Only
/// then (an exact tie such as 1.0078125, or a number within half an ulp of one, such as 8.3045215e-06) and for |v|
/// outside 10^-16 ... 10^29 does the C library format the number. So the output is byte for byte the C library's;
/// the tests compare both on hundreds of thousands of numbers, near-ties and ties among them.
enum SevenDigits {
    /// 10^0 ... 10^22, each exact in a Double.
    private static let powers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// Appends `%.7g` of `v` to `out`; nothing for NaN and infinities, `0` for both zeros (as the tables write them).
    static func append(_ v: Double, to out: inout [UInt8]) {
        guard v.isFinite else { return }
        if v == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            let p = buffer.baseAddress!
            let count =
                write(v, p)
                ?? p.withMemoryRebound(to: CChar.self, capacity: 32) {
                    Int(echoflow_format_g7(v, $0))
                }
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
        }
    }

    /// The seven significant digits of |v| (10^6 ... 10^7 - 1) and the decimal exponent of the rounded value; nil
    /// when one operation cannot decide (see the type's documentation).
    @inline(__always)
    static func digits(_ a: Double) -> (digits: Int, exponent: Int)? {
        // floor(e log10 2) for the binary exponent e is X or X - 1; a scaled value of 10^7 or more says which.
        var x = (Int(a.exponent) &* 78_913) >> 18
        var y = 0.0
        for _ in 0..<2 {
            let s = 6 - x
            guard s >= -22 && s <= 22 else { return nil }
            y = s >= 0 ? a * powers[s] : a / powers[-s]
            guard y >= 10_000_000 else { break }
            x += 1
        }
        guard y >= 1_000_000 && y < 10_000_000 else { return nil }
        let whole = y.rounded(.down)
        let fraction = y - whole  // exact: both below 2^53 and within 1 of each other
        guard fraction != 0.5 else { return nil }  // a tie, or too close to one to tell
        var n = Int(whole) + (fraction > 0.5 ? 1 : 0)
        if n == 10_000_000 {
            n = 1_000_000
            x += 1
        }
        return (n, x)
    }

    /// Writes `%.7g` of the finite, nonzero `v` at `p` (at most 15 bytes) and returns the count; nil when the C
    /// library has to decide.
    static func write(_ v: Double, _ p: UnsafeMutablePointer<UInt8>) -> Int? {
        guard let (n, x) = digits(abs(v)) else { return nil }
        var digits = n
        var kept = 7  // significant digits left after dropping trailing zeros
        while digits % 10 == 0 {
            digits /= 10
            kept -= 1
        }
        // The kept digits, most significant first, into d[0..<kept].
        var d: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &d) { d in
            var rest = digits
            for k in stride(from: kept - 1, through: 0, by: -1) {
                d[k] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
                rest /= 10
            }
        }
        var i = 0
        if v < 0 {
            p[0] = UInt8(ascii: "-")
            i = 1
        }
        withUnsafeBytes(of: &d) { d in
            if x >= -4 && x < 7 {
                if x < 0 {
                    // 0.000ddd
                    p[i] = UInt8(ascii: "0")
                    p[i + 1] = UInt8(ascii: ".")
                    i += 2
                    for _ in 0..<(-x - 1) {
                        p[i] = UInt8(ascii: "0")
                        i += 1
                    }
                    for k in 0..<kept {
                        p[i] = d[k]
                        i += 1
                    }
                } else {
                    // x + 1 digits before the point (zeros where none are kept), the rest after it
                    for k in 0...x {
                        p[i] = k < kept ? d[k] : UInt8(ascii: "0")
                        i += 1
                    }
                    if kept > x + 1 {
                        p[i] = UInt8(ascii: ".")
                        i += 1
                        for k in (x + 1)..<kept {
                            p[i] = d[k]
                            i += 1
                        }
                    }
                }
            } else {
                p[i] = d[0]
                i += 1
                if kept > 1 {
                    p[i] = UInt8(ascii: ".")
                    i += 1
                    for k in 1..<kept {
                        p[i] = d[k]
                        i += 1
                    }
                }
                p[i] = UInt8(ascii: "e")
                p[i + 1] = x < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
                i += 2
                let e = abs(x)
                if e >= 100 {
                    p[i] = UInt8(truncatingIfNeeded: e / 100) &+ UInt8(ascii: "0")
                    i += 1
                }
                p[i] = UInt8(truncatingIfNeeded: e / 10 % 10) &+ UInt8(ascii: "0")
                p[i + 1] = UInt8(truncatingIfNeeded: e % 10) &+ UInt8(ascii: "0")
                i += 2
            }
        }
        return i
    }
}
