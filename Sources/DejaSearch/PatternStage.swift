import DejaCore
import DejaStore
import Foundation

/// The pattern stage: each new signature's message is learned by its tenant's online miner
/// (`PatternMiner`) and the signature gets the pattern it joins. Runs on the writer's thread, after
/// the transaction that stored the signatures, in signature-id order, so that learning the same
/// signatures again gives the same patterns. Miners are saved as snapshots; at start the stage
/// loads them and learns the signatures stored since (after a crash, or in a store that predates
/// patterns), so no signature is left without a pattern.
public final class PatternStage {
    // Not Sendable: used on the ingest writer's thread only.
    private let store: SQLiteStore
    private var miners: [String: PatternMiner] = [:]
    /// The last signature each tenant's miner learned.
    private var through: [String: Int64] = [:]
    /// Templates as last stored, to store only those that change.
    private var templates: [String: [Int: String]] = [:]
    private var foldedCount: [String: Int] = [:]
    private var learnedSinceSnapshot = 0
    private var lastSnapshot = Date()
    /// A snapshot is saved after this many signatures, or this many seconds with any.
    public var snapshotEvery = 10_000
    public var snapshotSeconds: TimeInterval = 60

    public init(store: SQLiteStore) throws {
        self.store = store
        for (tenant, snapshot) in try store.minerSnapshots() {
            let miner = try JSONDecoder().decode(PatternMiner.self, from: snapshot.state)
            miners[tenant] = miner
            through[tenant] = snapshot.throughSignature
            templates[tenant] = Dictionary(uniqueKeysWithValues: miner.patterns.map { ($0.id, $0.template) })
            foldedCount[tenant] = miner.folded.count
        }
        try catchUp()
    }

    /// Learns every stored signature the miners have not, in id order.
    private func catchUp() throws {
        // From the oldest snapshot on; from the start when a tenant has none.
        let snapshotted = try store.tenantsWithSignatures().allSatisfy { through[$0] != nil }
        var after = snapshotted ? through.values.min() ?? 0 : 0
        var learned = 0
        while true {
            let batch = try store.signatures(after: after, limit: 4_096)
            guard let last = batch.last else { break }
            learned += try learn(batch)
            after = last.id
        }
        if learned > 0 { try snapshot() }
    }

    /// Mines the signatures just stored (ids in the order they were stored).
    public func mine(signatureIDs: [Int64]) throws {
        guard !signatureIDs.isEmpty else { return }
        let signatures = try store.signatures(ids: signatureIDs.sorted(), tenant: nil)
        try learn(signatures.map { SQLiteStore.MinedSignature(id: $0.id, tenant: $0.tenant, message: $0.message) })
        if learnedSinceSnapshot >= snapshotEvery || (learnedSinceSnapshot > 0 && Date().timeIntervalSince(lastSnapshot) >= snapshotSeconds) {
            try snapshot()
        }
    }

    /// Saves every miner that learned since its last snapshot.
    public func snapshot() throws {
        var update = PatternUpdate()
        let encoder = JSONEncoder()
        for (tenant, miner) in miners { update.snapshots.append((tenant, try encoder.encode(miner), through[tenant] ?? 0)) }
        try store.commit(update)
        learnedSinceSnapshot = 0
        lastSnapshot = Date()
    }

    /// Learns the signatures its tenant's miner has not yet learned; returns how many.
    @discardableResult
    private func learn(_ signatures: [SQLiteStore.MinedSignature]) throws -> Int {
        var update = PatternUpdate()
        for signature in signatures where signature.id > through[signature.tenant] ?? 0 {
            let miner = miners[signature.tenant] ?? PatternMiner()
            miners[signature.tenant] = miner
            let id = miner.learn(MessageNormalizer.wildcarded(signature.message))
            update.assignments.append((signature.id, Int64(id)))
            through[signature.tenant] = signature.id
            if let template = miner.pattern(id: id)?.template, templates[signature.tenant]?[id] != template {
                templates[signature.tenant, default: [:]][id] = template
                update.templates.append((signature.tenant, Int64(id), template, nil))
            }
            let folded = miner.folded
            if folded.count != foldedCount[signature.tenant] ?? 0 {
                foldedCount[signature.tenant] = folded.count
                for (narrow, _) in folded where templates[signature.tenant]?[narrow] != nil {
                    let survivor = miner.resolve(narrow)
                    templates[signature.tenant]?[narrow] = nil
                    update.templates.append((signature.tenant, Int64(narrow), miner.pattern(id: survivor)?.template ?? "", Int64(survivor)))
                }
            }
        }
        learnedSinceSnapshot += update.assignments.count
        try store.commit(update)
        return update.assignments.count
    }
}
