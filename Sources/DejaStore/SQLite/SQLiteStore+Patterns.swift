import DejaCore
import Foundation
import GRDB

/// The pattern stage's tables: each signature's pattern, the patterns' templates, and snapshots
/// of each tenant's miner (`PatternUpdate`); and patterns read back with what their signatures add up to.
/// Gives each new signature its pattern inside the transaction that stores it (the pattern stage).
public protocol PatternAssigner: AnyObject {
    /// The pattern of a new signature of `tenant` with `message`.
    func pattern(tenant: String, message: String) -> Int64
    /// The signature just given a pattern was stored with this id.
    func stored(signature: Int64, tenant: String)
    /// Templates that changed and snapshots due, stored before the transaction commits.
    func pendingUpdate() throws -> PatternUpdate
    /// The transaction failed: what was learned in it must be forgotten.
    func rolledBack() throws
}

extension SQLiteStore {
    /// A signature as the miner learns it.
    public struct MinedSignature: Sendable, Equatable {
        public var id: Int64
        public var tenant: String
        public var message: String
    }

    /// Each tenant's latest miner snapshot and the last signature it had learned.
    public func minerSnapshots() throws -> [String: (state: Data, throughSignature: Int64)] {
        try pool.read { db in
            var snapshots: [String: (Data, Int64)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT tenant, state, through_signature FROM pattern_miners") {
                snapshots[row["tenant"]] = (row["state"], row["through_signature"])
            }
            return snapshots
        }
    }

    /// Up to `limit` signatures after id `after`, in id order.
    public func signatures(after: Int64, limit: Int) throws -> [MinedSignature] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, tenant, message FROM signatures WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
                .map { MinedSignature(id: $0["id"], tenant: $0["tenant"], message: $0["message"]) }
        }
    }

    /// Tenants that have signatures.
    public func tenantsWithSignatures() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT tenant FROM signatures") }
    }

    /// Stores what the pattern stage decided, in one transaction.
    public func commit(_ update: PatternUpdate) throws {
        guard !update.isEmpty else { return }
        try pool.write { db in try Self.write(update, db) }
    }

    /// Writes `update` in the transaction of `db`.
    static func write(_ update: PatternUpdate, _ db: Database) throws {
        let assign = try db.cachedStatement(sql: "UPDATE signatures SET pattern_id = ? WHERE id = ?")
        for (signature, pattern) in update.assignments { try assign.execute(arguments: [pattern, signature]) }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO patterns (tenant, id, template, merged_into) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (tenant, id) DO UPDATE SET template = ?3, merged_into = ?4
            """)
        // Patterns folded into this one show its template, and follow it when it is folded in turn.
        let followers = try db.cachedStatement(sql: "UPDATE patterns SET template = ?3, merged_into = coalesce(?4, ?2) WHERE tenant = ?1 AND merged_into = ?2")
        for (tenant, id, template, mergedInto) in update.templates {
            try upsert.execute(arguments: [tenant, id, template, mergedInto])
            try followers.execute(arguments: [tenant, id, template, mergedInto])
        }
        let snapshot = try db.cachedStatement(sql: "INSERT OR REPLACE INTO pattern_miners (tenant, state, through_signature) VALUES (?, ?, ?)")
        for (tenant, state, through) in update.snapshots { try snapshot.execute(arguments: [tenant, state, through]) }
    }

    /// Patterns with events in `since...until`, each with its event counts in `buckets` equal
    /// slices of that range, the most frequent `limit` first: its signatures' counts added up.
    public func patternCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int) throws -> [PatternCounts] {
        let signatures = try signatureCounts(filter: filter, since: since, until: until, buckets: buckets, limit: Int.max)
        return PatternCounts.grouping(signatures, tenant: filter.tenant, templates: try patternTemplates(tenant: filter.tenant), limit: limit)
    }

    /// `tenant`'s patterns, whatever the time, the most frequent `limit` first.
    public func patterns(tenant: String, limit: Int) throws -> [Pattern] {
        let templates = try patternTemplates(tenant: tenant)
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, service, level, count, first_seen, last_seen, pattern_id FROM signatures
                WHERE tenant = ? AND pattern_id IS NOT NULL
                """, arguments: [tenant])
        }
        var grouped: [Int64: Pattern] = [:]
        for row in rows {
            let assigned: Int64 = row["pattern_id"]
            guard let (template, mergedInto) = templates[assigned] else { continue }
            let id = mergedInto ?? assigned
            var pattern = grouped[id] ?? Pattern(id: id, tenant: tenant, template: template, services: [], level: .unknown, signatureIDs: [],
                                                 count: 0, firstSeen: .max, lastSeen: .min)
            pattern.add(Signature(id: row["id"], tenant: tenant, service: row["service"], message: "",
                                  level: Severity(rawValue: row["level"]) ?? .unknown, count: row["count"], firstSeen: row["first_seen"],
                                  lastSeen: row["last_seen"], exampleEventID: 0))
            grouped[id] = pattern
        }
        return grouped.values.sorted { ($0.count, $1.id) > ($1.count, $0.id) }.prefix(limit).map { $0 }
    }

    private func patternTemplates(tenant: String) throws -> [Int64: (template: String, mergedInto: Int64?)] {
        try pool.read { db in
            var templates: [Int64: (String, Int64?)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, template, merged_into FROM patterns WHERE tenant = ?", arguments: [tenant]) {
                templates[row["id"]] = (row["template"], row["merged_into"])
            }
            return templates
        }
    }
}
