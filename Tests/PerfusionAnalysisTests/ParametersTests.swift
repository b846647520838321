import Foundation
import Testing

@testable import PerfusionAnalysis
@testable import PerfusionFitting

@Suite("Perfusion parameters")
struct ParametersTests {
    /// docs/METHODS.md §6 golden vector: lognormal A = 100, mu = 2.9, sigma = 0.78, t0 = 5 s.
    @Test("the lognormal golden vector of docs/METHODS.md")
    func goldenVector() {
        let shape = LognormalShape(area: 100, mu: 2.9, sigma: 0.78, appearanceTime: 5)
        let p = PerfusionParameters(shape: shape, qualityOfFit: 100)
        // The reference values carry 7 significant digits: 1e-6 relative is their own rounding.
        func close(_ a: Double, _ b: Double, _ name: String) {
            #expect(abs(a - b) <= 1e-6 * abs(b), "\(name): \(a) vs \(b)")
        }
        close(p.timeToPeak, 14.89075, "TTP")
        close(p.meanTransitTime, 29.63578, "mTT")
        close(p.peakEnhancement, 3.814818, "PE")
        close(shape.fullWidthHalfMaximum, 20.83054, "FWHM")
        close(shape.steepestRiseTime, 8.158761, "t_in")
        close(p.washInRate, 0.7766225, "WiR")
        close(shape.steepestFallTime, 21.854542, "t_out")
        close(p.washOutRate, -0.1570030, "WoR")
        close(p.tangentIntercept, 6.475078, "TI")
        close(p.washOutIntercept, 41.092657, "TO")
        close(p.riseTime, 8.415673, "RT")
        close(p.fallTime, 26.201907, "FT")
        close(p.meanTransitTimeFromIntercept, 23.160706, "mTTI")
        close(p.washInArea, 21.705359, "WiAUC")
        close(p.washOutArea, 59.276704, "WoAUC")
        close(p.washInOutArea, 80.982063, "WiWoAUC")
        close(p.washInPerfusionIndex, 2.579159, "WiPI")
        close(p.area, 100, "AUC")
    }

    @Test("wash-in area equals a numerical integral of the curve between TI and TTP")
    func washInAreaNumerically() {
        let shape = LognormalShape(area: 40, mu: 3.3, sigma: 0.6, appearanceTime: 12)
        let p = PerfusionParameters(shape: shape, qualityOfFit: 100)
        var sum = 0.0
        let n = 200_000
        let h = (p.timeToPeak - p.tangentIntercept) / Double(n)
        for i in 0..<n { sum += shape.enhancement(at: p.tangentIntercept + (Double(i) + 0.5) * h) * h }
        // Midpoint rule with 2e5 steps: error far below 1e-8 relative.
        #expect(abs(sum / p.washInArea - 1) < 1e-8)
    }

    @Test("relative amplitudes: twice the reference is 200 % and +3.01 dB; times are not amplitudes")
    func relative() {
        let base = LognormalShape(area: 50, mu: 2.8, sigma: 0.8, appearanceTime: 10)
        let double = LognormalShape(area: 100, mu: 2.8, sigma: 0.8, appearanceTime: 10)
        let r = RelativeAmplitudes(
            PerfusionParameters(shape: double, qualityOfFit: 90),
            reference: PerfusionParameters(shape: base, qualityOfFit: 90))
        #expect(r.stems == ["pe", "wir", "wiauc", "wipi", "wor", "woauc", "wiwoauc", "auc"])
        for (pct, db) in zip(r.percent, r.decibels) {
            #expect(abs(pct - 200) < 1e-9)
            #expect(abs(db - 10 * log10(2)) < 1e-12)
        }
    }

    @Test("QOF is 100 for a perfect fit and 0 for the mean")
    func qualityOfFit() {
        let values = [1.0, 2, 4, 3]
        #expect(PerfusionParameters.qualityOfFit(residualSumOfSquares: 0, values: values) == 100)
        // SS_tot = sum (y - 2.5)^2 = 5.
        #expect(abs(PerfusionParameters.qualityOfFit(residualSumOfSquares: 5, values: values)) < 1e-12)
        #expect(PerfusionParameters.qualityOfFit(residualSumOfSquares: 0, values: [2, 2]).isNaN)
    }
}
