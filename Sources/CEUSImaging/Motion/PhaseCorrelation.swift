internal import CFFTW
import Foundation

/// In-plane translation between two images by phase correlation (FFTW), with sub-pixel refinement.
///
/// With `F` the 2-D Fourier transforms, the normalised cross-power spectrum
///
///     R = conj(F_reference) F_moving / |conj(F_reference) F_moving|
///
/// transforms back to a peak at the displacement `d` for which `moving(x) = reference(x - d)`
/// (circular). The peak is refined by a parabola through its neighbours on each axis.
///
/// This is the only file that imports FFTW. Planning is not thread-safe in FFTW, so plans are created and
/// destroyed under one lock; execution runs concurrently.
///
/// Reference: C. D. Kuglin, D. C. Hines, "The phase correlation image alignment method", Proc. IEEE Int.
/// Conf. Cybernetics and Society (1975), 163-165.
enum PhaseCorrelation {
    private static let planLock = NSLock()

    /// Displacement (dx, dy) in pixels of `moving` relative to `reference`, and the correlation peak height
    /// (1 for a pure circular shift, lower for poor matches).
    ///
    /// - Precondition: both images are `width * height` row-major, width and height >= 2.
    static func displacement(
        of moving: [Double], against reference: [Double], width: Int, height: Int
    ) -> (dx: Double, dy: Double, peak: Double) {
        precondition(moving.count == width * height && reference.count == width * height)
        let complexCount = height * (width / 2 + 1)
        let real = fftw_alloc_real(width * height)!
        let specA = fftw_alloc_complex(complexCount)!
        let specB = fftw_alloc_complex(complexCount)!
        defer {
            fftw_free(real)
            fftw_free(specA)
            fftw_free(specB)
        }
        let (forward, backward) = planLock.withLock {
            (
                fftw_plan_dft_r2c_2d(Int32(height), Int32(width), real, specA, echoflow_fftw_estimate()),
                fftw_plan_dft_c2r_2d(Int32(height), Int32(width), specA, real, echoflow_fftw_estimate())
            )
        }
        defer {
            planLock.withLock {
                fftw_destroy_plan(forward)
                fftw_destroy_plan(backward)
            }
        }
        for i in 0..<(width * height) { real[i] = reference[i] }
        fftw_execute_dft_r2c(forward, real, specA)
        for i in 0..<(width * height) { real[i] = moving[i] }
        fftw_execute_dft_r2c(forward, real, specB)
        // specA <- conj(A) * B / |conj(A) * B|
        let a = UnsafeMutableRawPointer(specA).assumingMemoryBound(to: Double.self)
        let b = UnsafeMutableRawPointer(specB).assumingMemoryBound(to: Double.self)
        for k in 0..<complexCount {
            let (ar, ai, br, bi) = (a[2 * k], a[2 * k + 1], b[2 * k], b[2 * k + 1])
            let re = ar * br + ai * bi
            let im = ar * bi - ai * br
            let magnitude = (re * re + im * im).squareRoot()
            a[2 * k] = magnitude > 1e-300 ? re / magnitude : 0
            a[2 * k + 1] = magnitude > 1e-300 ? im / magnitude : 0
        }
        fftw_execute_dft_c2r(backward, specA, real)
        let scale = 1 / Double(width * height)
        var best = 0
        for i in 1..<(width * height) where real[i] > real[best] { best = i }
        let row = best / width
        let col = best % width
        func at(_ r: Int, _ c: Int) -> Double {
            real[((r + height) % height) * width + (c + width) % width] * scale
        }
        func refine(_ minus: Double, _ centre: Double, _ plus: Double) -> Double {
            let denominator = minus - 2 * centre + plus
            return abs(denominator) > 1e-12 ? 0.5 * (minus - plus) / denominator : 0
        }
        let peak = at(row, col)
        var dx = Double(col) + refine(at(row, col - 1), peak, at(row, col + 1))
        var dy = Double(row) + refine(at(row - 1, col), peak, at(row + 1, col))
        if dx > Double(width) / 2 { dx -= Double(width) }
        if dy > Double(height) / 2 { dy -= Double(height) }
        return (dx, dy, peak)
    }
}
