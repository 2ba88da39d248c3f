import DejaEmbedding
import DejaStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Embeds signatures that have no vector yet on a thread of its own, so that storing events never
/// waits for the model: ingest commits events and signatures, and they become vector-searchable as
/// soon as this catches up. `finish()` waits until everything stored so far is embedded.
public final class BackgroundEmbedder: @unchecked Sendable {
    // @unchecked: the embedder is used only on `thread`; shared state is guarded by `condition`.
    private let store: SQLiteStore
    private let embedder: SentenceEmbedder
    private let batchSize: Int
    private let issues: IssueStage?
    private let condition = NSCondition()
    private var finishing = false
    private var stopping = false
    private var finished = false
    private var failure: Error?
    private var thread: Thread?
    /// Signatures embedded so far.
    public private(set) var embedded = 0
    /// Called after each batch with its size and seconds taken (for metrics); set before `start()`.
    public var onBatch: (@Sendable (_ count: Int, _ seconds: Double) -> Void)?

    /// Embedded signatures are placed in issues by `issues`, when given.
    public init(store: SQLiteStore, embedder: SentenceEmbedder, issues: IssueStage?, batchSize: Int = 32) {
        self.store = store
        self.issues = issues
        self.embedder = embedder
        self.batchSize = batchSize
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "deja-embedder"
        self.thread = thread
        thread.start()
    }

    /// Wakes the embedder: new signatures were stored.
    public func notify() {
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    /// Embeds what is left, stops, and rethrows an error the embedder met.
    public func finish() throws {
        condition.lock()
        finishing = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
        if let failure { throw failure }
    }

    /// Stops after the batch in hand, leaving the rest for the next start (signatures without a
    /// vector are found again then): a server shutting down does not wait for a backlog.
    public func stop() {
        condition.lock()
        stopping = true
        finishing = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        // Ingest comes first: the embedder runs on whatever CPU storing events leaves over. Nice 19
        // alone still takes a slice whenever it is runnable; SCHED_IDLE waits for an idle core.
        ThreadPriority.lower(to: 19)
        #if canImport(Glibc)
        var parameters = sched_param(sched_priority: 0)
        pthread_setschedparam(pthread_self(), 5, &parameters)  // SCHED_IDLE, which Glibc does not export to Swift
        #endif
        defer {
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        do {
            while true {
                // Finishing is read before the store: a signature committed while the read runs
                // is found by the next read, not left behind.
                let (stop, finishingBefore) = condition.withLock { (stopping, finishing) }
                if stop { return }
                let pending = try store.signaturesWithoutVectors(model: embedder.modelIdentity, limit: 512)
                if pending.isEmpty {
                    condition.lock()
                    if finishingBefore { condition.unlock(); return }
                    if !finishing { _ = condition.wait(until: Date().addingTimeInterval(0.2)) }
                    condition.unlock()
                    continue
                }
                // While events arrive the embedder keeps to its own low-priority thread; once they
                // stop, it takes every core to catch up.
                condition.lock()
                let catchingUp = finishing
                condition.unlock()
                let started = DispatchTime.now().uptimeNanoseconds
                try storeVectors(for: pending, embedder: embedder, store: store, issues: issues, batchSize: batchSize, singleThreaded: !catchingUp)
                embedded += pending.count
                onBatch?(pending.count, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            }
        } catch {
            failure = error
        }
    }
}
