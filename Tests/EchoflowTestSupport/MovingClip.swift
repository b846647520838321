import Foundation

/// A dual-display clip that breathes, written without Echoflow's code: a B-mode pane (left) with a fixed tissue
/// texture and a contrast pane (right) with a lesion, both translated by a known displacement per frame.
///
/// The texture is a sum of Gaussian blobs evaluated at the moved position, so sub-pixel displacements are exact.
/// The contrast pane is log-compressed linear power (DR 50 dB, 8 bit) with fresh exponential speckle every frame:
/// lesion power follows a lognormal bolus, parenchyma a constant level.
public struct MovingClip: Sendable {
    public let paneWidth = 64
    public let paneHeight = 48
    public let frameRate = 5.0
    public let frames: Int
    /// Displacement (px) of frame k's content, relative to the content at zero displacement.
    public let dx: [Double]
    public let dy: [Double]
    /// Frames whose B-mode texture is replaced by an unrelated one (out of the imaging plane).
    public var outOfPlane: Set<Int> = []
    /// Frames lit by a flash: contrast power times 8 over the whole pane.
    public var flashes: Set<Int> = []
    /// B-mode texture: fine speckle (dense blobs of about a pixel, sampled from an 8x oversampled field) instead
    /// of the smooth default, plus independent noise of this many grey levels (uniform, +-) per pixel and frame.
    public var speckledBmode = false
    public var bmodeNoise = 0.0
    /// Whether the contrast pane carries fresh exponential speckle every frame (false: a smooth phantom, the
    /// mean power exactly).
    public var contrastSpeckle = true
    /// Lesion power varies across the lesion by this fraction per radius (x and y), so that misplacing a region by
    /// a fraction of a pixel changes its mean.
    public var lesionGradient = 0.0
    /// Lesion centre and radius at zero displacement (contrast-pane pixels).
    public let lesionCentre = (x: 30.0, y: 24.0)
    public let lesionRadius = 9.0
    public let dynamicRange = 50.0

    /// `frames` frames of breathing: 5 px right-left and 3 px up-down at 0.25 Hz, out of phase.
    public init(frames: Int = 160, amplitude: (x: Double, y: Double) = (5, 3)) {
        self.frames = frames
        dx = (0..<frames).map { amplitude.x * sin(2 * Double.pi * 0.25 * Double($0) / 5) }
        dy = (0..<frames).map { amplitude.y * sin(2 * Double.pi * 0.25 * Double($0) / 5 + 1.2) }
    }

    /// Frames at the given displacements (px).
    public init(dx: [Double], dy: [Double]) {
        precondition(dx.count == dy.count)
        frames = dx.count
        self.dx = dx
        self.dy = dy
    }

    /// Lesion mean linear power at time t (s): a lognormal bolus from t0 = 4 s on a level of 0.002.
    public func lesionPower(_ t: Double) -> Double {
        let x = t - 4
        return 0.002 + (x > 0 ? 0.4 * exp(-pow(log(x) - 2.3, 2) / (2 * 0.6 * 0.6)) / x : 0)
    }
    public let parenchymaPower = 0.004

    struct Blob { var x, y, amplitude, width: Double }

    static func blobs(seed: UInt64, count: Int, width: Double, height: Double) -> [Blob] {
        var rng = TestRandom(seed: seed)
        return (0..<count).map { _ in
            Blob(
                x: -8 + (width + 16) * rng.uniform(), y: -8 + (height + 16) * rng.uniform(),
                amplitude: 0.4 + rng.uniform(), width: 2 + 3 * rng.uniform())
        }
    }

    /// Writes frames `frame0000.png`... (128 x 48 grey, B-mode pane left), `clip.json` and `roi.json` (the lesion
    /// circle at 0.8 of its radius and a parenchyma rectangle, drawn at zero displacement), into `folder`.
    public func write(to folder: String, regionsAt reference: Int? = nil) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (w, h) = (paneWidth, paneHeight)
        let tissue = Self.blobs(seed: 1, count: 40, width: Double(w), height: Double(h))
        let other = Self.blobs(seed: 2, count: 40, width: Double(w), height: Double(h))
        let fine = speckledBmode ? SpeckleField(seed: 1, width: w, height: h) : nil
        let fineOther = speckledBmode ? SpeckleField(seed: 2, width: w, height: h) : nil
        var rng = TestRandom(seed: 9)
        for k in 0..<frames {
            var samples = [UInt16](repeating: 0, count: 2 * w * h)
            let texture = outOfPlane.contains(k) ? other : tissue
            let t = Double(k) / frameRate
            for row in 0..<h {
                for col in 0..<w {
                    // Content at displacement d: what was at (p - d) is now at p.
                    let x = Double(col) + 0.5 - dx[k]
                    let y = Double(row) + 0.5 - dy[k]
                    var v = 0.0
                    if let fine, let fineOther {
                        v = (outOfPlane.contains(k) ? fineOther : fine).value(x: x, y: y)
                    } else {
                        for b in texture {
                            let r2 = (x - b.x) * (x - b.x) + (y - b.y) * (y - b.y)
                            v += b.amplitude * exp(-r2 / (2 * b.width * b.width))
                        }
                    }
                    let noise = bmodeNoise > 0 ? bmodeNoise * (2 * rng.uniform() - 1) : 0
                    samples[row * 2 * w + col] = UInt16(max(0, min(255, 30 + 90 * v + noise)).rounded())
                    let inside =
                        (x - lesionCentre.x) * (x - lesionCentre.x) + (y - lesionCentre.y) * (y - lesionCentre.y)
                        <= lesionRadius * lesionRadius
                    let speckle = contrastSpeckle ? -log(rng.uniform()) : 1
                    let slope = 1 + lesionGradient * ((x - lesionCentre.x) + (y - lesionCentre.y)) / lesionRadius
                    let power =
                        (inside ? lesionPower(t) * slope : parenchymaPower) * speckle * (flashes.contains(k) ? 8 : 1)
                    // Display law written out: Y = 255 (1 + (10 / DR) log10 P), clipped to 0...255.
                    let y8 = 255 * (1 + 10 / dynamicRange * log10(power))
                    samples[row * 2 * w + w + col] = UInt16(max(0, min(255, y8)).rounded())
                }
            }
            let png = MinimalPNGWriter.encode(width: 2 * w, height: h, colorType: .grey, bitDepth: 8, samples: samples)
            MinimalPNGWriter.write(png, to: folder + String(format: "/frame%04d.png", k))
        }
        let clipJSON = """
            {"frameRate": 5, "dynamicRangeDB": 50, "contrastPane": {"x": 64, "y": 0, "width": 64, "height": 48},
             "bmodePane": {"x": 0, "y": 0, "width": 64, "height": 48}}
            """
        try clipJSON.write(toFile: folder + "/clip.json", atomically: true, encoding: .utf8)
        // Regions drawn on frame `reference` (at its displacement), or at zero displacement.
        let (ox, oy) = reference.map { (dx[$0], dy[$0]) } ?? (0, 0)
        let frameKey = reference.map { #", "referenceFrame": \#($0)"# } ?? ""
        let roi = """
            {"rois": [{"name": "lesion", "kind": "ellipse", "center": [\(lesionCentre.x + ox), \(lesionCentre.y + oy)],
                       "radii": [\(0.8 * lesionRadius), \(0.8 * lesionRadius)]},
                      {"name": "parenchyma", "kind": "rectangle", "x": 46, "y": 8, "width": 12, "height": 32}],
             "reference": "parenchyma"\(frameKey)}
            """
        try roi.write(toFile: folder + "/roi.json", atomically: true, encoding: .utf8)
    }
}

/// A frozen speckle texture: 2 blobs per pixel of 0.6 to 1.2 px (sigma) with exponential amplitudes, summed on a grid 8
/// times finer than the pane (with a margin), and sampled bilinearly at any position.
struct SpeckleField {
    static let over = 8
    let width: Int
    let height: Int
    let margin = 16
    var grid: [Double]
    var gw: Int { (width + 2 * margin) * Self.over }
    var gh: Int { (height + 2 * margin) * Self.over }

    init(seed: UInt64, width: Int, height: Int) {
        self.width = width
        self.height = height
        let (gw, gh) = ((width + 32) * Self.over, (height + 32) * Self.over)
        grid = [Double](repeating: 0, count: gw * gh)
        var rng = TestRandom(seed: seed &+ 100)
        let count = 2 * (width + 32) * (height + 32)
        for _ in 0..<count {
            let (bx, by) = (rng.uniform() * Double(width + 32), rng.uniform() * Double(height + 32))
            let s = 0.6 + 0.6 * rng.uniform()
            let a = -log(rng.uniform()) * 0.066  // mean texture about 0.7 (display about 95)
            let reach = Int((3 * s * Double(Self.over)).rounded(.up))
            let (cx, cy) = (Int(bx * Double(Self.over)), Int(by * Double(Self.over)))
            for gy in max(0, cy - reach)..<min(gh, cy + reach) {
                for gx in max(0, cx - reach)..<min(gw, cx + reach) {
                    let dx = (Double(gx) + 0.5) / Double(Self.over) - bx
                    let dy = (Double(gy) + 0.5) / Double(Self.over) - by
                    grid[gy * gw + gx] += a * exp(-(dx * dx + dy * dy) / (2 * s * s))
                }
            }
        }
    }

    /// The texture at pane position (x, y) (pixels; the margin allows 16 px outside the pane).
    func value(x: Double, y: Double) -> Double {
        let fx = (x + Double(margin)) * Double(Self.over) - 0.5
        let fy = (y + Double(margin)) * Double(Self.over) - 0.5
        let (x0, y0) = (max(0, min(gw - 2, Int(fx.rounded(.down)))), max(0, min(gh - 2, Int(fy.rounded(.down)))))
        let (ax, ay) = (fx - Double(x0), fy - Double(y0))
        let g = { (xx: Int, yy: Int) in grid[yy * gw + xx] }
        return (1 - ay) * ((1 - ax) * g(x0, y0) + ax * g(x0 + 1, y0)) + ay
            * ((1 - ax) * g(x0, y0 + 1) + ax * g(x0 + 1, y0 + 1))
    }
}
