import DejaCore
import DejaStore
import Foundation

/// Each tenant's online miner (`PatternMiner`) and the templates as last stored, so that learning a
/// message yields its pattern and only the templates that changed (a pattern that widened, one
/// folded into another) are stored. The pattern stage holds one; so does the grouping leader.
final class TenantMiners {
    private(set) var miners: [String: PatternMiner] = [:]
    /// Templates as stored, to store only those that change.
    private var templates: [String: [Int: String]] = [:]
    private var foldedCount: [String: Int] = [:]
    /// Template changes not yet stored: (tenant, pattern, template, the pattern it was folded into).
    private(set) var changedTemplates: [(tenant: String, id: Int64, template: String, mergedInto: Int64?)] = []

    /// Takes `miner` as `tenant`'s, its templates as stored.
    func adopt(_ miner: PatternMiner, tenant: String) {
        miners[tenant] = miner
        templates[tenant] = Dictionary(uniqueKeysWithValues: miner.patterns.map { ($0.id, $0.template) })
        foldedCount[tenant] = miner.folded.count
    }

    /// Learns a signature's message and returns its pattern.
    func learn(tenant: String, message: String) -> Int64 {
        let miner = miners[tenant] ?? PatternMiner()
        miners[tenant] = miner
        let (id, changed) = miner.learnReportingChange(EventPreparer.minedText(message))
        if changed, let template = miner.pattern(id: id)?.template, templates[tenant]?[id] != template {
            templates[tenant, default: [:]][id] = template
            changedTemplates.append((tenant, Int64(id), template, nil))
        }
        let folded = miner.folded
        if folded.count != foldedCount[tenant] ?? 0 {
            foldedCount[tenant] = folded.count
            for narrow in folded.keys where templates[tenant]?[narrow] != nil {
                let survivor = miner.resolve(narrow)
                templates[tenant]?[narrow] = nil
                changedTemplates.append((tenant, Int64(narrow), miner.pattern(id: survivor)?.template ?? "", Int64(survivor)))
            }
        }
        return Int64(id)
    }

    /// The template changes since the last call, to store.
    func takeChangedTemplates() -> [(tenant: String, id: Int64, template: String, mergedInto: Int64?)] {
        defer { changedTemplates = [] }
        return changedTemplates
    }

    /// Every miner, encoded.
    func encoded() throws -> [(tenant: String, state: Data)] {
        let encoder = JSONEncoder()
        return try miners.map { tenant, miner in (tenant, try encoder.encode(miner)) }
    }
}
