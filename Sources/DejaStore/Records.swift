import DejaCore
import Foundation

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

/// A signature with what clustering needs of it: its vector, level, message and pattern.
public struct IssueMemberRow: Sendable {
    public var signature: Int64
    public var tenant: String
    /// Nil while it is not placed.
    public var issue: Int64?
    public var level: Severity
    public var message: String
    public var pattern: Int64?
    public var vector: [Float]

    public init(signature: Int64, tenant: String, issue: Int64?, level: Severity, message: String, pattern: Int64?, vector: [Float]) {
        self.signature = signature
        self.tenant = tenant
        self.issue = issue
        self.level = level
        self.message = message
        self.pattern = pattern
        self.vector = vector
    }
}

/// What clustering must keep besides placements: merges, users' splits, and each tenant's largest issue id.
public struct IssueDecisions: Sendable {
    public var merges: [(tenant: String, from: Int64, into: Int64)]
    public var apart: [(tenant: String, Int64, Int64)]
    public var maxID: [String: Int64]

    public init(merges: [(tenant: String, from: Int64, into: Int64)], apart: [(tenant: String, Int64, Int64)], maxID: [String: Int64]) {
        self.merges = merges
        self.apart = apart
        self.maxID = maxID
    }
}

/// What one ingest batch did.
public struct IngestSummary: Sendable, Equatable {
    public var events = 0
    /// Signatures seen for the first time: they need an embedding.
    public var newSignatures: [Int64] = []
}
