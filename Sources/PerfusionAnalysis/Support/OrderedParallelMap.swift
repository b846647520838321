import Dispatch

/// `body(i)` for i in 0 ..< count on `threads` threads, in input order. Chunks of `chunk` indices are assigned to
/// workers statically (worker w takes chunks w, w + T, ...), and each result depends only on its index, so the output
/// does not depend on the thread count.
func orderedParallelMap<T: Sendable>(
    _ count: Int, threads: Int, chunk: Int = 64, _ body: @Sendable (Int) -> T
) -> [T] {
    let chunks = (count + chunk - 1) / chunk
    let workers = min(threads, chunks)
    guard workers > 1 else { return (0..<count).map(body) }
    let slots = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
    defer { slots.deallocate() }
    let output = OrderedSlots(slots)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var c = worker
        while c < chunks {
            for i in (c * chunk)..<min(count, (c + 1) * chunk) { output.store(i, body(i)) }
            c += workers
        }
    }
    // Every slot was initialised exactly once; move the values out.
    return (0..<count).map { (slots.baseAddress! + $0).move() }
}

/// Result storage written by several workers at distinct indices.
private struct OrderedSlots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
    func store(_ i: Int, _ value: T) { (buffer.baseAddress! + i).initialize(to: value) }
}
