import Foundation
import PerfusionFitting

/// Fitting throughput on synthetic curves, as `echoflow bench` measures it.
///
/// The curve sets are ``SyntheticCurves/lognormal(count:samples:seed:backgroundFraction:)`` with seed 2026:
/// realistic noisy bolus curves (docs/METHODS.md §8 shapes, 10 % jitter, 2 % additive noise), each fitted from
/// its data-driven start. Rows: the lognormal model at 100, 300 and 600 samples; a set where 30 % of the
/// curves are non-enhancing background; the other bolus models at 300 samples; each on one thread and on
/// every core; and the scalar `Double` path once, for the speed-up of the SIMD path.
public struct FittingBenchmark: Sendable {
    /// One measured configuration.
    public struct Row: Sendable, Encodable {
        let model: String
        let samples: Int
        let threads: Int
        let fits_per_second: Double
        let path: String
        let set: String
        let converged_pct: Double
        let mean_iterations: Double
    }

    /// Measuring time per row (s).
    var seconds: Double
    /// Curves per set.
    var curves: Int

    /// A benchmark measuring each row for `seconds` on sets of `curves` curves.
    public init(seconds: Double = 1, curves: Int = 4096) {
        self.seconds = seconds
        self.curves = curves
    }

    /// Measures every row in turn; `measured` is called after each.
    public func run(measured: (Row) -> Void = { _ in }) -> [Row] {
        let cores = BatchFitter.coreCount
        let threadCounts = Set([1, cores]).sorted()
        var rows: [Row] = []
        func measure(
            _ set: String, _ samples: Int, _ background: Double, _ threads: Int, _ options: LevenbergMarquardt.Options,
            _ model: any CurveModel = ModelRegistry.defaultModel
        ) {
            let data = SyntheticCurves.lognormal(
                count: curves, samples: samples, seed: 2026, backgroundFraction: background)
            let fitter = BatchFitter(engine: LevenbergMarquardt(options: options), threads: threads)
            var results = model.fit(Array(data.curves.prefix(256)), fitter: fitter)  // warm-up
            var fits = 0
            let start = Date()
            repeat {
                results = model.fit(data.curves, fitter: fitter)
                fits += data.curves.count
            } while Date().timeIntervalSince(start) < seconds
            let elapsed = Date().timeIntervalSince(start)
            let enhancing = zip(results, data.truth).filter { $0.1 != nil }
            let converged = enhancing.filter { $0.0.status == .converged }.count
            let iterations = results.map(\.iterations).reduce(0, +)
            let row = Row(
                model: model.name, samples: samples, threads: threads, fits_per_second: Double(fits) / elapsed,
                path: options.precision == .vector ? "simd" : "scalar", set: set,
                converged_pct: 100 * Double(converged) / Double(max(enhancing.count, 1)),
                mean_iterations: Double(iterations) / Double(results.count))
            rows.append(row)
            measured(row)
        }
        for samples in [100, 300, 600] {
            for threads in threadCounts { measure("bolus", samples, 0, threads, .fast) }
        }
        for threads in threadCounts { measure("background30", 300, 0.3, threads, .fast) }
        for model in ModelRegistry.bolusModels.dropFirst() {
            for threads in threadCounts { measure("bolus", 300, 0, threads, .fast, model) }
        }
        measure("bolus", 300, 0, 1, .reference)
        return rows
    }

    /// Where a fit's time goes (one thread, lognormal model, 300 samples): per curve on the bolus set and on the set
    /// with 30 % background, in that order (`LevenbergMarquardt.phaseTimes` of PerfusionFitting).
    public func phases() -> [(set: String, times: FitPhaseTimes)] {
        [("bolus", 0.0), ("background30", 0.3)].map { set, background in
            let data = SyntheticCurves.lognormal(
                count: curves, samples: 300, seed: 2026, backgroundFraction: background)
            let engine = LevenbergMarquardt(options: .fast)
            _ = engine.phaseTimes(LognormalModel(), curves: Array(data.curves.prefix(256)), seconds: 0)  // warm-up
            return (set, engine.phaseTimes(LognormalModel(), curves: data.curves, seconds: seconds / 3))
        }
    }

    /// Fits per second of the SIMD path over the scalar `Double` path (lognormal, 300 samples, one thread).
    public static func simdSpeedup(_ rows: [Row]) -> Double? {
        let simd = rows.first {
            $0.path == "simd" && $0.samples == 300 && $0.threads == 1 && $0.set == "bolus"
                && $0.model == ModelRegistry.defaultModel.name
        }
        guard let simd, let scalar = rows.first(where: { $0.path == "scalar" }) else { return nil }
        return simd.fits_per_second / scalar.fits_per_second
    }

    /// Header line of the text table.
    public static var header: String { line(["model", "set", "path", "n", "threads", "fits/s", "conv. %", "iter."]) }

    /// One row of the text table.
    public static func line(_ row: Row) -> String {
        line([
            row.model, row.set, row.path, String(row.samples), String(row.threads),
            String(format: "%.0f", row.fits_per_second), String(format: "%.1f", row.converged_pct),
            String(format: "%.1f", row.mean_iterations),
        ])
    }

    static func line(_ cells: [String]) -> String {
        let widths = [10, 12, 7, 6, 8, 12, 11, 10]
        return zip(cells, widths).enumerated().map { i, pair in
            let (cell, width) = pair
            let pad = String(repeating: " ", count: max(0, width - cell.count))
            return i < 3 ? cell + pad : pad + cell
        }.joined(separator: " ")
    }
}
