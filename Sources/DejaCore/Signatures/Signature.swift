import Foundation

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

    public init(id: Int64, tenant: String, service: String, message: String, level: Severity, count: Int, firstSeen: Int64, lastSeen: Int64,
                exampleEventID: Int64, pattern: String? = nil, patternID: Int64? = nil, issueID: Int64? = nil) {
        self.id = id
        self.tenant = tenant
        self.service = service
        self.message = message
        self.level = level
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.exampleEventID = exampleEventID
        self.pattern = pattern
        self.patternID = patternID
        self.issueID = issueID
    }
}
