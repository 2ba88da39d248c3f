import DejaCore
import Foundation
import GRDB

/// A signature as an external vector index holds it: its vector and what that index's own users
/// read (counts, times, one example event).
public struct IndexEntry: Sendable, Equatable {
    public var signature: Signature
    /// The signature's message hash, unique within (tenant, service).
    public var hash: String
    /// Body of the signature's example event.
    public var example: String
    public var vector: [Float]
    /// How the vector was made beside the model (`VectorRecord.recipe`).
    public var recipe = ""
    /// Whether the index has a record for it already (published before, perhaps with older counts).
    public var published = false

    /// Stable record id in the external index, the same on every machine: `service/hash`.
    public var key: String { IndexKey.of(service: signature.service, hash: hash) }
}

/// The stable id of a signature in an external index, and back.
public enum IndexKey {
    public static func of(service: String, hash: String) -> String { service + "/" + hash }

    /// The service and hash of a key (the hash is hex, so the last `/` separates them).
    public static func parse(_ key: String) -> (service: String, hash: String)? {
        guard let slash = key.lastIndex(of: "/") else { return nil }
        return (String(key[..<slash]), String(key[key.index(after: slash)...]))
    }
}

/// A published signature removed by retention, to be deleted from the external index.
public struct IndexRemoval: Sendable, Equatable, Hashable {
    public var tenant: String
    public var key: String
}

/// The outbox an external vector index is fed from. Vectors stay in the `vectors` table (they are
/// embedded once, here); a signature is pending while its count differs from the count last
/// published, so new signatures, new events and retention all reach the index, in batches.
extension SQLiteStore {
    /// Up to `limit` signatures with a vector under `model` whose published state is out of date.
    public func pendingIndexEntries(model: String, limit: Int) throws -> [IndexEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: Self.entrySelect + " WHERE s.count <> s.indexed_count ORDER BY s.id LIMIT ?",
                             arguments: [model, limit]).map(Self.indexEntry)
        }
    }

    private static let entrySelect = """
        SELECT s.id, s.tenant, s.service, s.hash, s.message, s.level, s.count, s.first_seen, s.last_seen, s.example_event,
               (SELECT template FROM patterns p WHERE p.tenant = s.tenant AND p.id = s.pattern_id) AS pattern,
               e.body, v.vector, v.recipe, s.indexed_count <> 0 AS published
        FROM signatures s JOIN vectors v ON v.model = ? AND v.signature_id = s.id LEFT JOIN events e ON e.id = s.example_event
        """

    private static func indexEntry(_ row: Row) -> IndexEntry {
        let blob: Data = row["vector"]
        let signature = Signature(id: row["id"], tenant: row["tenant"], service: row["service"], message: row["message"],
                                  level: Severity(rawValue: row["level"]) ?? .unknown, count: row["count"], firstSeen: row["first_seen"],
                                  lastSeen: row["last_seen"], exampleEventID: row["example_event"], pattern: row["pattern"])
        return IndexEntry(signature: signature, hash: row["hash"], example: row["body"] ?? signature.message,
                          vector: blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }, recipe: row["recipe"], published: row["published"])
    }

    /// Records that `entries` were published with the counts they carry (a count that grew since
    /// stays pending).
    public func markIndexed(_ entries: [IndexEntry]) throws {
        guard !entries.isEmpty else { return }
        try pool.write { db in
            let statement = try db.cachedStatement(sql: "UPDATE signatures SET indexed_count = ? WHERE id = ?")
            for entry in entries { try statement.execute(arguments: [entry.signature.count, entry.signature.id]) }
        }
    }

    /// Marks every signature of `tenant` unpublished: its index lost them (a new or emptied collection).
    public func resetIndexed(tenant: String) throws {
        try pool.write { db in try db.execute(sql: "UPDATE signatures SET indexed_count = 0 WHERE tenant = ?", arguments: [tenant]) }
    }

    /// Signatures of `tenant` published at least once.
    public func indexedCount(tenant: String) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM signatures WHERE tenant = ? AND indexed_count <> 0", arguments: [tenant]) ?? 0 }
    }

    /// Signatures with a vector under `model` not yet published as they are now.
    public func pendingIndexCount(model: String) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM signatures s JOIN vectors v ON v.model = ? AND v.signature_id = s.id WHERE s.count <> s.indexed_count
                """, arguments: [model]) ?? 0
        }
    }

    public func pendingIndexRemovals(limit: Int) throws -> [IndexRemoval] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT tenant, service, hash FROM index_removals LIMIT ?", arguments: [limit]).map { row in
                IndexRemoval(tenant: row["tenant"], key: IndexKey.of(service: row["service"], hash: row["hash"]))
            }
        }
    }

    public func clearIndexRemovals(_ removals: [IndexRemoval]) throws {
        guard !removals.isEmpty else { return }
        try pool.write { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM index_removals WHERE tenant = ? AND service = ? AND hash = ?")
            for removal in removals {
                guard let (service, hash) = IndexKey.parse(removal.key) else { continue }
                try statement.execute(arguments: [removal.tenant, service, hash])
            }
        }
    }

    /// Local signature ids of index keys within `tenant`; keys of signatures this store lacks are left out.
    public func signatureIDs(tenant: String, keys: [String]) throws -> [String: Int64] {
        try pool.read { db in
            let statement = try db.cachedStatement(sql: "SELECT id FROM signatures WHERE tenant = ? AND service = ? AND hash = ?")
            var ids: [String: Int64] = [:]
            for key in keys {
                guard let (service, hash) = IndexKey.parse(key) else { continue }
                if let id = try Int64.fetchOne(statement, arguments: [tenant, service, hash]) { ids[key] = id }
            }
            return ids
        }
    }

    /// The vector-index key (`IndexKey`) of each of signatures `ids`, vector or not.
    public func indexKeys(ids: [Int64]) throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        return try pool.read { db in
            var keys: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, service, hash FROM signatures WHERE id IN (\(Set(ids).map(String.init).joined(separator: ",")))") {
                keys[row["id"]] = IndexKey.of(service: row["service"], hash: row["hash"])
            }
            return keys
        }
    }

    /// Index entries of signatures `ids` that have a vector under `model`.
    public func indexEntries(ids: [Int64], model: String) throws -> [IndexEntry] {
        guard !ids.isEmpty else { return [] }
        let wanted = Set(ids)
        return try pool.read { db in
            try Row.fetchAll(db, sql: Self.entrySelect + " WHERE s.id IN (\(wanted.map(String.init).joined(separator: ",")))",
                             arguments: [model]).map(Self.indexEntry)
        }
    }
}
