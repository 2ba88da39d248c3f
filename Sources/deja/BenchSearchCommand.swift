import ArgumentParser
import DejaCore
import DejaSearch
import DejaStore
import DejaIngest
import Foundation

/// `deja bench search`: query latency over a data directory, query embedding included.
struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Run queries against a data directory and report latency percentiles by query kind.",
        discussion: """
        QUERIES is JSONL: {"query": TEXT, "kind": NAME}. Each query runs once after a warm-up \
        of --warmup queries (which loads the vector index); the time covers redaction, embedding, \
        vector and keyword search, fusion and grouping. Queries of up to 32 word pieces are also \
        reported together as kind "up-to-32-tokens".
        """
    )

    @Argument(help: "Queries, one JSON object per line.")
    var queries: String

    @Option(help: "Queries run first and not timed.")
    var warmup = 5

    @Option(name: [.short, .customLong("limit")], help: "Result groups per query.")
    var k = 10

    @OptionGroup var store: StoreOptions
    @OptionGroup var vectors: VectorStoreOptions
    @OptionGroup var model: ModelOptions

    mutating func run() throws {
        var items: [(query: String, kind: String)] = []
        for (number, line) in try LineReader.lines(of: queries).enumerated() where !line.allSatisfy(\.isWhitespace) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let query = object["query"] as? String else { throw CLIError("\(queries):\(number + 1): not an object with a string \"query\"") }
            items.append((query, object["kind"] as? String ?? "query"))
        }
        guard !items.isEmpty else { throw CLIError("\(queries) holds no queries") }
        let (embedder, redactor) = try model.loadRedacted()
        let database = try store.openExisting()
        let engine = SearchEngine(store: database, vectors: try vectors.open(events: database, model: embedder.modelIdentity),
                                  embedder: embedder, redactor: redactor)
        let filter = SearchFilter(tenant: store.tenant)
        // A search without its vector half would time something else: stop instead.
        func search(_ query: String) throws {
            if let notice = try engine.search(query, filter: filter, limit: k).notice { throw CLIError(notice) }
        }
        for item in items.prefix(warmup) { try search(item.query) }
        var latencies: [String: [Double]] = [:]
        for item in items {
            let start = DispatchTime.now().uptimeNanoseconds
            try search(item.query)
            let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            latencies[item.kind, default: []].append(milliseconds)
            latencies["all", default: []].append(milliseconds)
            if embedder.tokenize(item.query).count <= 32 { latencies["up-to-32-tokens", default: []].append(milliseconds) }
        }
        var report: [String: [String: Double]] = [:]
        for (kind, values) in latencies {
            let sorted = values.sorted()
            func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
            report[kind] = ["queries": Double(sorted.count), "p50_ms": percentile(0.5), "p99_ms": percentile(0.99), "max_ms": sorted.last!]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
