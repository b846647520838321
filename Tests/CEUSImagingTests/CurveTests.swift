import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

@Suite("Time-intensity curves")
struct CurveTests {
    /// Speckle frames: exponential power around `mean(frame)` in the left half, a fixed level in the right half.
    func speckleFrames(count: Int, gainDB: Double, dr: Double, seed: UInt64, mean: (Int) -> Double) -> [Frame] {
        var rng = TestRandom(seed: seed)
        let law = Linearization(dynamicRangeDB: dr)
        let gain = pow(10, gainDB / 10)
        return (0..<count).map { k in
            var pixels = [UInt8](repeating: 0, count: 32 * 16)
            for row in 0..<16 {
                for col in 0..<32 {
                    let level = col < 16 ? mean(k) : 0.002
                    let p = level * gain * -log(rng.uniform())
                    pixels[row * 32 + col] = UInt8(law.display(power: p, maxDisplayValue: 255).rounded())
                }
            }
            return Frame(width: 32, height: 16, channels: 1, samples: .uint8(pixels))
        }
    }

    func curves(_ frames: [Frame], dr: Double) throws -> [TimeIntensityCurve] {
        var meta = ClipMetadata()
        meta.frameRate = 4
        meta.dynamicRangeDB = dr
        let clip = try Clip(
            path: "memory", source: InMemoryFrames(frames), metadata: meta, metadataPath: "memory/clip.json")
        let masks = [
            RegionMask(name: "left", paneWidth: 32, paneHeight: 16, indices: (0..<(32 * 16)).filter { $0 % 32 < 16 }),
            RegionMask(name: "right", paneWidth: 32, paneHeight: 16, indices: (0..<(32 * 16)).filter { $0 % 32 >= 16 }),
        ]
        return try CurveExtractor(clip: clip, masks: masks).curves()
    }

    @Test("region means equal an independent pixel-by-pixel linearization")
    func matchesDirectComputation() throws {
        let frames = speckleFrames(count: 6, gainDB: 0, dr: 50, seed: 3) { 0.01 * Double($0 + 1) }
        let result = try curves(frames, dr: 50)
        let law = Linearization(dynamicRangeDB: 50)
        for (k, frame) in frames.enumerated() {
            var sum = 0.0
            for row in 0..<16 {
                for col in 0..<16 {
                    sum += law.power(display: frame.displayValue(column: col, row: row), maxDisplayValue: 255)
                }
            }
            #expect(abs(result[0].intensities[k] / (sum / 256) - 1) < 1e-12)
        }
        #expect(result[0].times == [0, 0.25, 0.5, 0.75, 1, 1.25])
    }

    @Test("linearized means recover the true mean power of speckle, unlike grey-level means")
    func recoversMeanPower() throws {
        let frames = speckleFrames(count: 40, gainDB: 0, dr: 60, seed: 5) { _ in 0.01 }
        let left = try curves(frames, dr: 60)[0]
        let mean = left.intensities.reduce(0, +) / Double(left.intensities.count)
        // 40 frames x 256 exponential pixels: relative standard error 1/sqrt(10240) = 1 %; allow 4 %.
        #expect(abs(mean / 0.01 - 1) < 0.04)
    }

    @Test("display gain scales amplitudes but leaves region ratios unchanged")
    func gainInvariance() throws {
        let mean: (Int) -> Double = { 0.004 * (1 + Double($0 % 5)) }
        let low = try curves(speckleFrames(count: 20, gainDB: 0, dr: 60, seed: 11, mean: mean), dr: 60)
        let high = try curves(speckleFrames(count: 20, gainDB: 6, dr: 60, seed: 11, mean: mean), dr: 60)
        for k in 0..<20 {
            // Same speckle draws; only 8-bit rounding differs (±half a level, 0.12 dB = 2.7 % per pixel,
            // averaged over 256 pixels): 1 % is ample.
            #expect(abs(high[0].intensities[k] / low[0].intensities[k] / pow(10, 0.6) - 1) < 0.01)
            let ratioLow = low[0].intensities[k] / low[1].intensities[k]
            let ratioHigh = high[0].intensities[k] / high[1].intensities[k]
            #expect(abs(ratioHigh / ratioLow - 1) < 0.01)
        }
    }

    @Test("saturated pixels are counted per region and frame")
    func saturation() throws {
        var pixels = [UInt8](repeating: 100, count: 32 * 16)
        for i in 0..<8 { pixels[i] = 255 }  // 8 of the left region's 256 pixels
        let frame = Frame(width: 32, height: 16, channels: 1, samples: .uint8(pixels))
        let result = try curves(
            [frame, Frame(width: 32, height: 16, channels: 1, samples: .uint8(Array(repeating: 100, count: 512)))],
            dr: 60)
        #expect(result[0].saturatedPercent == [100 * 8 / 256, 0])
        #expect(result[1].saturatedPercent == [0, 0])
        #expect(result[0].maximumSaturatedPercent == 3.125)
    }

    @Test("excluded frames are flagged and left out of the included samples")
    func exclusions() throws {
        var meta = ClipMetadata()
        meta.frameRate = 1
        meta.excludedFrames = [1]
        let frames = speckleFrames(count: 3, gainDB: 0, dr: 60, seed: 1) { _ in 0.01 }
        let clip = try Clip(path: "m", source: InMemoryFrames(frames), metadata: meta, metadataPath: "m/clip.json")
        let mask = RegionMask(name: "all", paneWidth: 32, paneHeight: 16, indices: Array(0..<512))
        let curve = try CurveExtractor(clip: clip, masks: [mask]).curves()[0]
        #expect(curve.excluded == [false, true, false])
        #expect(curve.includedSamples.times == [0, 2])
    }

    @Test("a truncated frame in a clip fails with the frame's file name")
    func truncatedFrame() throws {
        let folder = TestPaths.temporaryFolder("trunc")
        writeGreyClip(folder, frames: (0..<5).map { _ in Array(repeating: 50, count: 64) }, width: 8, height: 8)
        let path = folder + "/frame4.png"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 30).write(to: URL(fileURLWithPath: path))
        let clip = try Clip.open(folder)
        let mask = RegionMask(name: "all", paneWidth: 8, paneHeight: 8, indices: Array(0..<64))
        let error = imagingError { _ = try CurveExtractor(clip: clip, masks: [mask]).curves() }
        #expect(error?.description.contains("frame4.png") == true)
    }
}

@Suite("Phase correlation (FFTW)")
struct PhaseCorrelationTests {
    @Test("recovers a circular shift of a random image", arguments: [(3, -5), (0, 0), (-7, 2), (10, 9)])
    func recoversShift(dx: Int, dy: Int) {
        let (w, h) = (48, 40)
        var rng = TestRandom(seed: 42)
        let reference = (0..<(w * h)).map { _ in rng.uniform() }
        var moving = [Double](repeating: 0, count: w * h)
        for row in 0..<h {
            for col in 0..<w {
                moving[((row + dy + h) % h) * w + (col + dx + w) % w] = reference[row * w + col]
            }
        }
        let found = PhaseCorrelation.displacement(of: moving, against: reference, width: w, height: h)
        // A pure circular shift gives a delta peak: integer exact, refinement adds nothing.
        #expect(abs(found.dx - Double(dx)) < 1e-6)
        #expect(abs(found.dy - Double(dy)) < 1e-6)
        #expect(found.peak > 0.99)
    }
}
