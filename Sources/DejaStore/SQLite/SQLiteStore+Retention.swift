import DejaCore
import Foundation
import GRDB

/// Retention: a tenant's old events go, with the signatures they leave empty.
extension SQLiteStore {
    /// Removes `tenant`'s events older than `cutoff`, and its signatures left with none.
    public func removeEvents(olderThan cutoff: Int64, tenant: String) throws -> (events: Int, signatures: Int) {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO events_fts (events_fts, rowid, terms)
                SELECT 'delete', e.id, deja_event_terms(e.body, s.message) FROM events e JOIN signatures s ON s.id = e.signature_id
                WHERE e.timestamp < ? AND e.tenant = ?
                """, arguments: [cutoff, tenant])
            try db.execute(sql: "DELETE FROM events WHERE timestamp < ? AND tenant = ?", arguments: [cutoff, tenant])
            let events = db.changesCount
            let emptied = "tenant = ? AND id NOT IN (SELECT DISTINCT signature_id FROM events)"
            try db.execute(sql: """
                DELETE FROM vectors WHERE tenant = ? AND signature_id NOT IN (SELECT DISTINCT signature_id FROM events)
                """, arguments: [tenant])
            // An external index learns of removed signatures through the outbox.
            try db.execute(sql: """
                INSERT OR IGNORE INTO index_removals (tenant, service, hash)
                SELECT tenant, service, hash FROM signatures WHERE indexed_count <> 0 AND \(emptied)
                """, arguments: [tenant])
            try db.execute(sql: """
                INSERT INTO signatures_fts (signatures_fts, rowid, terms)
                SELECT 'delete', id, deja_signature_terms(message) FROM signatures WHERE \(emptied)
                """, arguments: [tenant])
            try db.execute(sql: "DELETE FROM signatures WHERE \(emptied)", arguments: [tenant])
            let signatures = db.changesCount
            // Counts and first-seen follow the events that remain; a published signature is published again.
            let ofSignature = try inAllSegments("id", db) + " AND signature_id = signatures.id"
            try db.execute(sql: """
                UPDATE signatures SET count = (SELECT count(*) FROM events WHERE \(ofSignature)),
                    first_seen = (SELECT min(timestamp) FROM events WHERE \(ofSignature)),
                    indexed_count = CASE indexed_count WHEN 0 THEN 0 ELSE -1 END
                WHERE first_seen < ? AND tenant = ?
                """, arguments: [cutoff, tenant])
            cacheLock.withLock { vectorCache.removeAll(); vectorGeneration += 1; frequencyCache = nil }
            return (events, signatures)
        }
    }
}
