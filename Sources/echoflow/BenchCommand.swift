import ArgumentParser
import Foundation
import PerfusionAnalysis

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure fitting throughput (fits per second) on synthetic curves.",
        discussion: """
            Fits realistic noisy curves (the shapes of docs/METHODS.md, 10 % jitter, 2 % additive noise, each \
            from its data-driven start) of 100, 300 and 600 samples, on one thread and on every core, and a set \
            where 30 % of the curves are non-enhancing background, with the lognormal model, then the other \
            bolus models at 300 samples. The scalar Double path is measured too, for the speed-up of the SIMD \
            path. Run it from a release build (make release): debug builds are many times slower.

            Then two end-to-end timings, each with a reference measured in the same run: `fit` on a generated \
            long CSV of 3,000 curves of 300 samples (read, fit, write) against fitting those curves in memory, and \
            `analyze` on a generated 600-frame clip against decoding its frames (MB/s through each). With --check \
            the ratios are gates that noise cannot trip: the SIMD path at least \(Int(PipelineBenchmark.simdLimit))x \
            the scalar path, `fit` at most \(Int(PipelineBenchmark.fitLimit))x fitting alone, `analyze` at most \
            \(PipelineBenchmark.analyzeLimit)x decoding alone; a gate that fails exits 1 (make bench-check).

            Examples:
              echoflow bench
              echoflow bench --json --seconds 0.5
              echoflow bench --check --seconds 0.3
              echoflow bench --phases --seconds 3
            """)

    @Flag(help: "Print one JSON array of {model, samples, threads, fits_per_second, ...} objects.")
    var json = false

    @Option(help: ArgumentHelp("Measuring time per row, in seconds.", valueName: "S"))
    var seconds = 1.0

    @Option(help: "Curves per set.")
    var curves = 4096

    @Flag(help: "Fail (exit 1) when a ratio gate is not met.")
    var check = false

    @Flag(
        help:
            "Only where a fit's time goes (initial guess, also with the curve in cache; one fused pass, iterations, whole fit); no tables."
    )
    var phases = false

    func validate() throws {
        guard seconds > 0, curves >= 64 else {
            throw ValidationError("--seconds must be positive and --curves at least 64")
        }
        // --phases measures nothing the gates or the JSON rows need, and would skip them silently.
        if phases && (check || json) {
            throw ValidationError("--phases prints only the phase times: run it without --check and --json")
        }
    }

    func run() throws {
        let bench = FittingBenchmark(seconds: seconds, curves: curves)
        if phases {
            printPhases(bench)
            return
        }
        if !json {
            print(
                "Echoflow \(Echoflow.version) fitting throughput (\(ProcessInfo.processInfo.activeProcessorCount) cores, \(curves) curves per set)\n"
            )
            print(FittingBenchmark.header)
        }
        let rows = bench.run { row in if !json { print(FittingBenchmark.line(row)) } }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else if let speedup = FittingBenchmark.simdSpeedup(rows) {
            print(String(format: "\nSIMD path vs scalar Double path (300 samples, 1 thread): %.1fx", speedup))
        }
        if !json {
            print("")
            printPhases(bench)
        }
        let motionFrames = MotionBenchmark.frames(width: 256, height: 256, count: 400)
        let motionRate = try MotionBenchmark.framesPerSecond(motionFrames)
        if !json {
            print(
                String(
                    format: "\nMotion estimation, 256 x 256 pane, every core: %.0f frames/s", motionRate))
        }
        let scratch = NSTemporaryDirectory() + "echoflow-bench-\(ProcessInfo.processInfo.processIdentifier)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let pipelines = PipelineBenchmark(folder: scratch)
        let ratios = try [pipelines.fit(), pipelines.analyze()]
        var failures: [String] = []
        if let speedup = FittingBenchmark.simdSpeedup(rows), speedup < PipelineBenchmark.simdLimit {
            failures.append(
                String(
                    format: "SIMD path only %.1fx the scalar path (gate: at least %.0fx)", speedup,
                    PipelineBenchmark.simdLimit))
        }
        for r in ratios where !r.passed {
            failures.append(
                String(format: "%@ takes %.1fx its reference (gate: at most %.0fx)", r.name, r.ratio, r.limit))
        }
        // --json keeps its output one array of fitting rows (scripts parse it); the ratios are printed as text.
        if !json {
            print("\nEnd to end, against a reference in the same run:")
            for r in ratios {
                print(
                    String(
                        format: "  %@: %.3f s (%.1f MB, %.0f MB/s); %@: %.3f s; ratio %.1f (gate %.1f)",
                        r.pipeline, r.pipeline_seconds, r.megabytes, r.megabytes_per_second, r.reference,
                        r.reference_seconds, r.ratio, r.limit))
            }
        }
        if check {
            for f in failures { printError("bench check failed: \(f)") }
            if !failures.isEmpty { throw ExitCode(1) }
            if !json { print("bench check: every gate passed") }
        }
    }

    private func printPhases(_ bench: FittingBenchmark) {
        print("Where a fit's time goes (lognormal, 300 samples, 1 thread, per curve):")
        for (set, t) in bench.phases() {
            print(
                String(
                    format:
                        "  %@: initial guess %.2f us (%.2f with the curve in cache; with the screen and bounds %.2f); one fused pass %.2f us, %.1f per fit; LM from the start %.2f us; whole fit %.2f us",
                    set, t.initialGuessMicroseconds, t.initialGuessInCacheMicroseconds, t.startMicroseconds,
                    t.passMicroseconds, t.passesPerFit,
                    t.iterateMicroseconds, t.fitMicroseconds))
        }
    }
}
