import CEUSImaging
import Foundation
import PerfusionFitting

/// Lognormal enhancement with an offset, in linear echo power (a.u., P_top = 1). See `LognormalModel` in PerfusionFitting.
public struct LognormalCurve: Codable, Sendable, Equatable {
    /// A (a.u. s), mu (ln s), sigma, t0 (s), offset O (a.u.).
    var area: Double
    var mu: Double
    var sigma: Double
    var t0: Double
    var offset: Double

    /// The curve with area `area` (a.u. s), `mu` (ln s), `sigma`, appearance time `t0` (s) and offset (a.u.).
    public init(area: Double, mu: Double, sigma: Double, t0: Double, offset: Double) {
        self.area = area
        self.mu = mu
        self.sigma = sigma
        self.t0 = t0
        self.offset = offset
    }

    /// A lognormal with peak enhancement `pe` (a.u.): `A = PE sigma sqrt(2 pi) exp(mu - sigma^2 / 2)`.
    init(peak pe: Double, mu: Double, sigma: Double, t0: Double, offset: Double) {
        self.init(
            area: pe * sigma * (2 * Double.pi).squareRoot() * exp(mu - sigma * sigma / 2), mu: mu, sigma: sigma,
            t0: t0, offset: offset)
    }

    var parameters: ParameterVector { ParameterVector(area, mu, sigma, t0, offset, 0, 0, 0) }

    func value(at t: Double) -> Double { LognormalModel().value(at: t, parameters: parameters) }

    /// The same curve multiplied by `factor` (a display gain acts this way on linear power).
    func scaled(by factor: Double) -> LognormalCurve {
        LognormalCurve(area: area * factor, mu: mu, sigma: sigma, t0: t0, offset: offset * factor)
    }
}

/// Everything that defines a synthetic clip (docs/METHODS.md §8); with the seed it determines every pixel.
public struct SyntheticClipSpec: Codable, Sendable, Equatable {
    var seed: UInt64
    var width = 64
    var height = 56
    /// Frames per second (Hz).
    public var frameRate = 5.0
    /// Clip duration (s).
    public var duration = 64.0
    /// Log-compression dynamic range (dB) and display gain (dB, multiplies linear power).
    public var dynamicRangeDB = 50.0
    var gainDB = 0.0
    /// Standard deviation of the per-frame multiplicative jitter (log scale; mean 1).
    public var jitter = 0.1
    /// Probability that a frame is a dropout (power x 0.25: probe lift-off, shadowing).
    public var dropoutProbability = 0.005
    /// Peak-to-peak-half amplitude (px) of the lesion's breathing motion at 0.25 Hz; 0 for none.
    public var motionPixels = 0.0
    /// Lesion ellipse in pane pixels.
    var lesionCenter: [Double]
    var lesionRadii: [Double]
    /// Mean linear power of lesion and parenchyma pixels before gain.
    var lesion: LognormalCurve
    var parenchyma: LognormalCurve

    /// A clip of `width` x `height` pixels with these lesion and parenchyma curves, noise from `seed`.
    public init(seed: UInt64, lesion: LognormalCurve, parenchyma: LognormalCurve, width: Int = 64, height: Int = 56) {
        self.seed = seed
        self.width = width
        self.height = height
        self.lesion = lesion
        self.parenchyma = parenchyma
        lesionCenter = [(0.35 * Double(width)).rounded(), (0.5 * Double(height)).rounded()]
        lesionRadii = [(1.7 * Double(width)).rounded() / 10, (2 * Double(height)).rounded() / 10]
    }

    /// Frames written: one every 1 / frameRate s from 0 to the duration.
    public var frameCount: Int { Int((duration * frameRate).rounded(.down)) + 1 }
    var gain: Double { pow(10, gainDB / 10) }

    /// The regions written to `roi.json`: the lesion (0.8 of the lesion's radii, clear of its edge and of
    /// breathing motion) and a parenchyma rectangle; the parenchyma is the reference.
    var regions: RegionFileContents {
        let pw = Double(width)
        let ph = Double(height)
        return RegionFileContents(
            rois: [
                .init(
                    name: "lesion", kind: "ellipse", center: lesionCenter,
                    radii: lesionRadii.map { ($0 * 8).rounded() / 10 }, angle: 0),
                .init(
                    name: "parenchyma", kind: "rectangle", x: (0.65 * pw).rounded(), y: (0.2 * ph).rounded(),
                    width: (0.28 * pw).rounded(), height: (0.6 * ph).rounded()),
            ],
            reference: "parenchyma")
    }

    /// Frames whose power is cut by a dropout, from the seed.
    var dropoutFrames: [Int] {
        var rng = SeededGenerator(seed: SeededGenerator.derive(seed, 0xD80F))
        return (0..<frameCount).filter { _ in rng.uniform() < dropoutProbability }
    }

    /// Renders frame `index` as an 8-bit grey frame: mean power x jitter x gain x exponential speckle,
    /// log-compressed with the dynamic range and rounded.
    func render(frame index: Int, dropouts: Set<Int>) -> Frame {
        var rng = SeededGenerator(seed: SeededGenerator.derive(seed, UInt64(index) + 1))
        let t = Double(index) / frameRate
        var factor = exp(jitter * rng.normal() - jitter * jitter / 2) * gain
        if dropouts.contains(index) { factor *= 0.25 }
        let lesionPower = lesion.value(at: t) * factor
        let backgroundPower = parenchyma.value(at: t) * factor
        let shift = motionPixels * sin(2 * .pi * 0.25 * t)
        let shape = RegionOfInterest(
            name: "lesion",
            shape: .ellipse(
                centerX: lesionCenter[0] + shift, centerY: lesionCenter[1], radiusX: lesionRadii[0],
                radiusY: lesionRadii[1], angleDegrees: 0))
        let law = Linearization(dynamicRangeDB: dynamicRangeDB)
        var pixels = [UInt8](repeating: 0, count: width * height)
        for row in 0..<height {
            for col in 0..<width {
                let inside = shape.contains(x: Double(col) + 0.5, y: Double(row) + 0.5)
                let p = (inside ? lesionPower : backgroundPower) * rng.exponential()
                pixels[row * width + col] = UInt8(law.display(power: p, maxDisplayValue: 255).rounded())
            }
        }
        return Frame(width: width, height: height, channels: 1, samples: .uint8(pixels))
    }

    /// Ground truth for the written regions, in the linearized units an analysis recovers (gain included).
    var truth: SyntheticTruth {
        let lesionTruth = lesion.scaled(by: gain)
        let parenchymaTruth = parenchyma.scaled(by: gain)
        func derived(_ c: LognormalCurve) -> TruthParameters {
            let p = PerfusionParameters(
                shape: LognormalShape(area: c.area, mu: c.mu, sigma: c.sigma, appearanceTime: c.t0), qualityOfFit: 100)
            return TruthParameters(
                pe_au: p.peakEnhancement, ttp_s: p.timeToPeak, wiauc_au_s: p.washInArea, mtt_s: p.meanTransitTime,
                auc_au_s: p.area, rt_s: p.riseTime, wir_au_per_s: p.washInRate)
        }
        return SyntheticTruth(
            echoflowVersion: Echoflow.version, spec: self, dropoutFrames: dropoutFrames,
            regions: [
                .init(name: "lesion", model: "lognormal", curve: lesionTruth, parameters: derived(lesionTruth)),
                .init(
                    name: "parenchyma", model: "lognormal", curve: parenchymaTruth, parameters: derived(parenchymaTruth)
                ),
            ])
    }

    /// Writes the clip folder: `frame_0001.png` ..., `clip.json`, `roi.json`, `truth.json`.
    public func write(to folder: String, progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let dropouts = Set(dropoutFrames)
        let digits = max(4, String(frameCount).count)
        let total = frameCount
        let done = ProgressCounter()
        _ = try parallelMap(frameCount) { index in
            let frame = render(frame: index, dropouts: dropouts)
            let name =
                "frame_" + String(repeating: "0", count: max(0, digits - String(index + 1).count)) + String(index + 1)
                + ".png"
            try AtomicFile.write(
                Data(try PNGCodec.encode(frame)), to: (folder as NSString).appendingPathComponent(name))
            progress?(done.increment(), total)
            return 0
        }
        var metadata = ClipMetadata()
        metadata.frameRate = frameRate
        metadata.dynamicRangeDB = dynamicRangeDB
        try AtomicFile.write(try Self.json(metadata), to: (folder as NSString).appendingPathComponent("clip.json"))
        try AtomicFile.write(try Self.json(regions), to: (folder as NSString).appendingPathComponent("roi.json"))
        try AtomicFile.write(try Self.json(truth), to: (folder as NSString).appendingPathComponent("truth.json"))
    }

    static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}

/// The layout of `roi.json` as written by synthesis (DESIGN.md §4).
struct RegionFileContents: Codable, Sendable, Equatable {
    struct Region: Codable, Sendable, Equatable {
        var name: String
        var kind: String
        var center: [Double]? = nil
        var radii: [Double]? = nil
        var angle: Double? = nil
        var x: Double? = nil
        var y: Double? = nil
        var width: Double? = nil
        var height: Double? = nil
    }
    var rois: [Region]
    var reference: String?
}

/// Derived parameters of a truth curve (names as in `parameters.csv`).
struct TruthParameters: Codable, Sendable, Equatable {
    var pe_au: Double
    var ttp_s: Double
    var wiauc_au_s: Double
    var mtt_s: Double
    var auc_au_s: Double
    var rt_s: Double
    var wir_au_per_s: Double
}

/// `truth.json`: the spec, the dropout frames and the expected curve of every region.
struct SyntheticTruth: Codable, Sendable, Equatable {
    struct Region: Codable, Sendable, Equatable {
        var name: String
        var model: String
        /// Expected region mean in linearized a.u. (gain included).
        var curve: LognormalCurve
        var parameters: TruthParameters
    }
    var echoflowVersion: String
    var spec: SyntheticClipSpec
    var dropoutFrames: [Int]
    var regions: [Region]

    /// Reads a `truth.json`.
    static func load(_ path: String) throws -> SyntheticTruth {
        try JSONFile.decode(SyntheticTruth.self, from: path)
    }
}
