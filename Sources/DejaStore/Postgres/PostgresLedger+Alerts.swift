import DejaCore
import Foundation
import PostgresNIO

/// Alert occurrences in the shared state: the replica Alertmanager's webhook reaches records them
/// (durably, before it answers) and enriches the new ones; every replica lists them alike.
extension PostgresLedger: AlertStoring {
    private static let alertColumns = """
        tenant, fingerprint, starts_at, status, alert, group_key, receiver, external_url, first_received, last_received, notifications, enrichment
        """

    public func record(_ notification: AlertNotification, tenant: String, receivedAt: Int64) throws -> [AlertKey] {
        let rows = try notification.alerts.map { alert in (alert, try AlertRecord.json(alert)) }
        return try run(timeout: Self.writeTimeout) { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                var fresh: [AlertKey] = []
                for (alert, json) in rows {
                    // The upsert's own answer says whether this notification created the occurrence,
                    // so exactly one replica enriches it, whichever replicas Alertmanager retried on.
                    for try await notifications in try await connection.query("""
                        INSERT INTO deja_alerts (tenant, fingerprint, starts_at, name, status, alert, group_key, receiver, external_url,
                                                 first_received, last_received, notifications)
                        VALUES (\(tenant), \(alert.fingerprint), \(alert.startsAt), \(alert.name), \(alert.status), \(json),
                                \(notification.groupKey), \(notification.receiver), \(notification.externalURL), \(receivedAt), \(receivedAt), 1)
                        ON CONFLICT (tenant, fingerprint, starts_at) DO UPDATE SET
                            notifications = deja_alerts.notifications + 1, last_received = excluded.last_received,
                            status = CASE WHEN deja_alerts.status = 'resolved' THEN deja_alerts.status ELSE excluded.status END,
                            alert = CASE WHEN deja_alerts.status = 'resolved' THEN deja_alerts.alert ELSE excluded.alert END
                        RETURNING notifications
                        """, logger: logger).decode(Int32.self) where notifications == 1 {
                        fresh.append(AlertKey(tenant: tenant, fingerprint: alert.fingerprint, startsAt: alert.startsAt))
                    }
                }
                return fresh
            }
        }
    }

    public func removeAlerts(notifiedBefore cutoff: Int64) throws -> Int {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            var removed = 0
            for try await _ in try await client.query("DELETE FROM deja_alerts WHERE last_received < \(cutoff) RETURNING 1", logger: logger) {
                removed += 1
            }
            try await client.query("DELETE FROM deja_alert_payloads WHERE received < \(cutoff)", logger: logger)
            return removed
        }
    }

    public func keepUnknown(_ body: Data, version: String, tenant: String, receivedAt: Int64) throws {
        _ = try run(timeout: Self.writeTimeout) { [client, logger] in
            try await client.query("INSERT INTO deja_alert_payloads (tenant, received, version, body) VALUES (\(tenant), \(receivedAt), \(version), \(body))",
                                   logger: logger)
        }
    }

    public func unknownPayloads(tenant: String) throws -> [(version: String, body: Data)] {
        try run { [client, logger] in
            var payloads: [(version: String, body: Data)] = []
            for try await (version, body) in try await client.query(
                "SELECT version, body FROM deja_alert_payloads WHERE tenant = \(tenant) ORDER BY id", logger: logger).decode((String, Data).self) {
                payloads.append((version, body))
            }
            return payloads
        }
    }

    public func setEnrichment(_ enrichment: Data, for key: AlertKey) throws {
        let text = String(decoding: enrichment, as: UTF8.self)
        _ = try run(timeout: Self.writeTimeout) { [client, logger] in
            try await client.query("""
                UPDATE deja_alerts SET enrichment = \(text) WHERE tenant = \(key.tenant) AND fingerprint = \(key.fingerprint) AND starts_at = \(key.startsAt)
                """, logger: logger)
        }
    }

    public func alert(_ key: AlertKey) throws -> AlertRecord? {
        try alertRecords("""
            SELECT \(unescaped: Self.alertColumns) FROM deja_alerts
            WHERE tenant = \(key.tenant) AND fingerprint = \(key.fingerprint) AND starts_at = \(key.startsAt)
            """).first
    }

    public func latest(fingerprint: String, tenant: String) throws -> AlertRecord? {
        try alertRecords("""
            SELECT \(unescaped: Self.alertColumns) FROM deja_alerts WHERE tenant = \(tenant) AND fingerprint = \(fingerprint)
            ORDER BY starts_at DESC LIMIT 1
            """).first
    }

    public func alerts(tenant: String, status: String?, limit: Int) throws -> [AlertRecord] {
        try alertRecords("""
            SELECT \(unescaped: Self.alertColumns) FROM deja_alerts WHERE tenant = \(tenant) AND (\(status)::text IS NULL OR status = \(status))
            ORDER BY last_received DESC, starts_at DESC LIMIT \(limit)
            """)
    }

    public func unenriched(limit: Int) throws -> [AlertKey] {
        try alertRecords("""
            SELECT \(unescaped: Self.alertColumns) FROM deja_alerts WHERE enrichment IS NULL ORDER BY first_received LIMIT \(limit)
            """).map(\.key)
    }

    public func earlier(name: String, before: Int64, tenant: String, limit: Int) throws -> [AlertRecord] {
        try alertRecords("""
            SELECT \(unescaped: Self.alertColumns) FROM deja_alerts WHERE tenant = \(tenant) AND name = \(name) AND starts_at < \(before)
            ORDER BY starts_at DESC LIMIT \(limit)
            """)
    }

    private func alertRecords(_ query: PostgresQuery) throws -> [AlertRecord] {
        try run { [client, logger] in
            var records: [AlertRecord] = []
            let rows = try await client.query(query, logger: logger)
            for try await (tenant, fingerprint, startsAt, status, alert, groupKey, receiver, externalURL, firstReceived, lastReceived, notifications,
                           enrichment) in rows.decode((String, String, Int64, String, String, String, String, String, Int64, Int64, Int32, String?).self) {
                records.append(AlertRecord(key: AlertKey(tenant: tenant, fingerprint: fingerprint, startsAt: startsAt), alertJSON: alert, status: status,
                                           groupKey: groupKey, receiver: receiver, externalURL: externalURL, firstReceived: firstReceived,
                                           lastReceived: lastReceived, notifications: Int(notifications), enrichment: enrichment))
            }
            return records
        }
    }
}
