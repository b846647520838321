import EchoflowTestSupport
import Foundation
import Testing

@testable import PerfusionFitting

@Suite("Lognormal model")
struct LognormalModelTests {
    let model = LognormalModel()
    let p = ParameterVector(100, 2.9, 0.78, 5, 0.3, 0, 0, 0)

    @Test("value matches an independent implementation of the formula", arguments: [0.0, 5.0, 5.5, 8, 14.9, 30, 90])
    func valueMatchesReference(t: Double) {
        let expected = referenceLognormal(t, area: 100, mu: 2.9, sigma: 0.78, t0: 5, offset: 0.3)
        // Same formula in double precision: agreement to rounding.
        #expect(abs(model.value(at: t, parameters: p) - expected) <= 1e-12 * max(1, abs(expected)))
    }

    @Test("before t0 the curve is the offset and only the offset has a gradient")
    func beforeAppearance() {
        let (value, gradient) = model.valueAndGradient(at: 4, parameters: p)
        #expect(value == 0.3)
        #expect(gradient == ParameterVector(0, 0, 0, 0, 1, 0, 0, 0))
    }

    @Test("closed forms agree with numerical integration and differentiation of the curve")
    func closedFormsAgreeWithNumerics() {
        let shape = model.shape(p)
        // Fine Riemann sums on [t0, 2000 s]: the tail beyond holds < 1e-9 of the area for these parameters.
        let dt = 0.0005
        var area = 0.0
        var moment = 0.0
        var peakTime = 0.0
        var peak = 0.0
        var steepest = (time: 0.0, slope: -Double.infinity)
        var t = 5.0 + dt / 2
        while t < 2000 {
            let f = shape.enhancement(at: t)
            area += f * dt
            moment += f * t * dt
            if f > peak { (peak, peakTime) = (f, t) }
            let s = shape.slope(at: t)
            if s > steepest.slope { steepest = (t, s) }
            t += dt
        }
        #expect(abs(area - 100) < 1e-4)
        #expect(abs(moment / area - shape.meanTransitTime) < 1e-3)
        #expect(abs(peakTime - shape.timeToPeak) < dt)
        #expect(abs(peak - shape.peakEnhancement) < 1e-6)
        #expect(abs(steepest.time - shape.steepestRiseTime) < dt)
        #expect(abs(shape.integral(from: 0, to: 2000) - 100) < 1e-6)
        let h = 1e-5
        let numericSlope = (shape.enhancement(at: 12 + h) - shape.enhancement(at: 12 - h)) / (2 * h)
        #expect(abs(shape.slope(at: 12) - numericSlope) < 1e-7)
    }
}
