import DejaCore

/// The records of a file whose lines may come from several sources (`docker compose logs`,
/// `kubectl logs --prefix`): each source's lines, their prefix removed, are assembled apart, so that
/// one source's trace is not cut by another's lines between its own.
struct RecordsBySource {
    /// A record and the source its lines came from (nil: lines without a prefix).
    typealias Record = (record: AssembledEvent, source: LineSource?)

    private let parser: LineParser
    private var unprefixed: MultiLineAssembler
    private var sources: [LineSource: MultiLineAssembler] = [:]

    init(parser: LineParser) {
        self.parser = parser
        unprefixed = MultiLineAssembler(parser: parser)
    }

    /// Adds line `number`, of `source` when a prefix named one; returns the records it completed.
    mutating func add(_ line: String, of source: LineSource?, number: Int) -> [Record] {
        guard let source else { return unprefixed.add(line, number: number).map { ($0, nil) } }
        return sources[source, default: MultiLineAssembler(parser: parser)].add(line, number: number).map { ($0, source) }
    }

    /// Ends every pending record.
    mutating func flush() -> [Record] {
        var done = unprefixed.flush().map { ($0, LineSource?.none) }
        for source in sources.keys.sorted(by: { ($0.service ?? "", $0.labels.description) < ($1.service ?? "", $1.labels.description) }) {
            done += sources[source]!.flush().map { ($0, source) }
        }
        return done
    }
}
