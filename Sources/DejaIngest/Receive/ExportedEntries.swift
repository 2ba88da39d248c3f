import DejaCore

/// The entries of a log store's export (a CSV export's rows, `logcli query`'s or `aws logs tail`'s
/// lines) as events: each read as a receiver reads a pushed entry (`ReceivedLines`: the level and
/// time its line shows), and those that are lines of one record (a trace its collector shipped
/// line by line) joined as `ReceivedRecords` joins a push's: each source's apart, however the
/// sources interleave, and in whichever order the export lists them. Log stores export newest first
/// by default (Grafana, Kibana, Splunk, `logcli query` without `--forward`, CloudWatch Logs
/// Insights' `sort @timestamp desc`), where a trace's frames come before its first line. The order
/// is read from the entries' times; until two differ, oldest first is assumed for at most
/// `undecidedLimit` entries.
struct ExportedEntries {
    static let undecidedLimit = 64
    /// Lines a record may take, as `MultiLineAssembler` allows.
    static let maxLines = 500
    /// Sources with a record open at once; past it, the longest open is ended.
    static let maxOpenSources = 1_024

    private enum Order { case undecided, oldestFirst, newestFirst }
    private struct Source: Hashable {
        let service: String
        let labels: [String: String]
    }

    /// The time of entries the export gives none, until their line shows one.
    private let now: Int64
    private var lines: ReceivedLines
    private var order = Order.undecided
    private var undecided: [LogEvent] = []
    private var firstTime: Int64?
    /// Each source's open record. Oldest first: its lines so far; newest first: lines that
    /// continue a record whose first line is still to come. With the number of entries placed when it opened.
    private var open: [Source: (lines: [LogEvent], opened: Int)] = [:]
    private var placed = 0

    /// Times that name no zone are read at `zoneOffset` seconds east of UTC.
    init(now: Int64, zoneOffset: Int64) {
        self.now = now
        lines = ReceivedLines(zoneOffset: zoneOffset)
    }

    /// Adds an entry the export gave `time` (nil: none); returns the events it completed, each record's lines joined.
    mutating func add(_ entry: LogEvent, time: Int64?) -> [LogEvent] {
        var entry = entry
        entry.timestamp = time ?? now
        guard order == .undecided else { return read(place(entry)) }
        undecided.append(entry)
        if let time {
            if let firstTime, time != firstTime { order = time > firstTime ? .oldestFirst : .newestFirst } else { firstTime = time }
        }
        guard order != .undecided || undecided.count >= Self.undecidedLimit else { return [] }
        return read(decide())
    }

    /// Ends every open record.
    mutating func flush() -> [LogEvent] {
        var records = order == .undecided ? decide() : []
        for source in open.keys.sorted(by: { open[$0]!.opened < open[$1]!.opened }) { records += end(source) }
        return read(records)
    }

    /// Records, each read for its level and time.
    private mutating func read(_ records: [LogEvent]) -> [LogEvent] {
        records.map { record in
            var event = lines.read(record)
            // An entry without a time of its own takes its line's.
            if event.timestamp == now, let time = event.lineTimestamp {
                event.timestamp = time
                event.lineTimestamp = nil
            }
            return event
        }
    }

    /// Places the entries held while the order was unknown, oldest first unless shown otherwise.
    private mutating func decide() -> [LogEvent] {
        if order == .undecided { order = .oldestFirst }
        defer { undecided = [] }
        return undecided.flatMap { place($0) }
    }

    private mutating func place(_ entry: LogEvent) -> [LogEvent] {
        placed += 1
        let source = Source(service: entry.service, labels: entry.labels)
        let continues = ReceivedRecords.mayContinue(entry.body)
        var records: [LogEvent] = []
        if order == .newestFirst, !continues {
            // Newest first, a record's first line comes after the lines that continue it.
            guard let lines = open.removeValue(forKey: source)?.lines else { return [entry] }
            return Self.joined([entry] + lines.reversed())
        }
        // Oldest first, a line that continues no record starts the next.
        if let lines = open[source]?.lines, !continues || lines.count >= Self.maxLines { records = end(source) }
        if open[source] == nil, open.count >= Self.maxOpenSources, let oldest = open.min(by: { $0.value.opened < $1.value.opened })?.key {
            records += end(oldest)
        }
        open[source, default: ([], placed)].lines.append(entry)
        return records
    }

    /// The open record of `source`, ended.
    private mutating func end(_ source: Source) -> [LogEvent] {
        guard let lines = open.removeValue(forKey: source)?.lines else { return [] }
        return Self.joined(order == .newestFirst ? lines.reversed() : lines)
    }

    /// `entries`, consecutive lines of one source oldest first, with each record's lines joined.
    private static func joined(_ entries: [LogEvent]) -> [LogEvent] {
        ReceivedRecords.joined(entries[...]) ?? entries
    }
}
