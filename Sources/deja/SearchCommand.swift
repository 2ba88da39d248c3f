import ArgumentParser
import DejaCore
import DejaSearch
import DejaStore
import DejaIngest
import Foundation

/// Filters shared by `search` and `similar`.
struct FilterOptions: ParsableArguments {
    @Option(help: "Only this service (repeatable).")
    var service: [String] = []

    @Option(help: "Only this level (repeatable): error, warn, info, ...")
    var level: [String] = []

    @Option(help: "Only events at or after this: a duration ago (1h, 1h30m, 7d) or a time (RFC 3339, 2024-03-14 09:21, UTC unless it names a zone).")
    var since: String?

    @Option(help: "Only events at or before this: a duration ago or a time.")
    var until: String?

    @Option(name: [.short, .customLong("limit")], help: "Result groups (and run-file events per query).")
    var k = 10

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard k >= 1 else { throw ValidationError("-k/--limit must be at least 1, not \(k)") }
        _ = try filter(tenant: "")
    }

    func filter(tenant: String) throws -> SearchFilter {
        func instant(_ text: String?, _ name: String) throws -> Int64? {
            guard let text else { return nil }
            guard let value = DurationParser.instant(text) else { throw ValidationError("--\(name) '\(text)' is neither a duration (1h, 1h30m) nor a time (2024-03-14T09:21:07Z)") }
            return value
        }
        let levels = try Self.levels(level)
        let start = try instant(since, "since"), end = try instant(until, "until")
        if let start, let end, start > end { throw ValidationError("--since must be before --until: no event is in that window") }
        return SearchFilter(tenant: tenant, services: service, levels: levels, since: start, until: end)
    }

    /// The levels `--level` names; an error for a word that names none.
    static func levels(_ texts: [String]) throws -> [Severity] {
        try texts.map { text in
            let severity = Severity(parsing: text)
            guard severity != .unknown else { throw ValidationError("--level '\(text)' is not a level (error, warn, info, debug, ...)") }
            return severity
        }
    }
}

/// `deja search`: logs like this text, line or stack trace.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find logs by meaning and by keyword, grouped by signature.",
        discussion: """
        --batch QUERIES.jsonl reads {"qid", "query", "filters": {"service", "level"}} objects and writes a \
        run file, qid<TAB>id<TAB>rank, ranking event ids (the ids given at ingest), up to -k per query.
        """
    )

    @Argument(help: "The query: a phrase, a log line or a stack trace.")
    var query: String?

    @Option(help: "Read the query from this file (a whole stack trace, say); - for standard input.")
    var file: String?

    @Option(help: "Run every query of this JSONL file and print a run file.")
    var batch: String?

    @OptionGroup var filters: FilterOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var vectors: VectorStoreOptions
    @OptionGroup var model: ModelOptions

    func validate() throws {
        guard [query != nil, file != nil, batch != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of: a QUERY, --file or --batch")
        }
        if let query, query.allSatisfy(\.isWhitespace) { throw ValidationError("the query is empty: give the text, log line or stack trace to look for") }
    }

    mutating func run() throws {
        let (embedder, redactor) = try model.loadRedacted()
        let database = try store.openExisting()
        let engine = SearchEngine(store: database, vectors: try vectors.open(events: database, model: embedder.modelIdentity),
                                  embedder: embedder, redactor: redactor)
        if let batch { return try runBatch(batch, engine) }
        let text = try query ?? Self.read(file!)
        try ResultPrinter.print(try engine.search(text, filter: try filters.filter(tenant: store.tenant), limit: filters.k), json: filters.json)
    }

    private static func read(_ path: String) throws -> String {
        // Through the line reader: a trace saved by PowerShell (UTF-16) reads as text, `-` is standard input.
        let text = try LineReader.lines(of: path).joined(separator: "\n")
        guard !text.allSatisfy(\.isWhitespace) else { throw CLIError("\(path) is empty: it should hold the text, log line or stack trace to look for") }
        return text
    }

    private func runBatch(_ path: String, _ engine: SearchEngine) throws {
        var output = OutputBuffer()
        var number = 0
        for line in try LineReader.lines(of: path) where !line.allSatisfy(\.isWhitespace) {
            number += 1
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let qid = object["qid"].map({ "\($0)" }), let query = object["query"] as? String else {
                throw CLIError("\(path) line \(number): expected {\"qid\", \"query\", \"filters\"}")
            }
            var filter = try filters.filter(tenant: store.tenant)
            let given = object["filters"] as? [String: Any] ?? [:]
            if let service = given["service"] as? String { filter.services = [service] }
            if let level = given["level"] as? String { filter.levels = [Severity(parsing: level)] }
            let results = try engine.search(query, filter: filter, limit: filters.k, eventsPerGroup: filters.k)
            if let notice = results.notice { FileHandle.standardError.write(Data("\(qid): \(notice)\n".utf8)) }
            let groups = results.groups
            var rank = 0
            for event in Self.diversified(groups) where rank < filters.k {
                rank += 1
                output.append("\(qid)\t\(event.externalID ?? String(event.id))\t\(rank)\n")
            }
        }
        output.flush()
    }
}

extension SearchCommand {
    /// Events of the groups in rank order: first every event holding one of the query's identifiers,
    /// then at most two per group until every group has had its turn: events of one signature are
    /// near-duplicates, so one group should not fill the list.
    static func diversified(_ groups: [ResultGroup]) -> [StoredEvent] {
        let identified = groups.flatMap { $0.events.prefix($0.identifierMatches ?? 0) }
        let rest = groups.map { $0.events.dropFirst($0.identifierMatches ?? 0) }
        return identified + rest.flatMap { $0.prefix(2) } + rest.flatMap { $0.dropFirst(2) }
    }
}

/// `deja similar`: events like a stored one.
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "similar", abstract: "Find logs like a stored event (by its id).")

    @Argument(help: "The event's id: the one given at ingest, or Deja's numeric id.")
    var eventID: String

    @OptionGroup var filters: FilterOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var vectors: VectorStoreOptions
    @OptionGroup var model: ModelOptions

    mutating func run() throws {
        let (embedder, redactor) = try model.loadRedacted()
        let database = try store.openExisting()
        let found = try database.event(externalID: eventID, tenant: store.tenant)
            ?? Int64(eventID).flatMap { try? database.events(ids: [$0], tenant: store.tenant).first }
        guard let event = found else { throw CLIError("no event with id \(eventID) for tenant \(store.tenant)") }
        let engine = SearchEngine(store: database, vectors: try vectors.open(events: database, model: embedder.modelIdentity),
                                  embedder: embedder, redactor: redactor)
        try ResultPrinter.print(try engine.similar(to: event, filter: try filters.filter(tenant: store.tenant), limit: filters.k), json: filters.json)
    }
}

/// Result groups as text for people or as JSON for programs.
enum ResultPrinter {
    static func print(_ results: SearchResults, json: Bool) throws {
        // A degraded search still answers; the reason goes where people look, not into the data.
        if let notice = results.notice { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
        let groups = results.groups
        var output = OutputBuffer()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            output.append(String(decoding: try encoder.encode(groups), as: UTF8.self) + "\n")
        } else if groups.isEmpty {
            output.append("no matching logs\n")
        } else {
            for (index, group) in groups.enumerated() {
                let why = [group.identifierMatches.map { "\($0) holding the query's id" },
                           group.similarity.map { String(format: "similarity %.2f", $0) }, group.keywordRank.map { "keyword rank \($0)" },
                           group.sharedConcepts.isEmpty ? nil : "both " + group.sharedConcepts.joined(separator: ", "),
                           group.remote == true ? "events held by another replica" : nil,
                           group.signature.issueID.map { "issue I\($0)" }]
                    .compactMap { $0 }.joined(separator: ", ")
                output.append("\(index + 1). \(group.count)× \(group.signature.service) \(group.signature.level)  (\(why))\n")
                output.append("   \(group.signature.message.split(separator: "\n").first ?? "")\n")
                for event in group.events.prefix(3) {
                    let time = Date(timeIntervalSince1970: Double(event.timestamp) / 1e9).ISO8601Format()
                    let id = event.externalID.map { " id=\($0)" } ?? ""
                    output.append("   - \(time)\(id) \(event.body.split(separator: "\n").first ?? "")\n")
                }
            }
        }
        output.flush()
    }
}
