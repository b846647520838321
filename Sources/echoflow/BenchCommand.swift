import ArgumentParser
import Foundation
import PerfusionAnalysis
import PerfusionFitting

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure fitting throughput (fits per second) on synthetic curves.",
        discussion: """
            Fits realistic noisy curves (REFERENCE.md §7 shapes, 10 % jitter, 2 % additive noise, each \
            from its data-driven start) of 100, 300 and 600 samples, on one thread and on every core, and a set \
            where 30 % of the curves are non-enhancing background, with the lognormal model, then the other bolus models at \
            300 samples. The scalar Double path is measured too, for \
            the speed-up of the SIMD path. Run it from a release build (make release): debug builds are many \
            times slower.

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

    struct Row: Encodable {
        let model: String
        let samples: Int
        let threads: Int
        let fits_per_second: Double
        let path: String
        let set: String
        let converged_pct: Double
        let mean_iterations: Double
    }

    func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }

    func run() throws {
        let cores = BatchFitter.coreCount
        var rows: [Row] = []
        func measure(
            _ set: String, _ samples: Int, _ background: Double, _ threads: Int, _ options: LevenbergMarquardt.Options,
            _ model: ModelKind = .lognormal
        ) {
            let data = SyntheticCurves.lognormal(
                count: curves, samples: samples, seed: 2026, backgroundFraction: background)
            let fitter = BatchFitter(engine: LevenbergMarquardt(options: options), threads: threads)
            var results = fitter.fit(model, curves: Array(data.curves.prefix(256)))  // warm-up
            var fits = 0
            let start = Date()
            repeat {
                results = fitter.fit(model, curves: data.curves)
                fits += data.curves.count
            } while Date().timeIntervalSince(start) < seconds
            let elapsed = Date().timeIntervalSince(start)
            let enhancing = zip(results, data.truth).filter { $0.1 != nil }
            let converged = enhancing.filter { $0.0.status == .converged }.count
            let iterations = results.map(\.iterations).reduce(0, +)
            let row = Row(
                model: model.rawValue, samples: samples, threads: threads, fits_per_second: Double(fits) / elapsed,
                path: options.precision == .vector ? "simd" : "scalar", set: set,
                converged_pct: 100 * Double(converged) / Double(max(enhancing.count, 1)),
                mean_iterations: Double(iterations) / Double(results.count))
            rows.append(row)
            if !json {
                print(
                    String(
                        format: "%@ %@ %@ %6d %8d %12.0f %11.1f %10.1f", pad(row.model, 10), pad(row.set, 12),
                        pad(row.path, 7),
                        row.samples, row.threads, row.fits_per_second, row.converged_pct, row.mean_iterations))
            }
        }
        if !json {
            print("Echoflow \(Echoflow.version) fitting throughput (\(cores) cores, \(curves) curves per set)\n")
            print(
                String(
                    format: "%@ %@ %@ %6@ %8@ %12@ %11@ %10@", pad("model", 10), pad("set", 12), pad("path", 7), "n",
                    "threads",
                    "fits/s", "conv. %", "iter."))
        }
        for samples in [100, 300, 600] {
            for threads in Set([1, cores]).sorted() { measure("bolus", samples, 0, threads, .fast) }
        }
        for threads in Set([1, cores]).sorted() { measure("background30", 300, 0.3, threads, .fast) }
        for model in [ModelKind.gamma, .ldrw, .fpt] {
            for threads in Set([1, cores]).sorted() { measure("bolus", 300, 0, threads, .fast, model) }
        }
        measure("bolus", 300, 0, 1, .reference)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            let simd = rows.first {
                $0.path == "simd" && $0.samples == 300 && $0.threads == 1 && $0.set == "bolus"
                    && $0.model == "lognormal"
            }
            let scalar = rows.first { $0.path == "scalar" }
            if let simd, let scalar {
                print(
                    String(
                        format: "\nSIMD path vs scalar Double path (300 samples, 1 thread): %.1fx",
                        simd.fits_per_second / scalar.fits_per_second))
            }
        }
    }
}
