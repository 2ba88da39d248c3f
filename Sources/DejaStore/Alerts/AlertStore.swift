import DejaCore
import Foundation
import GRDB

/// Which alert occurrence: one alert (fingerprint) from one start. Alertmanager repeats a firing
/// alert with the same start; a new start is a new occurrence.
public struct AlertKey: Sendable, Hashable, Codable {
    public var tenant: String
    public var fingerprint: String
    public var startsAt: Int64

    public init(tenant: String, fingerprint: String, startsAt: Int64) {
        self.tenant = tenant
        self.fingerprint = fingerprint
        self.startsAt = startsAt
    }
}

/// An alert occurrence as received, with what enrichment found (JSON, once it has run).
public struct AlertRecord: Sendable, Equatable {
    public var key: AlertKey
    public var alert: AlertNotification.Alert
    public var groupKey: String
    public var receiver: String
    public var externalURL: String
    public var firstReceived: Int64
    public var lastReceived: Int64
    /// Notifications received for it (Alertmanager repeats and retries).
    public var notifications: Int
    public var enrichment: Data?

    public init(key: AlertKey, alert: AlertNotification.Alert, groupKey: String, receiver: String, externalURL: String, firstReceived: Int64,
                lastReceived: Int64, notifications: Int, enrichment: Data?) {
        self.key = key
        self.alert = alert
        self.groupKey = groupKey
        self.receiver = receiver
        self.externalURL = externalURL
        self.firstReceived = firstReceived
        self.lastReceived = lastReceived
        self.notifications = notifications
        self.enrichment = enrichment
    }
}

/// Alerts in their own SQLite database beside the event store (`alerts.sqlite`): a webhook's write
/// is a few rows and must not wait behind an ingest transaction, and is durable when it answers.
public final class AlertStore: AlertStoring {
    private let queue: DatabaseQueue

    public init(directory: DataDirectory) throws {
        let path = directory.url.appendingPathComponent("alerts.sqlite").path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL") }
            try queue.write { db in
                if try Int.fetchOne(db, sql: "PRAGMA user_version") == 0 {
                    try db.execute(sql: """
                        CREATE TABLE alerts (
                            tenant TEXT NOT NULL, fingerprint TEXT NOT NULL, starts_at INTEGER NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
                            alert TEXT NOT NULL, group_key TEXT NOT NULL, receiver TEXT NOT NULL, external_url TEXT NOT NULL,
                            first_received INTEGER NOT NULL, last_received INTEGER NOT NULL, notifications INTEGER NOT NULL, enrichment TEXT,
                            PRIMARY KEY (tenant, fingerprint, starts_at)) WITHOUT ROWID;
                        CREATE INDEX alerts_by_name ON alerts (tenant, name, starts_at);
                        CREATE INDEX alerts_by_time ON alerts (tenant, last_received);
                        CREATE TABLE unknown_payloads (id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, received INTEGER NOT NULL,
                                                       version TEXT NOT NULL, body BLOB NOT NULL);
                        PRAGMA user_version = 1;
                        """)
                }
            }
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw StoreError.corruptDatabase(path, error.message ?? "\(error.resultCode)")
        }
    }

    /// Records a notification's alerts: a new occurrence is inserted, a repeat counted, a resolved
    /// one closed. Returns the occurrences that are new (to enrich).
    public func record(_ notification: AlertNotification, tenant: String, receivedAt: Int64) throws -> [AlertKey] {
        try queue.write { db in
            var fresh: [AlertKey] = []
            for alert in notification.alerts {
                let key = AlertKey(tenant: tenant, fingerprint: alert.fingerprint, startsAt: alert.startsAt)
                let json = try AlertRecord.json(alert)
                try db.execute(sql: """
                    INSERT INTO alerts (tenant, fingerprint, starts_at, name, status, alert, group_key, receiver, external_url,
                                        first_received, last_received, notifications)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 1)
                    ON CONFLICT (tenant, fingerprint, starts_at) DO UPDATE SET
                        notifications = notifications + 1, last_received = ?10,
                        -- a late repeat of a firing notification does not reopen a resolved alert
                        status = CASE WHEN status = 'resolved' THEN status ELSE ?5 END,
                        alert = CASE WHEN status = 'resolved' THEN alert ELSE ?6 END
                    """, arguments: [tenant, alert.fingerprint, alert.startsAt, alert.name, alert.status, json, notification.groupKey,
                                     notification.receiver, notification.externalURL, receivedAt])
                if try Int.fetchOne(db, sql: "SELECT notifications FROM alerts WHERE tenant = ? AND fingerprint = ? AND starts_at = ?",
                                    arguments: [tenant, alert.fingerprint, alert.startsAt]) == 1 {
                    fresh.append(key)
                }
            }
            return fresh
        }
    }

    public func removeAlerts(notifiedBefore cutoff: Int64) throws -> Int {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM alerts WHERE last_received < ?", arguments: [cutoff])
            let removed = db.changesCount
            try db.execute(sql: "DELETE FROM unknown_payloads WHERE received < ?", arguments: [cutoff])
            return removed
        }
    }

    /// Keeps a payload of a version this reader does not know, for a later reader.
    public func keepUnknown(_ body: Data, version: String, tenant: String, receivedAt: Int64) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO unknown_payloads (tenant, received, version, body) VALUES (?, ?, ?, ?)",
                           arguments: [tenant, receivedAt, version, body])
        }
    }

    public func unknownPayloads(tenant: String) throws -> [(version: String, body: Data)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT version, body FROM unknown_payloads WHERE tenant = ? ORDER BY id", arguments: [tenant])
                .map { ($0["version"], $0["body"]) }
        }
    }

    public func setEnrichment(_ enrichment: Data, for key: AlertKey) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE alerts SET enrichment = ? WHERE tenant = ? AND fingerprint = ? AND starts_at = ?",
                           arguments: [String(decoding: enrichment, as: UTF8.self), key.tenant, key.fingerprint, key.startsAt])
        }
    }

    public func alert(_ key: AlertKey) throws -> AlertRecord? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE tenant = ? AND fingerprint = ? AND starts_at = ?",
                             arguments: [key.tenant, key.fingerprint, key.startsAt]).map(Self.record)
        }
    }

    /// The latest occurrence of the alert with `fingerprint`.
    public func latest(fingerprint: String, tenant: String) throws -> AlertRecord? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE tenant = ? AND fingerprint = ? ORDER BY starts_at DESC LIMIT 1",
                             arguments: [tenant, fingerprint]).map(Self.record)
        }
    }

    /// The tenant's alerts, the most recently notified first; only `status` ones when given.
    public func alerts(tenant: String, status: String?, limit: Int) throws -> [AlertRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alerts WHERE tenant = ?" + (status == nil ? "" : " AND status = ?")
                                 + " ORDER BY last_received DESC, starts_at DESC LIMIT ?",
                             arguments: StatementArguments([tenant] + (status.map { [$0] } ?? []) + [String(limit)])).map(Self.record)
        }
    }

    /// Occurrences not enriched yet (received just before a stop), every tenant's.
    public func unenriched(limit: Int) throws -> [AlertKey] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT tenant, fingerprint, starts_at FROM alerts WHERE enrichment IS NULL ORDER BY first_received LIMIT ?",
                             arguments: [limit]).map { AlertKey(tenant: $0["tenant"], fingerprint: $0["fingerprint"], startsAt: $0["starts_at"]) }
        }
    }

    /// Earlier occurrences of alerts named `name`, started before `before`, the latest first.
    public func earlier(name: String, before: Int64, tenant: String, limit: Int) throws -> [AlertRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alerts WHERE tenant = ? AND name = ? AND starts_at < ? ORDER BY starts_at DESC LIMIT ?",
                             arguments: [tenant, name, before, limit]).map(Self.record)
        }
    }

    private static func record(_ row: Row) -> AlertRecord {
        AlertRecord(key: AlertKey(tenant: row["tenant"], fingerprint: row["fingerprint"], startsAt: row["starts_at"]), alertJSON: row["alert"],
                    status: row["status"], groupKey: row["group_key"], receiver: row["receiver"], externalURL: row["external_url"],
                    firstReceived: row["first_received"], lastReceived: row["last_received"], notifications: row["notifications"],
                    enrichment: row["enrichment"])
    }
}

extension AlertRecord {
    /// An occurrence as a store keeps it: the alert as JSON, its status apart (a resolution changes it).
    init(key: AlertKey, alertJSON: String, status: String, groupKey: String, receiver: String, externalURL: String, firstReceived: Int64,
         lastReceived: Int64, notifications: Int, enrichment: String?) {
        var alert = (try? JSONDecoder().decode(AlertNotification.Alert.self, from: Data(alertJSON.utf8)))
            ?? AlertNotification.Alert(status: status, labels: [:], annotations: [:], startsAt: key.startsAt, endsAt: nil, generatorURL: "",
                                       fingerprint: key.fingerprint)
        alert.status = status
        self.init(key: key, alert: alert, groupKey: groupKey, receiver: receiver, externalURL: externalURL, firstReceived: firstReceived,
                  lastReceived: lastReceived, notifications: notifications, enrichment: enrichment.map { Data($0.utf8) })
    }

    /// The alert as the stores keep it: JSON with sorted keys.
    static func json(_ alert: AlertNotification.Alert) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(alert), as: UTF8.self)
    }
}
