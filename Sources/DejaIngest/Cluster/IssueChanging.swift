import DejaStore
import Foundation

/// A user's merges and splits of issues: done by this server's issue stage on one machine, asked of
/// the grouping leader in cluster mode.
public protocol IssueChanging: Sendable {
    /// Merges issue `from` into `into`; false when the tenant has no such issues.
    func merge(tenant: String, _ from: Int64, into: Int64) throws -> Bool
    /// Moves `signatures` of `issue` to a new issue; nil when they are not some of its signatures.
    func split(tenant: String, issue: Int64, signatures: [Int64]) throws -> Int64?
}

extension IssueStage: IssueChanging {}

/// No replica did an issue change in time: none leads grouping now (the leader is being replaced).
public struct NoGroupingLeader: Error, CustomStringConvertible {
    public var description: String {
        "no replica did the change within \(Int(SharedIssueChanges.patience)) s: none leads grouping now (a leader is being chosen, "
            + "or PostgreSQL or ChromaDB cannot be reached); nothing was changed, ask again"
    }
}

/// Merges and splits in cluster mode: filed in the shared state and done by the replica that leads
/// grouping, whose clusterer must keep them; this waits for its answer.
public struct SharedIssueChanges: IssueChanging {
    public let ledger: PostgresLedger
    /// Longest a request waits for the leader, past a lease's expiry so that a new leader can take over.
    static let patience: TimeInterval = 25

    public init(ledger: PostgresLedger) {
        self.ledger = ledger
    }

    public func merge(tenant: String, _ from: Int64, into: Int64) throws -> Bool {
        try answer(ledger.ask(tenant: tenant, issue: from, into: into, signatures: nil)) != nil
    }

    public func split(tenant: String, issue: Int64, signatures: [Int64]) throws -> Int64? {
        try answer(ledger.ask(tenant: tenant, issue: issue, into: nil, signatures: signatures))
    }

    private func answer(_ request: Int64) throws -> Int64? {
        let deadline = Date().addingTimeInterval(Self.patience)
        while Date() < deadline {
            let (done, result) = try ledger.answer(to: request)
            if done { return result }
            Thread.sleep(forTimeInterval: 0.1)
        }
        // Withdrawn unless the leader did it meanwhile.
        if try ledger.withdraw(request) { throw NoGroupingLeader() }
        return try ledger.answer(to: request).result
    }
}
