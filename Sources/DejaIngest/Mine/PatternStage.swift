import DejaCore
import DejaStore
import Foundation

/// The pattern stage: each new signature's message is learned by its tenant's online miner
/// (`PatternMiner`) and the signature is stored with the pattern it joins, in the transaction that
/// stores it (`PatternAssigner`). Signatures are learned in id order, so that learning the same
/// signatures again gives the same patterns. Miners are saved as snapshots; at start the stage loads
/// them and learns the signatures stored since (after a crash, or in a store from before patterns),
/// so no signature is left without a pattern.
public final class PatternStage: PatternAssigner {
    // Not Sendable: used on the ingest writer's thread only.
    private let store: SQLiteStore
    private var miners = TenantMiners()
    /// The last signature each tenant's miner learned.
    private var through: [String: Int64] = [:]
    private var learnedSinceSnapshot = 0
    private var lastSnapshot = Date()
    /// A snapshot is saved after this many signatures, or this many seconds with any. Between
    /// snapshots, a restart learns again what was learned since (a few milliseconds per thousand).
    public var snapshotEvery = 50_000
    public var snapshotSeconds: TimeInterval = 60
    /// Seconds spent mining on the writer's thread since the stage opened: learning new
    /// signatures' messages and encoding snapshots (what mining costs ingest, whose writer is its
    /// slowest stage). Read it once the writer has finished.
    public private(set) var miningSeconds: Double = 0

    public init(store: SQLiteStore) throws {
        self.store = store
        try load()
    }

    /// The miners as their snapshots left them, then every signature stored since, learned.
    private func load() throws {
        miners = TenantMiners()
        through = [:]
        for (tenant, snapshot) in try store.minerSnapshots() {
            miners.adopt(try JSONDecoder().decode(PatternMiner.self, from: snapshot.state), tenant: tenant)
            through[tenant] = snapshot.throughSignature
        }
        // From the oldest snapshot on; from the start when a tenant has none.
        let snapshotted = try store.tenantsWithSignatures().allSatisfy { through[$0] != nil }
        var after = snapshotted ? through.values.min() ?? 0 : 0
        var learned = 0
        while true {
            let batch = try store.signatures(after: after, limit: 4_096)
            guard let last = batch.last else { break }
            var update = PatternUpdate()
            for signature in batch where signature.id > through[signature.tenant] ?? 0 {
                update.assignments.append((signature.id, pattern(tenant: signature.tenant, message: signature.message)))
                stored(signature: signature.id, tenant: signature.tenant)
            }
            learned += update.assignments.count
            update.templates = miners.takeChangedTemplates()
            try store.commit(update)
            after = last.id
        }
        if learned > 0 { try snapshot() }
    }

    public func pattern(tenant: String, message: String) -> Int64 {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { miningSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        learnedSinceSnapshot += 1
        return miners.learn(tenant: tenant, message: message)
    }

    public func stored(signature: Int64, tenant: String) {
        through[tenant] = signature
    }

    public func pendingUpdate() throws -> PatternUpdate {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { miningSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        var update = PatternUpdate()
        update.templates = miners.takeChangedTemplates()
        if learnedSinceSnapshot >= snapshotEvery || (learnedSinceSnapshot > 0 && Date().timeIntervalSince(lastSnapshot) >= snapshotSeconds) {
            update.snapshots = try snapshots()
        }
        return update
    }

    public func rolledBack() throws {
        try load()
    }

    /// Saves every miner now (at the end of an ingest, say).
    public func snapshot() throws {
        var update = PatternUpdate()
        update.snapshots = try snapshots()
        try store.commit(update)
    }

    private func snapshots() throws -> [(tenant: String, state: Data, throughSignature: Int64)] {
        let saved = try miners.encoded().map { ($0.tenant, $0.state, through[$0.tenant] ?? 0) }
        learnedSinceSnapshot = 0
        lastSnapshot = Date()
        return saved
    }
}
