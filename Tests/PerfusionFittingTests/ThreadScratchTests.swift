import Dispatch
import Testing

@testable import PerfusionFitting

/// The per-thread scratch buffer must never hand the same memory to two uses at once: not to a use nested in
/// another on one thread, not to two threads, and a request it cannot hold must still get the size asked for.
@Suite("Per-thread scratch memory")
struct ThreadScratchTests {
    @Test("a nested use and an oversized request get memory of their own")
    func nestedAndOversized() {
        ThreadScratch.withBuffer(count: 100) { outer in
            for i in 0..<100 { outer[i] = Double(i) }
            ThreadScratch.withBuffer(count: 100) { inner in
                let outerRange = UnsafeRawPointer(outer.baseAddress!)..<UnsafeRawPointer(outer.baseAddress! + 100)
                #expect(!outerRange.contains(UnsafeRawPointer(inner.baseAddress!)), "the nested buffer overlaps")
                for i in 0..<100 { inner[i] = -1 }
            }
            #expect((0..<100).allSatisfy { outer[$0] == Double($0) }, "the nested use wrote over the outer one")
        }
        let large = ThreadScratch.capacity + 10
        ThreadScratch.withBuffer(count: large) { buffer in
            #expect(buffer.count == large)
            buffer[large - 1] = 1
            #expect(buffer[large - 1] == 1)
        }
        // After the uses end, the thread's buffer is free again: the same memory as before.
        let first = ThreadScratch.withBuffer(count: 10) { UnsafeRawPointer($0.baseAddress!) }
        let second = ThreadScratch.withBuffer(count: 10) { UnsafeRawPointer($0.baseAddress!) }
        #expect(first == second)
    }

    @Test("threads working at once each get their own buffer")
    func threads() {
        let lanes = 8
        // Each lane writes only its own flag.
        nonisolated(unsafe) let clean = UnsafeMutableBufferPointer<Bool>.allocate(capacity: lanes)
        clean.initialize(repeating: false)
        defer { clean.deallocate() }
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            var intact = true
            for round in 0..<200 {
                ThreadScratch.withBuffer(count: 500) { buffer in
                    let mark = Double(lane * 1000 + round)
                    for i in 0..<500 { buffer[i] = mark }
                    // Give the other threads time to write into the same memory, were it shared.
                    var spin = 0.0
                    for k in 0..<2000 { spin += Double(k) }
                    intact = intact && spin > 0 && (0..<500).allSatisfy { buffer[$0] == mark }
                }
            }
            clean[lane] = intact
        }
        #expect(clean.allSatisfy { $0 })
    }
}
