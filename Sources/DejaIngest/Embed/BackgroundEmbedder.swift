import DejaCore
import DejaEmbedding
import DejaStore
import Foundation

/// Embeds signatures that have no vector yet on a thread of its own, so that storing events never
/// waits for the model: ingest commits events and signatures, and they become vector-searchable as
/// soon as this catches up. `finish()` waits until everything stored so far is embedded.
public final class BackgroundEmbedder: @unchecked Sendable {
    // @unchecked: the embedder and `idleWait` are used only on the worker's thread; `embedded` is guarded by `lock`.
    private let store: SQLiteStore
    private let embedder: SentenceEmbedder
    private let batchSize: Int
    private let issues: IssueStage?
    private let lock = NSLock()
    private var embeddedSoFar = 0
    private var reembeddedSoFar = 0
    /// No vector of an earlier recipe is left (its thread only): every vector stored since is of this one.
    private var staleDone = false
    private var worker: StageWorker?
    /// How long the worker waits before looking again while nothing is pending (its thread only).
    private var idleWait = BackgroundEmbedder.firstIdleWait
    private static let firstIdleWait: TimeInterval = 0.2
    private static let longestIdleWait: TimeInterval = 5
    /// Signatures given a vector so far (embedded here or, in cluster mode, taken from another replica).
    public var embedded: Int { lock.withLock { embeddedSoFar } }
    /// Signatures embedded again because an earlier release had made their vectors (`EmbeddingText.recipe`).
    public var reembedded: Int { lock.withLock { reembeddedSoFar } }
    /// Called after each batch with its size and seconds taken (for metrics); set before `start()`.
    public var onBatch: (@Sendable (_ count: Int, _ seconds: Double) -> Void)?
    /// Called between the model's matrix products while events arrive (to let a search go first); set before `start()`.
    public var pause: (@Sendable () -> Void)?
    /// In cluster mode, the vectors other replicas already published for some of the given
    /// signatures, by id: those are taken, not embedded again; set before `start()`.
    public var published: (@Sendable ([Signature]) throws -> [Int64: [Float]])?
    /// Called with the number of signatures whose vectors `published` gave; set before `start()`.
    public var onReused: (@Sendable (Int) -> Void)?

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
        // While events arrive the embedder keeps to its own low-priority thread; once they stop
        // (a drain), it takes every core to catch up.
        var pause: (() -> Void)?
        if !context.draining, let yield = self.pause { pause = { yield() } }
        if pending.isEmpty, !staleDone {
            // New signatures first; then those an earlier release embedded, until none is left.
            let stale = try store.signaturesWithStaleVectors(model: embedder.modelIdentity, recipe: EmbeddingText.recipe, limit: batchSize * 4)
            if !stale.isEmpty {
                let started = DispatchTime.now().uptimeNanoseconds
                try replaceStaleVectors(of: stale, embedder: embedder, store: store, batchSize: batchSize, singleThreaded: !context.draining, pause: pause)
                lock.withLock { reembeddedSoFar += stale.count }
                onBatch?(stale.count, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
                return .progressed
            }
            staleDone = true
            // The clusterers still hold the members' earlier vectors: new signatures are placed
            // against the vectors they are searched by once those are read again.
            if reembedded > 0 { try issues?.reload() }
        }
        // Signatures are committed without a wake-up when a store is shared: look again, soon at
        // first, then less often (each look scans the signatures), until something is found.
        guard !pending.isEmpty else {
            defer { idleWait = min(idleWait * 2, Self.longestIdleWait) }
            return .idle(idleWait)
        }
        idleWait = Self.firstIdleWait
        guard let published else {
            try embed(pending, draining: context.draining, pause: pause)
            return .progressed
        }
        // Replicas see the same messages at about the same time. Each takes its batch in an order
        // of its own, and before each forward pass takes what another replica published meanwhile.
        let order = pending.shuffled()
        for start in Swift.stride(from: 0, to: order.count, by: batchSize) {
            let chunk = Array(order[start..<min(order.count, start + batchSize)])
            // ChromaDB down or slow: embed here, as without it.
            let found = (try? published(chunk)) ?? [:]
            if !found.isEmpty {
                try storePublishedVectors(found, of: chunk, model: embedder.modelIdentity, store: store, issues: issues)
                lock.withLock { embeddedSoFar += found.count }
                onReused?(found.count)
            }
            try embed(chunk.filter { found[$0.id] == nil }, draining: context.draining, pause: pause)
        }
        return .progressed
    }

    private func embed(_ signatures: [Signature], draining: Bool, pause: (() -> Void)?) throws {
        guard !signatures.isEmpty else { return }
        let started = DispatchTime.now().uptimeNanoseconds
        try storeVectors(for: signatures, embedder: embedder, store: store, issues: issues, batchSize: batchSize, singleThreaded: !draining,
                         pause: pause)
        lock.withLock { embeddedSoFar += signatures.count }
        onBatch?(signatures.count, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }
}
