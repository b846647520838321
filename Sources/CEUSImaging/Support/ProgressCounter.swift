import Foundation

/// A thread-safe count of finished work items, for progress callbacks from parallel loops.
public final class ProgressCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    /// A counter at zero.
    public init() {}

    /// Adds one and returns the new count.
    public func increment() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
