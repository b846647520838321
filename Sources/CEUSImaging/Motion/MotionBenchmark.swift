import Foundation

/// Throughput of motion estimation (frames per second) on a textured pane of a given size, every core: the
/// figure `echoflow bench` reports and the benchmark package tracks.
///
/// The pane is a smooth random texture (uniform noise averaged over 5 x 5 pixels, twice); each frame is it shifted
/// by whole pixels (up to 8 on each axis, with wrap-around), so the estimator does its full work: window, FFT,
/// cross-power spectrum, inverse FFT, peak, spatial refinement and correlation.
public enum MotionBenchmark {
    /// Frames of `width` x `height` grey pixels, the first the reference.
    public static func frames(width: Int, height: Int, count: Int, seed: UInt64 = 1) -> [Frame] {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var field = (0..<(width * height)).map { _ in uniform() }
        for _ in 0..<2 {
            var blurred = field
            for y in 0..<height {
                for x in 0..<width {
                    var s = 0.0
                    for dy in -2...2 {
                        for dx in -2...2 { s += field[((y + dy + height) % height) * width + (x + dx + width) % width] }
                    }
                    blurred[y * width + x] = s / 25
                }
            }
            field = blurred
        }
        let (lo, hi) = (field.min() ?? 0, field.max() ?? 1)
        let base = field.map { UInt8((20 + 215 * ($0 - lo) / max(hi - lo, 1e-12)).rounded()) }
        return (0..<count).map { k in
            let (sx, sy) = (k % 17 - 8, (k / 17) % 17 - 8)
            var pixels = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height {
                for x in 0..<width {
                    pixels[y * width + x] = base[((y - sy + height) % height) * width + (x - sx + width) % width]
                }
            }
            return Frame(width: width, height: height, channels: 1, samples: .uint8(pixels))
        }
    }

    /// Frames per second of motion estimation against `frames[0]`, all cores, best of `repeats` passes.
    public static func framesPerSecond(_ frames: [Frame], repeats: Int = 3) throws -> Double {
        guard let first = frames.first else { return 0 }
        let pane = PixelRect(x: 0, y: 0, width: first.width, height: first.height)
        let estimator = MotionEstimator(reference: first, pane: pane)
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try parallelMap(frames.count) { estimator.measure(frames[$0]).dx }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Double(frames.count) / best
    }
}
