import ArgumentParser
import DejaCore
import DejaSearch
import DejaStore
import Foundation

/// `deja issues`: the recurring issues of a data directory, with their state over a window.
struct IssuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issues",
        abstract: "List recurring issues: signatures grouped by meaning across services and languages.",
        discussion: """
        Issues are formed at ingest, as signatures are embedded (a store written by an older Deja \
        gets them when `deja ingest` or `deja serve` next opens it). Each is listed with its events \
        in the window, its state (new, rising, regressed or steady) and its services. \
        --assignments writes every event's issue as CSV (event_id,issue_id): the id an event was \
        ingested with (--jsonl "id"), else Deja's number.
        """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Window start: a duration back from now (24h, 1h30m) or a time (RFC 3339, 2024-03-14 09:21; default: the tenant's oldest event).")
    var since: String?

    @Option(help: "Window end: a duration back from now or a time (default: now).")
    var until: String?

    @Option(help: "Time buckets the window is counted in.")
    var buckets = 24

    @Option(help: "Only issues in this state: new, rising, regressed or steady.")
    var state: String?

    @Option(help: "Only issues with signatures in this service (repeatable).")
    var service: [String] = []

    @Option(help: "Only issues with events at this level (repeatable): error, warn, info, ...")
    var level: [String] = []

    @Option(help: "Order: count (events in the window), growth or recency.")
    var sort = "count"

    @Option(help: "Print at most N issues.")
    var limit = 50

    @Flag(help: "Print the issues as JSON, one per line.")
    var json = false

    @Option(help: "Write a CSV with header event_id,issue_id, one row per event, and print nothing else.")
    var assignments: String?

    mutating func run() throws {
        let database = try store.openExisting()
        if let assignments { return try writeAssignments(database, to: assignments) }
        guard let order = IssueOrder(rawValue: sort) else {
            throw ValidationError("--sort must be one of \(IssueOrder.allCases.map(\.rawValue).joined(separator: ", ")), not '\(sort)'")
        }
        let wanted = try state.map { text -> IssueTrend in
            guard let value = IssueTrend(rawValue: text) else {
                throw ValidationError("--state must be one of \(IssueTrend.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
            return value
        }
        guard (1...1000).contains(buckets) else { throw ValidationError("--buckets must be 1 to 1000") }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        let end = try until.map { try Self.instant($0, "--until") } ?? EventTime.now()
        let start = try since.map { try Self.instant($0, "--since") } ?? database.earliestEvent(tenant: store.tenant) ?? end - 24 * 3_600 * 1_000_000_000
        guard start < end else { throw ValidationError("--since must be before --until") }
        let filter = SearchFilter(tenant: store.tenant, services: service, levels: try FilterOptions.levels(level))
        let summaries = try IssueViews(store: database).list(filter: filter, since: start, until: end,
                                                              buckets: buckets, state: wanted, order: order, limit: limit)
        var output = OutputBuffer()
        if json {
            try output.appendJSONLines(summaries)
        } else if summaries.isEmpty {
            let state = wanted.map { " \($0.rawValue)" } ?? ""
            FileHandle.standardError.write(Data("No\(state) issues from \(RFC3339.string(start)) to \(RFC3339.string(end)).\n".utf8))
        } else {
            for summary in summaries {
                output.append("\(summary.windowCount)\tI\(summary.issue.id)\t\(summary.state.rawValue)\t\(summary.issue.services.joined(separator: ","))\t\(summary.issue.title)\n")
            }
        }
        output.flush()
    }

    private func writeAssignments(_ database: SQLiteStore, to path: String) throws {
        // Written in place, not by replacing the file: the path may be a pipe or /dev/stdout.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
        let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var csv = "event_id,issue_id\n"
        var unplaced = 0
        func flush() throws {
            do { try file.write(contentsOf: Data(csv.utf8)) } catch { throw CLIError("cannot write \(path): \(error.localizedDescription)") }
            csv = ""
        }
        try database.forEachEventIssue(tenant: store.tenant) { event, issue in
            if issue == nil { unplaced += 1 }
            csv += "\(PatternsCommand.csvField(event)),\(issue.map { "I\($0)" } ?? "")\n"
            if csv.utf8.count > 1 << 20 { try flush() }
        }
        try flush()
        if unplaced > 0 {
            FileHandle.standardError.write(Data("deja: \(unplaced) events have no issue yet: their signatures are not embedded; run deja ingest or deja serve on this data directory\n".utf8))
        }
    }

    private static func instant(_ text: String, _ name: String) throws -> Int64 {
        guard let value = DurationParser.instant(text) else {
            throw ValidationError("\(name) '\(text)' is neither a duration (1h, 1h30m) nor a time (2024-03-14T09:21:07Z)")
        }
        return value
    }
}
