import DejaCore

/// The records of a file whose lines may come from several containers (`docker compose logs`,
/// `kubectl logs --prefix`): each container's lines, their prefix removed, are assembled apart,
/// so that one container's trace is not cut by another's lines between its own.
struct ContainerRecords {
    private let parser: LineParser
    private var unprefixed: MultiLineAssembler
    private var containers: [ContainerPrefix: MultiLineAssembler] = [:]

    init(parser: LineParser) {
        self.parser = parser
        unprefixed = MultiLineAssembler(parser: parser)
    }

    /// Adds line `number`; returns the records it completed, each with its container's prefix.
    mutating func add(_ line: String, number: Int) -> [(record: AssembledEvent, prefix: ContainerPrefix?)] {
        guard let (prefix, rest) = ContainerPrefix.split(line) else {
            return unprefixed.add(line, number: number).map { ($0, nil) }
        }
        return containers[prefix, default: MultiLineAssembler(parser: parser)].add(String(rest), number: number).map { ($0, prefix) }
    }

    /// Ends every pending record.
    mutating func flush() -> [(record: AssembledEvent, prefix: ContainerPrefix?)] {
        var done = unprefixed.flush().map { ($0, ContainerPrefix?.none) }
        for prefix in containers.keys.sorted(by: { $0.service < $1.service }) {
            done += containers[prefix]!.flush().map { ($0, prefix) }
        }
        return done
    }
}
