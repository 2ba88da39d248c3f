import DejaCore

/// The records of a file whose lines may come from several sources (`docker compose logs`,
/// `kubectl logs --prefix`, `logcli query`): each source's lines, their prefix removed, are
/// assembled apart, so that one source's trace is not cut by another's lines between its own.
struct RecordsBySource {
    /// A record and the source its lines came from; its time, when its line shows none, is the
    /// one the prefix gave (logcli's).
    typealias Record = (record: AssembledEvent, source: LineSource?, time: Int64?)

    private let parser: LineParser
    private var unprefixed: MultiLineAssembler
    private var sources: [LineSource: MultiLineAssembler] = [:]
    /// The times prefixes gave lines of each source's records still being assembled, by line number.
    private var times: [LineSource: [Int: Int64]] = [:]

    init(parser: LineParser) {
        self.parser = parser
        unprefixed = MultiLineAssembler(parser: parser)
    }

    /// Adds line `number`; returns the records it completed.
    mutating func add(_ line: String, number: Int) -> [Record] {
        guard let (source, time, rest) = LineSource.split(line) else {
            return unprefixed.add(line, number: number).map { ($0, nil, nil) }
        }
        if let time { times[source, default: [:]][number] = time }
        return records(sources[source, default: MultiLineAssembler(parser: parser)].add(String(rest), number: number), of: source)
    }

    /// Ends every pending record.
    mutating func flush() -> [Record] {
        var done = unprefixed.flush().map { ($0, LineSource?.none, Int64?.none) }
        for source in sources.keys.sorted(by: { ($0.service ?? "", $0.labels.description) < ($1.service ?? "", $1.labels.description) }) {
            done += records(sources[source]!.flush(), of: source)
        }
        return done
    }

    private mutating func records(_ assembled: [AssembledEvent], of source: LineSource) -> [Record] {
        guard !assembled.isEmpty, times[source] != nil else { return assembled.map { ($0, source, nil) } }
        return assembled.map { record in
            let time = times[source]![record.firstLine]
            times[source] = times[source]!.filter { $0.key > record.lastLine }
            return (record, source, time)
        }
    }
}
