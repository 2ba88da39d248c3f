import DejaCore
import Foundation
import PostgresNIO

/// Metric documents and their vectors in the shared state: every replica reads Prometheus's metadata
/// into the same rows, a document is embedded once for the cluster, and any replica searches them.
extension PostgresLedger: MetricDocumentStore {
    /// Stores `documents` as seen at `seenAt`. A metric whose document changed loses its vector, to
    /// be embedded again; returns how many documents are new or changed.
    public func upsertMetrics(_ documents: [MetricDocument], tenant: String, seenAt: Int64) throws -> Int {
        guard !documents.isEmpty else { return 0 }
        let encoder = JSONEncoder()
        let names = documents.map(\.metadata.metric), types = documents.map(\.metadata.type), helps = documents.map(\.metadata.help)
        let units = documents.map(\.metadata.unit), texts = documents.map(\.text)
        let labels = try documents.map { String(decoding: try encoder.encode($0.metadata.labels), as: UTF8.self) }
        let jobs = try documents.map { String(decoding: try encoder.encode($0.metadata.jobs), as: UTF8.self) }
        return try run(timeout: Self.writeTimeout) { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                var existing: [String: String] = [:]
                for try await (name, document) in try await connection.query(
                    "SELECT name, document FROM deja_metrics WHERE tenant = \(tenant) AND name = ANY(\(names)::text[])", logger: logger).decode((String, String).self) {
                    existing[name] = document
                }
                try await connection.query("""
                    INSERT INTO deja_metrics (tenant, name, type, help, unit, labels, jobs, document, last_seen)
                    SELECT \(tenant), * , \(seenAt)::int8 FROM unnest(\(names)::text[], \(types)::text[], \(helps)::text[], \(units)::text[],
                                                           \(labels)::text[], \(jobs)::text[], \(texts)::text[])
                    ON CONFLICT (tenant, name) DO UPDATE SET type = excluded.type, help = excluded.help, unit = excluded.unit,
                        labels = excluded.labels, jobs = excluded.jobs, last_seen = greatest(deja_metrics.last_seen, excluded.last_seen),
                        model = CASE WHEN deja_metrics.document = excluded.document THEN deja_metrics.model END,
                        vector = CASE WHEN deja_metrics.document = excluded.document THEN deja_metrics.vector END,
                        document = excluded.document
                    """, logger: logger)
                return zip(names, texts).filter { existing[$0.0] != $0.1 }.count
            }
        }
    }

    public func metricsWithoutVectorsCount(tenant: String, model: String) throws -> Int {
        try run { [client, logger] in
            for try await count in try await client.query(
                "SELECT count(*) FROM deja_metrics WHERE tenant = \(tenant) AND model IS DISTINCT FROM \(model)", logger: logger).decode(Int64.self) {
                return Int(count)
            }
            return 0
        }
    }

    public func metricsWithoutVectors(tenant: String, model: String, limit: Int) throws -> [(tenant: String, name: String, document: String)] {
        try run { [client, logger] in
            var pending: [(tenant: String, name: String, document: String)] = []
            for try await (name, document) in try await client.query("""
                SELECT name, document FROM deja_metrics WHERE tenant = \(tenant) AND model IS DISTINCT FROM \(model) ORDER BY name LIMIT \(limit)
                """, logger: logger).decode((String, String).self) {
                pending.append((tenant, name, document))
            }
            return pending
        }
    }

    /// Stores the vectors of metric documents, unless the document changed since it was read.
    public func storeMetricVectors(_ vectors: [(tenant: String, name: String, document: String, vector: [Float])], model: String) throws {
        guard !vectors.isEmpty else { return }
        let tenants = vectors.map(\.tenant), names = vectors.map(\.name), documents = vectors.map(\.document)
        // One blob of every vector, each cut out by its position (the bindings take no array of bytea).
        let width = vectors[0].vector.count * MemoryLayout<Float>.size
        precondition(vectors.allSatisfy { $0.vector.count * MemoryLayout<Float>.size == width }, "vectors of one model have one dimension")
        var blob = Data(capacity: width * vectors.count)
        for entry in vectors { entry.vector.withUnsafeBufferPointer { blob.append($0) } }
        _ = try run(timeout: Self.writeTimeout) { [client, logger, blob] in
            try await client.query("""
                UPDATE deja_metrics m SET model = \(model), vector = substring(\(blob)::bytea FROM (v.n - 1)::int * \(width) + 1 FOR \(width))
                FROM unnest(\(tenants)::text[], \(names)::text[], \(documents)::text[]) WITH ORDINALITY AS v(tenant, name, document, n)
                WHERE m.tenant = v.tenant AND m.name = v.name AND m.document = v.document
                """, logger: logger)
        }
    }

    public func metrics(tenant: String, model: String) throws -> [StoredMetric] {
        let rows: [(MetricMetadata, String, Data?, Int64)] = try run { [client, logger] in
            let decoder = JSONDecoder()
            var rows: [(MetricMetadata, String, Data?, Int64)] = []
            for try await (name, type, help, unit, labels, jobs, document, vectorModel, vector, lastSeen) in try await client.query("""
                SELECT name, type, help, unit, labels, jobs, document, model, vector, last_seen FROM deja_metrics WHERE tenant = \(tenant) ORDER BY name
                """, logger: logger).decode((String, String, String, String, String, String, String, String?, Data?, Int64).self) {
                let metadata = MetricMetadata(metric: name, type: type, help: help, unit: unit,
                                              labels: try decoder.decode([String].self, from: Data(labels.utf8)),
                                              jobs: try decoder.decode([String].self, from: Data(jobs.utf8)))
                rows.append((metadata, document, vectorModel == model ? vector : nil, lastSeen))
            }
            return rows
        }
        return rows.map { metadata, document, blob, lastSeen in
            StoredMetric(metadata: metadata, document: document, vector: blob.map { $0.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } },
                         lastSeen: lastSeen)
        }
    }

    public func removeMetrics(tenant: String, notSeenSince time: Int64) throws -> Int {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            var removed = 0
            for try await _ in try await client.query(
                "DELETE FROM deja_metrics WHERE tenant = \(tenant) AND last_seen < \(time) RETURNING 1", logger: logger) {
                removed += 1
            }
            return removed
        }
    }
}
