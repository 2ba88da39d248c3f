import DejaCore
import DejaStore
import Foundation

/// What Deja attaches to an alert: the issues and events that explain it, and when it happened before.
public struct AlertEnrichment: Sendable, Codable, Equatable {
    /// The Deja service the alert's labels name, when the store has it.
    public var service: String?
    /// The text searched: the alert's name in words, summary and description.
    public var query: String
    /// The window searched, nanoseconds.
    public var since: Int64
    public var until: Int64
    /// Most telling first.
    public var related: [RelatedIssue]
    /// Earlier occurrences of alerts of the same name, the latest first.
    public var previous: [PreviousAlert]
    /// Metric names in the alert's PromQL (from `generatorURL`).
    public var metrics: [String]
    /// Deep links for the window (Grafana Explore, Kibana Discover), when configured.
    public var links: [String: String] = [:]
    public var enrichedAt: Int64
}

/// An issue (or a signature not yet placed in one) related to an alert.
public struct RelatedIssue: Sendable, Codable, Equatable {
    public var issueID: Int64?
    public var message: String
    public var service: String
    public var services: [String]
    /// Events in the window.
    public var count: Int
    public var state: IssueTrend
    /// Cosine similarity of the alert's text and the closest of its signatures, when search found it.
    public var similarity: Float?
    public var score: Double
    public var events: [StoredEvent]

    public init(issueID: Int64?, message: String, service: String, services: [String], count: Int, state: IssueTrend, similarity: Float?,
                score: Double, events: [StoredEvent]) {
        self.issueID = issueID
        self.message = message
        self.service = service
        self.services = services
        self.count = count
        self.state = state
        self.similarity = similarity
        self.score = score
        self.events = events
    }
}

/// An earlier occurrence of an alert of the same name, with the issues that explained it.
public struct PreviousAlert: Sendable, Codable, Equatable {
    public var fingerprint: String
    public var startsAt: Int64
    public var status: String
    public var issueIDs: [Int64]
}

/// Finds what explains an alert: the events and issues of its service in a window around its
/// start, ranked by relevance to its text and by how unusual they are, and its earlier occurrences.
/// An alert whose labels name no known service gets a search over its text across services.
public struct AlertEnricher: Sendable {
    /// How far before the alert's start the window opens.
    public var before: Int64 = 30 * 60 * 1_000_000_000
    /// Added to a related issue's score when it is new, rising or regressed in the window.
    public var unusualWeight = 0.2
    /// Added when its level is warning or worse.
    public var failureWeight = 0.1
    public var limit = 10
    public var eventsPerIssue = 3

    public init() {}

    /// Labels that may name a service: those the receivers read (`ServiceLabels`), then a
    /// deployment's name and a pod's without its ReplicaSet and pod suffixes.
    static let serviceLabels = ServiceLabels.keys + ["deployment", "pod"]

    /// The known service `labels` name, if any.
    static func service(of labels: [String: String], known: Set<String>) -> String? {
        for key in serviceLabels {
            guard let value = labels[key], !value.isEmpty else { continue }
            if known.contains(value) { return value }
            if key == "pod" {
                var parts = value.split(separator: "-")
                while parts.count > 1 {
                    parts.removeLast()
                    if known.contains(parts.joined(separator: "-")) { return parts.joined(separator: "-") }
                }
            }
        }
        return nil
    }

    public func enrich(_ record: AlertRecord, engine: SearchEngine, views: IssueViews, alerts: any AlertStoring, now: Int64) throws -> AlertEnrichment {
        let tenant = record.key.tenant
        let alert = record.alert
        let service = Self.service(of: alert.labels, known: Set(try engine.store.services(tenant: tenant)))
        let since = alert.startsAt - before
        let until = max(since + 1, min(now, alert.endsAt ?? now))
        let query = alert.text
        var filter = SearchFilter(tenant: tenant, services: service.map { [$0] } ?? [], since: since, until: until)
        var groups = try engine.search(query, filter: filter, limit: 30, eventsPerGroup: eventsPerIssue).groups
        if groups.isEmpty && service == nil {
            // Nothing in the window: the past logs most like the alert, whenever they were.
            filter.since = nil
            filter.until = nil
            groups = try engine.search(query, filter: filter, limit: 30, eventsPerGroup: eventsPerIssue).groups
        }
        let summaries = try views.list(filter: SearchFilter(tenant: tenant, services: filter.services), since: since, until: until, buckets: 6,
                                       limit: 1_000)
        let byIssue = Dictionary(uniqueKeysWithValues: summaries.map { ($0.issue.id, $0) })

        var candidates: [Int64: RelatedIssue] = [:]
        for group in groups {
            let key = group.signature.issueID ?? -group.signature.id
            let summary = group.signature.issueID.flatMap { byIssue[$0] }
            var entry = candidates[key] ?? RelatedIssue(
                issueID: group.signature.issueID, message: summary?.issue.title ?? group.signature.message, service: group.signature.service,
                services: summary?.issue.services ?? [group.signature.service], count: summary?.windowCount ?? group.count,
                state: summary?.state ?? .steady, similarity: nil, score: 0, events: [])
            if let similarity = group.similarity, similarity > entry.similarity ?? -1 { entry.similarity = similarity }
            if entry.events.count < eventsPerIssue { entry.events += group.events.prefix(eventsPerIssue - entry.events.count) }
            entry.score = score(similarity: entry.similarity, state: entry.state, levels: summary?.issue.levels ?? [group.signature.level])
            candidates[key] = entry
        }
        // Failures that are new, rising or regressed in the window count even when their words differ.
        for summary in summaries where summary.state != .steady && (summary.issue.levels.first ?? .unknown) >= .warning
            && candidates[summary.issue.id] == nil {
            var events: [StoredEvent] = []
            if let signature = summary.issue.signatureIDs.first {
                events = try engine.store.events(signature: signature, filter: SearchFilter(tenant: tenant, since: since, until: until),
                                                 limit: eventsPerIssue).events
            }
            candidates[summary.issue.id] = RelatedIssue(
                issueID: summary.issue.id, message: summary.issue.title, service: summary.issue.services.first ?? "",
                services: summary.issue.services, count: summary.windowCount, state: summary.state, similarity: nil,
                score: score(similarity: nil, state: summary.state, levels: summary.issue.levels), events: events)
        }
        let related = candidates.values.sorted { ($0.score, $0.count) > ($1.score, $1.count) }.prefix(limit)

        let previous = try alerts.earlier(name: alert.name, before: alert.startsAt, tenant: tenant, limit: 5).map { earlier in
            PreviousAlert(fingerprint: earlier.key.fingerprint, startsAt: earlier.key.startsAt, status: earlier.alert.status,
                          issueIDs: earlier.enrichment.flatMap { try? JSONDecoder().decode(AlertEnrichment.self, from: $0) }?
                              .related.compactMap(\.issueID) ?? [])
        }
        return AlertEnrichment(service: service, query: query, since: since, until: until, related: Array(related), previous: previous,
                               metrics: alert.metricNames, enrichedAt: now)
    }

    /// Relevance to the alert's text, raised for what is unusual in the window and for failures.
    private func score(similarity: Float?, state: IssueTrend, levels: [Severity]) -> Double {
        Double(similarity ?? 0) + (state == .steady ? 0 : unusualWeight) + ((levels.first ?? .unknown) >= .warning ? failureWeight : 0)
    }
}
