import DejaCore
import Foundation

// What search, issue views, alert enrichment and metric search read and write, as protocols: they
// hold these, not the embedded store, so that another store (a shared database) can answer them.

/// Stored events: by id, by signature, by keyword and by exact identifier.
public protocol EventReading: Sendable {
    /// The events of `ids` (within `tenant` when given), in no particular order.
    func events(ids: [Int64], tenant: String?) throws -> [StoredEvent]
    /// The newest event its sender gave `externalID`, within `tenant`.
    func event(externalID: String, tenant: String) throws -> StoredEvent?
    /// A signature's newest events that pass `filter`, and how many pass it in all.
    func events(signature: Int64, filter: SearchFilter, limit: Int) throws -> (events: [StoredEvent], total: Int)
    /// The time of the tenant's oldest event.
    func earliestEvent(tenant: String) throws -> Int64?
    /// The services the tenant's events came from.
    func services(tenant: String) throws -> [String]
    /// Event ids ranked by BM25 for `query`, best first.
    func keywordSearch(_ query: String, filter: SearchFilter, limit: Int) throws -> [Int64]
    /// Events whose body holds `identifier` as a whole token.
    func eventsHolding(identifier: String, filter: SearchFilter, limit: Int) throws -> [StoredEvent]
}

/// What hybrid search reads besides vectors: signatures, their events, keyword and identifier
/// matches. The embedded store answers from every event; the shared state of cluster mode
/// (`PostgresLedger`) from each signature's message and example event, the same on every replica.
public protocol SearchReading: Sendable {
    func signatures(ids: [Int64], tenant: String?) throws -> [Signature]
    func events(ids: [Int64], tenant: String?) throws -> [StoredEvent]
    func events(signature: Int64, filter: SearchFilter, limit: Int) throws -> (events: [StoredEvent], total: Int)
    /// `events(signature:)` of each of `signatures`, in one go where the store can.
    func events(signatures: [Int64], filter: SearchFilter, limit: Int) throws -> [Int64: (events: [StoredEvent], total: Int)]
    func keywordSearch(_ query: String, filter: SearchFilter, limit: Int) throws -> [Int64]
    func eventsHolding(identifier: String, filter: SearchFilter, limit: Int) throws -> [StoredEvent]
    func services(tenant: String) throws -> [String]
    /// True when another process (a database server) answers the reads: a search's keyword part
    /// then mostly waits, and runs beside the query's embedding.
    var answeredByServer: Bool { get }
}

extension SearchReading {
    public var answeredByServer: Bool { false }

    /// One signature at a time: the embedded store answers each from its index in microseconds.
    public func events(signatures: [Int64], filter: SearchFilter, limit: Int) throws -> [Int64: (events: [StoredEvent], total: Int)] {
        var found: [Int64: (events: [StoredEvent], total: Int)] = [:]
        for id in signatures { found[id] = try events(signature: id, filter: filter, limit: limit) }
        return found
    }
}

/// Signature ids of vector-index keys (`IndexKey`: service and message hash) within a tenant.
public protocol SignatureKeyLookup: Sendable {
    /// The id of each key's signature; keys of no signature of the tenant are left out.
    func signatureIDs(tenant: String, keys: [String]) throws -> [String: Int64]
}

/// Which issue each signature is in, for search's issue list.
public protocol IssueMembership: Sendable {
    /// The issue of each of `signatures`, and up to `membersPerIssue` members of each such issue.
    func issueMembers(of signatures: [Int64], tenant: String, membersPerIssue: Int) throws -> (issueOf: [Int64: Int64], members: [Int64: [Int64]])
}

/// What the issue stage keeps: placed signatures with their vectors, merges and splits. The
/// embedded store on one machine; the shared state (with ChromaDB's vectors) in cluster mode.
public protocol IssueState: Sendable {
    /// Signatures with a vector under `model`, after id `after` in id order: placed ones (`placed`)
    /// to restore a clusterer, or ones without an issue yet to place.
    func issueMembers(model: String, placed: Bool, after: Int64, limit: Int) throws -> [IssueMemberRow]
    func issueDecisions() throws -> IssueDecisions
    /// Stores what the issue stage decided, in one transaction.
    func commit(_ update: IssueUpdate) throws
    func issueSurvivor(_ id: Int64, tenant: String) throws -> Int64?
    func issue(_ id: Int64, tenant: String) throws -> (issue: Issue, signatures: [Signature])?
    /// The vectors of `signatures` under `model` that are there.
    func vectors(signatures: [Int64], model: String) throws -> [Int64: [Float]]
}

/// Signatures, the patterns and issues they belong to, and their counts over time.
public protocol SignatureReading: IssueMembership {
    /// The signatures of `ids` (within `tenant` when given).
    func signatures(ids: [Int64], tenant: String?) throws -> [Signature]
    /// Signatures with the most events in the range, counted per bucket (`signatures`: these only).
    func signatureCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int,
                         signatures: [Int64]) throws -> [SignatureCounts]
    /// Patterns with the most events in the range, counted per bucket.
    func patternCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int) throws -> [PatternCounts]
    /// The tenant's signatures, and how many wait for a vector of `model`.
    func embeddingBacklog(tenant: String, model: String) throws -> (signatures: Int, waiting: Int)
    /// The issue `id` resolves to (itself, or the issue it was merged into).
    func issueSurvivor(_ id: Int64, tenant: String) throws -> Int64?
    /// Issues with events in the range, counted per bucket (`issues`: these only).
    func issueCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, issues: [Int64]) throws -> [IssueCounts]
    /// An issue and its signatures.
    func issue(_ id: Int64, tenant: String) throws -> (issue: Issue, signatures: [Signature])?
}

/// Signatures and their counts over time, as `/api/v1/signatures` answers them: from the embedded
/// store on one machine, from the shared state (`PostgresLedger`), summed over replicas, in cluster mode.
public protocol SignatureCountReading: Sendable {
    func signatures(ids: [Int64], tenant: String?) throws -> [Signature]
    func signatureCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int,
                         signatures: [Int64]) throws -> [SignatureCounts]
    func earliestEvent(tenant: String) throws -> Int64?
}

/// Alert occurrences and what enrichment found: the embedded alert store on one machine, the
/// shared state in cluster mode.
public protocol AlertStoring: Sendable {
    /// Records a notification's alerts: a new occurrence is inserted, a repeat counted, a resolved
    /// one closed. Returns the occurrences that are new (to enrich).
    func record(_ notification: AlertNotification, tenant: String, receivedAt: Int64) throws -> [AlertKey]
    /// Keeps a payload of a version this reader does not know, for a later reader.
    func keepUnknown(_ body: Data, version: String, tenant: String, receivedAt: Int64) throws
    func unknownPayloads(tenant: String) throws -> [(version: String, body: Data)]
    func setEnrichment(_ enrichment: Data, for key: AlertKey) throws
    func alert(_ key: AlertKey) throws -> AlertRecord?
    /// The latest occurrence of the alert with `fingerprint`.
    func latest(fingerprint: String, tenant: String) throws -> AlertRecord?
    /// The tenant's alerts, the most recently notified first; only `status` ones when given.
    func alerts(tenant: String, status: String?, limit: Int) throws -> [AlertRecord]
    /// Occurrences not enriched yet (received just before a stop), every tenant's.
    func unenriched(limit: Int) throws -> [AlertKey]
    /// Earlier occurrences of alerts named `name`, started before `before`, the latest first.
    func earlier(name: String, before: Int64, tenant: String, limit: Int) throws -> [AlertRecord]
    /// Retention: removes every tenant's occurrences last notified before `cutoff` (a firing alert
    /// is notified again every repeat interval), and payloads kept unread from before it; returns
    /// the occurrences removed.
    func removeAlerts(notifiedBefore cutoff: Int64) throws -> Int
}

/// The store search reads: events, signatures, and the signature vectors kept beside them.
public typealias SearchableStore = EventReading & SignatureReading & SearchReading & VectorStore

/// Metric documents (Prometheus names and help text) and their vectors, per tenant.
public protocol MetricDocumentStore: Sendable {
    /// Adds or refreshes documents seen at `seenAt`; returns how many changed.
    func upsertMetrics(_ documents: [MetricDocument], tenant: String, seenAt: Int64) throws -> Int
    func metricsWithoutVectorsCount(tenant: String, model: String) throws -> Int
    func metricsWithoutVectors(tenant: String, model: String, limit: Int) throws -> [(tenant: String, name: String, document: String)]
    func storeMetricVectors(_ vectors: [(tenant: String, name: String, document: String, vector: [Float])], model: String) throws
    /// The tenant's documents with their vectors of `model`.
    func metrics(tenant: String, model: String) throws -> [StoredMetric]
    /// Removes the tenant's documents not seen since `time`; returns how many.
    func removeMetrics(tenant: String, notSeenSince time: Int64) throws -> Int
}

extension SQLiteStore: IssueState, EventReading, SignatureReading, SignatureCountReading, SearchReading, SignatureKeyLookup, MetricDocumentStore {}
