import Foundation

/// Rigid in-plane motion of every frame against one reference frame, measured on one pane (docs/METHODS.md §9).
///
/// The pane's display values (luminance for colour frames) have their mean removed and are multiplied by a 2-D
/// Hann window, so that the pane's edges do not dominate the spectrum; ``PhaseCorrelator`` then gives the
/// displacement with sub-pixel refinement. The match is scored by the normalised (Pearson) correlation of the
/// frame's pane, shifted back by the rounded displacement, with the reference pane over their overlap: 1 for the
/// same picture, near 0 for unrelated ones.
struct MotionEstimator: Sendable {
    let pane: PixelRect
    let reference: [Double]
    let window: [Double]
    let correlator: PhaseCorrelator

    /// An estimator against `referenceFrame`, on `pane` (frame pixels, at least 4 x 4).
    init(reference referenceFrame: Frame, pane: PixelRect) {
        self.pane = pane
        reference = Self.image(referenceFrame, pane)
        let (w, h) = (pane.width, pane.height)
        func hann(_ i: Int, _ n: Int) -> Double { 0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(n - 1)) }
        let wx = (0..<w).map { hann($0, w) }
        let wy = (0..<h).map { hann($0, h) }
        var window = [Double](repeating: 0, count: w * h)
        for row in 0..<h { for col in 0..<w { window[row * w + col] = wy[row] * wx[col] } }
        self.window = window
        correlator = PhaseCorrelator(reference: Self.windowed(reference, window), width: w, height: h)
    }

    /// Whether the reference pane has any texture to align on (more than one display level).
    var hasTexture: Bool {
        guard let first = reference.first else { return false }
        return reference.contains { $0 != first }
    }

    /// Display values of `pane` in `frame`, row-major (luminance 0.299 R + 0.587 G + 0.114 B for colour).
    static func image(_ frame: Frame, _ pane: PixelRect) -> [Double] {
        var out = [Double](repeating: 0, count: pane.width * pane.height)
        for row in 0..<pane.height {
            for col in 0..<pane.width {
                out[row * pane.width + col] = frame.displayValue(column: pane.x + col, row: pane.y + row)
            }
        }
        return out
    }

    static func windowed(_ image: [Double], _ window: [Double]) -> [Double] {
        let mean = image.reduce(0, +) / Double(max(image.count, 1))
        return zip(image, window).map { ($0 - mean) * $1 }
    }

    /// Displacement (px) of the frame's content relative to the reference frame, and the normalised correlation
    /// of the aligned panes.
    ///
    /// Phase correlation finds the displacement to within a pixel or so; its window, fixed on the pane while the
    /// content moves, pulls large displacements towards zero. The displacement is therefore settled in the
    /// spatial domain: from the phase-correlation estimate, the normalised correlation climbs to its best
    /// whole-pixel shift within ``searchRadius``, and a parabola through its neighbours on each axis gives the
    /// sub-pixel part (no window involved).
    func measure(_ frame: Frame) -> (dx: Double, dy: Double, correlation: Double) {
        let image = Self.image(frame, pane)
        let found = correlator.displacement(of: Self.windowed(image, window))
        let (w, h) = (pane.width, pane.height)
        let (cx, cy) = (Int(found.dx.rounded()), Int(found.dy.rounded()))
        let r = Self.searchRadius
        var scores = [Double](repeating: -2, count: (2 * r + 3) * (2 * r + 3))
        func score(_ sx: Int, _ sy: Int) -> Double {
            let key = (sy - cy + r + 1) * (2 * r + 3) + (sx - cx + r + 1)
            if scores[key] == -2 {
                scores[key] = Self.correlation(reference, image, width: w, height: h, shiftX: sx, shiftY: sy)
            }
            return scores[key]
        }
        // Climb from the estimate to the best whole-pixel shift: move to the best of the four neighbours while one
        // is better, at most `searchRadius` steps on each axis (the correlation of a textured pane is a single
        // smooth peak near the true shift, so this finds the search window's maximum with 5 to 13 evaluations
        // instead of 25).
        var (bx, by) = (cx, cy)
        while true {
            var next = (bx, by)
            for (sx, sy) in [(bx - 1, by), (bx + 1, by), (bx, by - 1), (bx, by + 1)]
            where abs(sx - cx) <= r && abs(sy - cy) <= r && score(sx, sy) > score(next.0, next.1) {
                next = (sx, sy)
            }
            if next == (bx, by) { break }
            (bx, by) = next
        }
        func refine(_ minus: Double, _ centre: Double, _ plus: Double) -> Double {
            let denominator = minus - 2 * centre + plus
            guard denominator < -1e-12 else { return 0 }
            return max(-0.5, min(0.5, 0.5 * (minus - plus) / denominator))
        }
        let best = score(bx, by)
        let dx = Double(bx) + refine(score(bx - 1, by), best, score(bx + 1, by))
        let dy = Double(by) + refine(score(bx, by - 1), best, score(bx, by + 1))
        return (dx, dy, best)
    }

    /// Whole pixels searched around the phase-correlation estimate on each axis.
    static let searchRadius = 2

    /// Pearson correlation of `reference(p)` with `moving(p + shift)` over the pixels where both exist; 0 when the
    /// overlap is under a quarter of the pane or either side is flat.
    static func correlation(
        _ reference: [Double], _ moving: [Double], width: Int, height: Int, shiftX: Int, shiftY: Int
    ) -> Double {
        let cols = max(0, -shiftX)..<min(width, width - shiftX)
        let rows = max(0, -shiftY)..<min(height, height - shiftY)
        guard cols.count * rows.count * 4 >= width * height else { return 0 }
        var (sa, sb, saa, sbb, sab) = (0.0, 0.0, 0.0, 0.0, 0.0)
        for row in rows {
            let ra = row * width
            let rb = (row + shiftY) * width + shiftX
            for col in cols {
                let a = reference[ra + col]
                let b = moving[rb + col]
                sa += a
                sb += b
                saa += a * a
                sbb += b * b
                sab += a * b
            }
        }
        let n = Double(cols.count * rows.count)
        let va = saa - sa * sa / n
        let vb = sbb - sb * sb / n
        guard va > 1e-12 * n, vb > 1e-12 * n else { return 0 }
        return (sab - sa * sb / n) / (va * vb).squareRoot()
    }

    /// The frame most similar to the others, among up to `candidates` frames evenly spaced over `allowed`:
    /// the one with the highest mean normalised correlation (without alignment) with the other candidates, so
    /// the frame at the middle of the breathing cycle rather than at one end. Ties go to the earlier frame.
    static func mostSimilarFrame(
        _ source: any FrameSource, pane: PixelRect, allowed: [Int], candidates: Int = 24
    ) throws -> Int {
        guard allowed.count > 1 else { return allowed.first ?? 0 }
        let step = Double(allowed.count - 1) / Double(max(min(candidates, allowed.count) - 1, 1))
        var chosen: [Int] = []
        for k in 0..<min(candidates, allowed.count) {
            let index = allowed[Int((Double(k) * step).rounded())]
            if chosen.last != index { chosen.append(index) }
        }
        let picks = chosen
        let images = try parallelMap(picks.count) { try Self.image(source.frame(at: picks[$0]), pane) }
        let scores = try parallelMap(picks.count) { i in
            var total = 0.0
            for j in picks.indices where j != i {
                total += Self.correlation(
                    images[i], images[j], width: pane.width, height: pane.height, shiftX: 0, shiftY: 0)
            }
            return total
        }
        var best = 0
        for i in scores.indices where scores[i] > scores[best] { best = i }
        return picks[best]
    }
}
