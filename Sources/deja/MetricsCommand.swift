import ArgumentParser
import DejaCore
import DejaSearch
import DejaIngest
import Foundation

/// `deja metrics`: metric search by meaning over metadata read from Prometheus or a file.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Find metrics (Prometheus names and HELP) by describing them.",
        subcommands: [MetricsIndexCommand.self, MetricsSearchCommand.self]
    )
}

/// `deja metrics index`: stores and embeds metric metadata from a JSON file.
struct MetricsIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index metric metadata from a JSON file.",
        discussion: """
        FILE holds a JSON array of {"metric", "type", "help", "unit", "labels", "jobs"} objects, the \
        shape `deja serve --prometheus-url` reads from Prometheus. The file is the tenant's whole \
        set: metrics indexed before and missing from it age out after --retention.
        """
    )

    @Option(help: "JSON file of metric metadata ('-' for standard input).")
    var file: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Remove metrics not seen for this long (1h, 7d).")
    var retention = "1d"

    @OptionGroup var store: StoreOptions
    @OptionGroup var model: ModelOptions

    mutating func run() throws {
        let metrics = try MetricsFile.read(file)
        guard let retention = DurationParser.nanoseconds(retention).map({ $0 / 1_000_000_000 }), retention > 0 else {
            throw ValidationError("--retention: cannot read '\(retention)' as a duration such as 1h or 7d")
        }
        let search = MetricSearch(store: try store.open(), embedder: try model.load(), embedOnOneThread: false)
        let done = EmbeddingProgress()
        let progress = ProgressLine { "embedded \(ProgressLine.count(done.value.embedded)) of \(ProgressLine.count(done.value.total)) metric documents" }
        progress.start()
        let report = try search.refresh(metrics, tenant: store.tenant, now: Int64(Date().timeIntervalSince1970), retention: retention) {
            done.value = ($0, $1)
        }
        progress.stop()
        if json {
            print(#"{"metrics": \#(report.metrics), "embedded": \#(report.embedded), "removed": \#(report.removed)}"#)
        } else {
            print("\(report.metrics) metrics indexed, \(report.embedded) documents embedded, \(report.removed) removed")
        }
    }
}

/// `deja metrics search`: metrics for a description, or a run file for a batch of questions.
struct MetricsSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search indexed metrics by meaning.",
        discussion: """
        --batch QUERIES.jsonl reads {"qid", "query"} objects and writes qid<TAB>metric<TAB>rank lines.
        """
    )

    @Argument(help: "What the metric measures, in your words.")
    var query: String?

    @Option(help: "Run every query of this JSONL file and print a run file.")
    var batch: String?

    @Option(help: "Only metrics exported by this job.")
    var job: String?

    @Option(help: "Only metrics of this type: counter, gauge, histogram, summary.")
    var type: String?

    @Option(name: [.short, .customLong("limit")], help: "Metrics per query.")
    var k = 10

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var store: StoreOptions
    @OptionGroup var model: ModelOptions

    func validate() throws {
        guard (query == nil) != (batch == nil) else { throw ValidationError("give exactly one of: a QUERY or --batch") }
        guard k >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    mutating func run() throws {
        let search = MetricSearch(store: try store.openExisting(), embedder: try model.load())
        guard try search.counts(tenant: store.tenant).metrics > 0 else {
            throw CLIError("no metrics indexed for tenant \(store.tenant): run `deja metrics index --file FILE` or `deja serve --prometheus-url URL` first")
        }
        var output = OutputBuffer()
        if let batch {
            for (number, line) in try LineReader.lines(of: batch).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let qid = object["qid"] as? String, let text = object["query"] as? String else {
                    throw CLIError("\(batch):\(number + 1): expected {\"qid\": ..., \"query\": ...}")
                }
                for (rank, hit) in try search.search(text, tenant: store.tenant, job: job, type: type, k: k).enumerated() {
                    output.append("\(qid)\t\(hit.metric)\t\(rank + 1)\n")
                }
            }
        } else {
            let hits = try search.search(query!, tenant: store.tenant, job: job, type: type, k: k)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                for hit in hits { output.append(String(decoding: try encoder.encode(hit), as: UTF8.self) + "\n") }
            } else {
                for hit in hits { output.append(String(format: "%.3f\t", hit.score) + "\(hit.metric)\t\(hit.type)\t\(hit.promql)\t\(hit.help)\n") }
            }
        }
        output.flush()
    }
}

/// Reads a JSON array of metric metadata.
enum MetricsFile {
    static func read(_ path: String) throws -> [MetricMetadata] {
        let data: Data
        do { data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot read \(path): \(error.localizedDescription)")
        }
        do { return try JSONDecoder().decode([MetricMetadata].self, from: data) } catch {
            throw CLIError("\(path) is not a JSON array of {\"metric\", \"type\", \"help\", \"unit\", \"labels\", \"jobs\"}: \(error)")
        }
    }
}

/// Documents embedded so far, read by the progress line.
private final class EmbeddingProgress: @unchecked Sendable {
    // @unchecked: `state` is guarded by `lock`.
    private let lock = NSLock()
    private var state = (embedded: 0, total: 0)

    var value: (embedded: Int, total: Int) {
        get { lock.withLock { state } }
        set { lock.withLock { state = newValue } }
    }
}
