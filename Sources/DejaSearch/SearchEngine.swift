import DejaCore
import DejaEmbedding
import DejaStore
import Dispatch
import Foundation

/// One result: a signature with the events of it that pass the filters, and why it matched.
public struct ResultGroup: Sendable, Codable, Equatable {
    public var signature: Signature
    /// Events passing the filters, in all.
    public var count: Int
    /// Newest first; events that matched the query's words come first.
    public var events: [StoredEvent]
    /// Cosine similarity between the query and the signature's message, when vector search found it.
    public var similarity: Float?
    /// Rank of its best event in keyword (BM25) search, when keyword search found it.
    public var keywordRank: Int?
    /// Failure families (`FailureTaxonomy`) the query and the signature's message both show.
    public var sharedConcepts: [String]
    /// How many of `events`, from the first, hold one of the query's identifiers (`QueryIdentifiers`)
    /// exactly; such groups rank first. Nil when the query has none or the group holds none.
    public var identifierMatches: Int?
    /// Fused score (reciprocal rank fusion, then the failure prior) that ordered the results after identifier matches.
    public var score: Double
    /// True when another replica holds the events (found through the shared ChromaDB index): the
    /// group shows the example event of the index record, and the count in all.
    public var remote: Bool?
}

/// What a search found; `notice` says why vector search was left out, when it was.
public struct SearchResults: Sendable {
    public var groups: [ResultGroup]
    /// Set when the vector store could not answer (ChromaDB down): the groups come from keyword search alone.
    public var notice: String?
    /// Where the search's time went.
    public var stages = SearchStages()
    /// The query's identifiers (`QueryIdentifiers`), looked up exactly.
    public var identifiers: [String] = []
}

/// Milliseconds each stage of a search took, so a slow search says why. Keyword search runs while
/// the query is embedded and matched where a core is free for it: `keywordWait` is how long the
/// search waited for it after that.
public struct SearchStages: Sendable, Codable, Equatable {
    /// Embedding the query.
    public var embedding = 0.0
    /// Nearest signature vectors (in process or ChromaDB).
    public var vectors = 0.0
    /// Keyword and identifier search, from its start to its end.
    public var keywords = 0.0
    /// Waiting for keyword search once the vectors were in.
    public var keywordWait = 0.0
    /// Fusion, issues and reading each group's signature and events.
    public var grouping = 0.0

    public init() {}

    /// The stages with their names, as `/metrics` labels them.
    public var named: [(stage: String, milliseconds: Double)] {
        [("embedding", embedding), ("vectors", vectors), ("keywords", keywords), ("keyword_wait", keywordWait), ("grouping", grouping)]
    }
}

/// Hybrid search: the query is redacted and embedded like an event body, matched against signature
/// vectors, and fused with BM25 keyword search over event bodies by reciprocal rank fusion, so
/// error codes and rare words are found too. Events holding one of the query's identifiers exactly
/// (an order number, a trace id, an address) rank before everything else, as in a keyword tool.
/// Results are grouped by signature.
public final class SearchEngine {
    // Not Sendable: owns the embedder.
    public let store: any SearchReading
    /// Where signature vectors are searched: the embedded store itself, or ChromaDB.
    public let vectors: any VectorStore
    /// Issue membership for the issue list; nil leaves that list out (cluster mode: issues are each replica's own).
    public let issues: (any IssueMembership)?
    public let embedder: SentenceEmbedder
    private let redactor: Redactor
    /// RRF's k: how quickly a list's later ranks stop counting.
    public var fusionK = 60.0
    /// Candidates taken from each list before fusion.
    public var candidates = 100
    /// Weight of the keyword list in fusion unless the query is a lookup: a tie-breaker. Common
    /// words ("string", "format", "map") match unrelated lines; ids and codes are what keywords are
    /// for, and they rank first by `QueryIdentifiers` (docs/search-quality.md: 0.01, on half A).
    public var plainKeywordWeight = 0.01
    /// Weight of the keyword list for a lookup: a query of six words at most holding an identifier
    /// (`QueryIdentifiers`), or a single word (`OOMKilled`, a host's name `web01`), which the user
    /// expects to find as written.
    public var idKeywordWeight = 2.0
    /// Weight of the issue list: the issues of the best candidates, ranked by their best member,
    /// each member counting at its issue's rank. One failure worded many ways is one issue, so
    /// the wordings the query's own words miss come up with the ones they find. A search for
    /// failures (the failure prior's) widens through failure issues only.
    public var issueWeight = 2.0
    /// Candidates, by fused score, whose issues enter the issue list.
    public var issueSeeds = 10
    /// Weight of the failure prior: signatures at warning or above gain what rank 1 of a list of
    /// this weight gives (a line with no level, half), so among candidates alike in meaning a
    /// failure ranks before a routine line. Left out when the query is itself a line of a routine level.
    public var failureWeight = 0.25

    /// How far the query's vector leans toward its nearest stored line's before the search that
    /// counts (docs/search-quality.md: 0.3, the nearest one alone, on half A).
    public var nearestWeight = 0.3

    /// Search over the embedded store, its vectors in it or in `vectors` (ChromaDB).
    public convenience init(store: any SearchableStore, vectors: (any VectorStore)? = nil, embedder: SentenceEmbedder, redactor: Redactor) {
        self.init(reading: store, issues: store, vectors: vectors ?? store, embedder: embedder, redactor: redactor)
    }

    /// Search over any source of signatures and events, such as cluster mode's shared state.
    public init(reading store: any SearchReading, issues: (any IssueMembership)?, vectors: any VectorStore, embedder: SentenceEmbedder,
                redactor: Redactor) {
        self.store = store
        self.issues = issues
        self.vectors = vectors
        self.embedder = embedder
        self.redactor = redactor
    }

    /// The best `limit` signature groups for `query` (text, a log line or a whole stack trace);
    /// `level` is the query's own level where known (a stored event's), else read from the query.
    public func search(_ query: String, filter: SearchFilter, limit: Int, eventsPerGroup: Int = 5, level: Severity? = nil) throws -> SearchResults {
        var stages = SearchStages()
        var clock = StageClock()
        let keyword = Pending<(ranked: [StoredEvent], holdingIdentifier: [[StoredEvent]], milliseconds: Double)>()
        let (store, candidates) = (store, candidates)
        let read = QueryText(query)
        let query = read.searched
        let identifiers = QueryIdentifiers.of(query)
        let keywordSearch: @Sendable () -> Void = {
            var clock = StageClock()
            keyword.result = Result {
                (try store.events(ids: store.keywordSearch(query, filter: filter, limit: candidates), tenant: filter.tenant),
                 try identifiers.map { try store.eventsHolding(identifier: $0, filter: filter, limit: candidates) }, clock.lap())
            }
        }
        // Keyword search needs no embedding: it runs while the query is embedded where a core is
        // free for it, or where a database server does its work. Where the embedder's threads take
        // every core, an in-process keyword search runs after: beside the embedding it would take a
        // helper's core, and the whole pass would run on one.
        let besideEmbedding = store.answeredByServer || ProcessInfo.processInfo.activeProcessorCount > embedder.threads
        if besideEmbedding { DispatchQueue.global(qos: .userInitiated).async(group: keyword.group, execute: keywordSearch) }
        let text = redactor.redact(query)
        let embedded = EmbeddingText(text)
        let vector = embedder.embed([embedded.text], leaningToward: [embedded.conditions], weight: EmbeddingText.conditionWeight, batchSize: 1)[0]
        stages.embedding = clock.lap()
        // A pasted line of a routine level asks for lines like it, not for failures. Its level is
        // that of the stored lines of its pattern where they are among the nearest (what was logged
        // beats what its words suggest), else the one its header or a leading word names.
        let shape = QueryShape(query: text)
        var queryLevel = level ?? read.level
        var vectorHits: [VectorHit] = []
        var notice: String?
        do {
            vectorHits = try vectors.search(vector, model: embedder.modelIdentity, filter: filter, k: candidates)
            let nearest = try nearestSignatures(vectorHits, tenant: filter.tenant)
            if level == nil, let own = nearest.compactMap({ $0 }).first(where: { $0.level != .unknown && shape.matches($0.message) }) {
                queryLevel = own.level
            }
            vectorHits = try leaning(vector, toward: zip(vectorHits, nearest), failuresOnly: Self.asksForFailures(queryLevel), filter: filter) ?? vectorHits
        } catch let error as VectorStoreUnavailable {
            notice = "vector search is unavailable (\(error.reason)); these results come from keyword search alone"
        }
        stages.vectors = clock.lap()
        if besideEmbedding {
            keyword.group.wait()
            stages.keywordWait = clock.lap()
        } else {
            keywordSearch()
            _ = clock.lap()  // counted in `keywords`, not in grouping
        }
        let (keywordHits, holdingIdentifier, keywordMilliseconds) = try keyword.result!.get()
        stages.keywords = keywordMilliseconds
        // An id lookup is a short query holding an identifier, or one word; in a longer one (a pasted
        // line, a stack trace) the identifier is found first anyway, and the query's other words are the search.
        let words = query.split(whereSeparator: \.isWhitespace).count
        let isLookup = words == 1 || (!identifiers.isEmpty && words <= QueryIdentifiers.lookupWords)
        let weight = isLookup ? idKeywordWeight : plainKeywordWeight
        let groups = try fuse(vectorHits: vectorHits, keywordHits: keywordHits, keywordWeight: weight, holdingIdentifier: holdingIdentifier,
                              queryConcepts: embedded.labels, preferFailures: Self.asksForFailures(queryLevel),
                              shape: shape, filter: filter, limit: limit, eventsPerGroup: eventsPerGroup)
        stages.grouping = clock.lap()
        return SearchResults(groups: groups, notice: notice, stages: stages, identifiers: identifiers)
    }

    /// Groups like `event` itself: its message is the query, and its own signature is left out.
    public func similar(to event: StoredEvent, filter: SearchFilter, limit: Int) throws -> SearchResults {
        var results = try search(event.body, filter: filter, limit: limit + 1, level: event.level)
        results.groups = Array(results.groups.filter { $0.signature.id != event.signatureID }.prefix(limit))
        return results
    }

    private func fuse(vectorHits: [VectorHit], keywordHits: [StoredEvent], keywordWeight: Double, holdingIdentifier: [[StoredEvent]],
                      queryConcepts: [String], preferFailures: Bool, shape: QueryShape, filter: SearchFilter, limit: Int, eventsPerGroup: Int) throws -> [ResultGroup] {
        var score: [Int64: Double] = [:]
        var similarity: [Int64: Float] = [:]
        var remote: [Int64: RemoteSignature] = [:]
        for (rank, hit) in vectorHits.enumerated() {
            score[hit.signatureID, default: 0] += 1 / (fusionK + Double(rank + 1))
            similarity[hit.signatureID] = hit.similarity
            remote[hit.signatureID] = hit.remote
        }
        // Keyword hits rank events; a signature counts at the rank of its best event.
        var keywordRank: [Int64: Int] = [:]
        var matchedEvents: [Int64: [StoredEvent]] = [:]
        for event in keywordHits {
            matchedEvents[event.signatureID, default: []].append(event)
            if keywordRank[event.signatureID] == nil { keywordRank[event.signatureID] = keywordRank.count + 1 }
        }
        for (signature, rank) in keywordRank { score[signature, default: 0] += keywordWeight / (fusionK + Double(rank)) }
        // Signatures read so far: the issue list's seeds, then the ranked candidates not among them.
        var fetched: [Int64: Signature] = [:]
        if issueWeight > 0, let issues {
            var seeds = score.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(issueSeeds).map(\.key)
            if preferFailures {
                // A search for failures widens through failure issues only: a routine issue (one
                // Windows update line per package) would bury the failures the prior puts first;
                // but through the query's own pattern's, as a pasted line asks for its kind.
                for signature in try store.signatures(ids: seeds, tenant: filter.tenant) { fetched[signature.id] = signature }
                seeds = seeds.filter { seed in
                    guard let signature = fetched[seed] ?? remote[seed]?.signature else { return true }
                    return Self.asksForFailures(signature.level) || shape.matches(signature.message)
                }
            }
            let (issueOf, members) = try issues.issueMembers(of: seeds, tenant: filter.tenant, membersPerIssue: candidates)
            var issueRank: [Int64: Int] = [:]
            for seed in seeds { if let issue = issueOf[seed], issueRank[issue] == nil { issueRank[issue] = issueRank.count + 1 } }
            for (issue, rank) in issueRank {
                for member in members[issue] ?? [] { score[member, default: 0] += issueWeight / (fusionK + Double(rank)) }
            }
        }
        // Signatures holding more of the query's identifiers first, then by fused score.
        var identifierEvents: [Int64: [StoredEvent]] = [:]
        var identifiersHeld: [Int64: Int] = [:]
        var seenEvents = Set<Int64>()
        for events in holdingIdentifier {
            for signature in Set(events.map(\.signatureID)) {
                identifiersHeld[signature, default: 0] += 1
                if score[signature] == nil { score[signature] = 0 }
            }
            for event in events where seenEvents.insert(event.id).inserted { identifierEvents[event.signatureID, default: []].append(event) }
        }

        // Issue members are not filtered yet: a few more than asked for, and the first `limit` that pass.
        let byIdentifiersAndScore = { (a: (key: Int64, value: Double), b: (key: Int64, value: Double)) -> Bool in
            let (heldA, heldB) = (identifiersHeld[a.key] ?? 0, identifiersHeld[b.key] ?? 0)
            return heldA != heldB ? heldA > heldB : a.value != b.value ? a.value > b.value : a.key < b.key
        }
        var ranked = Array(score.sorted(by: byIdentifiersAndScore).prefix(limit * 3))
        for signature in try store.signatures(ids: ranked.map(\.key).filter { fetched[$0] == nil }, tenant: filter.tenant) { fetched[signature.id] = signature }
        let signatures = fetched
        if preferFailures && failureWeight > 0 {
            ranked = ranked.map { candidate in
                guard let level = signatures[candidate.key]?.level ?? remote[candidate.key]?.signature.level else { return candidate }
                let share = level >= .warning ? 1.0 : level == .unknown ? 0.5 : 0
                return (candidate.key, candidate.value + share * failureWeight / (fusionK + 1))
            }.sorted(by: byIdentifiersAndScore)
        }
        ranked = shape.crowd(ranked, message: { signatures[$0]?.message ?? remote[$0]?.signature.message },
                                pinned: { identifiersHeld[$0] != nil })
        var groups: [ResultGroup] = []
        // Each signature's events, asked for `limit` signatures at a time: one round trip each
        // where the store is a server (cluster mode), and few more than needed where it is not.
        var eventsOf: [Int64: (events: [StoredEvent], total: Int)] = [:]
        for (position, (id, fused)) in ranked.enumerated() where groups.count < limit {
            if position % limit == 0 {
                let chunk = ranked.dropFirst(position).prefix(limit).map(\.key).filter { remote[$0] == nil && signatures[$0] != nil }
                eventsOf = try store.events(signatures: chunk, filter: filter, limit: eventsPerGroup)
            }
            if let elsewhere = remote[id] {
                let signature = elsewhere.signature
                groups.append(ResultGroup(signature: signature, count: signature.count, events: [elsewhere.exampleEvent], similarity: similarity[id],
                                          keywordRank: nil, sharedConcepts: Self.shared(queryConcepts, signature.message), identifierMatches: nil,
                                          score: fused, remote: true))
                continue
            }
            guard let signature = signatures[id] else { continue }
            guard let (newest, total) = eventsOf[id], total > 0 else { continue }
            // Events holding an identifier, then events matching the query's words, then the newest.
            let holding = identifierEvents[id] ?? []
            var listed = Set(holding.map(\.id))
            let matched = (matchedEvents[id] ?? []).filter { listed.insert($0.id).inserted }
            let events = Array((holding + matched + newest.filter { !listed.contains($0.id) }).prefix(max(eventsPerGroup, holding.count + matched.count)))
            groups.append(ResultGroup(signature: signature, count: total, events: events, similarity: similarity[id],
                                      keywordRank: keywordRank[id], sharedConcepts: Self.shared(queryConcepts, signature.message),
                                      identifierMatches: holding.isEmpty ? nil : holding.count, score: fused))
        }
        return groups
    }

    /// Milliseconds between laps.
    private struct StageClock {
        private var last = DispatchTime.now().uptimeNanoseconds

        mutating func lap() -> Double {
            let now = DispatchTime.now().uptimeNanoseconds
            defer { last = now }
            return Double(now - last) / 1e6
        }
    }

    /// Whether a query of `level` asks for failures: one that names none, or a failure's.
    private static func asksForFailures(_ level: Severity) -> Bool { level == .unknown || level >= .warning }

    /// The hits of `vector` leaned toward its nearest stored line (a failure, when `failuresOnly`):
    /// its wording is how this store's logs say what the query means (pseudo-relevance feedback,
    /// Rocchio's). Each hit keeps its similarity to the query itself. Nil when no line is there to lean toward.
    private func leaning(_ vector: [Float], toward nearest: some Sequence<(VectorHit, Signature?)>, failuresOnly: Bool,
                         filter: SearchFilter) throws -> [VectorHit]? {
        let model = embedder.modelIdentity
        guard nearestWeight > 0,
              let target = nearest.first(where: { $1.map { !failuresOnly || Self.asksForFailures($0.level) } ?? false }),
              let toward = try vectors.vector(of: target.0, model: model) else { return nil }
        return try vectors.search(Self.unit(zip(vector, toward).map { $0 + Float(nearestWeight) * $1 }), model: model, filter: filter, k: candidates)
            .map { hit in
                var hit = hit
                if let stored = try vectors.vector(of: hit, model: model) { hit.similarity = zip(vector, stored).reduce(0) { $0 + $1.0 * $1.1 } }
                return hit
            }
    }

    /// The signatures of the first three hits, in their order (another replica's from the index).
    private func nearestSignatures(_ hits: [VectorHit], tenant: String) throws -> [Signature?] {
        let first = hits.prefix(3)
        let found = Dictionary(uniqueKeysWithValues: try store.signatures(ids: first.filter { $0.remote == nil }.map(\.signatureID), tenant: tenant)
            .map { ($0.id, $0) })
        return first.map { $0.remote?.signature ?? found[$0.signatureID] }
    }

    private static func unit(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    private static func shared(_ queryConcepts: [String], _ message: String) -> [String] {
        queryConcepts.isEmpty ? [] : FailureTaxonomy.labels(in: message).filter(queryConcepts.contains)
    }
}

/// A result computed on another thread; read only after `group.wait()`.
private final class Pending<Value: Sendable>: @unchecked Sendable {
    // @unchecked: written once by the worker before it leaves the group, read after the wait.
    let group = DispatchGroup()
    var result: Result<Value, Error>?
}
