import Foundation

/// Inverse log compression: display values back to linear echo power (docs/METHODS.md §2).
///
/// Display law and its inverse, with `DR` the dynamic range (dB), `Ymax` the largest display value and
/// `P_top = 1` (so `P` is in (0, 1]):
///
///     Y = clip(Ymax (1 + (10 / DR) log10 P), 0, Ymax)
///     P = 10^((Y / Ymax - 1) DR / 10)
///
/// The law `P = exp(Y / c)` used by some groups is the same law with `DR = 10 log10(e) Ymax / c`, up to the
/// constant factor `exp(Ymax / c)` that `P_top = 1` removes.
///
/// Reference: M.-X. Tang et al., "Quantitative contrast-enhanced ultrasound imaging: a review of sources
/// of variability", Interface Focus 1 (2011), doi:10.1098/rsfs.2011.0026.
public struct Linearization: Sendable, Equatable {
    /// Dynamic range (dB), > 0.
    public let dynamicRangeDB: Double

    /// Default dynamic range when neither the clip nor a flag gives one (dB).
    static let defaultDynamicRangeDB = 60.0

    /// The display law with dynamic range `dynamicRangeDB` (dB).
    public init(dynamicRangeDB: Double) {
        self.dynamicRangeDB = dynamicRangeDB
    }

    /// The `P = exp(Y / c)` parameterization for display values up to `maxDisplayValue`.
    init(expConstant c: Double, maxDisplayValue: Double) {
        self.dynamicRangeDB = 10 * log10(M_E) * maxDisplayValue / c
    }

    /// Linear echo power (a.u., in (0, 1]) of display value `y` out of `maxDisplayValue`.
    @inline(__always)
    public func power(display y: Double, maxDisplayValue: Double) -> Double {
        pow(10, (y / maxDisplayValue - 1) * dynamicRangeDB / 10)
    }

    /// Display value (unrounded, clipped to [0, Ymax]) of linear power `p`: the forward law, for synthesis.
    public func display(power p: Double, maxDisplayValue: Double) -> Double {
        guard p > 0 else { return 0 }
        let y = maxDisplayValue * (1 + (10 / dynamicRangeDB) * log10(p))
        return min(max(y, 0), maxDisplayValue)
    }

    /// Power of every integer display value 0...maxValue (index = display value).
    func lookupTable(maxValue: Int) -> [Double] {
        (0...maxValue).map { power(display: Double($0), maxDisplayValue: Double(maxValue)) }
    }

    /// Per-channel factors for colour frames: the power of luminance `0.299 R + 0.587 G + 0.114 B` is the
    /// product `table[0][R] * table[1][G] * table[2][B]`, because the law is exponential in `Y`.
    func colorLookupTables(maxValue: Int) -> [[Double]] {
        let ymax = Double(maxValue)
        let k = dynamicRangeDB / 10 / ymax
        let weights = [0.299, 0.587, 0.114]
        return weights.enumerated().map { index, w in
            // The -DR/10 term of the law is folded into the first table.
            let bias = index == 0 ? -dynamicRangeDB / 10 : 0
            return (0...maxValue).map { pow(10, w * Double($0) * k + bias) }
        }
    }
}
