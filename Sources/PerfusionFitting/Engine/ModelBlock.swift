/// The samples one step of the vector fused pass evaluates: sixteen `Float` lanes, one 512-bit register on CPUs
/// with AVX-512 and two 256-bit registers elsewhere (AVX2, NEON), so the pass is written once for both.
public typealias SampleLanes = SIMD16<Float>
/// Lane masks of ``SampleLanes``: all bits set or none.
typealias LaneMask = SIMD16<Int32>
/// Lanes per block of the vector fused pass.
let sampleLaneCount = SampleLanes.scalarCount

/// A model's value and gradient for the sixteen samples of a ``SampleLanes`` block at once, in `Float` lanes: the vector twin of
/// ``CurveModel/valueAndGradient(at:parameters:)``. Models have at most five parameters; derivatives of
/// unused parameters are zero.
public struct ModelBlock: Sendable {
    var value: SampleLanes
    var d0: SampleLanes
    var d1: SampleLanes
    var d2: SampleLanes
    var d3: SampleLanes
    var d4: SampleLanes

    @inline(__always)
    init(
        value: SampleLanes, d0: SampleLanes, d1: SampleLanes, d2: SampleLanes, d3: SampleLanes = .zero,
        d4: SampleLanes = .zero
    ) {
        self.value = value
        self.d0 = d0
        self.d1 = d1
        self.d2 = d2
        self.d3 = d3
        self.d4 = d4
    }
}
