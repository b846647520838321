import Foundation

/// A synthetic PRRT study: subjects with a baseline and a post-PRRT clip each, drawn from the ranges of
/// docs/METHODS.md §8. Subjects alternate responder (lesion AUC down 45-65 %, slower: mu 3.0-3.5) and
/// non-responder (AUC within -15 % to +5 %); every third subject is a non-responder, the others respond.
public struct SyntheticStudy: Sendable {
    /// One clip of the study and where it goes.
    public struct Entry: Sendable {
        let subject: String
        let timepoint: String
        /// Days after baseline.
        let day: Int
        let clip: String
        let responder: Bool
        /// The clip to write.
        public let spec: SyntheticClipSpec

        /// Folder of the clip relative to the study root: `SUBJECT/TIMEPOINT/CLIP`.
        var relativePath: String { "\(subject)/\(timepoint)/\(clip)" }
    }

    /// Every clip of the study, subject by subject, baseline first.
    public let entries: [Entry]

    /// Timepoint labels and days.
    static let baseline = "baseline"
    static let followUp = "post-prrt"
    static let followUpDay = 30

    /// Draws `subjects` subjects from `seed`; clip settings come from `template` (size, rate, duration, ...).
    public init(seed: UInt64, subjects: Int, template: SyntheticClipSpec) {
        var entries: [Entry] = []
        for s in 0..<subjects {
            var rng = SeededGenerator(seed: SeededGenerator.derive(seed, UInt64(s) + 101))
            let subject = String(format: "S%02d", s + 1)
            let responder = (s + 1) % 3 != 0
            let range = template.dynamicRangeDB
            // Baseline offset 15 dB above the display floor, so few speckle pixels are truncated.
            let floorPower = pow(10, -range / 10)
            let lesionBase = LognormalCurve(
                peak: pow(10, rng.uniform(-14, -10) / 10), mu: rng.uniform(2.4, 2.9), sigma: rng.uniform(0.74, 0.82),
                t0: rng.uniform(10, 15), offset: floorPower * pow(10, rng.uniform(1.4, 1.7)))
            let parenchymaBase = LognormalCurve(
                peak: pow(10, rng.uniform(-19, -16) / 10), mu: rng.uniform(3.7, 4.1), sigma: rng.uniform(0.86, 0.91),
                t0: rng.uniform(12, 20), offset: floorPower * pow(10, rng.uniform(1.5, 1.8)))
            var lesionFollow = lesionBase
            if responder {
                lesionFollow.area *= rng.uniform(0.35, 0.55)
                lesionFollow.mu = rng.uniform(3.0, 3.5)
            } else {
                lesionFollow.area *= rng.uniform(0.85, 1.05)
                lesionFollow.mu += rng.uniform(0, 0.15)
            }
            lesionFollow.t0 = rng.uniform(10, 15)
            var parenchymaFollow = parenchymaBase
            parenchymaFollow.area *= rng.uniform(0.9, 1.1)
            parenchymaFollow.t0 = rng.uniform(12, 20)
            for (timepoint, day, lesion, parenchyma) in [
                (Self.baseline, 0, lesionBase, parenchymaBase),
                (Self.followUp, Self.followUpDay, lesionFollow, parenchymaFollow),
            ] {
                var spec = template
                spec.seed = SeededGenerator.derive(seed, UInt64(s * 16 + day + 7))
                spec.lesion = lesion
                spec.parenchyma = parenchyma
                spec.gainDB = rng.uniform(-3, 3)
                entries.append(
                    Entry(
                        subject: subject, timepoint: timepoint, day: day, clip: "clip01", responder: responder,
                        spec: spec))
            }
        }
        self.entries = entries
    }

    /// Writes every clip under `root` plus `manifest.csv` (subject,lesion,timepoint,clip,roi,day).
    public func write(to root: String, progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        var manifest = CSVTable(columns: ["subject", "lesion", "timepoint", "clip", "roi", "day"])
        for (i, entry) in entries.enumerated() {
            try entry.spec.write(to: (root as NSString).appendingPathComponent(entry.relativePath))
            progress?(i + 1, entries.count)
            manifest.append([
                .text(entry.subject), .text("lesion"), .text(entry.timepoint), .text(entry.relativePath),
                .text(entry.relativePath + "/roi.json"), .integer(entry.day),
            ])
        }
        try AtomicFile.write(manifest.render(), to: (root as NSString).appendingPathComponent("manifest.csv"))
    }
}
