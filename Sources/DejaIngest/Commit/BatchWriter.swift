import DejaCore
import DejaStore
import Foundation

/// Stores prepared batches on a thread of its own, so that the next batch is read and prepared
/// while this one is written. At most `depth` batches wait; `submit` blocks beyond that, so memory
/// stays bounded when the disk is the slower side. Batches that are waiting when a transaction
/// begins join it, up to `transactionLimit`: under load, few large transactions; when idle, each
/// batch is stored (and searchable) at once.
public final class BatchWriter: @unchecked Sendable {
    // @unchecked: the pipeline is used only on the worker's thread once started (its `prepare` is
    // pure and may run elsewhere); shared state is guarded by `condition`.
    private struct Batch {
        let events: [EventRow]
        let walPosition: UInt64?
        let onStored: (@Sendable () -> Void)?
        /// The submitter has more to submit at once: the transaction waits for it.
        let moreFollows: Bool
    }

    private let pipeline: IngestPipeline
    private let depth: Int
    private let retry: RetryPolicy?
    private let condition = NSCondition()
    private var queue: [Batch] = []
    /// Stored batches, freed by the next `submit` on the submitter's thread: releasing thousands of
    /// events' strings is work the single writer, the bottleneck, should not do.
    private var stored: [Batch] = []
    private var closed = false
    private var failure: Error?
    private var worker: StageWorker?
    private var totals = (events: 0, signatures: 0)
    /// Events and new signatures stored so far (for progress reports).
    public var storedSoFar: (events: Int, signatures: Int) { condition.withLock { totals } }

    /// What a writer that must not give up does when a store fails (a server: the batch is
    /// acknowledged already). Without one, the first failure stops the writer.
    public struct RetryPolicy: Sendable {
        public var interval: TimeInterval
        /// Told of each failure (readiness, logs); told nil once a store succeeds again.
        public var report: @Sendable (Error?) -> Void

        public init(interval: TimeInterval, report: @escaping @Sendable (Error?) -> Void) {
            self.interval = interval
            self.report = report
        }
    }

    /// Cores left to prepare batches while the writer stores one: it takes a core of its own, and
    /// more preparing threads than the cores left would only take turns with it.
    public static let preparingCores = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)

    /// How much one transaction takes in at most: its age when another batch would join, and events.
    public struct TransactionLimit: Sendable {
        public var seconds: Double
        public var events: Int

        public init(seconds: Double, events: Int) {
            self.seconds = seconds
            self.events = events
        }
    }

    private let transactionLimit: TransactionLimit
    private let pause: (@Sendable () -> Void)?

    /// One second of events per transaction at most: with thousands of signatures, that writes a
    /// third of the pages per event that a transaction per 2 MB request batch does, and keeps
    /// acknowledged events searchable within about a second. `niceness` is the writer thread's;
    /// `pause` is called every `IngestPipeline.pauseEvery` events stored (to let a search go first).
    public init(pipeline: IngestPipeline, depth: Int = 2, retry: RetryPolicy? = nil,
                transactionLimit: TransactionLimit = .init(seconds: 1, events: 200_000), niceness: Int32 = 0,
                pause: (@Sendable () -> Void)? = nil) {
        self.pipeline = pipeline
        self.depth = depth
        self.retry = retry
        self.transactionLimit = transactionLimit
        self.pause = pause
        let worker = StageWorker(name: "deja-writer", priority: niceness == 0 ? .normal : .nice(niceness)) { [weak self] _ in
            self?.storeQueued() ?? .finished
        }
        self.worker = worker
        worker.start()
    }

    deinit {
        worker?.requestStop(.now)
    }

    /// Queues a batch; waits while `depth` batches are queued. Throws the error that stopped the
    /// writer. `walPosition` is stored with the batch; `onStored` runs on the writer once it is.
    /// `moreFollows` says that another batch is being prepared already: the open transaction waits
    /// for it (within `transactionLimit`) rather than commit.
    public func submit(_ batch: [EventRow], walPosition: UInt64? = nil, moreFollows: Bool = false,
                       onStored: (@Sendable () -> Void)? = nil) throws {
        let released: [Batch] = try condition.withLock {
            while queue.count >= depth && failure == nil { condition.wait() }
            if let failure { throw failure }
            queue.append(Batch(events: batch, walPosition: walPosition, onStored: onStored, moreFollows: moreFollows))
            condition.broadcast()
            defer { stored.removeAll() }
            return stored
        }
        worker?.wake()
        _ = released  // the last reference: freed here, outside the lock
    }

    /// Waits until every queued batch is stored; the events and new signatures stored in all.
    public func finish() throws -> (events: Int, signatures: Int) {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
        try worker?.stop(.drain)
        return try condition.withLock {
            if let failure { throw failure }
            return totals
        }
    }

    /// One transaction of the batches queued; idle when none is.
    private func storeQueued() -> StageWorker.Outcome {
        let state = condition.withLock { (queue.isEmpty, failure != nil) }
        if state.1 { return .finished }
        if state.0 { return .idle(nil) }
        // Batches join the transaction from the front of the queue; they are kept until it
        // commits, so that a failed one is tried again whole.
        var taken: [Batch] = []
        var events = 0
        let deadline = Date(timeIntervalSinceNow: transactionLimit.seconds)
        // The part of the last batch taken not yet handed to the store: with a `pause`, a batch
        // goes in pieces, and its log position with its last piece.
        var rest: ArraySlice<EventRow> = []
        var restPosition: UInt64?
        do {
            let summary = try pipeline.store(batches: {
                if rest.isEmpty {
                    let next: Batch? = condition.withLock {
                        if let last = taken.last {
                            // The submitter is preparing the next batch: wait for it, up to the limit.
                            while queue.isEmpty && last.moreFollows && !closed && condition.wait(until: deadline) {}
                        }
                        guard let batch = queue.first,
                              taken.isEmpty || (deadline > Date() && events + batch.events.count <= transactionLimit.events) else {
                            return nil
                        }
                        queue.removeFirst()
                        taken.append(batch)
                        events += batch.events.count
                        condition.broadcast()  // a submitter waiting for room goes on preparing
                        return batch
                    }
                    guard let next else { return nil }
                    if pause == nil { return (next.events, next.walPosition) }
                    (rest, restPosition) = (next.events[...], next.walPosition)
                }
                // Past the transaction's time limit it no longer steps aside: the write lock is
                // held no longer than that, and stored events become searchable as promised.
                if deadline > Date() { pause?() }
                let piece = rest.prefix(IngestPipeline.pauseEvery)
                rest = rest.dropFirst(piece.count)
                return (Array(piece), rest.isEmpty ? restPosition : nil)
            })
            for batch in taken { batch.onStored?() }
            retry?.report(nil)
            condition.withLock {
                totals.events += summary.events
                totals.signatures += summary.newSignatures.count
                stored += taken
                condition.broadcast()
            }
            return .progressed
        } catch {
            if let retry {
                // The batches go back to the front of the line and are tried again, also while
                // finishing: they are acknowledged.
                condition.withLock { queue.insert(contentsOf: taken, at: 0) }
                retry.report(error)
                Thread.sleep(forTimeInterval: retry.interval)
                return .progressed
            }
            condition.withLock {
                failure = error
                closed = true
                stored += taken
                condition.broadcast()
            }
            return .finished
        }
    }
}
