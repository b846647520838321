import Dispatch

/// `body(&state, i)` for i in 0 ..< count on `threads` threads, results in input order.
///
/// Chunks of `chunk` indices are assigned to workers statically (worker w takes chunks w, w + T, w + 2T, ...), and
/// each worker makes its own `state` once (a fit workspace, say) and never shares it. As long as each result depends
/// only on its index, the output does not depend on the thread count.
public func orderedParallelMap<State, T: Sendable>(
    _ count: Int, threads: Int, chunk: Int = 64, state makeState: @Sendable () -> State,
    _ body: @Sendable (inout State, Int) -> T
) -> [T] {
    let chunks = (count + chunk - 1) / chunk
    let workers = min(max(1, threads), chunks)
    guard workers > 1 else {
        var state = makeState()
        return (0..<count).map { body(&state, $0) }
    }
    let slots = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
    defer { slots.deallocate() }
    let output = OrderedSlots(slots)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var state = makeState()
        var c = worker
        while c < chunks {
            for i in (c * chunk)..<min(count, (c + 1) * chunk) { output.store(i, body(&state, i)) }
            c += workers
        }
    }
    // Every slot was initialised exactly once; move the values out.
    return (0..<count).map { (slots.baseAddress! + $0).move() }
}

/// ``orderedParallelMap(_:threads:chunk:state:_:)`` without per-worker state.
public func orderedParallelMap<T: Sendable>(
    _ count: Int, threads: Int, chunk: Int = 64, _ body: @Sendable (Int) -> T
) -> [T] {
    orderedParallelMap(count, threads: threads, chunk: chunk, state: {}) { _, i in body(i) }
}

/// Result storage written by several workers at distinct indices.
private struct OrderedSlots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
    func store(_ i: Int, _ value: T) { (buffer.baseAddress! + i).initialize(to: value) }
}
