import EchoflowTestSupport
import Foundation

@testable import CEUSImaging

/// Writes a clip folder of 8-bit grey frames (with the independent PNG writer) and an optional clip.json text.
func writeGreyClip(
    _ folder: String, frames: [[UInt8]], width: Int, height: Int, clipJSON: String? = "{\"frameRate\": 10}",
    name: (Int) -> String = { "frame\($0 + 1).png" }
) {
    try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (i, pixels) in frames.enumerated() {
        let png = MinimalPNGWriter.encode(
            width: width, height: height, colorType: .grey, bitDepth: 8, samples: pixels.map(UInt16.init))
        MinimalPNGWriter.write(png, to: folder + "/" + name(i))
    }
    if let clipJSON { try! clipJSON.write(toFile: folder + "/clip.json", atomically: true, encoding: .utf8) }
}

/// Expects `body` to throw a `CEUSImagingError` and returns it.
func imagingError(_ body: () throws -> Void) -> CEUSImagingError? {
    do {
        try body()
        return nil
    } catch let error as CEUSImagingError {
        return error
    } catch {
        return nil
    }
}

/// Frames held in memory, as a frame source for tests.
struct InMemoryFrames: FrameSource {
    let frames: [Frame]

    init(_ frames: [Frame]) { self.frames = frames }

    var frameCount: Int { frames.count }
    var width: Int { frames[0].width }
    var height: Int { frames[0].height }
    func frameName(_ index: Int) -> String { "frame \(index)" }
    func frame(at index: Int) throws -> Frame { frames[index] }
}
