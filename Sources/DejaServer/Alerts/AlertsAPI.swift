import DejaCore
import DejaSearch
import DejaStore
import Foundation
import Hummingbird
import Logging

/// What the webhook answers: how many alerts it recorded.
struct AlertReceipt: Codable, ResponseEncodable {
    var status: String
    var alerts: Int
}

/// Alerts, the most recently notified first.
struct AlertsResponse: Codable, ResponseEncodable {
    var alerts: [AlertView]
}

extension AlertView: ResponseEncodable {}

/// `POST /api/v1/alerts/alertmanager` (Alertmanager's webhook), `GET /api/v1/alerts` and
/// `GET /api/v1/alerts/{fingerprint}`. The webhook records the notification durably and answers;
/// enrichment runs after (`AlertEnrichmentService`).
struct AlertsAPI {
    let alerts: any AlertStoring
    let enrichment: AlertEnrichmentService
    let reads: StoreReads
    let limits: IngestLimits
    let metrics: ServerMetrics
    let logger: Logger

    func register(on router: GuardedRouter) {
        router.post("/api/v1/alerts/alertmanager", .scope(.ingest)) { request, context in
            let tenant = try context.tenant(for: .ingest)
            let body = Data(try await RequestBody.bytes(of: request, limits: limits))
            // In cluster mode, PostgreSQL down is a 503: Alertmanager sends the notification again.
            return try await answeringSharedState { try await receive(body, tenant: tenant) }
        }
        router.get("/api/v1/alerts", .scope(.read)) { request, context in
            let tenant = try context.tenant(for: .read)
            let status = request.formParameters["status"].map(String.init)
            if let status, !["firing", "resolved"].contains(status) {
                throw HTTPError(.badRequest, message: "status must be firing or resolved, not '\(status)'")
            }
            let limit = Int(request.formParameters["limit"].map(String.init) ?? "50") ?? 0
            guard (1...1000).contains(limit) else { throw HTTPError(.badRequest, message: "limit must be 1 to 1000") }
            let alerts = alerts
            return AlertsResponse(alerts: try await answeringSharedState {
                try await reads.run { try alerts.alerts(tenant: tenant, status: status, limit: limit).map(AlertView.init) }
            })
        }
        router.get("/api/v1/alerts/:fingerprint", .scope(.read)) { _, context in
            let tenant = try context.tenant(for: .read)
            let fingerprint = try context.parameters.requireDecoded("fingerprint")
            let alerts = alerts
            guard let record = try await answeringSharedState({ try await reads.run { try alerts.latest(fingerprint: fingerprint, tenant: tenant) } }) else {
                throw HTTPError(.notFound, message: "no alert with fingerprint '\(fingerprint)'")
            }
            return AlertView(record)
        }
    }

    /// Records a notification and queues its enrichment. A malformed payload of a known version is
    /// a 400 naming the problem (Alertmanager does not retry a 4xx); a payload of another version
    /// is logged and kept, and its alerts recorded when they can be read.
    private func receive(_ body: Data, tenant: String) async throws -> AlertReceipt {
        let version = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["version"] as? String ?? ""
        let known = AlertNotification.knownVersions.contains(version)
        let alerts = alerts
        let now = EventTime.now()
        if !known {
            logger.warning("Alertmanager payload of an unknown version: kept, and read as version 4 where it can be",
                           metadata: ["version": "\(version)", "bytes": "\(body.count)"])
            try await reads.run { try alerts.keepUnknown(body, version: version, tenant: tenant, receivedAt: now) }
            metrics.alertNotification("unknown_version")
        }
        let notification: AlertNotification
        do {
            notification = try AlertNotification(json: body)
        } catch {
            if !known { return AlertReceipt(status: "kept", alerts: 0) }
            metrics.alertNotification("malformed")
            throw HTTPError(.badRequest, message: "not an Alertmanager webhook payload: \(error.description)")
        }
        let fresh = try await reads.run { try alerts.record(notification, tenant: tenant, receivedAt: now) }
        if known { metrics.alertNotification("recorded") }
        let keys = notification.alerts.map { AlertKey(tenant: tenant, fingerprint: $0.fingerprint, startsAt: $0.startsAt) }
        enrichment.submit(.init(keys: keys, fresh: Set(fresh), payload: body))
        return AlertReceipt(status: "ok", alerts: notification.alerts.count)
    }
}
