import Foundation
import Synchronization

/// The encoder's helper threads, kept for its whole life: a forward pass has about forty parallel
/// regions (each GEMM, attention, the activation), microseconds apart for a short batch. Handing
/// each to `DispatchQueue.concurrentPerform` wakes a pool thread every time; a helper here spins
/// for the next region instead, and parks only when none has come for a while.
final class WorkerTeam {
    // Not Sendable: one caller at a time (the encoder's).
    private let shared: Shared
    private let helpers: Int

    /// A team of `workers`: the caller and `workers - 1` helper threads.
    init(workers: Int) {
        helpers = max(0, workers - 1)
        shared = Shared(helpers: helpers)
        for index in 0..<helpers {
            let thread = Thread { [shared] in shared.helperLoop(worker: index + 1) }
            thread.name = "deja-encoder-\(index + 1)"
            thread.start()
        }
    }

    deinit {
        shared.stop()
    }

    var workers: Int { helpers + 1 }

    /// Runs `body(worker)` once on each worker (0 on the calling thread); returns when all are done.
    func run(_ body: @escaping (Int) -> Void) {
        guard helpers > 0 else { return body(0) }
        shared.run(body)
    }

    /// What the helpers see. `body` is written before `generation` is published and read after a
    /// helper sees it; the sequentially consistent atomics order the two.
    private final class Shared: @unchecked Sendable {
        let helpers: Int
        let generation = Atomic<Int>(0)
        let remaining = Atomic<Int>(0)
        let parked = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        let condition = NSCondition()
        var body: (Int) -> Void = { _ in }
        /// How long a helper spins for the next region before it parks.
        static let spinNanoseconds: UInt64 = 200_000

        init(helpers: Int) {
            self.helpers = helpers
        }

        func run(_ body: @escaping (Int) -> Void) {
            self.body = body
            remaining.store(helpers, ordering: .sequentiallyConsistent)
            publish()
            body(0)
            while remaining.load(ordering: .sequentiallyConsistent) > 0 {}
            self.body = { _ in }  // the caller's closure does not outlive the call
        }

        func stop() {
            stopping.store(true, ordering: .sequentiallyConsistent)
            publish()
        }

        /// A new region (or the stop): spinning helpers see it at once, parked ones are woken.
        /// Sequential consistency makes `parked` and `generation` a Dekker pair: either the helper
        /// sees the new generation before it waits, or this sees it parked and wakes it.
        private func publish() {
            generation.add(1, ordering: .sequentiallyConsistent)
            if parked.load(ordering: .sequentiallyConsistent) > 0 {
                condition.withLock { condition.broadcast() }
            }
        }

        func helperLoop(worker: Int) {
            var seen = 0
            while true {
                var started: UInt64 = 0
                var spins = 0
                while generation.load(ordering: .sequentiallyConsistent) == seen {
                    spins += 1
                    guard spins & 1023 == 0 else { continue }
                    let now = DispatchTime.now().uptimeNanoseconds
                    if started == 0 {
                        started = now
                    } else if now - started > Self.spinNanoseconds {
                        condition.lock()
                        parked.add(1, ordering: .sequentiallyConsistent)
                        while generation.load(ordering: .sequentiallyConsistent) == seen { condition.wait() }
                        parked.subtract(1, ordering: .sequentiallyConsistent)
                        condition.unlock()
                    }
                }
                seen = generation.load(ordering: .sequentiallyConsistent)
                if stopping.load(ordering: .sequentiallyConsistent) { return }
                body(worker)
                remaining.subtract(1, ordering: .sequentiallyConsistent)
            }
        }
    }
}
