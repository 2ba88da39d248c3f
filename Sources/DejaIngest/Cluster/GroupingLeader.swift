import DejaCore
import DejaStore
import Foundation
import Synchronization

/// Cluster mode's pattern and issue stages. One replica at a time, the holder of the `grouping`
/// lease, mines patterns from every replica's signatures (`SharedPatternMining`), places the
/// embedded ones in issues with their vectors from ChromaDB (`IssueStage` over `SharedIssueState`)
/// and does the merges and splits users asked of any replica; all of it is stored in the shared
/// state, which every replica answers from. When the leader stops renewing the lease (it stopped,
/// crashed or lost PostgreSQL), another replica takes it over and carries on from what is stored.
/// With `retention` it also keeps the shared state to a window, and deletes the removed
/// signatures' records from ChromaDB.
public final class GroupingLeader: @unchecked Sendable {
    // @unchecked: `work`, `ranking` and `retainedAt` are used on the worker's thread only (and by `stop` once it ended); the rest is
    // immutable, atomic, or set before `start()`.
    private let ledger: PostgresLedger
    private let vectorIndex: ChromaVectorStore
    private let model: String
    private let rule: IssueClusterer.Rule
    public let lease: Lease
    private var worker: StageWorker?
    private var work: (mining: SharedPatternMining, issues: IssueStage)?
    private let leading = Atomic(false)
    /// When the issues' members were last ranked, how long it took, and whether issues changed since.
    private var ranking = (at: ContinuousClock.Instant?.none, took: Duration.zero, stale: true)
    /// Told of each failed pass (the next one starts over from what is stored).
    public var onFailure: (@Sendable (Error) -> Void)?
    /// Told when this replica starts or stops leading.
    public var onLeadership: (@Sendable (Bool) -> Void)?
    /// Counts older than `window` nanoseconds are removed every `interval` while leading; set before `start()`.
    public var retention: (window: Int64, interval: Duration)?
    /// Told of each retention pass that changed anything, and of each that failed (retried at the next interval).
    public var onRetention: (@Sendable (Result<RetentionPass, Error>) -> Void)?

    /// What one pass of the shared state's retention did.
    public struct RetentionPass: Sendable, Equatable {
        /// Signatures that lost counts and kept some.
        public var recounted: Int
        /// Signatures left with none, removed (and queued for removal from ChromaDB).
        public var removed: Int
        /// Alert occurrences last notified before the cutoff.
        public var alerts: Int
        public var seconds: Double
    }
    /// When this replica, leading, last ran retention (the worker's thread only).
    private var retainedAt: ContinuousClock.Instant?

    public init(ledger: PostgresLedger, vectorIndex: ChromaVectorStore, model: String, rule: IssueClusterer.Rule) {
        self.ledger = ledger
        self.vectorIndex = vectorIndex
        self.model = model
        self.rule = rule
        lease = Lease(name: "grouping", replica: ledger.settings.replica)
    }

    public func start() {
        let worker = StageWorker(name: "deja-grouping", priority: .nice(19)) { [weak self] _ in self?.pass() ?? .finished }
        self.worker = worker
        worker.start()
    }

    /// Stops after the pass in hand, saves the miners and gives the lease up.
    public func stop() {
        try? worker?.stop(.now)
        if let work { try? work.mining.snapshot() }
        work = nil
        try? ledger.release(lease)
        setLeading(false)
    }

    private func pass() -> StageWorker.Outcome {
        do {
            guard try ledger.hold(lease) else {
                work = nil
                retainedAt = nil
                setLeading(false)
                return .idle(TimeInterval(lease.seconds) / 3)
            }
            // Removed signatures must leave the clusterers: they are rebuilt from what remains.
            if retentionDue() {
                if retain() { work = nil }
                removeFromIndex()
            }
            if work == nil {
                ranking = (nil, .zero, true)
                let state = SharedIssueState(ledger: ledger, vectorIndex: vectorIndex, lease: lease)
                work = (try SharedPatternMining(ledger: ledger, lease: lease), try IssueStage(store: state, model: model, rule: rule))
                setLeading(true)
            }
            let (mining, issues) = work!
            let mined = try mining.mine()
            let requests = try ledger.openIssueRequests()
            let handled = !requests.isEmpty
            for request in requests {
                let result: Int64?
                if let into = request.into {
                    result = try issues.merge(tenant: request.tenant, request.issue, into: into) ? into : nil
                } else {
                    result = try issues.split(tenant: request.tenant, issue: request.issue, signatures: request.signatures ?? [])
                }
                try ledger.finish(request: request.id, result: result, lease: lease)
            }
            let placed = try issues.placeUnplaced()
            if placed > 0 || handled { ranking.stale = true }
            try rankIssueMembersWhenDue()
            // Each pass asks ChromaDB which waiting signatures are published: less often while none are.
            return mined == SharedPatternMining.batch ? .progressed : .idle(mined + placed > 0 ? 1 : 3)
        } catch {
            // What is in memory may be ahead of what was stored: the next pass rebuilds it.
            work = nil
            onFailure?(error)
            return .idle(5)
        }
    }

    /// Ranks the issues' members for search (`PostgresLedger.rankIssueMembers`) when issues changed,
    /// or a minute on as counts move; never more often than ten times the last ranking took (at
    /// least 5 s), so that ranking a large tenant stays a small part of the leader's work.
    private func rankIssueMembersWhenDue() throws {
        let now = ContinuousClock.now
        if let last = ranking.at {
            let since = now - last
            guard since >= max(.seconds(5), ranking.took * 10), ranking.stale || since >= .seconds(60) else { return }
        }
        try ledger.rankIssueMembers(lease: lease)
        ranking = (now, ContinuousClock.now - now, false)
    }

    /// Whether retention is set and its interval has passed since this replica, leading, last ran it.
    private func retentionDue() -> Bool {
        guard let retention else { return false }
        let now = ContinuousClock.now
        if let last = retainedAt, now - last < retention.interval { return false }
        retainedAt = now
        return true
    }

    /// One retention pass; true when it removed signatures. A failure is reported and retried at
    /// the next interval: grouping goes on meanwhile.
    private func retain() -> Bool {
        guard let window = retention?.window else { return false }
        do {
            let cutoff = Int64(Date().timeIntervalSince1970 * 1e9) - window
            let started = DispatchTime.now().uptimeNanoseconds
            let changed = try ledger.removeCounts(before: cutoff, lease: lease)
            let alerts = try ledger.removeAlerts(notifiedBefore: cutoff)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if changed != (0, 0) || alerts > 0 {
                onRetention?(.success(RetentionPass(recounted: changed.recounted, removed: changed.removed, alerts: alerts, seconds: seconds)))
            }
            if changed.removed > 0 || changed.recounted > 0 { ranking.stale = true }
            return changed.removed > 0
        } catch {
            onRetention?(.failure(error))
            return false
        }
    }

    /// Deletes from ChromaDB the records of signatures retention removed; what fails stays queued
    /// for the next interval.
    private func removeFromIndex() {
        do {
            while true {
                let removals = try ledger.pendingIndexRemovals(limit: 512)
                guard !removals.isEmpty else { return }
                try vectorIndex.remove(removals)
                try ledger.clearIndexRemovals(removals)
            }
        } catch {
            onRetention?(.failure(error))
        }
    }

    private func setLeading(_ value: Bool) {
        if leading.exchange(value, ordering: .relaxed) != value { onLeadership?(value) }
    }
}
