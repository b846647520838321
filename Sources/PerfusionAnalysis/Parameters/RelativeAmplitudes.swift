import Foundation

/// Amplitude parameters of a region expressed against the reference region: ratio (%) and difference (dB).
///
///     rel_pct = 100 x / x_ref        rel_db = 10 log10(x / x_ref)
///
/// Amplitudes are not comparable across scanners, gains or patients; their ratio to a reference region of
/// the same clip is (docs/METHODS.md §6). Values are NaN where the reference amplitude is zero or the ratio is
/// not positive.
struct RelativeAmplitudes: Sendable, Equatable {
    /// Stems in column order (see ``PerfusionParameters/amplitudes``).
    let stems: [String]
    let percent: [Double]
    let decibels: [Double]

    init(_ parameters: PerfusionParameters, reference: PerfusionParameters) {
        let own = parameters.amplitudes
        let ref = reference.amplitudes
        stems = own.map(\.stem)
        var percent: [Double] = []
        var decibels: [Double] = []
        for (a, b) in zip(own, ref) {
            let ratio = b.value != 0 ? a.value / b.value : .nan
            percent.append(100 * ratio)
            decibels.append(ratio > 0 ? 10 * log10(ratio) : .nan)
        }
        self.percent = percent
        self.decibels = decibels
    }
}
