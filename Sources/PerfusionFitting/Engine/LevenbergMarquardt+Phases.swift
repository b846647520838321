import CFloatMode

/// Where the time of a fit goes, one thread, per curve: the start (screen, features, initial guess, bounds), the
/// initial guess alone (and with the curve in the cache), one vector fused pass, Levenberg–Marquardt from the start,
/// and the whole fit. `echoflow bench` prints these next to the throughput, so that a change can be judged by the
/// part it touches.
public struct FitPhaseTimes: Sendable, Equatable {
    /// Screening the samples, measuring the curve's features, the initial guess and the bounds (µs per curve).
    public var startMicroseconds: Double
    /// The model's initial guess alone (the curve's features and the start they give; µs per curve). Timed over the
    /// curves in turn, so it includes bringing each curve's samples into the cache, as the screen does in a fit.
    public var initialGuessMicroseconds: Double
    /// The initial guess alone with the curve's samples already in the cache (µs per curve): timed over the first
    /// ``cachedCurveCount`` curves only, which stay in a core's own cache. This is the guess's own work; the
    /// difference from ``initialGuessMicroseconds`` is the wait for memory, which in a fit falls to the screen that
    /// reads the curve first.
    public var initialGuessInCacheMicroseconds: Double
    /// Curves the in-cache initial guess is timed over (64 curves of 300 samples: 300 KB of times and values).
    public static let cachedCurveCount = 64
    /// One vector fused pass at the start point over the packed curve (µs per pass).
    public var passMicroseconds: Double
    /// Levenberg–Marquardt from the start point (packing, passes, solves, covariance), without the start and without
    /// alternative starts (µs per curve).
    public var iterateMicroseconds: Double
    /// The whole fit with the fast options, alternative starts included (µs per curve).
    public var fitMicroseconds: Double
    /// Fused passes per fit (the mean iteration count).
    public var passesPerFit: Double
}

extension LevenbergMarquardt {
    /// Times the phases of fitting `model` to `curves` on the calling thread, each phase repeated over all the
    /// curves for at least `seconds`.
    ///
    /// The pass is timed over `passRepeats` passes per curve after packing it (the packing is not counted), at the
    /// curve's start point: the first pass of every fit, and a fair sample of the passes that follow, which all
    /// evaluate the same samples. Curves the model rejects are left out of the pass and counted in the other two
    /// phases, as they are in a fit.
    ///
    /// The registry's models are timed through code specialized for each, as their fits run; another model through
    /// the generic code, which is slower.
    ///
    /// - Parameters:
    ///   - model: the model to fit.
    ///   - curves: the curves, each timed in every phase.
    ///   - seconds: the least time each phase is repeated for (0: once over the curves).
    ///   - passRepeats: passes timed per curve after packing it.
    /// - Returns: the time of each phase per curve (or per pass) in µs, and the passes per fit.
    /// - Precondition: the engine's precision is ``Precision/vector`` and `curves` is not empty.
    public func phaseTimes(
        _ model: any CurveModel, curves: [CurveSamples], seconds: Double, passRepeats: Int = 8
    ) -> FitPhaseTimes {
        switch model {
        case let m as LognormalModel: phaseTimes(of: m, curves, seconds, passRepeats)
        case let m as GammaVariateModel: phaseTimes(of: m, curves, seconds, passRepeats)
        case let m as LDRWModel: phaseTimes(of: m, curves, seconds, passRepeats)
        case let m as FPTModel: phaseTimes(of: m, curves, seconds, passRepeats)
        case let m as ReplenishmentModel: phaseTimes(of: m, curves, seconds, passRepeats)
        default: phaseTimes(of: model, curves, seconds, passRepeats)
        }
    }

    private func phaseTimes<Model: CurveModel>(
        of model: Model, _ curves: [CurveSamples], _ seconds: Double, _ passRepeats: Int
    ) -> FitPhaseTimes {
        precondition(options.precision == .vector && !curves.isEmpty)
        let clock = ContinuousClock()
        func elapsed(since: ContinuousClock.Instant) -> Double {
            let d = since.duration(to: clock.now).components
            return Double(d.seconds) + Double(d.attoseconds) * 1e-18
        }
        /// Runs `round` (which returns how many items it did) until `seconds` have passed, at least once and until
        /// an item was done; seconds per item, or NaN when no round did any.
        func perItem(_ round: () -> Int) -> Double {
            let began = clock.now
            var items = 0
            repeat { items += round() } while elapsed(since: began) < seconds && items > 0
            return items > 0 ? elapsed(since: began) / Double(items) : .nan
        }
        let workspace = FitWorkspace(capacity: curves.map(\.count).max() ?? 0)
        var sink = 0.0

        // Start: everything a fit does before its first pass.
        var starts: [ParameterVector?] = []
        let startTime = perItem {
            starts = curves.map { curve in
                if Self.screen(curve, parameterCount: model.parameterCount) != nil { return nil }
                guard case .success(let p) = model.initialGuess(for: curve) else { return nil }
                return model.bounds(for: curve).clamp(p)
            }
            return curves.count
        }

        // The initial guess alone.
        let guessTime = perItem {
            for curve in curves {
                if case .success(let p) = model.initialGuess(for: curve) { sink += p[0] }
            }
            return curves.count
        }

        // The initial guess alone, on curves that stay in the cache.
        let cached = curves.prefix(FitPhaseTimes.cachedCurveCount)
        let cachedGuessTime = perItem {
            for curve in cached {
                if case .success(let p) = model.initialGuess(for: curve) { sink += p[0] }
            }
            return cached.count
        }

        // One fused pass at the start point, timed around the passes only (the packing left out).
        let fitted = curves.indices.filter { starts[$0] != nil }
        var passes = 0
        var passTime = 0.0
        let floatMode = echoflow_flush_subnormals()
        _ = perItem {
            for i in fitted {
                workspace.pack(curves[i])
                let began = clock.now
                for _ in 0..<passRepeats { sink += vectorPass(model, workspace, starts[i]!, workspace.normal).0 }
                passTime += elapsed(since: began)
            }
            passes += fitted.count * passRepeats
            return fitted.count
        }
        echoflow_restore_float_mode(floatMode)

        // Levenberg–Marquardt from the start point.
        let iterateTime = perItem {
            for i in fitted {
                let curve = curves[i]
                sink +=
                    fit(model, to: curve, from: starts[i]!, bounds: model.bounds(for: curve), workspace: workspace)
                    .cost
            }
            return fitted.count
        }

        // The whole fit.
        var fits = 0
        var iterations = 0
        let fitTime = perItem {
            for curve in curves { iterations += fit(model, to: curve, workspace: workspace).iterations }
            fits += curves.count
            return curves.count
        }
        // Keeps the timed work from being optimised away (the sink is never -infinity).
        precondition(!(sink < -Double.greatestFiniteMagnitude))
        return FitPhaseTimes(
            startMicroseconds: 1e6 * startTime, initialGuessMicroseconds: 1e6 * guessTime,
            initialGuessInCacheMicroseconds: 1e6 * cachedGuessTime,
            passMicroseconds: passes > 0 ? 1e6 * passTime / Double(passes) : .nan,
            iterateMicroseconds: 1e6 * iterateTime, fitMicroseconds: 1e6 * fitTime,
            passesPerFit: Double(iterations) / Double(fits))
    }
}
