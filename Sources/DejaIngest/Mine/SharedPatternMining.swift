import DejaCore
import DejaStore
import Foundation

/// The pattern stage of cluster mode, run by the replica that leads grouping (`GroupingLeader`):
/// every replica's new signatures, read from the shared state, are learned by their tenant's miner
/// and stored with their pattern and the order they were learned in. Miners are saved as snapshots;
/// a new leader loads them and learns again, in the same order, what was learned since, so that it
/// carries on with the same patterns.
final class SharedPatternMining {
    // Not Sendable: used on the leader's thread only.
    private let ledger: PostgresLedger
    private let lease: Lease
    private let miners = TenantMiners()
    /// The last learning of each tenant's miner (`mined_seq`).
    private var through: [String: Int64] = [:]
    private var learnedSinceSnapshot = 0
    private var lastSnapshot = Date()
    /// Signatures up to this id are all mined. Ids come from a sequence, so a signature may become
    /// visible after one with a larger id: the mark only passes ids seen a while ago.
    private var minedThrough: Int64 = 0
    private var largestIDs: [(time: Date, id: Int64)] = []
    /// Longer than any counting transaction may last (its statement and lock timeouts).
    static let visibilityDelay: TimeInterval = 60
    static let batch = 4_096
    var snapshotEvery = 50_000
    var snapshotSeconds: TimeInterval = 60

    init(ledger: PostgresLedger, lease: Lease) throws {
        self.ledger = ledger
        self.lease = lease
        let snapshots = try ledger.minerSnapshots()
        for (tenant, snapshot) in snapshots {
            miners.adopt(try JSONDecoder().decode(PatternMiner.self, from: snapshot.state), tenant: tenant)
            through[tenant] = snapshot.throughSeq
        }
        for (tenant, last) in try ledger.lastMinedSeq() {
            var after = snapshots[tenant]?.throughSeq ?? 0
            while after < last {
                let rows = try ledger.minedSince(tenant: tenant, afterSeq: after, limit: Self.batch)
                guard let final = rows.last else { break }
                for row in rows { _ = miners.learn(tenant: tenant, message: row.message) }
                after = final.seq
            }
            through[tenant] = last
        }
    }

    /// Mines up to one batch of signatures without a pattern; returns how many.
    func mine() throws -> Int {
        let (batch, largest) = try ledger.unminedSignatures(after: minedThrough, limit: Self.batch)
        var update = SharedPatternUpdate()
        for signature in batch {
            let seq = (through[signature.tenant] ?? 0) + 1
            update.assignments.append((signature.id, signature.tenant, miners.learn(tenant: signature.tenant, message: signature.message), seq))
            through[signature.tenant] = seq
        }
        learnedSinceSnapshot += batch.count
        update.templates = miners.takeChangedTemplates()
        if learnedSinceSnapshot >= snapshotEvery || (learnedSinceSnapshot > 0 && Date().timeIntervalSince(lastSnapshot) >= snapshotSeconds) {
            update.snapshots = try snapshots()
        }
        try ledger.commit(update, lease: lease)
        advanceMark(largest: largest, batch: batch.map(\.id))
        return batch.count
    }

    /// Saves every miner now (when leadership ends).
    func snapshot() throws {
        guard learnedSinceSnapshot > 0 else { return }
        var update = SharedPatternUpdate()
        update.snapshots = try snapshots()
        try ledger.commit(update, lease: lease)
    }

    private func snapshots() throws -> [(tenant: String, state: Data, throughSeq: Int64)] {
        let saved = try miners.encoded().map { ($0.tenant, $0.state, through[$0.tenant] ?? 0) }
        learnedSinceSnapshot = 0
        lastSnapshot = Date()
        return saved
    }

    private func advanceMark(largest: Int64, batch: [Int64]) {
        let now = Date()
        largestIDs.append((now, largest))
        var settled = minedThrough
        while let first = largestIDs.first, now.timeIntervalSince(first.time) >= Self.visibilityDelay {
            settled = max(settled, first.id)
            largestIDs.removeFirst()
        }
        // A full batch left signatures after its last one unmined.
        if batch.count == Self.batch, let last = batch.last { settled = min(settled, last) }
        minedThrough = max(minedThrough, settled)
    }
}
