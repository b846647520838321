internal import CFFTW
import Foundation

/// In-plane translation of images against one reference image by phase correlation (FFTW), with sub-pixel
/// refinement.
///
/// With `F` the 2-D Fourier transforms, the normalised cross-power spectrum
///
///     R = conj(F_reference) F_moving / |conj(F_reference) F_moving|
///
/// transforms back to a peak at the displacement `d` for which `moving(x) = reference(x - d)`
/// (circular). The peak is refined by a parabola through its neighbours on each axis.
///
/// This is the only file that imports FFTW. FFTW's planner is not thread-safe, so the two plans are made once,
/// under a lock, when the correlator is created, and destroyed under it; executing a plan on new arrays
/// (`fftw_execute_dft_r2c` with buffers from `fftw_alloc`) is thread-safe, so ``displacement(of:)`` runs on any
/// number of threads at once, each call with buffers of its own.
///
/// Reference: C. D. Kuglin, D. C. Hines, "The phase correlation image alignment method", Proc. IEEE Int.
/// Conf. Cybernetics and Society (1975), 163-165.
final class PhaseCorrelator: @unchecked Sendable {
    private static let planLock = NSLock()
    let width: Int
    let height: Int
    private let forward: fftw_plan
    private let backward: fftw_plan
    /// Spectrum of the reference image (read only after init).
    private let reference: UnsafeMutablePointer<fftw_complex>
    private var complexCount: Int { height * (width / 2 + 1) }

    /// A correlator against `reference` (`width * height`, row-major).
    ///
    /// - Precondition: width and height >= 2.
    init(reference image: [Double], width: Int, height: Int) {
        precondition(width >= 2 && height >= 2 && image.count == width * height)
        self.width = width
        self.height = height
        let count = height * (width / 2 + 1)
        let real = fftw_alloc_real(width * height)!
        let spectrum = fftw_alloc_complex(count)!
        defer { fftw_free(real) }
        let plans = Self.planLock.withLock {
            (
                fftw_plan_dft_r2c_2d(Int32(height), Int32(width), real, spectrum, echoflow_fftw_estimate())!,
                fftw_plan_dft_c2r_2d(Int32(height), Int32(width), spectrum, real, echoflow_fftw_estimate())!
            )
        }
        (forward, backward, reference) = (plans.0, plans.1, spectrum)
        for i in 0..<(width * height) { real[i] = image[i] }
        fftw_execute_dft_r2c(forward, real, reference)
    }

    deinit {
        Self.planLock.withLock {
            fftw_destroy_plan(forward)
            fftw_destroy_plan(backward)
        }
        fftw_free(reference)
    }

    /// Displacement (dx, dy) in pixels of `moving` relative to the reference, and the correlation peak height
    /// (1 for a pure circular shift, lower for poor matches).
    func displacement(of moving: [Double]) -> (dx: Double, dy: Double, peak: Double) {
        precondition(moving.count == width * height)
        let n = width * height
        let real = fftw_alloc_real(n)!
        let spectrum = fftw_alloc_complex(complexCount)!
        defer {
            fftw_free(real)
            fftw_free(spectrum)
        }
        for i in 0..<n { real[i] = moving[i] }
        fftw_execute_dft_r2c(forward, real, spectrum)
        // spectrum <- conj(reference) * spectrum / |conj(reference) * spectrum|
        let a = UnsafeRawPointer(reference).assumingMemoryBound(to: Double.self)
        let b = UnsafeMutableRawPointer(spectrum).assumingMemoryBound(to: Double.self)
        for k in 0..<complexCount {
            let (ar, ai, br, bi) = (a[2 * k], a[2 * k + 1], b[2 * k], b[2 * k + 1])
            let re = ar * br + ai * bi
            let im = ar * bi - ai * br
            let magnitude = (re * re + im * im).squareRoot()
            b[2 * k] = magnitude > 1e-300 ? re / magnitude : 0
            b[2 * k + 1] = magnitude > 1e-300 ? im / magnitude : 0
        }
        fftw_execute_dft_c2r(backward, spectrum, real)
        let scale = 1 / Double(n)
        var best = 0
        for i in 1..<n where real[i] > real[best] { best = i }
        let row = best / width
        let col = best % width
        let (w, h) = (width, height)
        func at(_ r: Int, _ c: Int) -> Double { real[((r + h) % h) * w + (c + w) % w] * scale }
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

enum PhaseCorrelation {
    /// Displacement (dx, dy) in pixels of `moving` relative to `reference`, and the correlation peak height.
    ///
    /// - Precondition: both images are `width * height` row-major, width and height >= 2.
    static func displacement(
        of moving: [Double], against reference: [Double], width: Int, height: Int
    ) -> (dx: Double, dy: Double, peak: Double) {
        PhaseCorrelator(reference: reference, width: width, height: height).displacement(of: moving)
    }
}
