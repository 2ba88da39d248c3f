import DejaStore
import Foundation

/// Stores prepared batches on a thread of its own, so that the next batch is read and prepared
/// while this one is written. At most `depth` batches wait; `submit` blocks beyond that, so memory
/// stays bounded when the disk is the slower side.
public final class BatchWriter: @unchecked Sendable {
    // @unchecked: the pipeline is used only on `thread` once started (its `prepare` is pure and
    // may run elsewhere); shared state is guarded by `condition`.
    private let pipeline: IngestPipeline
    private let depth: Int
    private let condition = NSCondition()
    private var queue: [[PreparedEvent]] = []
    private var closed = false
    private var finished = false
    private var failure: Error?
    private var totals = (events: 0, signatures: 0)

    public init(pipeline: IngestPipeline, depth: Int = 2) {
        self.pipeline = pipeline
        self.depth = depth
        let thread = Thread { [self] in run() }
        thread.name = "deja-writer"
        thread.start()
    }

    /// Queues a batch; waits while `depth` batches are queued. Throws the error that stopped the writer.
    public func submit(_ batch: [PreparedEvent]) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= depth && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(batch)
        condition.broadcast()
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
                let summary = try pipeline.store(batch)
                condition.lock()
                totals.events += summary.events
                totals.signatures += summary.newSignatures.count
            } catch {
                condition.lock()
                failure = error
                closed = true
            }
            queue.removeFirst()
            condition.broadcast()
            condition.unlock()
        }
    }
}
