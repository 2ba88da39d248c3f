import DejaCore
import DejaStore

/// An issue over a window: its counts per bucket, where it stands (`IssueTrend`) and how fast it grows.
public struct IssueSummary: Sendable, Codable, Equatable {
    public var issue: Issue
    public var state: IssueTrend
    /// Events in the window.
    public var windowCount: Int
    /// Recent events over what its baseline predicts (`TrendRule.growth`).
    public var growth: Double
    public var counts: [Int]
}

/// An issue with its signatures and a few recent events of each service.
public struct IssueDetail: Sendable, Codable, Equatable {
    public var summary: IssueSummary
    public var signatures: [Signature]
    /// The newest events of its most frequent signature in each service.
    public var examples: [StoredEvent]
}

/// How issues are listed.
public enum IssueOrder: String, Sendable, CaseIterable {
    case count, growth, recency
}

/// Issues as users read them: listed over a window with their state, or one with its members.
public struct IssueViews: Sendable {
    /// The embedded store, or in cluster mode the shared state.
    public let store: any SignatureReading & SignatureCountReading & SearchReading
    public var rule = TrendRule()

    public init(store: any SignatureReading & SignatureCountReading & SearchReading) {
        self.store = store
    }

    /// Issues with events in `since...until` that `filter` passes, in `state` when given, ordered by `order`.
    public func list(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, state: IssueTrend? = nil,
                     order: IssueOrder = .count, limit: Int) throws -> [IssueSummary] {
        let dataSince = try store.earliestEvent(tenant: filter.tenant) ?? since
        let summaries = try store.issueCounts(filter: filter, since: since, until: until, buckets: buckets, issues: [])
            .map { summary($0, since: since, until: until, dataSince: dataSince) }
            .filter { state == nil || $0.state == state }
        let ordered: [IssueSummary]
        switch order {
        case .count: ordered = summaries.sorted { ($0.windowCount, $1.issue.id) > ($1.windowCount, $0.issue.id) }
        case .growth: ordered = summaries.sorted { ($0.growth, $0.windowCount, $1.issue.id) > ($1.growth, $1.windowCount, $0.issue.id) }
        case .recency: ordered = summaries.sorted { ($0.issue.lastSeen, $1.issue.id) > ($1.issue.lastSeen, $0.issue.id) }
        }
        return Array(ordered.prefix(limit))
    }

    /// Issue `id` (or the issue it was merged into) of `filter.tenant`, counted over `since...until`.
    public func detail(_ id: Int64, filter: SearchFilter, since: Int64, until: Int64, buckets: Int, examplesPerService: Int = 3) throws -> IssueDetail? {
        guard let live = try store.issueSurvivor(id, tenant: filter.tenant), let (issue, signatures) = try store.issue(live, tenant: filter.tenant) else {
            return nil
        }
        let counted = try store.issueCounts(filter: SearchFilter(tenant: filter.tenant), since: since, until: until, buckets: buckets, issues: [live]).first
        var summary = summary(IssueCounts(issue: issue, counts: counted?.counts ?? Array(repeating: 0, count: max(1, buckets))), since: since,
                              until: until, dataSince: try store.earliestEvent(tenant: filter.tenant) ?? since)
        summary.issue = issue
        var examples: [StoredEvent] = []
        var services: Set<String> = []
        for signature in signatures where services.insert(signature.service).inserted {
            examples += try store.events(signature: signature.id, filter: SearchFilter(tenant: filter.tenant), limit: examplesPerService).events
        }
        return IssueDetail(summary: summary, signatures: signatures, examples: examples)
    }

    private func summary(_ counted: IssueCounts, since: Int64, until: Int64, dataSince: Int64) -> IssueSummary {
        IssueSummary(issue: counted.issue,
                     state: rule.trend(counts: counted.counts, firstSeen: counted.issue.firstSeen, since: since, until: until, dataSince: dataSince),
                     windowCount: counted.counts.reduce(0, +), growth: rule.growth(counts: counted.counts), counts: counted.counts)
    }
}
