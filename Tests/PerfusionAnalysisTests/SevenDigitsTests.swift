import CFormat
import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionAnalysis

/// The table writer's own `%.7g` (``SevenDigits``) against the C library's `snprintf("%.7g")`, the independent
/// reference it must match byte for byte (our tables were written with it before, and R, pandas and Excel read it).
@Suite("Seven significant digits")
struct SevenDigitsTests {
    /// The C library's `%.7g`.
    static func reference(_ v: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let count = Int(echoflow_format_g7(v, buffer.baseAddress!))
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: count), as: UTF8.self)
        }
    }

    /// The fast path alone: nil when it leaves the number to the C library.
    static func fast(_ v: Double) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            SevenDigits.write(v, buffer.baseAddress!).map {
                String(decoding: UnsafeBufferPointer(start: buffer.baseAddress!, count: $0), as: UTF8.self)
            }
        }
    }

    /// Checks `values` both ways; returns how many the fast path decided.
    static func check(_ values: [Double], _ comment: String) -> Int {
        var decided = 0
        var failures = 0
        for v in values where v.isFinite && v != 0 {
            let expected = reference(v)
            if let own = fast(v) {
                decided += 1
                if own != expected {
                    failures += 1
                    if failures <= 5 { Issue.record("\(comment): \(v.bitPattern) (\(v)) wrote \(own), C \(expected)") }
                }
            }
            if CSVTable.formatNumber(v) != expected {
                failures += 1
                if failures <= 5 { Issue.record("\(comment): formatNumber(\(v)) differs from C \(expected)") }
            }
        }
        return decided
    }

    @Test("random numbers from 1e-20 to 1e30, both signs: the C library's text, nearly all without it")
    func random() {
        var generator = TestRandom(seed: 7)
        let values = (0..<200_000).map { _ -> Double in
            let exponent = Double(generator.next() % 50_000_000) / 1_000_000 - 20  // -20 ..< 30
            let sign: Double = generator.next() % 2 == 0 ? 1 : -1
            return sign * Foundation.pow(10, exponent)
        }
        let decided = Self.check(values, "random")
        // The fast path covers 1e-16 ..< 1e29 (45 of the 50 decades) and gives up on about 2e-9 of those at random:
        // far fewer than one in a thousand of the 180,000 in its range should reach the C library.
        let inRange = values.filter { abs($0) >= 1e-16 && abs($0) < 1e29 }.count
        #expect(decided >= inRange - inRange / 1000, "fast path decided \(decided) of \(inRange)")
    }

    @Test("numbers next to a rounding tie (eight digits ending in 5, and the Doubles either side)")
    func nearTies() {
        var generator = TestRandom(seed: 11)
        var values: [Double] = []
        for _ in 0..<40_000 {
            let digits = 10_000_000 + Int(generator.next() % 90_000_000)
            let tie = digits - digits % 10 + 5
            let exponent = Int(generator.next() % 40) - 18
            guard let v = Double("\(tie)e\(exponent - 7)") else { continue }
            values += [v, v.nextUp, v.nextDown, v.nextUp.nextUp, v.nextDown.nextDown]
        }
        _ = Self.check(values, "near a tie")
        // Doubles just above a tie whose scaled value rounds to exactly one half (found with exact fractions in
        // Python): deciding them by y alone would round them down.
        let above: [(Double, String)] = [
            (Double(bitPattern: 0x3EE1_6A74_BE79_C7D2), "8.304522e-06"), (739.35045, "739.3505"),
            (0.0083925065, "0.008392507"), (Double(bitPattern: 0x3E0F_5D44_4C04_1DB1), "9.12822e-10"),
        ]
        for (v, text) in above {
            #expect(Self.fast(v) == nil, "\(v): the scaled value is exactly one half, so the C library decides")
            #expect(CSVTable.formatNumber(v) == text)
            #expect(CSVTable.formatNumber(v) == Self.reference(v))
        }
    }

    @Test("exact ties (j / 2^k with eight digits) round half to even, as the C library does")
    func exactTies() {
        // 1.0078125 = 129/128 (rounds down to 1.007812), 1.0234375 = 131/128 (rounds up to 1.023438), and every
        // odd j / 2^k with eight significant digits whose eighth is 5, in several decades.
        var values: [Double] = [1.0078125, 1.0234375, 1234567.5, 1234568.5, 9999999.5, 0.12345675]
        for k in 7...12 {
            let scale = Double(1 << k)
            for j in stride(from: 1, to: 40_000, by: 2) {
                values.append(Double(j) / scale)
                values.append(Double(j) / scale * 1024)
            }
        }
        _ = Self.check(values, "tie")
        // The fast path must leave the exact ties to the C library (or get them right): 1.0234375 is one whose
        // seventh digit is odd, where rounding the fraction 0.5 down would be wrong.
        #expect(Self.fast(1.0234375) == nil || Self.fast(1.0234375) == "1.023438")
        #expect(CSVTable.formatNumber(1.0234375) == "1.023438")
        #expect(CSVTable.formatNumber(1.0078125) == "1.007812")
        #expect(CSVTable.formatNumber(1234568.5) == "1234568")
        #expect(CSVTable.formatNumber(1234567.5) == "1234568")
    }

    @Test("powers of ten, the switch to exponents, 9999999.5 and its neighbours in every decade")
    func boundaries() {
        var values: [Double] = []
        for e in -25...32 {
            for base in [1.0, 9.9999995, 9.999999, 1.0000005, 5.0, 2.5] {
                guard let v = Double("\(base)e\(e)") else { continue }
                var up = v
                var down = v
                for _ in 0..<4 {
                    values += [up, down]
                    up = up.nextUp
                    down = down.nextDown
                }
            }
        }
        values += [
            Double.leastNonzeroMagnitude, Double.leastNormalMagnitude, Double.greatestFiniteMagnitude, 1e-4, 0.0001,
            0.00009999999, 0.000099999995, 1e7, 9_999_999, 1e6, 123.456, 100, 1e-5,
        ]
        _ = Self.check(values + values.map { -$0 }, "boundary")
        #expect(CSVTable.formatNumber(9_999_999.5) == "1e+07")
        #expect(CSVTable.formatNumber(0.0001) == "0.0001")
        #expect(CSVTable.formatNumber(0.00001) == "1e-05")
        #expect(CSVTable.formatNumber(-0.0) == "0")
    }
}
