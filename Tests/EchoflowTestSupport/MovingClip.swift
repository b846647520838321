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
                    for b in texture {
                        let r2 = (x - b.x) * (x - b.x) + (y - b.y) * (y - b.y)
                        v += b.amplitude * exp(-r2 / (2 * b.width * b.width))
                    }
                    samples[row * 2 * w + col] = UInt16(min(255, 30 + 90 * v).rounded())
                    let inside =
                        (x - lesionCentre.x) * (x - lesionCentre.x) + (y - lesionCentre.y) * (y - lesionCentre.y)
                        <= lesionRadius * lesionRadius
                    let power = (inside ? lesionPower(t) : parenchymaPower) * -log(rng.uniform())
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
