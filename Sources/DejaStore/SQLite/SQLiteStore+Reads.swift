import DejaCore
import Foundation
import GRDB

/// Reads: events and signatures by id, a signature's events, counts over time, term frequencies.
extension SQLiteStore {
    /// Term frequencies. Once built, a search never waits for them: when signatures have grown by
    /// a tenth since, they are rebuilt on another thread (a build reads every signature, seconds at
    /// a hundred thousand) and searches use the previous ones meanwhile. They only order and
    /// pre-filter words; a word they do not know yet is counted in the index exactly.
    func termFrequencies(_ db: Database) throws -> TermFrequencies {
        // Ids only grow, and the newest is one index lookup away where a count would scan.
        let newest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM signatures") ?? 0
        let (cached, stale) = cacheLock.withLock { () -> (TermFrequencies?, Bool) in
            guard let cached = frequencyCache else { return (nil, false) }
            let stale = newest * 10 > cached.newestSignature * 11 && !rebuildingFrequencies
            if stale { rebuildingFrequencies = true }
            return (cached, stale)
        }
        guard let cached else {
            let fresh = try TermFrequencies(db: db)
            cacheLock.withLock { frequencyCache = fresh }
            return fresh
        }
        if stale {
            DispatchQueue.global(qos: .utility).async { [self] in
                let fresh = try? pool.read { try TermFrequencies(db: $0) }
                cacheLock.withLock {
                    if let fresh, frequencyCache != nil { frequencyCache = fresh }
                    rebuildingFrequencies = false
                }
            }
        }
        return cached
    }

    func appendFilter(_ filter: SearchFilter, to sql: inout String, _ arguments: inout StatementArguments, table: String) {
        if !filter.services.isEmpty {
            sql += " AND \(table).service IN (\(Array(repeating: "?", count: filter.services.count).joined(separator: ",")))"
            arguments += StatementArguments(filter.services)
        }
        if !filter.levels.isEmpty {
            sql += " AND \(table).level IN (\(Array(repeating: "?", count: filter.levels.count).joined(separator: ",")))"
            arguments += StatementArguments(filter.levels.map(\.rawValue))
        }
        if let since = filter.since { sql += " AND \(table).timestamp >= ?"; arguments += [since] }
        if let until = filter.until { sql += " AND \(table).timestamp <= ?"; arguments += [until] }
        for (key, value) in filter.labels.sorted(by: { $0.key < $1.key }) {
            sql += " AND json_extract(\(table).labels, ?) = ?"
            arguments += ["$.\"\(key.replacingOccurrences(of: "\"", with: ""))\"", value]
        }
    }

    /// Events by id, in the order asked; only `tenant`'s (nil: any tenant's, for the embedder).
    public func events(ids: [Int64], tenant: String?) throws -> [StoredEvent] {
        guard !ids.isEmpty else { return [] }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE id IN (\(ids.map(String.init).joined(separator: ",")))"
                             + (tenant == nil ? "" : " AND tenant = ?"), arguments: StatementArguments([tenant].compactMap { $0 }))
        }
        let byID = Dictionary(uniqueKeysWithValues: rows.map { (($0["id"] as Int64), Self.event(from: $0)) })
        return ids.compactMap { byID[$0] }
    }

    public func event(externalID: String, tenant: String) throws -> StoredEvent? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM events WHERE tenant = ? AND external_id = ? ORDER BY id DESC LIMIT 1",
                             arguments: [tenant, externalID]).map(Self.event)
        }
    }

    /// Signatures by id with their pattern's template. `+s.tenant` keeps SQLite from walking all
    /// the tenant's signatures through the (tenant, service, hash) index instead of looking up each
    /// id: 10 ms against 0.3 at 20,000 signatures.
    static func signaturesSelect(ids: [Int64], tenant: Bool) -> String {
        """
        SELECT s.*, p.template FROM signatures s LEFT JOIN patterns p ON p.tenant = s.tenant AND p.id = s.pattern_id
        WHERE s.id IN (\(ids.map(String.init).joined(separator: ",")))
        """ + (tenant ? " AND +s.tenant = ?" : "")
    }

    /// Signatures by id, in the order asked; only `tenant`'s (nil: any tenant's, for the embedder).
    public func signatures(ids: [Int64], tenant: String?) throws -> [Signature] {
        guard !ids.isEmpty else { return [] }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: Self.signaturesSelect(ids: ids, tenant: tenant != nil), arguments: StatementArguments([tenant].compactMap { $0 }))
        }
        let byID = Dictionary(uniqueKeysWithValues: rows.map { row -> (Int64, Signature) in
            (row["id"], Signature(id: row["id"], tenant: row["tenant"], service: row["service"], message: row["message"],
                                  level: Severity(rawValue: row["level"]) ?? .unknown, count: row["count"],
                                  firstSeen: row["first_seen"], lastSeen: row["last_seen"], exampleEventID: row["example_event"],
                                  pattern: row["template"], patternID: row["pattern_id"], issueID: row["issue_id"]))
        })
        return ids.compactMap { byID[$0] }
    }

    public func events(signature: Int64, filter: SearchFilter, limit: Int) throws -> (events: [StoredEvent], total: Int) {
        try events(signatures: [signature], filter: filter, limit: limit)[signature] ?? ([], 0)
    }

    /// The newest `limit` events of each signature passing `filter`, and how many pass, in one read.
    public func events(signatures ids: [Int64], filter: SearchFilter, limit: Int) throws -> [Int64: (events: [StoredEvent], total: Int)] {
        guard !ids.isEmpty else { return [:] }
        return try pool.read { db in
            let newestEvent = try Int64.fetchOne(db, sql: "SELECT max(id) FROM events") ?? 0
            // Tenant and service belong to the signature: checked once, not on every event row.
            let signature = try db.cachedStatement(sql: "SELECT count, example_event FROM signatures WHERE id = ? AND tenant = ?"
                + (filter.services.isEmpty ? "" : " AND service IN (\(Array(repeating: "?", count: filter.services.count).joined(separator: ",")))"))
            var rest = filter
            rest.services = []
            var condition = " AND signature_id = ?"
            var restArguments = StatementArguments()
            appendFilter(rest, to: &condition, &restArguments, table: "events")
            // The newest of each segment, then the newest of those. Without a level or label filter the
            // (segment, signature, time) index answers alone, and only the rows kept are read.
            let fromIndex = rest.levels.isEmpty && rest.labels.isEmpty
            let newestOfSegment = try db.cachedStatement(sql: "SELECT \(fromIndex ? "id, timestamp" : "*") FROM events WHERE (id >> \(Self.segmentShift)) = ?"
                + condition + " ORDER BY timestamp DESC LIMIT \(limit)")
            var found: [Int64: (events: [StoredEvent], total: Int)] = [:]
            var kept: [Int64: [(id: Int64, timestamp: Int64)]] = [:]
            for id in ids {
                guard let row = try Row.fetchOne(signature, arguments: [id, filter.tenant] + StatementArguments(filter.services)) else { continue }
                let conditionArguments: StatementArguments = [id] + restArguments
                // The signature's first event (its example) is in the first segment holding its events.
                let first: Int64 = row["example_event"]
                let newest = max(first, newestEvent)
                let total = rest == SearchFilter(tenant: filter.tenant) ? row["count"] : try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM events WHERE " + Self.inSegments("id", from: first, through: newest) + condition,
                    arguments: conditionArguments) ?? 0
                var events: [StoredEvent] = []
                var newestIDs: [(id: Int64, timestamp: Int64)] = []
                for segment in (first >> Self.segmentShift)...(newest >> Self.segmentShift) {
                    if fromIndex {
                        newestIDs += try Row.fetchAll(newestOfSegment, arguments: [segment] + conditionArguments).map { ($0[0], $0[1]) }
                    } else {
                        events += try Row.fetchAll(newestOfSegment, arguments: [segment] + conditionArguments).map(Self.event)
                    }
                }
                kept[id] = Array(newestIDs.sorted { ($0.timestamp, $0.id) > ($1.timestamp, $1.id) }.prefix(limit))
                found[id] = (Array(events.sorted { ($0.timestamp, $0.id) > ($1.timestamp, $1.id) }.prefix(limit)), total)
            }
            if fromIndex {
                let wanted = kept.values.flatMap { $0.map(\.id) }
                let rows = wanted.isEmpty ? [] : try Row.fetchAll(db, sql: "SELECT * FROM events WHERE id IN (\(wanted.map(String.init).joined(separator: ",")))")
                let byID = Dictionary(uniqueKeysWithValues: rows.map { (($0["id"] as Int64), Self.event(from: $0)) })
                for (id, newest) in kept { found[id]?.events = newest.compactMap { byID[$0.id] } }
            }
            return found
        }
    }

    /// Signatures with events in `since...until` (nanoseconds), each with its event counts in
    /// `buckets` equal slices of that range, the most frequent `limit` first. Reads the
    /// (segment, signature, time) index of the signatures active in the range.
    /// `signatures`, when given, limits the answer to those (sparklines of search results).
    public func signatureCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int,
                                signatures wanted: [Int64] = []) throws -> [SignatureCounts] {
        let buckets = max(1, buckets)
        let width = Self.bucketWidth(since: since, until: until, buckets: buckets)
        var counts: [Int64: [Int]] = [:]
        try pool.read { db in
            // CROSS JOIN: the signatures active in the range first, then each one's events through the index.
            var sql = """
                SELECT e.signature_id, (e.timestamp - ?) / ?, count(*) FROM signatures s
                CROSS JOIN events e ON \(try inAllSegments("e.id", db)) AND e.signature_id = s.id AND e.timestamp BETWEEN ? AND ?
                WHERE \(wanted.isEmpty ? "" : "+")s.tenant = ? AND s.last_seen >= ? AND s.first_seen <= ?
                """
            var arguments: StatementArguments = [since, width, since, until, filter.tenant, since, until]
            // Services and levels are the signature's; the range and labels are the events'.
            appendFilter(SearchFilter(tenant: filter.tenant, services: filter.services, levels: filter.levels), to: &sql, &arguments, table: "s")
            appendFilter(SearchFilter(tenant: filter.tenant, labels: filter.labels), to: &sql, &arguments, table: "e")
            // `+s.tenant` above: these ids looked up one by one, not the tenant's signatures walked (see `signaturesSelect`).
            if !wanted.isEmpty { sql += " AND s.id IN (\(wanted.map(String.init).joined(separator: ",")))" }
            let rows = try Row.fetchCursor(db, sql: sql + " GROUP BY 1, 2", arguments: arguments)
            while let row = try rows.next() {
                let bucket = min(buckets - 1, max(0, Int(row[1] as Int64)))
                counts[row[0], default: Array(repeating: 0, count: buckets)][bucket] += row[2] as Int
            }
        }
        let top = counts.sorted { ($0.value.reduce(0, +), $1.key) > ($1.value.reduce(0, +), $0.key) }.prefix(limit)
        let signatures = Dictionary(uniqueKeysWithValues: try signatures(ids: top.map(\.key), tenant: filter.tenant).map { ($0.id, $0) })
        return top.compactMap { id, buckets in signatures[id].map { SignatureCounts(signature: $0, counts: buckets) } }
    }

    /// Nanoseconds each of `buckets` equal slices of `since...until` spans (the last may be shorter).
    public static func bucketWidth(since: Int64, until: Int64, buckets: Int) -> Int64 {
        // Any two Int64 are at most UInt64.max apart: the width is computed without overflow.
        let width = UInt64(bitPattern: until &- since) / UInt64(max(1, buckets))
        return width >= UInt64(Int64.max) ? Int64.max : Int64(width) + 1
    }

    /// Time of the tenant's oldest event (its signatures' earliest first-seen), or nil when it has none.
    public func earliestEvent(tenant: String) throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT min(first_seen) FROM signatures WHERE tenant = ?", arguments: [tenant]) }
    }

    static func event(from row: Row) -> StoredEvent {
        let labels = LabelsJSON.decode(row["labels"])
        return StoredEvent(id: row["id"], externalID: row["external_id"], tenant: row["tenant"], service: row["service"],
                           level: Severity(rawValue: row["level"]) ?? .unknown, timestamp: row["timestamp"],
                           labels: labels, body: row["body"], signatureID: row["signature_id"], lineTimestamp: row["line_timestamp"])
    }
}

extension SQLiteStore {
    /// The services `tenant` has events of.
    public func services(tenant: String) throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT service FROM signatures WHERE tenant = ?", arguments: [tenant]) }
    }
}

extension SQLiteStore {
    /// `tenant`'s signatures, and how many of them still wait for a vector under `model`.
    public func embeddingBacklog(tenant: String, model: String) throws -> (signatures: Int, waiting: Int) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM vectors v WHERE v.model = ? AND v.signature_id = s.id))
                FROM signatures s WHERE s.tenant = ?
                """, arguments: [model, tenant])!
            return (row[0], row[1])
        }
    }
}
