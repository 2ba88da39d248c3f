import DejaCore
import Foundation
import Testing

/// The lifecycle every pipeline stage's thread shares: what is handed over is done, in order, and
/// a drain loses nothing handed over before it.
@Suite struct StageWorkerTests {
    /// A queue a worker takes from, as the write-ahead log, the writer and the ingest consumer do.
    final class Queue: @unchecked Sendable {
        let lock = NSLock()
        var waiting: [Int] = []
        var done: [Int] = []
        var steps = 0

        func put(_ value: Int) { lock.withLock { waiting.append(value) } }

        func step(_ context: StageWorker.Context) -> StageWorker.Outcome {
            lock.withLock {
                steps += 1
                guard !waiting.isEmpty else { return .idle(nil) }
                done.append(waiting.removeFirst())
                return .progressed
            }
        }
    }

    @Test("a drain does every item handed over before it, in the order handed over")
    func drainDoesEverything() throws {
        let queue = Queue()
        let worker = StageWorker(name: "test-drain", step: queue.step)
        worker.start()
        for value in 0..<5_000 {
            queue.put(value)
            if value % 7 == 0 { worker.wake() }
        }
        try worker.stop(.drain)
        #expect(queue.done == Array(0..<5_000))
        #expect(worker.hasEnded)
    }

    @Test("work handed over without a wake-up just before a drain is still done (the race of 98bbdba)")
    func drainSeesWorkHandedOverBeforeIt() throws {
        // A store shared with the worker: items are committed, never announced, then the drain is
        // asked for. The step that decides to end must begin after the drain was asked.
        for round in 0..<200 {
            let queue = Queue()
            let worker = StageWorker(name: "test-race", step: { queue.step($0) == .idle(nil) ? .idle(0.001) : .progressed })
            worker.start()
            queue.put(round)
            try worker.stop(.drain)
            #expect(queue.done == [round])
        }
    }

    @Test("a wake-up during a step that found nothing makes the worker step again instead of sleeping")
    func wakeDuringStepIsNotLost() throws {
        let queue = Queue()
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        var first = true
        let worker = StageWorker(name: "test-wake") { context in
            if first {
                // The first step finds nothing, and an item arrives (with its wake-up) before it returns.
                first = false
                entered.signal()
                release.wait()
                return .idle(nil)
            }
            return queue.step(context)
        }
        worker.start()
        entered.wait()
        queue.put(42)
        worker.wake()
        release.signal()
        // No further wake-up: without the count of wake-ups, the worker would sleep on the item.
        for _ in 0..<500 where queue.lock.withLock({ queue.done.isEmpty }) { Thread.sleep(forTimeInterval: 0.002) }
        #expect(queue.lock.withLock { queue.done } == [42])
        try worker.stop(.now)
    }

    @Test("stop(.now) ends after the step in hand and leaves the rest")
    func stopNowLeavesTheRest() throws {
        let queue = Queue()
        let started = DispatchSemaphore(value: 0)
        let worker = StageWorker(name: "test-now") { context in
            started.signal()
            Thread.sleep(forTimeInterval: 0.05)
            return queue.step(context)
        }
        for value in 0..<100 { queue.put(value) }
        worker.start()
        started.wait()
        try worker.stop(.now)
        let done = queue.lock.withLock { queue.done }
        #expect(done.count >= 1 && done.count < 100)
        #expect(done == Array(0..<done.count))
    }

    @Test("an idle step with a timeout is tried again without a wake-up")
    func idleTimeoutStepsAgain() throws {
        let queue = Queue()
        let worker = StageWorker(name: "test-poll") { queue.step($0) == .idle(nil) ? .idle(0.01) : .progressed }
        worker.start()
        queue.put(1)
        for _ in 0..<500 where queue.lock.withLock({ queue.done.isEmpty }) { Thread.sleep(forTimeInterval: 0.002) }
        #expect(queue.lock.withLock { queue.done } == [1])
        Thread.sleep(forTimeInterval: 0.05)
        #expect(queue.lock.withLock { queue.steps } >= 3)
        try worker.stop(.now)
    }

    struct Broken: Error, Equatable {}

    @Test("an error thrown by a step ends the worker and is rethrown by stop")
    func errorIsRethrown() {
        let worker = StageWorker(name: "test-error") { _ in throw Broken() }
        worker.start()
        #expect(throws: Broken.self) { try worker.waitUntilEnded() }
        #expect(throws: Broken.self) { try worker.stop(.drain) }
    }

    @Test("a step that finishes ends the worker; stopping it, or one never started, returns at once")
    func finishedAndNeverStarted() throws {
        let worker = StageWorker(name: "test-finished") { _ in .finished }
        worker.start()
        try worker.waitUntilEnded()
        #expect(worker.hasEnded)
        try worker.stop(.drain)
        let idle = StageWorker(name: "test-unstarted") { _ in .progressed }
        try idle.stop(.drain)
        #expect(!idle.hasEnded)
    }
}
