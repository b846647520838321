import Benchmark
import CEUSImaging
import PerfusionAnalysis
import PerfusionFitting

// Names have no spaces or slashes (the threshold checker of benchmark 1.38.1 fails on them).
// Only malloc counts are gated (deterministic); times and throughput are reported, never checked.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 20,
        thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])]
    )

    // One fit per scaled iteration, cycling through 1,000 realistic curves, each from its data-driven start,
    // in one reused workspace.
    for samples in [100, 300, 600] {
        let set = SyntheticCurves.lognormal(count: 1000, samples: samples, seed: 7)
        Benchmark("LM.lognormal.n\(samples)") { benchmark in
            let engine = LevenbergMarquardt()
            let workspace = FitWorkspace(capacity: samples)
            var i = 0
            for _ in benchmark.scaledIterations {
                blackHole(engine.fit(LognormalModel(), to: set.curves[i], workspace: workspace))
                i = (i + 1) % set.curves.count
            }
        }
    }

    // Every other bolus model on the same realistic curves.
    let modelSet = SyntheticCurves.lognormal(count: 1000, samples: 300, seed: 11)
    for model in ModelRegistry.bolusModels.dropFirst() {
        Benchmark("LM.\(model.name).n300") { benchmark in
            let engine = LevenbergMarquardt()
            let workspace = FitWorkspace(capacity: 300)
            var i = 0
            for _ in benchmark.scaledIterations {
                blackHole(model.fit(modelSet.curves[i], engine: engine, workspace: workspace))
                i = (i + 1) % modelSet.curves.count
            }
        }
    }

    // Replenishment on refill curves after a flash (plateau, rate and flash time varied, 2 % noise).
    let refill: [CurveSamples] = (0..<1000).map { i in
        var rng = SeededGenerator(seed: SeededGenerator.derive(12, UInt64(i)))
        let (plateau, rate, flash) = (rng.uniform(0.5, 2), rng.uniform(0.05, 0.5), rng.uniform(1, 5))
        let times = (0..<300).map { Double($0) * 0.2 }
        let model = ReplenishmentModel()
        let truth = ParameterVector(plateau, rate, flash, 0.05, 0, 0, 0, 0)
        return CurveSamples(
            times: times, values: times.map { model.value(at: $0, parameters: truth) + 0.02 * plateau * rng.normal() })
    }
    Benchmark("LM.replenishment.n300") { benchmark in
        let engine = LevenbergMarquardt()
        let workspace = FitWorkspace(capacity: 300)
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(engine.fit(ReplenishmentModel(), to: refill[i], workspace: workspace))
            i = (i + 1) % refill.count
        }
    }

    // The iterations alone, from a given start: no allocation at all.
    let iterateSet = SyntheticCurves.lognormal(count: 1000, samples: 300, seed: 8)
    Benchmark("LM.lognormal.n300.iterate") { benchmark in
        let engine = LevenbergMarquardt()
        let model = LognormalModel()
        let workspace = FitWorkspace(capacity: 300)
        let starts = iterateSet.curves.map { curve -> ParameterVector in
            (try? model.initialGuess(for: curve).get()) ?? ParameterVector(1, 3, 0.8, 10, 0, 0, 0, 0)
        }
        let bounds = iterateSet.curves.map { model.bounds(for: $0) }
        var i = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(
                engine.fit(model, to: iterateSet.curves[i], from: starts[i], bounds: bounds[i], workspace: workspace))
            i = (i + 1) % iterateSet.curves.count
        }
    }

    // 30 % non-enhancing background, as in parametric maps.
    let background = SyntheticCurves.lognormal(count: 1000, samples: 300, seed: 9, backgroundFraction: 0.3)
    Benchmark("LM.lognormal.n300.background30") { benchmark in
        let engine = LevenbergMarquardt()
        let workspace = FitWorkspace(capacity: 300)
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(engine.fit(LognormalModel(), to: background.curves[i], workspace: workspace))
            i = (i + 1) % background.curves.count
        }
    }

    // Batch throughput on every core: one iteration fits 4,096 curves.
    let batch = SyntheticCurves.lognormal(count: 4096, samples: 300, seed: 10)
    Benchmark(
        "Batch.lognormal.n300.allcores",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one, maxIterations: 10,
            // The result array, one workspace per worker and, on a worker's first curve, its thread's scratch
            // buffer for the initial guess; the worker count follows the machine's cores.
            thresholds: [.mallocCountTotal: .init(absolute: [.p90: 64])])
    ) { benchmark in
        let fitter = BatchFitter()
        for _ in benchmark.scaledIterations {
            blackHole(fitter.fit(LognormalModel(), curves: batch.curves))
        }
    }

    // Motion estimation on a 256 x 256 textured pane, every core: one iteration aligns 400 frames (throughput is
    // frames per second / 400). Timed only: FFTW and the worker pool allocate per frame.
    let motionFrames = MotionBenchmark.frames(width: 256, height: 256, count: 400)
    Benchmark(
        "Motion.256x256.allcores",
        configuration: .init(
            metrics: [.wallClock, .throughput], scalingFactor: .one, maxIterations: 10, thresholds: [:])
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try MotionBenchmark.framesPerSecond(motionFrames, repeats: 1))
        }
    }
}
