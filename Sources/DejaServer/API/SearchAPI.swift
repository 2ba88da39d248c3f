import DejaCore
import DejaIngest
import DejaSearch
import DejaStore
import Foundation
import Hummingbird

/// A search as the API takes it: `POST /api/v1/search` as JSON, or `GET` with query parameters.
struct SearchQuery: Decodable, Sendable {
    /// Empty when the request gave none (`/similar` and `/patterns` take only the filters).
    var query = ""
    var services: [String] = []
    var levels: [String] = []
    var since: String?
    var until: String?
    var limit: Int?
    var labels: [String: String] = [:]

    enum CodingKeys: String, CodingKey { case query, q, service, level, since, until, limit, labels }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let text = try container.decodeIfPresent(String.self, forKey: .query) ?? container.decodeIfPresent(String.self, forKey: .q) else {
            throw HTTPError(.badRequest, message: "a search needs \"query\": the text, log line or stack trace to look for")
        }
        query = text
        services = try Self.oneOrMany(container, .service)
        levels = try Self.oneOrMany(container, .level)
        since = try container.decodeIfPresent(String.self, forKey: .since)
        until = try container.decodeIfPresent(String.self, forKey: .until)
        limit = try container.decodeIfPresent(Int.self, forKey: .limit)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
    }

    /// A string or an array of strings.
    private static func oneOrMany(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [String] {
        if let one = try? container.decodeIfPresent(String.self, forKey: key) { return [one] }
        return try container.decodeIfPresent([String].self, forKey: key) ?? []
    }

    /// From `q`, `service`, `level`, `since`, `until`, `limit` (repeated `service`/`level` allowed, or comma-separated).
    init(parameters: [(String, String)]) throws {
        for (name, value) in parameters {
            switch name {
            case "q", "query": query = value
            case "service": services += value.split(separator: ",").map(String.init)
            case "level": levels += value.split(separator: ",").map(String.init)
            case "since": since = value
            case "until": until = value
            case "limit":
                guard let number = Int(value) else { throw HTTPError(.badRequest, message: "limit '\(value)' is not a number") }
                limit = number
            default: if name.hasPrefix("label.") { labels[String(name.dropFirst(6))] = value }
            }
        }
    }

    /// The filter for `tenant`; a bad level or time is a 400 naming it.
    func filter(tenant: String) throws -> SearchFilter {
        let severities = try levels.map { text -> Severity in
            let level = Severity(parsing: text)
            guard level != .unknown else { throw HTTPError(.badRequest, message: "level '\(text)' is not a level (error, warn, info, debug, ...)") }
            return level
        }
        let start = try Self.instant(since, "since"), end = try Self.instant(until, "until")
        if let start, let end, start > end { throw HTTPError(.badRequest, message: "since must be before until: no event is in that window") }
        return SearchFilter(tenant: tenant, services: services, levels: severities, labels: labels, since: start, until: end)
    }

    func checkedLimit() throws -> Int {
        let value = limit ?? 10
        guard (1...100).contains(value) else { throw HTTPError(.badRequest, message: "limit must be 1 to 100, not \(value)") }
        return value
    }

    static func instant(_ text: String?, _ name: String) throws -> Int64? {
        guard let text else { return nil }
        // An offset typed unencoded in a URL (`since=2026-12-07T10:00:00+01:00`) arrives with its
        // `+` read as a space, as forms encode one; no other reading of such a time is possible.
        let repaired = text.wholeMatch(of: /(\d{4}-\d\d-\d\dT[\d:.]+) (\d\d:?\d\d)/).map { "\($0.1)+\($0.2)" }
        guard let value = DurationParser.instant(repaired ?? text) else {
            throw HTTPError(.badRequest, message: "\(name) '\(text)' is neither a duration (1h, 1h30m) nor a time (2024-03-14T09:21:07Z) in \(EventTime.rangeDescription)")
        }
        return value
    }
}

/// What a search answers.
struct SearchResponse: Codable, ResponseEncodable {
    var query: String
    var tookMilliseconds: Double
    /// Where `tookMilliseconds` went: waiting for earlier searches, then each stage.
    var queuedMilliseconds: Double
    var stages: SearchStages
    var groups: [ResultGroup]
    /// Set when vector search could not answer (ChromaDB down) and the groups come from keyword search alone.
    var notice: String?
    /// What keyword search and identifier lookups read: every stored event (`events`), or in cluster
    /// mode each signature's message and example event (`signatures`); raw events are in Loki or
    /// Elasticsearch (`rawLogs`).
    var keywordScope: KeywordScope
    /// For a query holding identifiers, where Grafana (Loki) or Kibana is configured: every raw line
    /// holding one of them in the search's range (the last 7 days when it names none).
    var rawLogs: [String: String]?
}

/// What keyword search reads on this server.
enum KeywordScope: String, Codable, Sendable {
    case events, signatures
}

/// Signatures with counts per bucket over a range.
struct SignaturesResponse: Codable, ResponseEncodable {
    var since: Int64
    var until: Int64
    var bucketNanoseconds: Int64
    var signatures: [SignatureCounts]
}

/// Patterns with counts per bucket over a range.
struct PatternsResponse: Codable, ResponseEncodable {
    var since: Int64
    var until: Int64
    var bucketNanoseconds: Int64
    var patterns: [PatternCounts]
}

extension StoredEvent: ResponseEncodable {}

/// `/api/v1/search`, `/api/v1/similar/{id}`, `/api/v1/events/{id}`, `/api/v1/patterns`.
struct SearchAPI {
    let search: SearchService
    let reads: StoreReads
    let metrics: ServerMetrics
    let keywordScope: KeywordScope
    let links: DeepLinks

    func register(on router: GuardedRouter) {
        router.get("/api/v1/search", .scope(.read)) { request, context in
            let query = try SearchQuery(parameters: request.formParameters.map { ($0.key, $0.value) })
            return try await run(query, tenant: try context.tenant(for: .read))
        }
        router.post("/api/v1/search", .scope(.read)) { request, context in
            let query = try await request.decode(as: SearchQuery.self, context: context)
            return try await run(query, tenant: try context.tenant(for: .read))
        }
        router.get("/api/v1/events/:id", .scope(.read)) { _, context in
            try await event(context.parameters.requireDecoded("id"), tenant: try context.tenant(for: .read))
        }
        router.get("/api/v1/similar/:id", .scope(.read)) { request, context in
            let tenant = try context.tenant(for: .read)
            let event = try await event(context.parameters.requireDecoded("id"), tenant: tenant)
            var query = try SearchQuery(parameters: request.formParameters.map { ($0.key, $0.value) })
            query.query = event.body
            return try await timed("similar", query, tenant: tenant) { engine, filter, limit in
                try engine.similar(to: event, filter: filter, limit: limit)
            }
        }
        router.get("/api/v1/signatures", .scope(.read)) { request, context in
            let range = try await CountedRange(request, tenant: try context.tenant(for: .read), reads: reads)
            let signatures = try (request.formParameters["signature"].map(String.init) ?? "").split(separator: ",").map { text in
                guard let id = Int64(text) else { throw HTTPError(.badRequest, message: "signature '\(text)' is not a signature id") }
                return id
            }
            let counts = try await answeringSharedState {
                try await reads.signatureCounts(filter: range.filter, since: range.since, until: range.until, buckets: range.buckets,
                                                limit: range.limit, signatures: signatures)
            }
            return SignaturesResponse(since: range.since, until: range.until, bucketNanoseconds: range.bucketNanoseconds, signatures: counts)
        }
        router.get("/api/v1/patterns", .scope(.read)) { request, context in
            let range = try await CountedRange(request, tenant: try context.tenant(for: .read), reads: reads)
            let counts = try await answeringSharedState {
                try await reads.patternCounts(filter: range.filter, since: range.since, until: range.until, buckets: range.buckets, limit: range.limit)
            }
            return PatternsResponse(since: range.since, until: range.until, bucketNanoseconds: range.bucketNanoseconds, patterns: counts)
        }
    }

    private func run(_ query: SearchQuery, tenant: String) async throws -> SearchResponse {
        guard !query.query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw HTTPError(.badRequest, message: "a search needs q (or \"query\"): the text, log line or stack trace to look for")
        }
        let text = query.query
        return try await timed("search", query, tenant: tenant, linkingIdentifiers: true) { engine, filter, limit in
            try engine.search(text, filter: filter, limit: limit)
        }
    }

    /// The range of the raw-log links of a search that names none.
    static let rawLogWindow: Int64 = 7 * 24 * 3_600 * 1_000_000_000

    /// Runs `work` with the query's filter and limit, timed for `/metrics` under `endpoint`; with
    /// `linkingIdentifiers`, the answer links to the raw lines holding the query's identifiers.
    private func timed(_ endpoint: String, _ query: SearchQuery, tenant: String, linkingIdentifiers: Bool = false,
                       _ work: @escaping @Sendable (SearchEngine, SearchFilter, Int) throws -> SearchResults) async throws -> SearchResponse {
        let filter = try query.filter(tenant: tenant)
        let limit = try query.checkedLimit()
        let started = DispatchTime.now().uptimeNanoseconds
        var results: SearchResults
        var scope = keywordScope
        let begun = SearchStart()
        do {
            results = try await search.run { engine in
                begun.nanoseconds = DispatchTime.now().uptimeNanoseconds
                return try work(engine, filter, limit)
            }
        } catch let error as SharedStateError {
            // Cluster mode: what the shared state cannot answer, this replica's own events can, and the answer says so.
            guard let own = try await search.runFallback({ engine in try work(engine, filter, limit) }) else { throw error.httpError }
            results = own
            results.notice = error.fallbackNotice
            scope = .events
        }
        let took = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let queued = Double(max(begun.nanoseconds, started) - started) / 1e6
        metrics.searched(endpoint, seconds: took, queuedMilliseconds: queued, stages: results.stages)
        if results.notice != nil { metrics.degradedSearch(endpoint) }
        var response = SearchResponse(query: query.query, tookMilliseconds: took * 1000, queuedMilliseconds: queued, stages: results.stages,
                                      groups: results.groups, notice: results.notice, keywordScope: scope)
        if linkingIdentifiers, !results.identifiers.isEmpty {
            let until = filter.until ?? EventTime.now()
            let links = LogLinks.links(service: filter.services.count == 1 ? filter.services[0] : nil, since: filter.since ?? until - Self.rawLogWindow,
                                       until: until, holding: results.identifiers, configuration: links)
            response.rawLogs = links.isEmpty ? nil : links
        }
        return response
    }

    /// An event by the id its sender gave, or by Deja's own number; only within `tenant`.
    private func event(_ id: String, tenant: String) async throws -> StoredEvent {
        guard let found = try await reads.event(id: id, tenant: tenant) else { throw HTTPError(.notFound, message: "no event with id '\(id)'") }
        return found
    }
}

/// When the search queue began a request's search (set once, on the search thread, before it is read).
private final class SearchStart: @unchecked Sendable {
    var nanoseconds: UInt64 = 0
}

/// The range, buckets and limit of a request for counts over time: the range defaults to the
/// tenant's oldest event until now.
struct CountedRange: Sendable {
    var filter: SearchFilter
    var since: Int64
    var until: Int64
    var buckets: Int
    var limit: Int

    var bucketNanoseconds: Int64 { StoreReads.bucketWidth(since: since, until: until, buckets: buckets) }

    init(_ request: Request, tenant: String, reads: StoreReads) async throws {
        let query = try SearchQuery(parameters: request.formParameters.map { ($0.key, $0.value) })
        filter = try query.filter(tenant: tenant)
        let until = filter.until ?? EventTime.now()
        let earliest = filter.since == nil ? try await answeringSharedState { try await reads.earliestEvent(tenant: tenant) } : nil
        self.until = until
        since = filter.since ?? earliest.map { max(EventTime.earliest, $0) } ?? until - 24 * 3_600 * 1_000_000_000
        guard since < until else { throw HTTPError(.badRequest, message: "since must be before until") }
        buckets = Int(request.formParameters["buckets"].map(String.init) ?? "24") ?? 0
        guard (1...1000).contains(buckets) else { throw HTTPError(.badRequest, message: "buckets must be 1 to 1000") }
        limit = query.limit ?? 50
        guard (1...1000).contains(limit) else { throw HTTPError(.badRequest, message: "limit must be 1 to 1000, not \(limit)") }
    }
}

extension SharedStateError {
    /// What a search answered by this replica alone says.
    var fallbackNotice: String { "\(description); these results come from this replica's own events only" }

    /// PostgreSQL's failure: worth retrying (503).
    var httpError: HTTPError { HTTPError(.serviceUnavailable, message: description) }
}

/// Runs a read of the shared state (cluster mode): what PostgreSQL could not answer, or a change no
/// replica leading grouping did in time, is answered 503.
func answeringSharedState<Value: Sendable>(_ work: () async throws -> Value) async throws -> Value {
    do {
        return try await work()
    } catch let error as SharedStateError {
        throw error.httpError
    } catch let error as NoGroupingLeader {
        throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "15"], message: error.description)
    }
}
