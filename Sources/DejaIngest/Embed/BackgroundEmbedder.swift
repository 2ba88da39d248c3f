import DejaCore
import DejaEmbedding
import DejaStore
import Foundation

/// Embeds signatures that have no vector yet on a thread of its own, so that storing events never
/// waits for the model: ingest commits events and signatures, and they become vector-searchable as
/// soon as this catches up. `finish()` waits until everything stored so far is embedded.
public final class BackgroundEmbedder: @unchecked Sendable {
    // @unchecked: the embedder is used only on the worker's thread; `embedded` is guarded by `lock`.
    private let store: SQLiteStore
    private let embedder: SentenceEmbedder
    private let batchSize: Int
    private let issues: IssueStage?
    private let lock = NSLock()
    private var embeddedSoFar = 0
    private var worker: StageWorker?
    /// Signatures embedded so far.
    public var embedded: Int { lock.withLock { embeddedSoFar } }
    /// Called after each batch with its size and seconds taken (for metrics); set before `start()`.
    public var onBatch: (@Sendable (_ count: Int, _ seconds: Double) -> Void)?
    /// Called between the model's matrix products while events arrive (to let a search go first); set before `start()`.
    public var pause: (@Sendable () -> Void)?

    /// Embedded signatures are placed in issues by `issues`, when given.
    public init(store: SQLiteStore, embedder: SentenceEmbedder, issues: IssueStage?, batchSize: Int = 32) {
        self.store = store
        self.issues = issues
        self.embedder = embedder
        self.batchSize = batchSize
        // Ingest comes first: the embedder runs on whatever CPU storing events leaves over.
        worker = StageWorker(name: "deja-embedder", priority: .idle) { [weak self] context in
            try self?.embedPending(context) ?? .finished
        }
    }

    deinit {
        worker?.requestStop(.now)
    }

    public func start() {
        worker?.start()
    }

    /// Wakes the embedder: new signatures were stored.
    public func notify() {
        worker?.wake()
    }

    /// Embeds what is left, stops, and rethrows an error the embedder met.
    public func finish() throws {
        try worker?.stop(.drain)
    }

    /// Stops after the batch in hand, leaving the rest for the next start (signatures without a
    /// vector are found again then): a server shutting down does not wait for a backlog.
    public func stop() {
        try? worker?.stop(.now)
    }

    private func embedPending(_ context: StageWorker.Context) throws -> StageWorker.Outcome {
        let pending = try store.signaturesWithoutVectors(model: embedder.modelIdentity, limit: 512)
        // Signatures are committed without a wake-up when a store is shared: look again soon.
        guard !pending.isEmpty else { return .idle(0.2) }
        // While events arrive the embedder keeps to its own low-priority thread; once they stop
        // (a drain), it takes every core to catch up.
        let started = DispatchTime.now().uptimeNanoseconds
        var pause: (() -> Void)?
        if !context.draining, let yield = self.pause { pause = { yield() } }
        try storeVectors(for: pending, embedder: embedder, store: store, issues: issues, batchSize: batchSize, singleThreaded: !context.draining,
                         pause: pause)
        lock.withLock { embeddedSoFar += pending.count }
        onBatch?(pending.count, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        return .progressed
    }
}
