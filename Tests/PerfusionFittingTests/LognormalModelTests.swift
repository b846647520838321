import EchoflowTestSupport
import Foundation
import PerfusionFitting
import Testing

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

    @Test("gradient matches central finite differences", arguments: [5.3, 7.0, 10, 14.9, 25, 60])
    func gradientMatchesFiniteDifferences(t: Double) {
        let (value, gradient) = model.valueAndGradient(at: t, parameters: p)
        #expect(value == model.value(at: t, parameters: p))
        for k in 0..<5 {
            let h = 1e-6 * max(1, abs(p[k]))
            var up = p
            var down = p
            up[k] += h
            down[k] -= h
            let numeric = (model.value(at: t, parameters: up) - model.value(at: t, parameters: down)) / (2 * h)
            // Central differences have O(h^2) truncation and O(eps/h) rounding error: ~1e-7 relative here.
            #expect(abs(gradient[k] - numeric) <= 1e-6 * max(1, abs(numeric)), "parameter \(k) at t = \(t)")
        }
        for k in 5..<8 { #expect(gradient[k] == 0) }
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

@Suite("Vector and scalar model twins")
struct ModelTwinTests {
    @Test("the lognormal SIMD block agrees with the scalar value and gradient")
    func lognormalTwins() {
        let model = LognormalModel()
        let p = ParameterVector(100, 2.9, 0.78, 5, 0.3, 0, 0, 0)
        let times: [Double] = [0, 4.9, 5.01, 6, 9, 14.9, 30, 120]
        let block = model.block(at: SIMD8<Float>(times.map(Float.init)), parameters: SIMD8<Float>(p))
        let derivatives = [block.d0, block.d1, block.d2, block.d3, block.d4]
        for (lane, t) in times.enumerated() {
            let (value, gradient) = model.valueAndGradient(
                at: Double(Float(t)), parameters: ParameterVector(SIMD8<Float>(p)))
            // Float evaluation: a few ulps of the largest term (relative 1e-5 allows log/exp error amplified by L).
            #expect(abs(Double(block.value[lane]) - value) <= 1e-5 * max(1, abs(value)), "value at \(t)")
            for k in 0..<5 {
                let scale = max(1, abs(gradient[k]))
                #expect(abs(Double(derivatives[k][lane]) - gradient[k]) <= 1e-4 * scale, "d\(k) at \(t)")
            }
        }
    }
}
