import Foundation
import Testing

@testable import CEUSImaging

@Suite("Linearization")
struct LinearizationTests {
    @Test("the inverse law undoes the display law", arguments: [40.0, 50, 60])
    func inverse(dr: Double) {
        let law = Linearization(dynamicRangeDB: dr)
        for y in stride(from: 1.0, through: 254, by: 17) {
            let p = law.power(display: y, maxDisplayValue: 255)
            #expect(abs(law.display(power: p, maxDisplayValue: 255) - y) < 1e-9)
        }
        #expect(law.power(display: 255, maxDisplayValue: 255) == 1)
        #expect(abs(law.power(display: 0, maxDisplayValue: 255) - pow(10, -dr / 10)) < 1e-15)
    }

    @Test("doubling the power adds 3.01 dB, that is 255 x 3.0103 / DR display levels")
    func doubling() {
        let law = Linearization(dynamicRangeDB: 60)
        let y1 = law.display(power: 0.001, maxDisplayValue: 255)
        let y2 = law.display(power: 0.002, maxDisplayValue: 255)
        #expect(abs((y2 - y1) - 255 * 10 * log10(2) / 60) < 1e-9)
        // After 8-bit rounding the recovered ratio is within one display level (0.235 dB at 60 dB).
        let ratio =
            law.power(display: y2.rounded(), maxDisplayValue: 255)
            / law.power(display: y1.rounded(), maxDisplayValue: 255)
        #expect(abs(10 * log10(ratio) - 3.0103) <= 60.0 / 255 + 1e-9)
    }

    @Test("the exp(Y / c) law is the same law up to a constant factor")
    func expLaw() {
        let c = 24.09
        let law = Linearization(expConstant: c, maxDisplayValue: 255)
        #expect(abs(law.dynamicRangeDB - 10 * log10(M_E) * 255 / c) < 1e-12)
        for (a, b) in [(10.0, 50.0), (100, 200), (3, 254)] {
            let ratio = law.power(display: b, maxDisplayValue: 255) / law.power(display: a, maxDisplayValue: 255)
            #expect(abs(ratio / exp((b - a) / c) - 1) < 1e-12)
        }
    }

    @Test("colour tables multiply to the power of the luminance")
    func colourTables() {
        let law = Linearization(dynamicRangeDB: 55)
        let t = law.colorLookupTables(maxValue: 255)
        for (r, g, b) in [(0, 0, 0), (255, 255, 255), (10, 200, 30), (128, 64, 255)] {
            let y = 0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)
            let expected = law.power(display: y, maxDisplayValue: 255)
            #expect(abs(t[0][r] * t[1][g] * t[2][b] / expected - 1) < 1e-12)
        }
    }
}
