import Foundation

@testable import CEUSImaging

/// Frames held in memory, as a frame source for tests.
public struct InMemoryFrames: FrameSource {
    public let frames: [Frame]

    public init(_ frames: [Frame]) { self.frames = frames }

    public var frameCount: Int { frames.count }
    public var width: Int { frames[0].width }
    public var height: Int { frames[0].height }
    public func frameName(_ index: Int) -> String { "frame \(index)" }
    public func frame(at index: Int) throws -> Frame { frames[index] }
}

/// A reference lognormal enhancement written independently of the library (docs/METHODS.md §4).
public func referenceLognormal(_ t: Double, area: Double, mu: Double, sigma: Double, t0: Double, offset: Double)
    -> Double
{
    let x = t - t0
    guard x > 0 else { return offset }
    let l = log(x) - mu
    return offset + area / (x * sigma * (2 * Double.pi).squareRoot()) * exp(-l * l / (2 * sigma * sigma))
}
