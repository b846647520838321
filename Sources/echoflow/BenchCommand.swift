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

            Examples:
              echoflow bench
              echoflow bench --json --seconds 0.5
            """)

    @Flag(help: "Print one JSON array of {model, samples, threads, fits_per_second, ...} objects.")
    var json = false

    @Option(help: ArgumentHelp("Measuring time per row, in seconds.", valueName: "S"))
    var seconds = 1.0

    @Option(help: "Curves per set.")
    var curves = 4096

    func validate() throws {
        guard seconds > 0, curves >= 64 else {
            throw ValidationError("--seconds must be positive and --curves at least 64")
        }
    }

    func run() throws {
        let bench = FittingBenchmark(seconds: seconds, curves: curves)
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
    }
}
