import DejaCore
import Foundation
import PostgresNIO

/// Patterns and issues as the grouping leader stored them, counted from every replica's events:
/// the same answer from any replica.
extension PostgresLedger: SignatureReading {
    /// The seeds' issues and each issue's most counted members, as the grouping leader last ranked
    /// them (`rankIssueMembers`): one index read, where ranking live sorted every member of a
    /// large issue on every search.
    public func issueMembers(of signatures: [Int64], tenant: String, membersPerIssue: Int) throws -> (issueOf: [Int64: Int64], members: [Int64: [Int64]]) {
        guard !signatures.isEmpty else { return ([:], [:]) }
        return try run { [client, logger] in
            var issueOf: [Int64: Int64] = [:]
            var members: [Int64: [Int64]] = [:]
            // Seeds come with a null member, members with a null seed.
            for try await (seed, issue, member) in try await client.query("""
                WITH seeds AS (
                    SELECT signature_id, issue_id FROM deja_signature_groups
                    WHERE signature_id = ANY(\(signatures)::int8[]) AND tenant = \(tenant) AND issue_id IS NOT NULL)
                SELECT signature_id, issue_id, NULL::int8 FROM seeds
                UNION ALL
                SELECT NULL::int8, issue_id, signature_id FROM deja_issue_top_members
                WHERE tenant = \(tenant) AND issue_id IN (SELECT issue_id FROM seeds) AND rank <= \(membersPerIssue)
                """, logger: logger).decode((Int64?, Int64, Int64?).self) {
                if let seed { issueOf[seed] = issue }
                if let member { members[issue, default: []].append(member) }
            }
            return (issueOf, members)
        }
    }

    /// Members ranked per issue by `rankIssueMembers`: as many as a search asks for (its candidates).
    static let rankedMembersPerIssue = 100

    /// Ranks each issue's members by count (the most counted `rankedMembersPerIssue`) for searches
    /// to read: done by the grouping leader after it placed signatures or changed issues, and as
    /// counts move. Replaced in one transaction, so every replica reads the same ranking.
    public func rankIssueMembers(lease: Lease) throws {
        try underLease(lease) { [logger] connection in
            try await connection.query("DELETE FROM deja_issue_top_members", logger: logger)
            try await connection.query("""
                INSERT INTO deja_issue_top_members (tenant, issue_id, rank, signature_id)
                SELECT tenant, issue_id, rank, signature_id FROM (
                    SELECT g.tenant, g.issue_id, g.signature_id,
                           row_number() OVER (PARTITION BY g.tenant, g.issue_id ORDER BY s.count DESC, s.id) AS rank
                    FROM deja_signature_groups g JOIN deja_signatures s ON s.id = g.signature_id
                    WHERE g.issue_id IS NOT NULL) ranked
                WHERE rank <= \(Self.rankedMembersPerIssue)
                """, logger: logger)
        }
    }

    public func patternCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int) throws -> [PatternCounts] {
        let signatures = try signatureCounts(filter: filter, since: since, until: until, buckets: buckets, limit: Int.max, signatures: [])
        let templates: [Int64: (template: String, mergedInto: Int64?)] = try run { [client, logger, tenant = filter.tenant] in
            var templates: [Int64: (template: String, mergedInto: Int64?)] = [:]
            for try await (id, template, mergedInto) in try await client.query(
                "SELECT id, template, merged_into FROM deja_patterns WHERE tenant = \(tenant)", logger: logger).decode((Int64, String, Int64?).self) {
                templates[id] = (template, mergedInto)
            }
            return templates
        }
        return PatternCounts.grouping(signatures, tenant: filter.tenant, templates: templates, limit: limit)
    }

    /// The tenant's signatures, and how many of them are not yet in an issue: the cluster's
    /// backlog (a vector to be published to ChromaDB, then placed by the grouping leader).
    public func embeddingBacklog(tenant: String, model: String) throws -> (signatures: Int, waiting: Int) {
        try run { [client, logger] in
            for try await (all, waiting) in try await client.query("""
                SELECT count(*), count(*) FILTER (WHERE g.issue_id IS NULL) FROM deja_signatures s
                LEFT JOIN deja_signature_groups g ON g.signature_id = s.id WHERE s.tenant = \(tenant)
                """, logger: logger).decode((Int64, Int64).self) {
                return (Int(all), Int(waiting))
            }
            return (0, 0)
        }
    }

    public func issueSurvivor(_ id: Int64, tenant: String) throws -> Int64? {
        try run { [client, logger] in
            for try await survivor in try await client.query(
                "SELECT coalesce(merged_into, id) FROM deja_issues WHERE tenant = \(tenant) AND id = \(id)", logger: logger).decode(Int64.self) {
                return survivor
            }
            return nil
        }
    }

    public func issueCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, issues wanted: [Int64]) throws -> [IssueCounts] {
        let signatures = try signatureCounts(filter: filter, since: since, until: until, buckets: buckets, limit: Int.max, signatures: [])
        return IssueCounts.grouping(signatures, tenant: filter.tenant, wanted: wanted)
    }

    public func issue(_ id: Int64, tenant: String) throws -> (issue: Issue, signatures: [Signature])? {
        let members = try run { [client, logger] in
            try await client.withConnection { connection in
                var ids: [Int64] = []
                for try await member in try await connection.query(
                    "SELECT signature_id FROM deja_signature_groups WHERE tenant = \(tenant) AND issue_id = \(id)", logger: logger).decode(Int64.self) {
                    ids.append(member)
                }
                return try await Self.signatures(ids: ids, tenant: tenant, on: connection, logger: logger)
            }
        }
        return Issue.assembled(id, tenant: tenant, members: members)
    }
}
