import EchoflowTestSupport
import Foundation
import Testing

@testable import CEUSImaging

@Suite("Clip folders")
struct ClipTests {
    let root = TestPaths.temporaryFolder("clip")
    func frames(_ n: Int, _ w: Int = 4, _ h: Int = 3) -> [[UInt8]] {
        (0..<n).map { i in Array(repeating: UInt8(i * 10), count: w * h) }
    }

    @Test("frames are taken in natural filename order")
    func naturalOrder() throws {
        let folder = root + "/natural"
        writeGreyClip(folder, frames: frames(12), width: 4, height: 3, name: { "frame\($0 + 1).png" })
        let clip = try Clip.open(folder)
        let names = (0..<12).map { (clip.source.frameName($0) as NSString).lastPathComponent }
        #expect(names == (1...12).map { "frame\($0).png" })
        // Frame i was written with value 10 i: order of decoding follows the names.
        #expect(try clip.source.frame(at: 10).displayValue(column: 0, row: 0) == 100)
        #expect(NaturalOrder.precedes("img_2.png", "img_10.png"))
        #expect(!NaturalOrder.precedes("img_10.png", "img_9.png"))
        #expect(NaturalOrder.precedes("a1b2", "a1b10"))
    }

    @Test("timing from frameRate, frameTimes and the injection time; flags override the file")
    func timing() throws {
        let folder = root + "/timing"
        writeGreyClip(
            folder, frames: frames(4), width: 4, height: 3,
            clipJSON: #"{"frameTimes": [0, 0.5, 1.5, 2.0], "injectionTime": 0.5}"#)
        let clip = try Clip.open(folder)
        #expect(clip.times == [-0.5, 0, 1, 1.5])
        let flagged = try Clip.open(folder, options: ClipOptions(frameRate: 2))
        #expect(flagged.times == [-0.5, 0, 0.5, 1.0])
        #expect(clip.linearization.dynamicRangeDB == 60)
    }

    @Test("a frames pattern selects files and excluded frames are kept in order")
    func patternAndExclusions() throws {
        let folder = root + "/pattern"
        writeGreyClip(
            folder, frames: frames(5), width: 4, height: 3,
            clipJSON: #"{"frameRate": 5, "frames": "frame*.png", "excludedFrames": [3, 1, 3]}"#)
        writeGreyClip(
            folder, frames: [Array(repeating: 0, count: 81)], width: 9, height: 9, clipJSON: nil,
            name: { _ in "overlay.png" })
        let clip = try Clip.open(folder)
        #expect(clip.frameCount == 5)
        #expect(clip.excludedFrames == [1, 3])
    }

    @Test("a missing folder is a missing input")
    func missing() {
        let error = imagingError { _ = try Clip.open(root + "/nope") }
        #expect(error?.isMissingInput == true)
        #expect(error?.description.contains("/nope") == true)
    }

    @Test("a folder without frames says what it looked for")
    func noFrames() {
        try! FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        let error = imagingError { _ = try Clip.open(root + "/empty") }
        #expect(error == .noFrames(folder: root + "/empty", pattern: "*.png"))
    }

    @Test("frames of different sizes name the odd frame")
    func sizeMismatch() {
        let folder = root + "/sizes"
        writeGreyClip(folder, frames: frames(2), width: 4, height: 3)
        writeGreyClip(
            folder, frames: [Array(repeating: 0, count: 25)], width: 5, height: 5, clipJSON: nil,
            name: { _ in "frame3.png" })
        let error = imagingError { _ = try Clip.open(folder) }
        #expect(error?.description.contains("frame3.png") == true)
        #expect(error?.description.contains("5x5") == true)
    }

    @Test("fewer timestamps than frames is an error with both counts")
    func fewerTimestamps() {
        let folder = root + "/fewer"
        writeGreyClip(folder, frames: frames(4), width: 4, height: 3, clipJSON: #"{"frameTimes": [0, 1, 2]}"#)
        let error = imagingError { _ = try Clip.open(folder) }
        #expect(error == .timestampCount(path: folder + "/clip.json", timestamps: 3, frames: 4))
    }

    @Test("non-increasing times name the index")
    func nonIncreasing() {
        let folder = root + "/order"
        writeGreyClip(folder, frames: frames(4), width: 4, height: 3, clipJSON: #"{"frameTimes": [0, 1, 1, 2]}"#)
        let error = imagingError { _ = try Clip.open(folder) }
        #expect(error == .nonIncreasingTimes(path: folder + "/clip.json", index: 2, previous: 1, value: 1))
    }

    @Test("no timing anywhere asks for a frame rate")
    func noTiming() {
        let folder = root + "/untimed"
        writeGreyClip(folder, frames: frames(3), width: 4, height: 3, clipJSON: nil)
        let error = imagingError { _ = try Clip.open(folder) }
        #expect(error == .missingTiming(path: folder))
        #expect(error?.description.contains("--frame-rate") == true)
    }

    @Test("malformed clip.json reports the line of the syntax error")
    func malformedJSON() {
        let folder = root + "/badjson"
        writeGreyClip(
            folder, frames: frames(3), width: 4, height: 3,
            clipJSON: "{\n  \"frameRate\": 10,\n  \"dynamicRangeDB\": ,\n}")
        let error = imagingError { _ = try Clip.open(folder) }
        guard case .malformedJSON(let path, let line, _, _) = error else {
            Issue.record("expected malformedJSON, got \(String(describing: error))")
            return
        }
        #expect(path == folder + "/clip.json")
        #expect(line == 3)
    }

    @Test("a field of the wrong type names the field")
    func wrongType() {
        let folder = root + "/wrongtype"
        writeGreyClip(folder, frames: frames(3), width: 4, height: 3, clipJSON: #"{"frameRate": "fast"}"#)
        let error = imagingError { _ = try Clip.open(folder) }
        #expect(error?.description.contains("frameRate") == true)
        #expect(error?.description.contains("number") == true)
    }

    @Test("a contrast pane outside the frame and out-of-range excluded frames are errors")
    func badPaneAndExclusion() {
        let folder = root + "/pane"
        writeGreyClip(
            folder, frames: frames(3), width: 4, height: 3,
            clipJSON: #"{"frameRate": 1, "contrastPane": {"x": 2, "y": 0, "width": 4, "height": 3}}"#)
        #expect(imagingError { _ = try Clip.open(folder) }?.description.contains("does not fit") == true)
        let other = root + "/excl"
        writeGreyClip(
            other, frames: frames(3), width: 4, height: 3, clipJSON: #"{"frameRate": 1, "excludedFrames": [3]}"#)
        #expect(imagingError { _ = try Clip.open(other) }?.description.contains("excludedFrames") == true)
    }
}
