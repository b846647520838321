#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Scratch memory of `Double`s kept per thread, for work on every curve that needs more than fits in
/// `withUnsafeTemporaryAllocation`'s stack space: on Linux a request above 1 KiB goes to the heap (`posix_memalign`
/// and `free`, about 25 ns a call, a twentieth of the features of a 300-sample curve).
///
/// The buffer is made on a thread's first use, holds ``capacity`` values and is freed when the thread ends. A use
/// inside another on the same thread, or a request above the capacity, gets a temporary allocation instead.
enum ThreadScratch {
    /// Values a thread's buffer holds (64 KiB).
    static let capacity = 8192

    /// The key of the buffer; its first value marks a use in progress (1) and the others are handed out.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { free($0) }
        precondition(status == 0, "no thread-specific key for the scratch buffer")
        return key
    }()

    /// Calls `body` with `count` values of scratch memory (uninitialised) that no other code uses meanwhile.
    static func withBuffer<R>(count: Int, _ body: (UnsafeMutableBufferPointer<Double>) -> R) -> R {
        if count < capacity {
            var raw = pthread_getspecific(key)
            if raw == nil, let made = malloc(MemoryLayout<Double>.stride * capacity) {
                made.storeBytes(of: 0.0, as: Double.self)
                if pthread_setspecific(key, made) == 0 { raw = made } else { free(made) }
            }
            if let raw {
                let values = raw.assumingMemoryBound(to: Double.self)
                if values[0] == 0 {
                    values[0] = 1
                    defer { values[0] = 0 }
                    return body(UnsafeMutableBufferPointer(start: values + 1, count: count))
                }
            }
        }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: count, body)
    }
}
