import DejaCore
import Foundation
import PostgresNIO
import Synchronization

/// The issue stage's state in cluster mode: placements, merges and splits in PostgreSQL, vectors
/// from ChromaDB (where every replica publishes them), so that the replica leading grouping places
/// every replica's signatures. Writes hold the grouping lease: a leader that lost it cannot write.
public final class SharedIssueState: IssueState {
    public let ledger: PostgresLedger
    public let vectorIndex: ChromaVectorStore
    public let lease: Lease
    /// Waiting signatures ChromaDB did not have yet, and when to ask again: each pass would
    /// otherwise ask about every one of them, and ChromaDB answers searches too.
    private let absentUntil = Mutex<[Int64: Date]>([:])
    static let askAgainAfter: TimeInterval = 10

    public init(ledger: PostgresLedger, vectorIndex: ChromaVectorStore, lease: Lease) {
        self.ledger = ledger
        self.vectorIndex = vectorIndex
        self.lease = lease
    }

    /// Rows of signatures that have a pattern, after `after`, with their vectors; signatures whose
    /// vector is not in ChromaDB yet are passed over (a later pass finds them).
    public func issueMembers(model: String, placed: Bool, after: Int64, limit: Int) throws -> [IssueMemberRow] {
        var after = after
        while true {
            // Reading every member (a new leader's first pass) can outlast the lease: each page renews it.
            guard try ledger.hold(lease) else { throw SharedStateError.leaseLost(lease.name) }
            let candidates: [(row: IssueMemberRow, service: String, hash: String)] = try ledger.run { [client = ledger.client, logger = ledger.logger, after] in
                var rows: [(row: IssueMemberRow, service: String, hash: String)] = []
                for try await (id, tenant, issue, level, message, pattern, service, hash) in try await client.query("""
                    SELECT g.signature_id, g.tenant, g.issue_id, s.level, s.message, g.pattern_id, s.service, s.hash
                    FROM deja_signature_groups g JOIN deja_signatures s ON s.id = g.signature_id
                    WHERE g.signature_id > \(after) AND (g.issue_id IS NOT NULL) = \(placed) ORDER BY g.signature_id LIMIT \(limit)
                    """, logger: logger).decode((Int64, String, Int64?, Int16, String, Int64, String, String).self) {
                    rows.append((IssueMemberRow(signature: id, tenant: tenant, issue: issue, level: Severity(rawValue: Int(level)) ?? .unknown,
                                                message: message, pattern: pattern, vector: []), service, hash))
                }
                return rows
            }
            guard let last = candidates.last else { return [] }
            let now = Date()
            let asked = placed ? candidates : absentUntil.withLock { absent in candidates.filter { (absent[$0.row.signature] ?? now) <= now } }
            var found: [IssueMemberRow] = []
            for (tenant, group) in Dictionary(grouping: asked, by: \.row.tenant) {
                // Signatures waiting for a place are often not published yet: ask which are before fetching vectors.
                let vectors = try vectorIndex.vectors(tenant: tenant, keys: group.map { IndexKey.of(service: $0.service, hash: $0.hash) }, probe: !placed)
                var missing: [Int64] = []
                for candidate in group {
                    guard let vector = vectors[IndexKey.of(service: candidate.service, hash: candidate.hash)] else {
                        missing.append(candidate.row.signature)
                        continue
                    }
                    var row = candidate.row
                    row.vector = vector
                    found.append(row)
                }
                if !placed {
                    absentUntil.withLock { absent in
                        for id in missing { absent[id] = now.addingTimeInterval(Self.askAgainAfter) }
                        for row in found { absent[row.signature] = nil }
                    }
                }
            }
            if !found.isEmpty || candidates.count < limit { return found.sorted { $0.signature < $1.signature } }
            after = last.row.signature
        }
    }

    public func issueDecisions() throws -> IssueDecisions {
        try ledger.run(timeout: PostgresLedger.writeTimeout) { [client = ledger.client, logger = ledger.logger] in
            var decisions = IssueDecisions(merges: [], apart: [], maxID: [:])
            for try await (tenant, from, into) in try await client.query(
                "SELECT tenant, id, merged_into FROM deja_issues WHERE merged_into IS NOT NULL", logger: logger).decode((String, Int64, Int64).self) {
                decisions.merges.append((tenant, from, into))
            }
            for try await (tenant, first, second) in try await client.query(
                "SELECT tenant, first, second FROM deja_issue_splits", logger: logger).decode((String, Int64, Int64).self) {
                decisions.apart.append((tenant, first, second))
            }
            for try await (tenant, id) in try await client.query(
                "SELECT tenant, max(id) FROM deja_issues GROUP BY tenant", logger: logger).decode((String, Int64).self) {
                decisions.maxID[tenant] = id
            }
            return decisions
        }
    }

    /// Stores what the issue stage decided, in one transaction under the lease.
    public func commit(_ update: IssueUpdate) throws {
        guard !update.isEmpty else { return }
        try ledger.underLease(lease) { [logger = ledger.logger] connection in
            if !update.created.isEmpty {
                try await connection.query("""
                    INSERT INTO deja_issues (tenant, id) SELECT * FROM unnest(\(update.created.map(\.tenant))::text[], \(update.created.map(\.id))::int8[])
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            if !update.assignments.isEmpty {
                try await connection.query("""
                    UPDATE deja_signature_groups g SET issue_id = a.issue
                    FROM unnest(\(update.assignments.map(\.signature))::int8[], \(update.assignments.map(\.issue))::int8[]) AS a(signature, issue)
                    WHERE g.signature_id = a.signature
                    """, logger: logger)
            }
            for (tenant, from, into) in update.merges {
                try await connection.query(
                    "UPDATE deja_issues SET merged_into = \(into) WHERE tenant = \(tenant) AND (id = \(from) OR merged_into = \(from))", logger: logger)
                try await connection.query(
                    "UPDATE deja_signature_groups SET issue_id = \(into) WHERE tenant = \(tenant) AND issue_id = \(from)", logger: logger)
                try await connection.query("""
                    DELETE FROM deja_issue_splits WHERE tenant = \(tenant)
                      AND ((first = \(from) AND second = \(into)) OR (first = \(into) AND second = \(from)))
                    """, logger: logger)
            }
            for (tenant, first, second) in update.apart {
                try await connection.query("""
                    INSERT INTO deja_issue_splits (tenant, first, second) VALUES (\(tenant), \(min(first, second)), \(max(first, second)))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
    }

    public func issueSurvivor(_ id: Int64, tenant: String) throws -> Int64? {
        try ledger.issueSurvivor(id, tenant: tenant)
    }

    public func issue(_ id: Int64, tenant: String) throws -> (issue: Issue, signatures: [Signature])? {
        try ledger.issue(id, tenant: tenant)
    }

    public func vectors(signatures ids: [Int64], model: String) throws -> [Int64: [Float]] {
        guard !ids.isEmpty else { return [:] }
        let keys: [(id: Int64, tenant: String, key: String)] = try ledger.run { [client = ledger.client, logger = ledger.logger] in
            var keys: [(id: Int64, tenant: String, key: String)] = []
            for try await (id, tenant, service, hash) in try await client.query(
                "SELECT id, tenant, service, hash FROM deja_signatures WHERE id = ANY(\(ids)::int8[])", logger: logger).decode((Int64, String, String, String).self) {
                keys.append((id, tenant, IndexKey.of(service: service, hash: hash)))
            }
            return keys
        }
        var vectors: [Int64: [Float]] = [:]
        for (tenant, group) in Dictionary(grouping: keys, by: \.tenant) {
            let found = try vectorIndex.vectors(tenant: tenant, keys: group.map(\.key))
            for entry in group { vectors[entry.id] = found[entry.key] }
        }
        return vectors
    }
}
