import DejaCore
import DejaStore
import Foundation

/// The issue stage: each signature, once embedded, is placed in its tenant's issues by the online
/// clusterer (`IssueClusterer`) and its issue stored. The clusterers' state is what the store
/// holds (members' vectors, merges, splits), so at start the stage rebuilds them from it and places
/// the embedded signatures that have no issue yet (after a crash, or in a store from before issues).
/// On one machine that is the embedded store; in cluster mode the shared state, where the replica
/// that leads grouping runs this stage for the whole cluster (`GroupingLeader`).
/// A user's merge or split goes through here too, so that clustering keeps it.
public final class IssueStage: @unchecked Sendable {
    // @unchecked: every use of the clusterers holds `lock`.
    private let store: any IssueState
    private let model: String
    private let rule: IssueClusterer.Rule
    private let lock = NSLock()
    private var clusterers: [String: IssueClusterer] = [:]
    private var firstIDs: [String: Int64] = [:]
    private var placingSeconds = 0.0

    /// What clustering holds and has cost so far.
    public struct Statistics: Sendable {
        /// Failure issues (routine ones, one per pattern, hold no vectors).
        public var failureIssues: Int
        /// Memory the clusterers' vectors take.
        public var bytes: Int
        /// Time spent placing signatures (and storing their issues) since the stage opened.
        public var seconds: Double
    }

    public var statistics: Statistics {
        lock.withLock {
            Statistics(failureIssues: clusterers.values.map(\.failureIssues).reduce(0, +), bytes: clusterers.values.map(\.bytes).reduce(0, +),
                       seconds: placingSeconds)
        }
    }

    public init(store: any IssueState, model: String, rule: IssueClusterer.Rule = IssueClusterer.Rule()) throws {
        self.store = store
        self.model = model
        self.rule = rule
        try restore()
        try placeUnplaced()
    }

    /// Rebuilds the clusterers from the store, as at start: after retention removed signatures,
    /// so that their vectors stop counting in their issues.
    public func reload() throws {
        try lock.withLock {
            clusterers.removeAll()
            try restore()
        }
        try placeUnplaced()
    }

    /// The clusterers as the store holds them.
    private func restore() throws {
        let decisions = try store.issueDecisions()
        firstIDs = decisions.maxID.mapValues { $0 + 1 }
        var after: Int64 = 0
        while true {
            let rows = try store.issueMembers(model: model, placed: true, after: after, limit: 4_096)
            guard let last = rows.last else { break }
            for row in rows {
                clusterer(row.tenant, dimension: row.vector.count).restore(Self.member(row.signature, row.level, row.message, row.pattern, row.vector),
                                                                           issue: row.issue!)
            }
            after = last.signature
        }
        for merge in decisions.merges { clusterers[merge.tenant]?.restoreMerge(IssueClusterer.Merge(from: merge.from, into: merge.into)) }
        for (tenant, first, second) in decisions.apart { clusterers[tenant]?.restoreApart(first, second) }
    }

    /// Places every embedded signature that has no issue yet.
    @discardableResult
    public func placeUnplaced() throws -> Int {
        var placed = 0
        var after: Int64 = 0
        while true {
            let rows = try store.issueMembers(model: model, placed: false, after: after, limit: 4_096)
            guard let last = rows.last else { return placed }
            try place(rows.map { ($0.tenant, Self.member($0.signature, $0.level, $0.message, $0.pattern, $0.vector)) })
            placed += rows.count
            after = last.signature
        }
    }

    /// Places newly embedded signatures, with their vectors, and stores their issues.
    public func place(_ signatures: [Signature], vectors: [[Float]]) throws {
        try place(zip(signatures, vectors).map { signature, vector in
            (signature.tenant, Self.member(signature.id, signature.level, signature.message, signature.patternID, vector))
        })
    }

    private func place(_ members: [(tenant: String, member: IssueClusterer.Member)]) throws {
        guard !members.isEmpty else { return }
        try lock.withLock {
            let started = DispatchTime.now().uptimeNanoseconds
            defer { placingSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
            var update = IssueUpdate()
            for (tenant, member) in members {
                let placement = clusterer(tenant, dimension: member.vector.count).place(member)
                if placement.created { update.created.append((tenant, placement.issue)) }
                update.assignments.append((member.signature, placement.issue))
                update.merges += placement.merged.map { (tenant, $0.from, $0.into) }
            }
            try store.commit(update)
        }
    }

    /// A user's merge of issue `from` into `into`; false when the tenant has no such issues.
    public func merge(tenant: String, _ from: Int64, into: Int64) throws -> Bool {
        try lock.withLock {
            guard let clusterer = clusterers[tenant],
                  let from = try store.issueSurvivor(from, tenant: tenant), let into = try store.issueSurvivor(into, tenant: tenant) else { return false }
            guard from != into else { return true }
            clusterer.merge(from, into: into)
            var update = IssueUpdate()
            update.merges = [(tenant, from, into)]
            try store.commit(update)
            return true
        }
    }

    /// A user's split: `signatures` of issue `issue` leave it for a new issue that never merges back
    /// on its own. Returns the new issue, or nil when those are not the issue's signatures.
    public func split(tenant: String, issue: Int64, signatures: [Int64]) throws -> Int64? {
        try lock.withLock {
            guard let clusterer = clusterers[tenant], let issue = try store.issueSurvivor(issue, tenant: tenant),
                  let (_, members) = try store.issue(issue, tenant: tenant) else { return nil }
            let leaving = Set(signatures)
            guard !leaving.isEmpty, leaving.isSubset(of: members.map(\.id)), leaving.count < members.count else { return nil }
            let vectors = try store.vectors(signatures: Array(leaving), model: model)
            let rows = members.filter { leaving.contains($0.id) }.compactMap { signature in
                vectors[signature.id].map { Self.member(signature.id, signature.level, signature.message, signature.patternID, $0) }
            }
            let created = clusterer.split(rows, from: issue)
            var update = IssueUpdate()
            update.created = [(tenant, created)]
            update.assignments = leaving.sorted().map { ($0, created) }
            update.apart = [(tenant, issue, created)]
            try store.commit(update)
            return created
        }
    }

    private func clusterer(_ tenant: String, dimension: Int) -> IssueClusterer {
        if let existing = clusterers[tenant] { return existing }
        let created = IssueClusterer(dimension: dimension, rule: rule, firstID: firstIDs[tenant] ?? 1)
        clusterers[tenant] = created
        return created
    }

    /// A signature as clustering sees it: a failure when its level or a failure family says so.
    private static func member(_ signature: Int64, _ level: Severity, _ message: String, _ pattern: Int64?, _ vector: [Float]) -> IssueClusterer.Member {
        let concepts = FailureTaxonomy.conditions(in: message)
        return IssueClusterer.Member(signature: signature, vector: vector, concepts: concepts, isFailure: level >= .warning || !concepts.isEmpty,
                                     pattern: pattern)
    }
}
