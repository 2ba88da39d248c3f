import DejaStore
import Foundation

/// Stores prepared batches on a thread of its own, so that the next batch is read and prepared
/// while this one is written. At most `depth` batches wait; `submit` blocks beyond that, so memory
/// stays bounded when the disk is the slower side.
public final class BatchWriter: @unchecked Sendable {
    // @unchecked: the pipeline is used only on `thread` once started (its `prepare` is pure and
    // may run elsewhere); shared state is guarded by `condition`.
    private struct Batch {
        let events: [PreparedEvent]
        let walPosition: UInt64?
        let onStored: (@Sendable () -> Void)?
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
    private var finished = false
    private var failure: Error?
    private var totals = (events: 0, signatures: 0)

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

    public init(pipeline: IngestPipeline, depth: Int = 2, retry: RetryPolicy? = nil) {
        self.pipeline = pipeline
        self.depth = depth
        self.retry = retry
        let thread = Thread { [self] in run() }
        thread.name = "deja-writer"
        thread.start()
    }

    /// Queues a batch; waits while `depth` batches are queued. Throws the error that stopped the
    /// writer. `walPosition` is stored with the batch; `onStored` runs on the writer once it is.
    public func submit(_ batch: [PreparedEvent], walPosition: UInt64? = nil, onStored: (@Sendable () -> Void)? = nil) throws {
        let released: [Batch] = try condition.withLock {
            while queue.count >= depth && failure == nil { condition.wait() }
            if let failure { throw failure }
            queue.append(Batch(events: batch, walPosition: walPosition, onStored: onStored))
            condition.broadcast()
            defer { stored.removeAll() }
            return stored
        }
        _ = released  // the last reference: freed here, outside the lock
    }

    /// Waits until every queued batch is stored; the events and new signatures stored in all.
    public func finish() throws -> (events: Int, signatures: Int) {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while !finished { condition.wait() }
        if let failure { throw failure }
        return totals
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            guard !queue.isEmpty, failure == nil else {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = queue[0]
            condition.unlock()
            do {
                let summary = try pipeline.store(batch.events, walPosition: batch.walPosition)
                batch.onStored?()
                retry?.report(nil)
                condition.lock()
                totals.events += summary.events
                totals.signatures += summary.newSignatures.count
            } catch {
                if let retry {
                    // The batch stays first in line and is tried again.
                    retry.report(error)
                    Thread.sleep(forTimeInterval: retry.interval)
                    continue
                }
                condition.lock()
                failure = error
                closed = true
            }
            stored.append(queue.removeFirst())
            condition.broadcast()
            condition.unlock()
        }
    }
}
