import DejaCore

/// Joins the entries of an export that are lines of one record (a trace its collector shipped line
/// by line, a row per line) as `ReceivedRecords` joins a push's, in whichever order the export
/// lists them: log search tools export newest first by default (Grafana, Kibana, Splunk,
/// CloudWatch Logs Insights' `sort @timestamp desc`), where a trace's frames come before its first
/// line. The order is read from the entries' times; until two differ, oldest first is assumed for
/// at most `undecidedLimit` entries.
struct ExportedEntries {
    static let undecidedLimit = 64
    /// Lines a record may take, as `MultiLineAssembler` allows.
    static let maxLines = 500

    private enum Order { case undecided, oldestFirst, newestFirst }
    private var order = Order.undecided
    private var undecided: [LogEvent] = []
    private var firstTime: Int64?
    /// Oldest first: a record's lines so far. Newest first: lines that continue a record whose first line is still to come.
    private var pending: [LogEvent] = []

    /// Adds an entry the export gave `time` (nil: none); returns the records it completed, each entry's lines joined.
    mutating func add(_ entry: LogEvent, time: Int64?) -> [LogEvent] {
        guard order == .undecided else { return place(entry) }
        undecided.append(entry)
        if let time {
            if let firstTime, time != firstTime { order = time > firstTime ? .oldestFirst : .newestFirst } else { firstTime = time }
        }
        guard order != .undecided || undecided.count >= Self.undecidedLimit else { return [] }
        return decide()
    }

    /// Ends every pending record.
    mutating func flush() -> [LogEvent] {
        var records = order == .undecided ? decide() : []
        defer { pending = [] }
        switch order {
        case .newestFirst: records += Self.joined(pending.reversed())
        default: records += Self.joined(pending)
        }
        return records
    }

    /// Places the entries held while the order was unknown, oldest first unless shown otherwise.
    private mutating func decide() -> [LogEvent] {
        if order == .undecided { order = .oldestFirst }
        defer { undecided = [] }
        return undecided.flatMap { place($0) }
    }

    private mutating func place(_ entry: LogEvent) -> [LogEvent] {
        let sameSource = pending.last.map { $0.service == entry.service && $0.labels == entry.labels } ?? false
        let continues = ReceivedRecords.mayContinue(entry.body)
        if order == .oldestFirst {
            if sameSource, continues, pending.count < Self.maxLines {
                pending.append(entry)
                return []
            }
            defer { pending = [entry] }
            return Self.joined(pending)
        }
        // Newest first: a line that may continue a record waits for the record's first line, which comes after it.
        if continues {
            var records: [LogEvent] = []
            if !pending.isEmpty, !sameSource || pending.count >= Self.maxLines {
                records = Self.joined(pending.reversed())
                pending = []
            }
            pending.append(entry)
            return records
        }
        defer { pending = [] }
        return sameSource ? Self.joined([entry] + pending.reversed()) : Self.joined(pending.reversed()) + [entry]
    }

    /// `entries`, consecutive lines of one source oldest first, with each record's lines joined.
    private static func joined(_ entries: [LogEvent]) -> [LogEvent] {
        ReceivedRecords.joined(entries[...]) ?? entries
    }
}
