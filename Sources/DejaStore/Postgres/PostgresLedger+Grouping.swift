import DejaCore
import Foundation
import PostgresNIO

/// Work one replica does for the whole cluster, held as a lease in `deja_leases`: taken when free or
/// expired, renewed by every write it guards, so that a replica that stalls past `seconds` loses it
/// and cannot write after another took it over.
public struct Lease: Sendable, Equatable {
    public var name: String
    /// This process: the replica's name and a random part, so that a restarted replica (or a second
    /// process wrongly run under the same name) is not taken for the one that held it.
    public var holder: String
    public var seconds: Int

    public init(name: String, replica: String, seconds: Int = 15) {
        self.name = name
        holder = "\(replica) \(UUID().uuidString.prefix(8).lowercased())"
        self.seconds = seconds
    }
}

/// What the grouping leader's miner decided in one pass: each newly mined signature's pattern and
/// the order it was learned in, templates that changed, and snapshots of miners.
public struct SharedPatternUpdate: Sendable {
    public var assignments: [(signature: Int64, tenant: String, pattern: Int64, seq: Int64)] = []
    public var templates: [(tenant: String, id: Int64, template: String, mergedInto: Int64?)] = []
    public var snapshots: [(tenant: String, state: Data, throughSeq: Int64)] = []

    public init() {}

    public var isEmpty: Bool { assignments.isEmpty && templates.isEmpty && snapshots.isEmpty }
}

/// The grouping leader's reads and writes: patterns mined from the shared signatures, and issues
/// (the issue stage's state, `SharedIssueState`). Every write checks and renews the lease first.
extension PostgresLedger {
    /// Takes `lease`, or renews it; false while another process holds it.
    public func hold(_ lease: Lease) throws -> Bool {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            for try await _ in try await client.query("""
                INSERT INTO deja_leases (name, holder, expires) VALUES (\(lease.name), \(lease.holder), now() + make_interval(secs => \(lease.seconds)))
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
                WHERE deja_leases.holder = excluded.holder OR deja_leases.expires < now()
                RETURNING holder
                """, logger: logger) {
                return true
            }
            return false
        }
    }

    /// Gives `lease` up at once (at shutdown), so that another replica need not wait for it to expire.
    public func release(_ lease: Lease) throws {
        _ = try run { [client, logger] in
            try await client.query("DELETE FROM deja_leases WHERE name = \(lease.name) AND holder = \(lease.holder)", logger: logger)
        }
    }

    /// Runs `work` in a transaction that first renews `lease`, locking its row: it fails with
    /// `leaseLost` when another process holds it, and no one takes it over until it commits.
    func underLease<Value: Sendable>(_ lease: Lease, _ work: @escaping @Sendable (PostgresConnection) async throws -> Value) throws -> Value {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                var held = false
                for try await _ in try await connection.query("""
                    UPDATE deja_leases SET expires = now() + make_interval(secs => \(lease.seconds))
                    WHERE name = \(lease.name) AND holder = \(lease.holder) AND expires > now() RETURNING 1
                    """, logger: logger) {
                    held = true
                }
                guard held else { throw SharedStateError.leaseLost(lease.name) }
                return try await work(connection)
            }
        }
    }

    // MARK: - Patterns

    /// Each tenant's latest miner snapshot and the last learning it holds (`mined_seq`).
    public func minerSnapshots() throws -> [String: (state: Data, throughSeq: Int64)] {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            var snapshots: [String: (state: Data, throughSeq: Int64)] = [:]
            for try await (tenant, state, through) in try await client.query("SELECT tenant, state, through_seq FROM deja_pattern_miners",
                                                                             logger: logger).decode((String, Data, Int64).self) {
                snapshots[tenant] = (state, through)
            }
            return snapshots
        }
    }

    /// Signatures of `tenant` the miner learned after learning `afterSeq`, in the order it learned
    /// them: what a snapshot lacks, to learn again.
    public func minedSince(tenant: String, afterSeq: Int64, limit: Int) throws -> [(seq: Int64, message: String)] {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            var rows: [(seq: Int64, message: String)] = []
            for try await (seq, message) in try await client.query("""
                SELECT g.mined_seq, s.message FROM deja_signature_groups g JOIN deja_signatures s ON s.id = g.signature_id
                WHERE g.tenant = \(tenant) AND g.mined_seq > \(afterSeq) ORDER BY g.mined_seq LIMIT \(limit)
                """, logger: logger).decode((Int64, String).self) {
                rows.append((seq, message))
            }
            return rows
        }
    }

    /// Tenants with mined signatures, and the last learning of each.
    public func lastMinedSeq() throws -> [String: Int64] {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            var last: [String: Int64] = [:]
            for try await (tenant, seq) in try await client.query("SELECT tenant, max(mined_seq) FROM deja_signature_groups GROUP BY tenant",
                                                                 logger: logger).decode((String, Int64).self) {
                last[tenant] = seq
            }
            return last
        }
    }

    /// Up to `limit` signatures after id `after` that have no pattern yet, in id order, and the
    /// largest signature id there is.
    public func unminedSignatures(after: Int64, limit: Int) throws -> (signatures: [(id: Int64, tenant: String, message: String)], maxID: Int64) {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            var found: [(id: Int64, tenant: String, message: String)] = []
            for try await (id, tenant, message) in try await client.query("""
                SELECT s.id, s.tenant, s.message FROM deja_signatures s
                WHERE s.id > \(after) AND NOT EXISTS (SELECT 1 FROM deja_signature_groups g WHERE g.signature_id = s.id)
                ORDER BY s.id LIMIT \(limit)
                """, logger: logger).decode((Int64, String, String).self) {
                found.append((id, tenant, message))
            }
            var maxID: Int64 = 0
            for try await value in try await client.query("SELECT coalesce(max(id), 0) FROM deja_signatures", logger: logger).decode(Int64.self) {
                maxID = value
            }
            return (found, maxID)
        }
    }

    /// Stores a mining pass under `lease`, in one transaction.
    public func commit(_ update: SharedPatternUpdate, lease: Lease) throws {
        guard !update.isEmpty else { return }
        let signatures = update.assignments.map(\.signature), tenants = update.assignments.map(\.tenant)
        let patterns = update.assignments.map(\.pattern), seqs = update.assignments.map(\.seq)
        try underLease(lease) { [logger] connection in
            if !signatures.isEmpty {
                try await connection.query("""
                    INSERT INTO deja_signature_groups (signature_id, tenant, pattern_id, mined_seq)
                    SELECT * FROM unnest(\(signatures)::int8[], \(tenants)::text[], \(patterns)::int8[], \(seqs)::int8[])
                    ON CONFLICT (signature_id) DO NOTHING
                    """, logger: logger)
            }
            for (tenant, id, template, mergedInto) in update.templates {
                try await connection.query("""
                    INSERT INTO deja_patterns (tenant, id, template, merged_into) VALUES (\(tenant), \(id), \(template), \(mergedInto))
                    ON CONFLICT (tenant, id) DO UPDATE SET template = excluded.template, merged_into = excluded.merged_into
                    """, logger: logger)
                // Patterns folded into this one show its template, and follow it when it is folded in turn.
                try await connection.query("""
                    UPDATE deja_patterns SET template = \(template), merged_into = coalesce(\(mergedInto), \(id))
                    WHERE tenant = \(tenant) AND merged_into = \(id)
                    """, logger: logger)
            }
            for (tenant, state, through) in update.snapshots {
                try await connection.query("""
                    INSERT INTO deja_pattern_miners (tenant, state, through_seq) VALUES (\(tenant), \(state), \(through))
                    ON CONFLICT (tenant) DO UPDATE SET state = excluded.state, through_seq = excluded.through_seq
                    """, logger: logger)
            }
        }
    }
}

/// A user's merge (`into` set) or split (`signatures` set) of an issue, asked of any replica and
/// done by the grouping leader.
public struct IssueChangeRequest: Sendable {
    public var id: Int64
    public var tenant: String
    public var issue: Int64
    public var into: Int64?
    public var signatures: [Int64]?
}

extension PostgresLedger {
    /// Files a merge or split for the grouping leader; returns the request's id.
    public func ask(tenant: String, issue: Int64, into: Int64?, signatures: [Int64]?) throws -> Int64 {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            for try await id in try await client.query("""
                INSERT INTO deja_issue_requests (tenant, issue, into_issue, signatures) VALUES (\(tenant), \(issue), \(into), \(signatures))
                RETURNING id
                """, logger: logger).decode(Int64.self) {
                return id
            }
            throw SharedStateError.database("no id came back for an issue change request")
        }
    }

    /// Whether request `id` is done, and its result (the issue that holds the signatures; nil when
    /// the request named no such issues or signatures).
    public func answer(to id: Int64) throws -> (done: Bool, result: Int64?) {
        try run { [client, logger] in
            for try await (done, result) in try await client.query(
                "SELECT done, result FROM deja_issue_requests WHERE id = \(id)", logger: logger).decode((Bool, Int64?).self) {
                return (done, result)
            }
            return (false, nil)
        }
    }

    /// Withdraws request `id` unless it is done; true when it was withdrawn.
    public func withdraw(_ id: Int64) throws -> Bool {
        try run { [client, logger] in
            for try await _ in try await client.query("DELETE FROM deja_issue_requests WHERE id = \(id) AND NOT done RETURNING 1", logger: logger) {
                return true
            }
            return false
        }
    }

    /// Requests not done yet, oldest first.
    public func openIssueRequests() throws -> [IssueChangeRequest] {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            var requests: [IssueChangeRequest] = []
            for try await (id, tenant, issue, into, signatures) in try await client.query("""
                SELECT id, tenant, issue, into_issue, signatures FROM deja_issue_requests WHERE NOT done ORDER BY id LIMIT 100
                """, logger: logger).decode((Int64, String, Int64, Int64?, [Int64]?).self) {
                requests.append(IssueChangeRequest(id: id, tenant: tenant, issue: issue, into: into, signatures: signatures))
            }
            return requests
        }
    }

    /// Marks request `id` done with its result, under the lease.
    public func finish(request id: Int64, result: Int64?, lease: Lease) throws {
        try underLease(lease) { [logger] connection in
            try await connection.query("UPDATE deja_issue_requests SET done = true, result = \(result) WHERE id = \(id)", logger: logger)
        }
    }
}
