import DejaCore
import Foundation

/// An event ready to store: the log event, its normalized message and the signature it belongs to.
public struct PreparedEvent: Sendable {
    public var event: LogEvent
    /// The redacted body, as stored and keyword-searched.
    public var body: String
    /// The normalized message; equal messages within (tenant, service) share a signature.
    public var message: String
    public var signatureHash: String
    /// What the event's full-text index row holds (the body's words its message lacks), and the
    /// labels as stored: made here, on the preparing threads, so that the single writer only writes.
    let indexText: String
    let labelsJSON: String

    public init(event: LogEvent, body: String, message: String, signatureHash: String) {
        self.event = event
        self.body = body
        self.message = message
        self.signatureHash = signatureHash
        indexText = KeywordTerms.eventText(body, message: message)
        labelsJSON = LabelsJSON.encode(event.labels)
    }
}

/// A stored event.
public struct StoredEvent: Sendable, Equatable, Codable {
    public var id: Int64
    public var externalID: String?
    public var tenant: String
    public var service: String
    public var level: Severity
    public var timestamp: Int64
    public var labels: [String: String]
    public var body: String
    public var signatureID: Int64
    /// The time written in the line, when the collector's time (`timestamp`) differs from it.
    public var lineTimestamp: Int64? = nil
}

/// A distinct message within one (tenant, service), with its counts.
public struct Signature: Sendable, Equatable, Codable {
    public var id: Int64
    public var tenant: String
    public var service: String
    public var message: String
    public var level: Severity
    public var count: Int
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var exampleEventID: Int64
    /// The template of the pattern it belongs to (`<*>` for variables), once the pattern stage mined it.
    public var pattern: String?
    public var patternID: Int64? = nil
    /// The issue it belongs to, once the issue stage placed it.
    public var issueID: Int64? = nil
}

/// Which events or signatures a search may return.
public struct SearchFilter: Sendable, Equatable {
    public var tenant: String
    public var services: [String]
    public var levels: [Severity]
    public var labels: [String: String]
    /// Nanoseconds, inclusive.
    public var since: Int64?
    public var until: Int64?

    public init(tenant: String = "default", services: [String] = [], levels: [Severity] = [], labels: [String: String] = [:],
                since: Int64? = nil, until: Int64? = nil) {
        self.tenant = tenant
        self.services = services
        self.levels = levels
        self.labels = labels
        self.since = since
        self.until = until
    }
}

/// A signature's events counted per time bucket.
public struct SignatureCounts: Sendable, Codable, Equatable {
    public var signature: Signature
    public var counts: [Int]
}

/// A pattern: signatures of one tenant whose messages share a template, with what they add up to.
public struct Pattern: Sendable, Codable, Equatable {
    public var id: Int64
    public var tenant: String
    /// Constant words and `<*>` for variables.
    public var template: String
    public var services: [String]
    /// The most severe level among its signatures.
    public var level: Severity
    public var signatureIDs: [Int64]
    public var count: Int
    public var firstSeen: Int64
    public var lastSeen: Int64
}

/// A pattern's events counted per time bucket.
public struct PatternCounts: Sendable, Codable, Equatable {
    public var pattern: Pattern
    public var counts: [Int]
}

/// What the pattern stage decided in one step, stored in one transaction: signatures' patterns,
/// the templates of patterns that changed, and snapshots of miners.
public struct PatternUpdate: Sendable {
    public var assignments: [(signature: Int64, pattern: Int64)] = []
    /// A pattern folded into a wider one names the survivor in `mergedInto`, with its template.
    public var templates: [(tenant: String, id: Int64, template: String, mergedInto: Int64?)] = []
    public var snapshots: [(tenant: String, state: Data, throughSignature: Int64)] = []

    public init() {}

    public var isEmpty: Bool { assignments.isEmpty && templates.isEmpty && snapshots.isEmpty }
}

/// An issue: signatures of one tenant that are the same failure by meaning, across services and
/// languages (`IssueClusterer`), with what they add up to.
public struct Issue: Sendable, Codable, Equatable {
    public var id: Int64
    public var tenant: String
    /// The line of its most frequent signature's message that names the failure (a routine issue's pattern template).
    public var title = ""
    public var services: [String] = []
    /// Its signatures' levels, the most severe first.
    public var levels: [Severity] = []
    public var signatureIDs: [Int64] = []
    public var patternIDs: [Int64] = []
    /// Events in all.
    public var count = 0
    public var firstSeen = Int64.max
    public var lastSeen = Int64.min
    var titleCount = 0

    public init(id: Int64, tenant: String) {
        self.id = id
        self.tenant = tenant
    }

    enum CodingKeys: String, CodingKey { case id, tenant, title, services, levels, signatureIDs, patternIDs, count, firstSeen, lastSeen }
}

/// An issue's events counted per time bucket.
public struct IssueCounts: Sendable, Codable, Equatable {
    public var issue: Issue
    public var counts: [Int]

    public init(issue: Issue, counts: [Int]) {
        self.issue = issue
        self.counts = counts
    }
}

/// What the issue stage decided in one step, stored in one transaction.
public struct IssueUpdate: Sendable {
    public var created: [(tenant: String, id: Int64)] = []
    public var assignments: [(signature: Int64, issue: Int64)] = []
    public var merges: [(tenant: String, from: Int64, into: Int64)] = []
    /// Issues a user split apart: never merged again on their own.
    public var apart: [(tenant: String, first: Int64, second: Int64)] = []

    public init() {}

    public var isEmpty: Bool { created.isEmpty && assignments.isEmpty && merges.isEmpty && apart.isEmpty }
}

/// What one ingest batch did.
public struct IngestSummary: Sendable, Equatable {
    public var events = 0
    /// Signatures seen for the first time: they need an embedding.
    public var newSignatures: [Int64] = []
}
