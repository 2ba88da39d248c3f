import Foundation

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
