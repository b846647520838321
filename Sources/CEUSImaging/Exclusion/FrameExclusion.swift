import Foundation

/// Why a frame is left out of every fit (docs/METHODS.md §9). When several rules fire, the reason recorded is the
/// first of these cases, in declaration order.
public enum FrameExclusion: String, Sendable, Codable, CaseIterable, Comparable {
    /// Listed by the user: `excludedFrames` in `clip.json` or `--exclude`.
    case manual
    /// A sudden frame-wide rise of intensity (destruction pulse, flash artefact): ``FlashRule``.
    case flash
    /// The decoded pixels equal the previous frame's (an export resampled to a higher frame rate).
    case duplicate
    /// With motion compensation: the frame matches the reference frame poorly (the lesion left the imaging
    /// plane), or a region moved more than half out of the pane.
    case outOfPlane = "out_of_plane"

    public static func < (a: FrameExclusion, b: FrameExclusion) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Which frames the automatic rules may drop, and how motion is compensated (flags and `clip.json`).
public struct FrameRules: Sendable, Equatable, Codable {
    /// Whether the automatic rules (flash, duplicate, out of plane) run; `--keep-all-frames` turns them off.
    public var automatic = true
    /// Whether frames are aligned to a reference frame before regions are averaged (`--motion`).
    public var motion = false
    /// Normalised correlation with the reference frame below which a frame is out of plane (B-mode pane).
    public var minimumCorrelation = FrameRules.defaultMinimumCorrelation

    /// The default threshold of the out-of-plane rule.
    public static let defaultMinimumCorrelation = 0.5

    /// Automatic rules on, motion compensation off.
    public init(automatic: Bool = true, motion: Bool = false, minimumCorrelation: Double = defaultMinimumCorrelation) {
        self.automatic = automatic
        self.motion = motion
        self.minimumCorrelation = minimumCorrelation
    }
}

/// The flash rule: a frame whose mean linear power over the contrast pane is at least ``ratio`` times the median of
/// the ``window`` frames before it (flash frames already found left out) and at least ``ratio`` times the median
/// of the ``window`` frames after it. Near the clip's ends, a side with fewer than ``minimumSide`` frames is left
/// out and the other side decides.
///
/// Why these numbers: a bolus rises and falls over seconds, so a frame is never far brighter than the frames on
/// both sides of it; a destruction pulse or flash artefact lights the whole pane for one to three frames and is
/// followed by darker frames (bubbles destroyed). A factor of 2.5 (+4 dB over the whole pane) is 4.6 standard
/// deviations of a 20 % frame-to-frame jitter, the upper end of what real clips show (REFERENCE.md §7); medians
/// of five frames stay on the unflashed level for flashes of up to three frames.
public enum FlashRule {
    /// Ratio to both neighbourhood medians (linear power).
    public static let ratio = 2.5
    /// Frames on each side whose median is the neighbourhood level.
    public static let window = 5
    /// Fewest frames a side needs to count (at the clip's ends).
    public static let minimumSide = 3

    /// Indices of the flash frames among per-frame pane means (linear power, a.u.).
    public static func flashes(_ means: [Double]) -> [Int] {
        var found: [Int] = []
        var isFlash = [Bool](repeating: false, count: means.count)
        for i in means.indices where means[i].isFinite {
            var before: [Double] = []
            var k = i - 1
            while k >= 0 && before.count < window {
                if !isFlash[k] && means[k].isFinite { before.append(means[k]) }
                k -= 1
            }
            let after = Array(means[(i + 1)..<min(means.count, i + 1 + window)].filter(\.isFinite))
            // A side counts with at least `minimumSide` frames (near the clip's ends, one side is shorter: a median
            // of one or two frames could be the flash itself); with neither, the frame is kept.
            let sides = [before, after].filter { $0.count >= minimumSide }
            guard !sides.isEmpty else { continue }
            let level = sides.map { median($0)! }.max()!
            if means[i] > ratio * level && means[i] > 0 {
                isFlash[i] = true
                found.append(i)
            }
        }
        return found
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m])
    }
}

/// Frame index lists written as ranges: `3-7, 12, 40-41`.
public enum FrameRanges {
    /// The sorted indices as comma-separated ranges.
    public static func text(_ frames: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let f = frames.sorted()
        while i < f.count {
            var j = i
            while j + 1 < f.count && f[j + 1] == f[j] + 1 { j += 1 }
            parts.append(j > i ? "\(f[i])-\(f[j])" : "\(f[i])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }

    /// Parses `12-18,40` (indices from 0; ranges inclusive); nil when malformed.
    public static func parse(_ text: String) -> [Int]? {
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingCharacters(in: .whitespaces)
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 1, let k = Int(bounds[0]), k >= 0 {
                out.append(k)
            } else if bounds.count == 2, let a = Int(bounds[0]), let b = Int(bounds[1]), a >= 0, b >= a,
                b - a <= 10_000_000
            {
                out.append(contentsOf: a...b)
            } else {
                return nil
            }
        }
        return Array(Set(out)).sorted()
    }
}
