import DejaCore
import Foundation
import GRDB
import GRDBSQLite

/// The write path: batches of prepared events in one transaction, with their signatures, counts,
/// keyword-index rows, patterns and write-ahead-log position.
extension SQLiteStore {

    /// Stores `batch` in one transaction (rows made on the calling thread).
    public func ingest(_ batch: [PreparedEvent], patterns: PatternAssigner? = nil) throws -> IngestSummary {
        try ingest(batch.map(EventRow.init), patterns: patterns)
    }

    public func ingest(_ batch: [EventRow], patterns: PatternAssigner? = nil) throws -> IngestSummary {
        var taken = false
        return try ingest(batches: {
            defer { taken = true }
            return taken ? nil : (batch, nil)
        }, patterns: patterns)
    }

    /// Stores in one transaction the batches `next` gives until it gives nil, and, in the same
    /// transaction, the last write-ahead-log position given as applied: after a crash, replay
    /// resumes exactly there. One transaction for several batches writes each
    /// index page it touches once, not once per batch.
    /// With `patterns`, each new signature gets its pattern in the same transaction.
    public func ingest(batches next: () throws -> (events: [EventRow], walPosition: UInt64?)?,
                       patterns: PatternAssigner? = nil) throws -> IngestSummary {
        defer { truncateLogIfLarge() }
        do {
            return try write(batches: next, patterns: patterns)
        } catch {
            // What the assigner learned from the rolled-back signatures is not stored: it starts over from what is.
            try patterns?.rolledBack()
            throw error
        }
    }

    private func write(batches next: () throws -> (events: [EventRow], walPosition: UInt64?)?,
                       patterns: PatternAssigner?) throws -> IngestSummary {
        try pool.write { db in
            var summary = IngestSummary()
            var applied: UInt64?
            let findSignature = try db.cachedStatement(sql: "SELECT id FROM signatures WHERE tenant = ? AND service = ? AND hash = ?")
            let insertSignature = try db.cachedStatement(sql: """
                INSERT INTO signatures (tenant, service, hash, message, level, count, first_seen, last_seen, example_event, pattern_id, id)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?, 0, ?, ?)
                """)
            let insertEvent = try db.cachedStatement(sql: """
                INSERT INTO events (external_id, tenant, service, level, timestamp, labels, body, signature_id, line_timestamp)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertText = try db.cachedStatement(sql: "INSERT INTO events_fts (rowid, terms) VALUES (?, ?)")
            let insertSignatureText = try db.cachedStatement(sql: "INSERT INTO signatures_fts (rowid, terms) VALUES (?, ?)")
            let count = try db.cachedStatement(sql: """
                UPDATE signatures SET count = count + ?1, first_seen = min(first_seen, ?2), last_seen = max(last_seen, ?3),
                    level = max(level, ?4), example_event = CASE WHEN example_event = 0 THEN ?5 ELSE example_event END
                WHERE id = ?6
                """)
            // Counts, times and levels change once per signature per transaction, not once per event.
            var changes: [Int64: SignatureChange] = [:]
            let (find, insertSig, insertRow, index) = (RawStatement(findSignature, in: db), RawStatement(insertSignature, in: db),
                                                       RawStatement(insertEvent, in: db), RawStatement(insertText, in: db))
            var known: [String: Int64] = [:]
            while let (batch, walPosition) = try next() {
                applied = walPosition ?? applied
                for item in batch {
                    let e = item.event
                    let key = e.tenant + "\u{0}" + e.service + "\u{0}" + item.signatureHash
                    var signatureID = known[key]
                    if signatureID == nil {
                        find.bind(1, e.tenant); find.bind(2, e.service); find.bind(3, item.signatureHash)
                        signatureID = try find.fetchInt64()
                    }
                    if signatureID == nil {
                        insertSig.bind(1, e.tenant); insertSig.bind(2, e.service); insertSig.bind(3, item.signatureHash)
                        insertSig.bind(4, item.message); insertSig.bind(5, Int64(e.level.rawValue)); insertSig.bind(6, e.timestamp)
                        insertSig.bind(7, e.timestamp)
                        insertSig.bind(8, patterns?.pattern(tenant: e.tenant, message: item.message))
                        // In cluster mode the shared state numbers signatures, the same on every replica.
                        insertSig.bind(9, item.signatureID)
                        try insertSig.execute()
                        signatureID = insertSig.lastInsertedRowID
                        patterns?.stored(signature: signatureID!, tenant: e.tenant)
                        try insertSignatureText.execute(arguments: [signatureID, KeywordTerms.signatureText(item.message)])
                        summary.newSignatures.append(signatureID!)
                    }
                    known[key] = signatureID
                    insertRow.bind(1, e.externalID); insertRow.bind(2, e.tenant); insertRow.bind(3, e.service); insertRow.bind(4, Int64(e.level.rawValue))
                    insertRow.bind(5, e.timestamp); insertRow.bind(6, item.labelsJSON); insertRow.bind(7, item.body); insertRow.bind(8, signatureID!)
                    insertRow.bind(9, e.lineTimestamp)
                    try insertRow.execute()
                    let eventID = insertRow.lastInsertedRowID
                    index.bind(1, eventID); index.bind(2, item.indexText)
                    try index.execute()
                    changes[signatureID!, default: SignatureChange(firstEvent: eventID)].add(e)
                    summary.events += 1
                }
            }
            if let applied {
                try db.execute(sql: "INSERT OR REPLACE INTO wal_state (id, applied) VALUES (1, ?)", arguments: [Int64(applied)])
            }
            for (id, change) in changes {
                try count.execute(arguments: [change.count, change.firstSeen, change.lastSeen, change.level, change.firstEvent, id])
            }
            if let update = try patterns?.pendingUpdate() { try Self.write(update, db) }
            return summary
        }
    }

    private func truncateLogIfLarge() {
        guard let size = try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int,
              size > logTruncateBytes else { return }
        // Waits a moment for the log's readers to finish, not the writer's whole busy timeout:
        // when one is still reading, the next commit tries again.
        try? pool.writeWithoutTransaction { db in
            sqlite3_busy_timeout(db.sqliteConnection, 200)
            defer { sqlite3_busy_timeout(db.sqliteConnection, Int32(Self.busyTimeout * 1000)) }
            _ = try db.checkpoint(.truncate)
        }
    }

    /// The write-ahead-log position of the last batch stored through it (0 when none).
    public func walApplied() throws -> UInt64 {
        UInt64(try pool.read { db in try Int64.fetchOne(db, sql: "SELECT applied FROM wal_state WHERE id = 1") } ?? 0)
    }
}

/// What one ingest batch does to a signature's count, first and last seen, and level.
private struct SignatureChange {
    var count = 0
    var firstSeen = Int64.max
    var lastSeen = Int64.min
    var level = 0
    /// The batch's first event of the signature: its example when it has none yet.
    let firstEvent: Int64

    init(firstEvent: Int64) { self.firstEvent = firstEvent }

    mutating func add(_ event: LogEvent) {
        count += 1
        firstSeen = min(firstSeen, event.timestamp)
        lastSeen = max(lastSeen, event.timestamp)
        level = max(level, event.level.rawValue)
    }
}
