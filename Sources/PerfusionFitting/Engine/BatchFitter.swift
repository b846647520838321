#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fits many curves across cores. Results come back in input order and are bit-identical whatever the
/// thread count: each curve is fitted alone, from its own data-driven start, in its own workspace.
///
/// Curves are split into chunks of 64; worker w takes chunks w, w + T, w + 2T, ... (a static
/// assignment, so scheduling never changes which curves share a workspace). Each worker allocates one
/// workspace.
public struct BatchFitter: Sendable {
    let engine: LevenbergMarquardt
    /// Worker threads (at least 1).
    let threads: Int
    /// Curves per chunk.
    static let chunkSize = 64

    /// - Parameters:
    ///   - engine: the engine and its options (default: the fast Float SIMD path).
    ///   - threads: worker threads; nil uses every core.
    public init(engine: LevenbergMarquardt = LevenbergMarquardt(), threads: Int? = nil) {
        self.engine = engine
        self.threads = max(1, threads ?? BatchFitter.coreCount)
    }

    /// Active processor count.
    public static var coreCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Fits `model` to every curve, each worker with its own workspace.
    public func fit<Model: CurveModel>(_ model: Model, curves: [CurveSamples]) -> [FitResult] {
        let capacity = curves.map(\.count).max() ?? 0
        let engine = engine
        return orderedParallelMap(
            curves.count, threads: threads, chunk: Self.chunkSize, state: { FitWorkspace(capacity: capacity) }
        ) { workspace, i in
            engine.fit(model, to: curves[i], workspace: workspace)
        }
    }
}
