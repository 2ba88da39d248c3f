import DejaCore
import DejaStore
import Foundation

/// Publishes signatures from the embedded store's outbox to ChromaDB on a thread of its own:
/// new signatures as batched upserts with their vectors, changed counts and last-seen times as
/// batched metadata updates, removed signatures as deletes. Ingest never waits for Chroma: while it
/// is down or slow, events are still stored and acknowledged, and this retries with backoff (0.5 s
/// doubling to 30 s) until the outbox is empty. Writes by stable id make a retried batch harmless:
/// every signature ends up there exactly once.
public final class VectorIndexSync: @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`; the store and the index are thread-safe.
    private let store: SQLiteStore
    private let index: ChromaVectorStore
    private let model: String
    private let batchSize: Int
    private let lock = NSLock()
    private var worker: StageWorker?
    /// The wait before the next try after a failure: 0.5 s, doubling to 30 s.
    private var backoff = 0.5
    private var failure: String?
    private var published = 0
    /// Called after each published batch with its size; set before `start()`.
    public var onPublished: (@Sendable (Int) -> Void)?
    /// Called when a batch fails (it is retried); set before `start()`.
    public var onFailure: (@Sendable (Error) -> Void)?

    public init(store: SQLiteStore, index: ChromaVectorStore, model: String) {
        self.store = store
        self.index = index
        self.model = model
        // Records carry an example event of up to 4 KB: 1,000 keep a request well under Chroma's 40 MB.
        batchSize = min(index.limits.maxBatchSize, 1_000)
        worker = StageWorker(name: "deja-vector-sync") { [weak self] _ in self?.publishPending() ?? .finished }
    }

    deinit {
        worker?.requestStop(.now)
    }

    /// What the sync has done, and why it is behind when it is.
    public struct Status: Sendable {
        public var published: Int
        public var lastFailure: String?
    }

    public var status: Status {
        lock.withLock { Status(published: published, lastFailure: failure) }
    }

    /// Signatures whose record is missing or out of date.
    public func pending() throws -> Int {
        try store.pendingIndexCount(model: model)
    }

    public func start() {
        worker?.start()
    }

    /// Stops after the batch in hand; what is left is published at the next start.
    public func stop() {
        try? worker?.stop(.now)
    }

    /// Publishes everything pending on the calling thread, retrying failures with backoff for up
    /// to `seconds`; then throws the last failure. For one-shot commands (`deja ingest`).
    public func drain(retryingFor seconds: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(seconds)
        var delay = 0.5
        while true {
            do {
                if try !step() { return }
                delay = 0.5
            } catch {
                onFailure?(error)
                guard Date().addingTimeInterval(delay) < deadline else { throw error }
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 30)
            }
        }
    }

    /// One batch each of removals and upserts; after a failure, waits with backoff.
    private func publishPending() -> StageWorker.Outcome {
        do {
            let didWork = try step()
            backoff = 0.5
            lock.withLock { failure = nil }
            return didWork ? .progressed : .idle(1)
        } catch {
            onFailure?(error)
            lock.withLock { failure = "\(error)" }
            defer { backoff = min(backoff * 2, 30) }
            return .idle(backoff)
        }
    }

    /// One batch of removals and one of upserts; false when there was nothing to do.
    private func step() throws -> Bool {
        let removals = try store.pendingIndexRemovals(limit: batchSize)
        if !removals.isEmpty {
            try index.remove(removals)
            try store.clearIndexRemovals(removals)
        }
        let entries = try store.pendingIndexEntries(model: model, limit: batchSize)
        if !entries.isEmpty {
            try index.publish(entries)
            try store.markIndexed(entries)
            lock.withLock { published += entries.count }
            onPublished?(entries.count)
        }
        return !removals.isEmpty || !entries.isEmpty
    }
}
