import DejaCore
import Foundation
import GRDB

/// Retention: a tenant's old events go, with the signatures they leave empty.
extension SQLiteStore {
    /// Removes `tenant`'s events older than `cutoff`, and its signatures left with none. Events go
    /// `idsPerTransaction` ids at a time, each range in a transaction of its own: a first pass over
    /// a long-kept store holds the writer for moments at a time, not for the whole removal, and
    /// the WAL file grows by one range. Stopped between ranges, the next pass finishes the work.
    /// With `sharedIndex` (cluster mode) the external index is the cluster's: another replica may
    /// still count a signature removed here, so its record is not removed.
    public func removeEvents(olderThan cutoff: Int64, tenant: String, idsPerTransaction: Int64 = 1 << 14,
                             sharedIndex: Bool = false) throws -> (events: Int, signatures: Int) {
        var events = 0
        if let range = try pool.read(Self.eventIDs) {
            for start in stride(from: range.first, through: range.last, by: Int(idsPerTransaction)) {
                events += try pool.write { db in
                    let arguments: StatementArguments = [start, start + idsPerTransaction, cutoff, tenant]
                    try db.execute(sql: """
                        INSERT INTO events_fts (events_fts, rowid, terms)
                        SELECT 'delete', e.id, deja_event_terms(e.body, s.message) FROM events e JOIN signatures s ON s.id = e.signature_id
                        WHERE e.id >= ? AND e.id < ? AND e.timestamp < ? AND e.tenant = ?
                        """, arguments: arguments)
                    try db.execute(sql: "DELETE FROM events WHERE id >= ? AND id < ? AND timestamp < ? AND tenant = ?", arguments: arguments)
                    return db.changesCount
                }
            }
        }
        let removedEvents = events
        // Signatures left empty go without SQLite's foreign-key check, which scans every event for
        // each (no index leads with `signature_id`: ingest keeps a segmented one): 8,910 signatures
        // took 233 s at 500,000 events. `emptied` says already that no event refers to them.
        return try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            var removedSignatures = 0
            try db.inTransaction {
                removedSignatures = try removeEmptiedSignatures(olderThan: cutoff, tenant: tenant, sharedIndex: sharedIndex, db)
                return .commit
            }
            cacheLock.withLock { vectorCache.removeAll(); vectorGeneration += 1; frequencyCache = nil }
            return (removedEvents, removedSignatures)
        }
    }

    /// Removes `tenant`'s signatures no event refers to, and recounts those that lost events.
    private func removeEmptiedSignatures(olderThan cutoff: Int64, tenant: String, sharedIndex: Bool, _ db: Database) throws -> Int {
        // Found once (a scan of the events), then removed from each table that holds them.
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS emptied_signatures (id INTEGER PRIMARY KEY)")
        defer { try? db.execute(sql: "DROP TABLE temp.emptied_signatures") }
        try db.execute(sql: """
            INSERT INTO temp.emptied_signatures SELECT id FROM signatures
            WHERE tenant = ? AND id NOT IN (SELECT DISTINCT signature_id FROM events)
            """, arguments: [tenant])
        let emptied = "id IN (SELECT id FROM temp.emptied_signatures)"
        try db.execute(sql: "DELETE FROM vectors WHERE signature_id IN (SELECT id FROM temp.emptied_signatures)")
        // An external index learns of removed signatures through the outbox.
        if !sharedIndex {
            try db.execute(sql: """
                INSERT OR IGNORE INTO index_removals (tenant, service, hash)
                SELECT tenant, service, hash FROM signatures WHERE indexed_count <> 0 AND \(emptied)
                """)
        }
        try db.execute(sql: """
            INSERT INTO signatures_fts (signatures_fts, rowid, terms)
            SELECT 'delete', id, deja_signature_terms(message) FROM signatures WHERE \(emptied)
            """)
        try db.execute(sql: "DELETE FROM signatures WHERE \(emptied)")
        let signatures = db.changesCount
        // Counts and first-seen follow the events that remain; a published signature is published again.
        let ofSignature = try inAllSegments("id", db) + " AND signature_id = signatures.id"
        try db.execute(sql: """
            UPDATE signatures SET count = (SELECT count(*) FROM events WHERE \(ofSignature)),
                first_seen = (SELECT min(timestamp) FROM events WHERE \(ofSignature)),
                indexed_count = CASE indexed_count WHEN 0 THEN 0 ELSE -1 END
            WHERE first_seen < ? AND tenant = ?
            """, arguments: [cutoff, tenant])
        return signatures
    }
}
