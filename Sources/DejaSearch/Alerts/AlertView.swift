import DejaCore
import DejaStore
import Foundation

/// An alert as the API, the CLI and a forwarded notification show it: Alertmanager's fields, and
/// what enrichment found (`related` at the top, for readers that want only that).
public struct AlertView: Sendable, Codable, Equatable {
    public var fingerprint: String
    public var name: String
    public var status: String
    public var labels: [String: String]
    public var annotations: [String: String]
    /// RFC 3339, as Alertmanager writes them; `endsAt` only once resolved.
    public var startsAt: String
    public var endsAt: String?
    public var generatorURL: String
    public var notifications: Int
    public var firstReceived: String
    public var lastReceived: String
    /// Empty until enrichment has run (within moments of receipt).
    public var related: [RelatedIssue]
    public var enrichment: AlertEnrichment?

    public init(_ record: AlertRecord) {
        let alert = record.alert
        fingerprint = alert.fingerprint
        name = alert.name
        status = alert.status
        labels = alert.labels
        annotations = alert.annotations
        startsAt = RFC3339.string(alert.startsAt)
        endsAt = alert.isResolved ? alert.endsAt.map(RFC3339.string) : nil
        generatorURL = alert.generatorURL
        notifications = record.notifications
        firstReceived = RFC3339.string(record.firstReceived)
        lastReceived = RFC3339.string(record.lastReceived)
        enrichment = record.enrichment.flatMap { try? JSONDecoder().decode(AlertEnrichment.self, from: $0) }
        related = enrichment?.related ?? []
    }
}
