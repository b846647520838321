/// A model's value and gradient for eight samples at once, in `Float` lanes: the vector twin of
/// ``CurveModel/valueAndGradient(at:parameters:)``. Models have at most five parameters; derivatives of
/// unused parameters are zero.
public struct ModelBlock: Sendable {
    var value: SIMD8<Float>
    var d0: SIMD8<Float>
    var d1: SIMD8<Float>
    var d2: SIMD8<Float>
    var d3: SIMD8<Float>
    var d4: SIMD8<Float>

    @inline(__always)
    init(
        value: SIMD8<Float>, d0: SIMD8<Float>, d1: SIMD8<Float>, d2: SIMD8<Float>, d3: SIMD8<Float> = .zero,
        d4: SIMD8<Float> = .zero
    ) {
        self.value = value
        self.d0 = d0
        self.d1 = d1
        self.d2 = d2
        self.d3 = d3
        self.d4 = d4
    }
}

extension SIMD8 where Scalar == Float {
    /// Lanes of `self` where `mask` is all ones, zero where it is zero (bit operations only).
    @inline(__always)
    func keeping(_ mask: SIMD8<Int32>) -> SIMD8<Float> {
        unsafeBitCast(unsafeBitCast(self, to: SIMD8<Int32>.self) & mask, to: SIMD8<Float>.self)
    }
}
