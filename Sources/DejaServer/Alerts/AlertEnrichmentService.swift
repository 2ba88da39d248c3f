import DejaCore
import DejaSearch
import DejaStore
import Foundation
import Logging
import ServiceLifecycle

/// Enriches alerts after the webhook has answered: each new occurrence gets the issues and events
/// that explain it (`AlertEnricher`), stored with it; then the notification goes to the forwarder,
/// if one is configured. At start, occurrences received but not enriched before a stop are.
final class AlertEnrichmentService: Service, Sendable {
    /// One notification: the occurrences it names, those new among them, and its payload.
    struct Work: Sendable {
        var keys: [AlertKey]
        var fresh: Set<AlertKey>
        var payload: Data
    }

    private let alerts: any AlertStoring
    private let search: SearchService
    private let views: IssueViews
    private let enricher: AlertEnricher
    private let links: DeepLinks
    private let forwarder: AlertForwarder?
    private let metrics: ServerMetrics
    private let logger: Logger
    private let stream: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation

    init(alerts: any AlertStoring, search: SearchService, views: IssueViews, enricher: AlertEnricher, links: DeepLinks, forwarder: AlertForwarder?,
         metrics: ServerMetrics, logger: Logger) {
        self.alerts = alerts
        self.search = search
        self.views = views
        self.enricher = enricher
        self.links = links
        self.forwarder = forwarder
        self.metrics = metrics
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: Work.self)
    }

    func submit(_ work: Work) {
        continuation.yield(work)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            if let left = try? self.alerts.unenriched(limit: 1_000) {
                for key in left { _ = await self.enrich(key) }
            }
            for await work in self.stream {
                var enriched: [AlertView] = []
                for key in work.keys {
                    if work.fresh.contains(key), let view = await self.enrich(key) {
                        enriched.append(view)
                    } else if let record = try? self.alerts.alert(key) {
                        enriched.append(AlertView(record))
                    }
                }
                self.forwarder?.enqueue(AlertForwarder.Item(payload: work.payload, alerts: enriched))
            }
        }
    }

    /// Enriches one occurrence and stores what it found; nil when it could not.
    private func enrich(_ key: AlertKey) async -> AlertView? {
        do {
            guard var record = try alerts.alert(key) else { return nil }
            let started = DispatchTime.now().uptimeNanoseconds
            let (enricher, views, alerts, links) = (enricher, views, alerts, links)
            let snapshot = record
            var enrichment = try await search.run { engine in
                try enricher.enrich(snapshot, engine: engine, views: views, alerts: alerts, now: EventTime.now())
            }
            enrichment.links = LogLinks.links(service: enrichment.service, since: enrichment.since, until: enrichment.until, configuration: links)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let data = try encoder.encode(enrichment)
            try alerts.setEnrichment(data, for: key)
            record.enrichment = data
            metrics.alertEnriched(seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            return AlertView(record)
        } catch {
            logger.error("alert enrichment failed", metadata: ["fingerprint": "\(key.fingerprint)", "error": "\(error)"])
            return nil
        }
    }
}
