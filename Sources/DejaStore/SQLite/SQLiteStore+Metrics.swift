import DejaCore
import Foundation
import GRDB

/// A metric as stored for a tenant: its metadata, the document embedded for it, and its vector
/// once embedded with `model`.
public struct StoredMetric: Sendable {
    public let metadata: MetricMetadata
    public let document: String
    public let vector: [Float]?
    public let lastSeen: Int64
}

/// Metric metadata per tenant, and the vectors of their documents.
extension SQLiteStore {
    /// Stores `metrics` as seen at `seenAt`. A metric whose document changed loses its vector, to
    /// be embedded again; returns how many documents are new or changed.
    @discardableResult
    public func upsertMetrics(_ documents: [MetricDocument], tenant: String, seenAt: Int64) throws -> Int {
        guard !documents.isEmpty else { return 0 }
        let encoder = JSONEncoder()
        return try pool.write { db in
            var existing: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, document FROM metrics WHERE tenant = ?", arguments: [tenant]) {
                existing[row["name"]] = row["document"]
            }
            let statement = try db.cachedStatement(sql: """
                INSERT INTO metrics (tenant, name, type, help, unit, labels, jobs, document, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant, name) DO UPDATE SET type = excluded.type, help = excluded.help, unit = excluded.unit,
                    labels = excluded.labels, jobs = excluded.jobs, last_seen = excluded.last_seen,
                    model = CASE WHEN document = excluded.document THEN model END,
                    vector = CASE WHEN document = excluded.document THEN vector END,
                    document = excluded.document
                """)
            var changed = 0
            for document in documents {
                let metadata = document.metadata
                if existing[metadata.metric] != document.text { changed += 1 }
                let labels = String(decoding: try encoder.encode(metadata.labels), as: UTF8.self)
                let jobs = String(decoding: try encoder.encode(metadata.jobs), as: UTF8.self)
                try statement.execute(arguments: [tenant, metadata.metric, metadata.type, metadata.help, metadata.unit, labels, jobs,
                                                  document.text, seenAt])
            }
            return changed
        }
    }

    /// Documents of a tenant's metrics with no vector from `model`, by name.
    /// How many of `tenant`'s metrics have no vector from `model`.
    public func metricsWithoutVectorsCount(tenant: String, model: String) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM metrics WHERE tenant = ? AND (model IS NULL OR model != ?)", arguments: [tenant, model]) ?? 0
        }
    }

    public func metricsWithoutVectors(tenant: String, model: String, limit: Int) throws -> [(tenant: String, name: String, document: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT tenant, name, document FROM metrics WHERE tenant = ? AND (model IS NULL OR model != ?) LIMIT ?
                """, arguments: [tenant, model, limit]).map { ($0["tenant"], $0["name"], $0["document"]) }
        }
    }

    /// Stores the vectors of metric documents, unless the document changed since it was read.
    public func storeMetricVectors(_ vectors: [(tenant: String, name: String, document: String, vector: [Float])], model: String) throws {
        guard !vectors.isEmpty else { return }
        try pool.write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE metrics SET model = ?, vector = ? WHERE tenant = ? AND name = ? AND document = ?
                """)
            for entry in vectors {
                let blob = entry.vector.withUnsafeBufferPointer { Data(buffer: $0) }
                try statement.execute(arguments: [model, blob, entry.tenant, entry.name, entry.document])
            }
        }
    }

    /// A tenant's metrics, with their vectors from `model` where embedded.
    public func metrics(tenant: String, model: String) throws -> [StoredMetric] {
        let decoder = JSONDecoder()
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT name, type, help, unit, labels, jobs, document, model, vector, last_seen FROM metrics WHERE tenant = ? ORDER BY name
                """, arguments: [tenant]).map { row in
                let labels = try decoder.decode([String].self, from: Data((row["labels"] as String).utf8))
                let jobs = try decoder.decode([String].self, from: Data((row["jobs"] as String).utf8))
                var vector: [Float]?
                if (row["model"] as String?) == model, let blob = row["vector"] as Data? {
                    vector = blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                }
                return StoredMetric(metadata: MetricMetadata(metric: row["name"], type: row["type"], help: row["help"], unit: row["unit"],
                                                             labels: labels, jobs: jobs),
                                    document: row["document"], vector: vector, lastSeen: row["last_seen"])
            }
        }
    }

    /// Removes a tenant's metrics not seen since `time`; returns how many.
    @discardableResult
    public func removeMetrics(tenant: String, notSeenSince time: Int64) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM metrics WHERE tenant = ? AND last_seen < ?", arguments: [tenant, time])
            return db.changesCount
        }
    }
}
