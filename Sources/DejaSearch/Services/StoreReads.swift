import DejaCore
import DejaStore
import Dispatch

/// The reads the API answers besides searches (events by id, counts over time, the embedding
/// backlog), and other blocking work of a request, on threads of their own, several at once (SQLite
/// in WAL mode reads beside the writer): a request never blocks one of the server's event-loop
/// threads on the disk, and the server never holds the store itself.
public final class StoreReads: Sendable {
    private let store: any EventReading
    /// Signatures, patterns and their counts: the store's, or in cluster mode the shared state's.
    private let counts: any SignatureReading & SignatureCountReading
    /// Where an event's number leads: the store's events, or in cluster mode the signatures' shared examples.
    private let numbered: any SearchReading
    private let queue = DispatchQueue(label: "deja-store-reads", qos: .userInitiated, attributes: .concurrent)

    /// `shared` (cluster mode's shared state) answers signatures' and patterns' counts over time and
    /// events by number (each signature's example, whose number is the signature's, as search shows them).
    public init(store: any EventReading & SignatureReading & SignatureCountReading & SearchReading,
                shared: (any SignatureReading & SignatureCountReading & SearchReading)? = nil) {
        self.store = store
        counts = shared ?? store
        numbered = shared ?? store
    }

    /// Runs blocking `work` (a read of the alert store, an issue view) on the read threads.
    public func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// An event by the id its sender gave, or by Deja's own number; only within `tenant`.
    public func event(id: String, tenant: String) async throws -> StoredEvent? {
        let (store, numbered) = (store, numbered)
        return try await run {
            try store.event(externalID: id, tenant: tenant) ?? Int64(id).flatMap { try numbered.events(ids: [$0], tenant: tenant).first }
        }
    }

    /// The time of the tenant's oldest event, if it has any.
    public func earliestEvent(tenant: String) async throws -> Int64? {
        let counts = counts
        return try await run { try counts.earliestEvent(tenant: tenant) }
    }

    /// The signatures with the most events in the range, counted per bucket (`signatures`: these only).
    public func signatureCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int,
                                signatures: [Int64]) async throws -> [SignatureCounts] {
        let counts = counts
        return try await run {
            try counts.signatureCounts(filter: filter, since: since, until: until, buckets: buckets, limit: limit, signatures: signatures)
        }
    }

    /// The patterns with the most events in the range, counted per bucket.
    public func patternCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int) async throws -> [PatternCounts] {
        let counts = counts
        return try await run { try counts.patternCounts(filter: filter, since: since, until: until, buckets: buckets, limit: limit) }
    }

    /// The tenant's signatures, and how many of them wait for a vector of `model`.
    public func embeddingBacklog(tenant: String, model: String) async throws -> (signatures: Int, waiting: Int) {
        let counts = counts
        return try await run { try counts.embeddingBacklog(tenant: tenant, model: model) }
    }

    /// The width of each of `buckets` buckets from `since` to `until`, as counts use it.
    public static func bucketWidth(since: Int64, until: Int64, buckets: Int) -> Int64 {
        SQLiteStore.bucketWidth(since: since, until: until, buckets: buckets)
    }
}
