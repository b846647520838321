import Dispatch
import Foundation

/// Runs `body(i)` for i in 0..<count on all cores; results land in input order.
///
/// The first error by index is rethrown after all work ends, so the reported error does not depend on
/// scheduling.
public func parallelMap<T: Sendable>(
    _ count: Int, _ body: @Sendable (Int) throws -> T
) throws -> [T] {
    let slots = ParallelSlots<T>(count)
    DispatchQueue.concurrentPerform(iterations: count) { i in
        do {
            slots.store(i, .success(try body(i)))
        } catch {
            slots.store(i, .failure(error))
        }
    }
    return try slots.results()
}

/// Per-index results of a parallel loop, written under a lock.
final class ParallelSlots<T: Sendable>: @unchecked Sendable {
    private var slots: [Result<T, any Error>?]
    private let lock = NSLock()

    init(_ n: Int) { slots = Array(repeating: nil, count: n) }

    func store(_ i: Int, _ result: Result<T, any Error>) {
        lock.withLock { slots[i] = result }
    }

    func results() throws -> [T] {
        try slots.map { try $0!.get() }
    }
}
