import ArgumentParser
import Foundation
import PerfusionAnalysis

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write realistic synthetic CEUS clips with known ground truth.",
        discussion: """
            A clip is a folder of 8-bit PNG frames with clip.json, roi.json (lesion and parenchyma, the \
            parenchyma as reference) and truth.json (the exact curves and parameters an analysis should \
            recover, in linearized a.u.). Pixels are exponential speckle around lognormal mean curves, with \
            per-frame jitter, rare dropout frames, display gain, log compression and 8-bit quantization. The \
            same seed and options always give the same bytes.

            With --study, writes SUBJECT/TIMEPOINT/clip01 folders (baseline and post-prrt for each subject) \
            and manifest.csv.

            Examples:
              echoflow synth --output my-clip --seed 7
              echoflow synth --study --subjects 3 --seed 20261121 --output my-study
            """)

    @Option(name: [.short, .long], help: ArgumentHelp("Output folder (created if missing).", valueName: "DIR"))
    var output: String

    @Option(help: "Random seed; the same seed gives the same clips.")
    var seed: UInt64 = 1

    @Flag(help: "Write a study (subjects x baseline/post-prrt) instead of one clip.")
    var study = false

    @Option(help: "Subjects in a study.")
    var subjects = 3

    @Option(help: ArgumentHelp("Clip duration in seconds.", valueName: "S"))
    var duration = 64.0

    @Option(name: .customLong("frame-rate"), help: ArgumentHelp("Frames per second.", valueName: "HZ"))
    var frameRate = 5.0

    @Option(help: "Frame width in pixels.")
    var width = 64

    @Option(help: "Frame height in pixels.")
    var height = 56

    @Option(name: .customLong("dynamic-range"), help: ArgumentHelp("Log-compression dynamic range.", valueName: "DB"))
    var dynamicRange = 50.0

    @Option(help: "Per-frame multiplicative jitter (standard deviation on a log scale).")
    var jitter = 0.1

    @Option(help: "Probability that a frame is a dropout.")
    var dropout = 0.005

    @Option(help: ArgumentHelp("Breathing motion amplitude of the lesion in pixels (0.25 Hz).", valueName: "PX"))
    var motion = 0.0

    @Flag(name: [.short, .long], help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard width >= 32, height >= 32 else {
            throw ValidationError("--width and --height must be at least 32 pixels")
        }
        guard duration > 0, frameRate > 0 else { throw ValidationError("--duration and --frame-rate must be positive") }
        guard dynamicRange >= 20 else { throw ValidationError("--dynamic-range must be at least 20 dB") }
        guard jitter >= 0, (0...1).contains(dropout), motion >= 0 else {
            throw ValidationError("--jitter and --motion must not be negative; --dropout is a probability")
        }
        guard subjects >= 1 else { throw ValidationError("--subjects must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            var template = SyntheticClipSpec(
                seed: seed, lesion: LognormalCurve(area: 0, mu: 0, sigma: 1, t0: 0, offset: 0),
                parenchyma: LognormalCurve(area: 0, mu: 0, sigma: 1, t0: 0, offset: 0), width: width, height: height)
            template.duration = duration
            template.frameRate = frameRate
            template.dynamicRangeDB = dynamicRange
            template.jitter = jitter
            template.dropoutProbability = dropout
            template.motionPixels = motion
            if study {
                let s = SyntheticStudy(seed: seed, subjects: subjects, template: template)
                let progress = ProgressReporter(label: "synthesizing study", unit: "clips", quiet: quiet)
                try s.write(to: output, progress: { progress.update($0, $1) })
                print(
                    "Wrote \(s.entries.count) clips (\(subjects) subjects x baseline, post-prrt) and manifest.csv to \(output)/"
                )
            } else {
                let entry = SyntheticStudy(seed: seed, subjects: 1, template: template).entries[0]
                let progress = ProgressReporter(label: "synthesizing clip", unit: "frames", quiet: quiet)
                try entry.spec.write(to: output, progress: { progress.update($0, $1) })
                print("Wrote \(entry.spec.frameCount) frames, clip.json, roi.json and truth.json to \(output)/")
            }
        }
    }
}
