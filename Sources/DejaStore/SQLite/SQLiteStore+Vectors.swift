import DejaCore
import Foundation
import GRDB

/// Signature vectors per model, searched by an exact scan over a cached matrix.
extension SQLiteStore: VectorStore {

    public func upsert(_ records: [VectorRecord], model: String) throws {
        guard !records.isEmpty else { return }
        try pool.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO vectors (model, signature_id, tenant, service, level, vector, recipe) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for record in records {
                let blob = record.vector.withUnsafeBufferPointer { Data(buffer: $0) }
                try statement.execute(arguments: [model, record.signatureID, record.tenant, record.service, record.level.rawValue, blob, record.recipe])
            }
        }
        // New signatures' vectors join the cached matrix: while the background embedder stores a
        // batch every few moments, reloading every vector for each search would cost more than it.
        cacheLock.withLock {
            vectorGeneration += 1
            if vectorCache[model]?.append(records) == false { vectorCache[model] = nil }
        }
    }

    public func missing(model: String, among ids: [Int64]) throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        let present = try pool.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT signature_id FROM vectors WHERE model = ? AND signature_id IN (\(ids.map(String.init).joined(separator: ",")))",
                                   arguments: [model]))
        }
        return ids.filter { !present.contains($0) }
    }

    /// The vectors of `signatures` under `model`, by signature.
    public func vectors(signatures ids: [Int64], model: String) throws -> [Int64: [Float]] {
        guard !ids.isEmpty else { return [:] }
        return try pool.read { db in
            var vectors: [Int64: [Float]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT signature_id, vector FROM vectors WHERE model = ? AND signature_id IN (\(ids.map(String.init).joined(separator: ",")))",
                                        arguments: [model]) {
                let blob: Data = row["vector"]
                vectors[row["signature_id"]] = blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            }
            return vectors
        }
    }

    /// Signatures that have no vector under `model` (all tenants), oldest first.
    public func signaturesWithoutVectors(model: String, limit: Int) throws -> [Signature] {
        let ids = try pool.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT id FROM signatures WHERE id NOT IN (SELECT signature_id FROM vectors WHERE model = ?) ORDER BY id LIMIT ?
                """, arguments: [model, limit])
        }
        return try signatures(ids: ids, tenant: nil)
    }

    /// Signatures whose vector under `model` was made by another recipe than `recipe` (an earlier
    /// release's), oldest first.
    public func signaturesWithStaleVectors(model: String, recipe: String, limit: Int) throws -> [Signature] {
        let ids = try pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT signature_id FROM vectors WHERE model = ? AND recipe <> ? ORDER BY signature_id LIMIT ?",
                               arguments: [model, recipe, limit])
        }
        return try signatures(ids: ids, tenant: nil)
    }

    /// How many vectors under `model` another recipe than `recipe` made.
    public func staleVectorCount(model: String, recipe: String) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM vectors WHERE model = ? AND recipe <> ?", arguments: [model, recipe]) ?? 0
        }
    }

    /// Stores vectors embedded again for signatures that had one: they are unpublished, so that an
    /// external index is sent them whole, vectors included (`pendingIndexEntries`).
    public func replaceVectors(_ records: [VectorRecord], model: String) throws {
        try upsert(records, model: model)
        try pool.write { db in
            let statement = try db.cachedStatement(sql: "UPDATE signatures SET indexed_count = 0 WHERE id = ?")
            for record in records { try statement.execute(arguments: [record.signatureID]) }
        }
    }

    public func search(_ query: [Float], model: String, filter: SearchFilter, k: Int) throws -> [VectorHit] {
        try matrix(model: model).search(query, filter: filter, k: k)
    }

    public func vector(of hit: VectorHit, model: String) throws -> [Float]? {
        try matrix(model: model).vector(of: hit.signatureID)
    }

    /// All vectors of `model`, loaded once and kept until they change.
    private func matrix(model: String) throws -> VectorMatrix {
        let (cached, generation) = cacheLock.withLock { (vectorCache[model], vectorGeneration) }
        if let cached { return cached }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT signature_id, tenant, service, level, vector FROM vectors WHERE model = ?", arguments: [model])
        }
        let matrix = VectorMatrix(rows: rows.map { row in
            let blob: Data = row["vector"]
            let vector = blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            return VectorRecord(signatureID: row["signature_id"], tenant: row["tenant"], service: row["service"],
                                level: Severity(rawValue: row["level"]) ?? .unknown, vector: vector)
        })
        cacheLock.withLock { if vectorGeneration == generation { vectorCache[model] = matrix } }
        return matrix
    }
}
