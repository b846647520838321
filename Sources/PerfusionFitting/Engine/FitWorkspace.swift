/// Memory a fit needs, allocated once and reused for every fit of one worker (never shared between
/// threads). Holds the samples packed in blocks of ``SampleLanes`` (sixteen `Float` lanes) (padded with zero weights) and the
/// normal equations.
public final class FitWorkspace {
    /// Samples as blocks of sixteen lanes (`sampleLaneCount`): times, values times their weights, weights.
    private(set) var times: UnsafeMutablePointer<SampleLanes>
    private(set) var values: UnsafeMutablePointer<SampleLanes>
    private(set) var weights: UnsafeMutablePointer<SampleLanes>
    /// The weighted residual and the five weighted derivatives of each block (six lanes vectors per block), written
    /// by the first half of the vector pass and summed by the second.
    private(set) var jacobian: UnsafeMutablePointer<SampleLanes>
    private(set) var blockCapacity: Int
    /// Number of blocks of the packed curve.
    private(set) var blockCount = 0
    /// Row-major 8 x 8 matrices: J^T J at the current point, at the trial point, and damped.
    let normal = UnsafeMutablePointer<Double>.allocate(capacity: 64)
    let trialNormal = UnsafeMutablePointer<Double>.allocate(capacity: 64)
    /// (With the solver's scratch after it in the same allocation.)
    let damped = UnsafeMutablePointer<Double>.allocate(capacity: 64 + SymmetricSolver.scratchCount)
    /// The factorisations of ``SymmetricSolver``: memory after `damped`, so that a workspace allocates no more often.
    var solverScratch: UnsafeMutablePointer<Double> { damped + 64 }

    /// A workspace for curves of up to `capacity` samples (it grows when a longer curve comes).
    public init(capacity: Int = 1024) {
        blockCapacity = max(1, (capacity + sampleLaneCount - 1) / sampleLaneCount)
        times = .allocate(capacity: blockCapacity)
        values = .allocate(capacity: blockCapacity)
        weights = .allocate(capacity: blockCapacity)
        jacobian = .allocate(capacity: 6 * blockCapacity)
        for p in [normal, trialNormal, damped] { p.initialize(repeating: 0, count: 64) }
        (damped + 64).initialize(repeating: 0, count: SymmetricSolver.scratchCount)
    }

    deinit {
        times.deallocate()
        values.deallocate()
        weights.deallocate()
        jacobian.deallocate()
        normal.deallocate()
        trialNormal.deallocate()
        damped.deallocate()
    }

    /// Packs `curve` into Float blocks, growing the buffers only when a longer curve arrives.
    func pack(_ curve: CurveSamples) {
        let blocks = (curve.count + sampleLaneCount - 1) / sampleLaneCount
        if blocks > blockCapacity {
            times.deallocate()
            values.deallocate()
            weights.deallocate()
            jacobian.deallocate()
            blockCapacity = blocks
            times = .allocate(capacity: blocks)
            values = .allocate(capacity: blocks)
            weights = .allocate(capacity: blocks)
            jacobian = .allocate(capacity: 6 * blocks)
        }
        blockCount = blocks
        let t = UnsafeMutableRawPointer(times).assumingMemoryBound(to: Float.self)
        let y = UnsafeMutableRawPointer(values).assumingMemoryBound(to: Float.self)
        let w = UnsafeMutableRawPointer(weights).assumingMemoryBound(to: Float.self)
        let n = curve.count
        curve.times.withUnsafeBufferPointer { times in
            curve.values.withUnsafeBufferPointer { values in
                for i in 0..<n { t[i] = Float(times[i]) }
                // Values times their weights (in Double, then rounded once), as the vector pass subtracts them.
                if let weights = curve.weights {
                    weights.withUnsafeBufferPointer { weights in
                        for i in 0..<n {
                            w[i] = Float(weights[i])
                            y[i] = Float(values[i] * weights[i])
                        }
                    }
                } else {
                    for i in 0..<n {
                        w[i] = 1
                        y[i] = Float(values[i])
                    }
                }
                // Padding repeats the last time (a valid model input) with zero weight.
                for i in n..<(blocks * sampleLaneCount) {
                    t[i] = Float(times[n - 1])
                    y[i] = 0
                    w[i] = 0
                }
            }
        }
    }
}
