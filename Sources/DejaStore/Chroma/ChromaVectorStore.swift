import DejaCore
import Foundation

/// Signature vectors in a ChromaDB server: one collection per Deja tenant (cosine space), one
/// record per signature with a stable id (`service/hash`) and metadata a Chroma user can read.
/// Events stay in the embedded store on this machine, which is also the outbox the records are
/// published from (`VectorIndexOutbox`), and maps found records back to its signatures.
public final class ChromaVectorStore: VectorStore, @unchecked Sendable {
    // @unchecked: the client is Sendable; `collections` is guarded by `lock`.
    public let client: ChromaClient
    public let limits: ChromaServerLimits
    private let events: SQLiteStore
    /// Maps found records to signature ids: the embedded store, or the shared state in cluster mode,
    /// where every replica's records map to signatures the same way.
    private let lookup: any SignatureKeyLookup
    /// Whether records the lookup does not know are shown from their metadata (another replica's);
    /// not in cluster mode, where the shared state knows every signature and such a record is stale.
    private let showsUnknownRecords: Bool
    private let model: String
    private let lock = NSLock()
    private var collections: [String: String] = [:]
    /// Longest example event kept in a record's metadata.
    static let maxExampleBytes = 4_096

    /// Connects and checks the server (reachable, Chroma 1.x, token accepted); throws `ChromaError` naming what is wrong.
    public init(settings: ChromaSettings, events: SQLiteStore, model: String, lookup: (any SignatureKeyLookup)? = nil) throws {
        client = try ChromaClient(settings: settings)
        limits = try client.check()
        self.events = events
        self.lookup = lookup ?? events
        showsUnknownRecords = lookup == nil
        self.model = model
    }

    /// The collection of a Deja tenant, one-to-one: `deja-<tenant>` when the tenant is a valid Chroma
    /// name part that does not start with `x`, else `deja-x<hex of the tenant's UTF-8>` (Chroma names
    /// allow only `[a-zA-Z0-9._-]`). The two forms cannot meet: only the second starts with `deja-x`,
    /// and hex is read back one way. Tenants are at most 150 bytes, so no name is cut.
    public static func collectionName(tenant: String) -> String {
        let plain = tenant.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
        let endsAlphanumeric = tenant.last.map { $0.isLetter || $0.isNumber } ?? false
        if plain && endsAlphanumeric && !tenant.hasPrefix("x") { return "deja-" + tenant }
        return "deja-x" + tenant.utf8.map { String(format: "%02x", $0) }.joined()
    }

    /// A Chroma `where` clause for the filter's service, level and time range (nil when it has none);
    /// labels are filtered on events afterwards, as in the embedded store.
    public static func whereClause(for filter: SearchFilter) -> [String: Any]? {
        var terms: [[String: Any]] = []
        if !filter.services.isEmpty {
            terms.append(["service": filter.services.count == 1 ? ["$eq": filter.services[0]] : ["$in": filter.services]])
        }
        if !filter.levels.isEmpty {
            let names = filter.levels.map(\.description)
            terms.append(["level": names.count == 1 ? ["$eq": names[0]] : ["$in": names]])
        }
        // Seconds, rounded down on both sides: a record passes if any of its events may.
        if let since = filter.since { terms.append(["last_seen": ["$gte": Self.seconds(since)]]) }
        if let until = filter.until { terms.append(["first_seen": ["$lte": Self.seconds(until)]]) }
        switch terms.count {
        case 0: return nil
        case 1: return terms[0]
        default: return ["$and": terms]
        }
    }

    private static func seconds(_ nanoseconds: Int64) -> Int64 {
        nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
    }

    /// What a record's metadata says of a signature.
    static func metadata(_ entry: IndexEntry) -> [String: Any] {
        let signature = entry.signature
        var example = entry.example
        if example.utf8.count > maxExampleBytes {
            example = String(decoding: example.utf8.prefix(maxExampleBytes), as: UTF8.self)
        }
        return [
            "service": signature.service, "level": signature.level.description, "count": signature.count,
            "first_seen": seconds(signature.firstSeen), "last_seen": seconds(signature.lastSeen),
            "raw_log": example, "pattern": signature.pattern ?? signature.message, "tenant": signature.tenant,
            "recipe": entry.recipe,
        ]
    }

    /// A signature as its record describes it, with a negative id derived from the record id.
    static func remote(_ record: ChromaRecord, tenant: String) -> RemoteSignature? {
        // A record is shown only to the tenant it names, whatever collection it was found in.
        guard record.strings["tenant"] == tenant, let service = record.strings["service"], let count = record.integers["count"],
              let firstSeen = record.integers["first_seen"].flatMap({ EventTime.from(seconds: $0, nanos: 0) }),
              let lastSeen = record.integers["last_seen"].flatMap({ EventTime.from(seconds: $0, nanos: 0) }) else { return nil }
        let hash = FNV1a.hash(record.id.utf8)
        let message = record.document ?? record.strings["pattern"] ?? ""
        let signature = Signature(id: -Int64(hash >> 1) - 1, tenant: tenant, service: service, message: message,
                                  level: record.strings["level"].map { Severity(parsing: $0) } ?? .unknown, count: Int(count),
                                  firstSeen: firstSeen, lastSeen: lastSeen, exampleEventID: 0,
                                  pattern: record.strings["pattern"])
        return RemoteSignature(signature: signature, example: record.strings["raw_log"] ?? message)
    }

    /// The collection id of `tenant`; nil when it has none and `create` is false. A new collection,
    /// or one holding fewer records than this store published to it, has every signature of the
    /// tenant marked unpublished, so the outbox sends them again.
    func collection(tenant: String, create: Bool) throws -> String? {
        if let id = lock.withLock({ collections[tenant] }) { return id }
        guard let (id, created) = try client.collection(named: Self.collectionName(tenant: tenant), model: model,
                                                        metadata: ["deja_tenant": tenant], create: create) else { return nil }
        if created {
            try events.resetIndexed(tenant: tenant)
        } else if try client.count(collection: id) < events.indexedCount(tenant: tenant) {
            try events.resetIndexed(tenant: tenant)
        }
        lock.withLock { collections[tenant] = id }
        return id
    }

    /// Forgets a tenant's collection id (after the server said it is gone), so that it is looked up again.
    func forget(tenant: String) {
        _ = lock.withLock { collections.removeValue(forKey: tenant) }
    }

    /// Writes entries in batches the server accepts, a tenant at a time: new records with their
    /// vectors; records published before changed only in counts and times (a signature's vector never
    /// changes), so only their metadata is updated and ChromaDB does not index the vector again.
    public func publish(_ entries: [IndexEntry]) throws {
        for (tenant, group) in Dictionary(grouping: entries, by: \.signature.tenant) {
            guard let collection = try collection(tenant: tenant, create: true) else { continue }
            for start in stride(from: 0, to: group.count, by: limits.maxBatchSize) {
                let batch = group[start..<min(group.count, start + limits.maxBatchSize)]
                let (added, changed) = (batch.filter { !$0.published }, batch.filter(\.published))
                do {
                    if !added.isEmpty {
                        try client.upsert(collection: collection, ids: added.map(\.key), embeddings: added.map(\.vector),
                                          documents: added.map(\.signature.message), metadatas: added.map(Self.metadata),
                                          base64: limits.base64Embeddings)
                    }
                    if !changed.isEmpty {
                        try client.update(collection: collection, ids: changed.map(\.key), documents: changed.map(\.signature.message),
                                          metadatas: changed.map(Self.metadata))
                    }
                } catch ChromaError.rejected(404, let message) {
                    forget(tenant: tenant)
                    throw ChromaError.unavailable(status: 404, message: "collection of tenant '\(tenant)' is gone (\(message)); it is created again")
                }
            }
        }
    }

    /// Deletes removed signatures' records.
    public func remove(_ removals: [IndexRemoval]) throws {
        for (tenant, group) in Dictionary(grouping: removals, by: \.tenant) {
            guard let collection = try collection(tenant: tenant, create: false) else { continue }
            for start in stride(from: 0, to: group.count, by: limits.maxBatchSize) {
                try client.delete(collection: collection, ids: group[start..<min(group.count, start + limits.maxBatchSize)].map(\.key))
            }
        }
    }

    // MARK: - VectorStore

    /// Stores the vectors in the embedded store (the outbox) and publishes them at once.
    public func upsert(_ records: [VectorRecord], model: String) throws {
        try events.upsert(records, model: model)
        let entries = try events.indexEntries(ids: records.map(\.signatureID), model: model)
        // The vectors are new: every record goes with its vector, published before or not.
        try publish(entries.map { entry in var entry = entry; entry.published = false; return entry })
        try events.markIndexed(entries)
    }

    public func search(_ query: [Float], model: String, filter: SearchFilter, k: Int) throws -> [VectorHit] {
        do {
            guard k > 0, let collection = try collection(tenant: filter.tenant, create: false) else { return [] }
            let matches = try client.query(collection: collection, embedding: query, n: k, filter: Self.whereClause(for: filter))
            let ids = try lookup.signatureIDs(tenant: filter.tenant, keys: matches.map(\.id))
            // Records another replica published are shown from their metadata, fetched only for them
            // (a search on one machine pays nothing); not when labels must be checked on events.
            let elsewhere = filter.labels.isEmpty && showsUnknownRecords ? matches.map(\.id).filter { ids[$0] == nil } : []
            let records = elsewhere.isEmpty ? [:] : try client.get(collection: collection, ids: elsewhere)
            return matches.compactMap { match in
                if let id = ids[match.id] { return VectorHit(signatureID: id, similarity: 1 - match.distance) }
                guard let record = records[match.id], let remote = Self.remote(record, tenant: filter.tenant) else { return nil }
                return VectorHit(signatureID: remote.signature.id, similarity: 1 - match.distance, remote: remote)
            }
        } catch let error as ChromaError where error.isTransient {
            throw VectorStoreUnavailable(reason: error.description)
        } catch ChromaError.rejected(404, _) {
            forget(tenant: filter.tenant)
            throw VectorStoreUnavailable(reason: "the collection of tenant '\(filter.tenant)' is gone from ChromaDB; it is created again")
        }
    }

    /// The embedded store's copy of a local hit's vector; none for a record another replica published.
    public func vector(of hit: VectorHit, model: String) throws -> [Float]? {
        hit.remote == nil ? try events.vector(of: hit, model: model) : nil
    }

    /// The vectors of the records `keys` of `tenant` that are there, in batches the server accepts.
    /// `probe` first asks which are there (ids only), for keys many of which may not be published yet;
    /// with `recipe`, only vectors made by it.
    public func vectors(tenant: String, keys: [String], probe: Bool = false, recipe: String? = nil) throws -> [String: [Float]] {
        guard !keys.isEmpty, let collection = try collection(tenant: tenant, create: false) else { return [:] }
        // Small requests: ChromaDB answers searches between them.
        let batch = min(limits.maxBatchSize, 512)
        var wanted = keys
        if probe {
            var present = Set<String>()
            for start in stride(from: 0, to: keys.count, by: batch) {
                present.formUnion(try client.present(collection: collection, ids: Array(keys[start..<min(keys.count, start + batch)])))
            }
            wanted = keys.filter(present.contains)
        }
        var vectors: [String: [Float]] = [:]
        for start in stride(from: 0, to: wanted.count, by: batch) {
            vectors.merge(try client.embeddings(collection: collection, ids: Array(wanted[start..<min(wanted.count, start + batch)]), recipe: recipe)) { first, _ in first }
        }
        return vectors
    }

    /// The vectors other replicas published for those of `signatures` (of the embedded store) that
    /// have a record made by `recipe`, by signature id: in cluster mode a replica takes them instead
    /// of embedding again, but not an older release's during a rolling upgrade.
    public func published(_ signatures: [Signature], recipe: String) throws -> [Int64: [Float]] {
        let keys = try events.indexKeys(ids: signatures.map(\.id))
        var found: [Int64: [Float]] = [:]
        for (tenant, group) in Dictionary(grouping: signatures, by: \.tenant) {
            let vectors = try vectors(tenant: tenant, keys: group.compactMap { keys[$0.id] }, probe: true, recipe: recipe)
            for signature in group { if let key = keys[signature.id], let vector = vectors[key] { found[signature.id] = vector } }
        }
        return found
    }

    public func missing(model: String, among ids: [Int64]) throws -> [Int64] {
        let entries = try events.indexEntries(ids: ids, model: model)
        var present = Set<Int64>()
        for (tenant, group) in Dictionary(grouping: entries, by: \.signature.tenant) {
            guard let collection = try collection(tenant: tenant, create: false) else { continue }
            let found = try client.get(collection: collection, ids: group.map(\.key))
            present.formUnion(group.filter { found[$0.key] != nil }.map(\.signature.id))
        }
        return ids.filter { !present.contains($0) }
    }
}
