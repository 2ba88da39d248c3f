import Foundation
import Synchronization

/// The encoder's helper threads, kept for its whole life: a forward pass has about forty parallel
/// regions (each GEMM, attention, the activation), microseconds apart for a short batch. Handing
/// each to `DispatchQueue.concurrentPerform` wakes a pool thread every time; a helper here spins
/// for the next region instead, and parks only when none has come for a while.
///
/// A region is one share per worker. The caller runs its own share, then takes over every share
/// no helper has started: when the machine is busy and a helper is not running, the caller does
/// its work rather than wait for it, so a region never stalls on a descheduled thread.
final class WorkerTeam {
    // Not Sendable: one caller at a time (the encoder's).
    private let shared: Shared

    /// A team of `workers`: the caller and `workers - 1` helper threads.
    init(workers: Int) {
        shared = Shared(helpers: max(0, workers - 1))
        for share in shared.shares.indices {
            let thread = Thread { [shared] in shared.helperLoop(share: share) }
            thread.name = "deja-encoder-\(share + 1)"
            thread.start()
        }
    }

    deinit {
        shared.stop()
    }

    var workers: Int { shared.shares.count + 1 }

    /// Runs `body(worker)` once for each worker index (0 on the calling thread, the others on their
    /// helpers or, when a helper has not started it, on the caller too); returns when all are done.
    func run(_ body: @escaping (Int) -> Void) {
        guard !shared.shares.isEmpty else { return body(0) }
        shared.run(body)
    }

    /// One helper's share of each region: who took it (the region's number once taken), and
    /// whether it is done (the region's number once done).
    private final class Share: Sendable {
        let taken = Atomic<Int>(0)
        let done = Atomic<Int>(0)
    }

    /// What the helpers see. `body` is written before a region is published and read only by the
    /// one who took a share, while the caller waits for that share: never while it is rewritten.
    private final class Shared: @unchecked Sendable {
        let shares: [Share]
        let generation = Atomic<Int>(0)
        let parked = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        let condition = NSCondition()
        var body: (Int) -> Void = { _ in }
        /// How long a helper spins for the next region before it parks.
        static let spinNanoseconds: UInt64 = 200_000

        init(helpers: Int) {
            shares = (0..<helpers).map { _ in Share() }
        }

        func run(_ body: @escaping (Int) -> Void) {
            self.body = body
            let region = publish()
            body(0)
            for (index, share) in shares.enumerated() {
                if share.taken.compareExchange(expected: region - 1, desired: region, ordering: .sequentiallyConsistent).exchanged {
                    body(index + 1)  // not started by its helper: done here
                } else {
                    var spins = 0
                    while share.done.load(ordering: .sequentiallyConsistent) != region {
                        spins += 1
                        if spins & 255 == 0 { sched_yield() }  // its helper was preempted mid-share
                    }
                }
            }
            self.body = { _ in }  // the caller's closure does not outlive the call
        }

        func stop() {
            stopping.store(true, ordering: .sequentiallyConsistent)
            _ = publish()
        }

        /// Publishes a new region (or the stop): spinning helpers see it at once, parked ones are
        /// woken. Sequential consistency makes `parked` and `generation` a Dekker pair: either a
        /// helper sees the new region before it waits, or this sees it parked and wakes it.
        private func publish() -> Int {
            let region = generation.add(1, ordering: .sequentiallyConsistent).newValue
            if parked.load(ordering: .sequentiallyConsistent) > 0 {
                condition.withLock { condition.broadcast() }
            }
            return region
        }

        func helperLoop(share index: Int) {
            let share = shares[index]
            var seen = 0
            while true {
                var started: UInt64 = 0
                var spins = 0
                while generation.load(ordering: .sequentiallyConsistent) == seen {
                    spins += 1
                    guard spins & 1023 == 0 else { continue }
                    // A thread of other work waiting for this core gets it (a busy machine); when
                    // none is, the yield returns at once.
                    sched_yield()
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
                // The share is this helper's only if the caller has not taken it over.
                if share.taken.compareExchange(expected: seen - 1, desired: seen, ordering: .sequentiallyConsistent).exchanged {
                    body(index + 1)
                    share.done.store(seen, ordering: .sequentiallyConsistent)
                }
            }
        }
    }
}
