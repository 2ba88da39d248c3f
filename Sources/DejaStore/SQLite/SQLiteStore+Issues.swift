import DejaCore
import Foundation
import GRDB

/// The issue stage's tables: each signature's issue, issues merged into others, and issues a user
/// split apart; and issues read back with what their signatures add up to. A merge rewrites the
/// members' issue, so a signature always names a live issue; the merged id keeps resolving.
extension SQLiteStore {
    /// Signatures with a vector under `model`, after id `after` in id order: placed ones (`placed`)
    /// to restore a clusterer, or ones without an issue yet to place.
    public func issueMembers(model: String, placed: Bool, after: Int64, limit: Int) throws -> [IssueMemberRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.id, s.tenant, s.issue_id, s.level, s.message, s.pattern_id, v.vector FROM signatures s
                JOIN vectors v ON v.model = ? AND v.signature_id = s.id
                WHERE s.id > ? AND s.issue_id IS \(placed ? "NOT " : "")NULL ORDER BY s.id LIMIT ?
                """, arguments: [model, after, limit]).map { row in
                let blob: Data = row["vector"]
                return IssueMemberRow(signature: row["id"], tenant: row["tenant"], issue: row["issue_id"],
                                      level: Severity(rawValue: row["level"]) ?? .unknown, message: row["message"], pattern: row["pattern_id"],
                                      vector: blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
            }
        }
    }

    /// Issues merged into others, and pairs split apart by a user, per tenant.
    public func issueDecisions() throws -> IssueDecisions {
        try pool.read { db in
            let merges = try Row.fetchAll(db, sql: "SELECT tenant, id, merged_into FROM issues WHERE merged_into IS NOT NULL")
                .map { (tenant: $0["tenant"] as String, from: $0["id"] as Int64, into: $0["merged_into"] as Int64) }
            let apart = try Row.fetchAll(db, sql: "SELECT tenant, first, second FROM issue_splits")
                .map { (tenant: $0["tenant"] as String, $0["first"] as Int64, $0["second"] as Int64) }
            var maxID: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT tenant, max(id) AS id FROM issues GROUP BY tenant") { maxID[row["tenant"]] = row["id"] }
            return IssueDecisions(merges: merges, apart: apart, maxID: maxID)
        }
    }

    /// Stores what the issue stage decided, in one transaction.
    public func commit(_ update: IssueUpdate) throws {
        guard !update.isEmpty else { return }
        try pool.write { db in
            let create = try db.cachedStatement(sql: "INSERT OR IGNORE INTO issues (tenant, id) VALUES (?, ?)")
            for (tenant, id) in update.created { try create.execute(arguments: [tenant, id]) }
            let assign = try db.cachedStatement(sql: "UPDATE signatures SET issue_id = ? WHERE id = ?")
            for (signature, issue) in update.assignments { try assign.execute(arguments: [issue, signature]) }
            for (tenant, from, into) in update.merges {
                try db.execute(sql: "UPDATE issues SET merged_into = ?3 WHERE tenant = ?1 AND (id = ?2 OR merged_into = ?2)", arguments: [tenant, from, into])
                try db.execute(sql: "UPDATE signatures SET issue_id = ?3 WHERE tenant = ?1 AND issue_id = ?2", arguments: [tenant, from, into])
                try db.execute(sql: "DELETE FROM issue_splits WHERE tenant = ?1 AND ((first = ?2 AND second = ?3) OR (first = ?3 AND second = ?2))",
                               arguments: [tenant, from, into])
            }
            let apart = try db.cachedStatement(sql: "INSERT OR IGNORE INTO issue_splits (tenant, first, second) VALUES (?, ?, ?)")
            for (tenant, first, second) in update.apart { try apart.execute(arguments: [tenant, min(first, second), max(first, second)]) }
        }
    }

    /// The issue of each of `signatures` that has one, and the signatures of those issues (at most
    /// `membersPerIssue` each, the most frequent first).
    public func issueMembers(of signatures: [Int64], tenant: String, membersPerIssue: Int) throws -> (issueOf: [Int64: Int64], members: [Int64: [Int64]]) {
        guard !signatures.isEmpty else { return ([:], [:]) }
        return try pool.read { db in
            var issueOf: [Int64: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, issue_id FROM signatures WHERE id IN (\(signatures.map(String.init).joined(separator: ","))) AND +tenant = ? AND issue_id IS NOT NULL",
                                        arguments: [tenant]) {
                issueOf[row[0]] = row[1]
            }
            var members: [Int64: [Int64]] = [:]
            let statement = try db.cachedStatement(sql: "SELECT id FROM signatures WHERE tenant = ? AND issue_id = ? ORDER BY count DESC LIMIT ?")
            for issue in Set(issueOf.values) {
                members[issue] = try Int64.fetchAll(statement, arguments: [tenant, issue, membersPerIssue])
            }
            return (issueOf, members)
        }
    }

    /// The live issue `id` is or was merged into, when `tenant` has it.
    public func issueSurvivor(_ id: Int64, tenant: String) throws -> Int64? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT coalesce(merged_into, id) FROM issues WHERE tenant = ? AND id = ?", arguments: [tenant, id])?[0]
        }
    }

    /// Issues with events in `since...until` among the signatures `filter` passes, each with its
    /// event counts in `buckets` equal slices of the range: its signatures' counts added up.
    public func issueCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, issues wanted: [Int64] = []) throws -> [IssueCounts] {
        let signatures = try signatureCounts(filter: filter, since: since, until: until, buckets: buckets, limit: Int.max)
        return IssueCounts.grouping(signatures, tenant: filter.tenant, wanted: wanted)
    }

    /// A live issue of `tenant` with all its signatures, the most frequent first.
    public func issue(_ id: Int64, tenant: String) throws -> (issue: Issue, signatures: [Signature])? {
        let ids = try pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM signatures WHERE tenant = ? AND issue_id = ?", arguments: [tenant, id])
        }
        guard !ids.isEmpty else { return nil }
        return Issue.assembled(id, tenant: tenant, members: try signatures(ids: ids, tenant: tenant))
    }
}

extension SQLiteStore {
    /// Every event of `tenant` with its issue (nil while its signature is not placed), in id order:
    /// the id its sender gave, else Deja's number.
    public func forEachEventIssue(tenant: String, _ body: (_ eventID: String, _ issue: Int64?) throws -> Void) throws {
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT e.id, e.external_id, s.issue_id FROM events e JOIN signatures s ON s.id = e.signature_id WHERE e.tenant = ? ORDER BY e.id
                """, arguments: [tenant])
            while let row = try rows.next() {
                let external: String? = row[1]
                try body(external ?? String(row[0] as Int64), row[2])
            }
        }
    }
}
