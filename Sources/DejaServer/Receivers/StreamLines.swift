import DejaCore

/// What a receiver reads from the lines of one stream: the time and level a line shows, where the
/// collector sent none, and the line's own time beside the collector's. One per stream, so that
/// the stream's layout is learned once and its later lines are read that way
/// (`LineParser.parse(_:memory:)`).
struct StreamLines {
    private let parser: LineParser
    private let receivedAt: Int64
    private var memory = LineLayoutMemory()

    /// Lines received at `now`, whose zone-less times are read at `zoneOffset` seconds east of UTC.
    init(receivedAt now: Int64, zoneOffset: Int64 = 0) {
        parser = LineParser(timestamps: TimestampScanner(reference: now, zoneOffset: zoneOffset))
        receivedAt = now
    }

    /// An event of this stream: `collectorTime` is its time when given, else the line's, else the
    /// receive time; the level is the labels', else the line's.
    mutating func event(body: String, collectorTime: Int64?, labels: [String: String], tenant: String,
                        externalID: String? = nil) -> LogEvent {
        let labelLevel = StreamLabels.level(labels)
        var lineTime: Int64?
        var level = labelLevel ?? .unknown
        // JSON lines are read once, when their message is taken (`IngestPipeline`); here only their words.
        if body.utf8.first(where: { $0 != 32 && $0 != 9 }) == UInt8(ascii: "{") {
            if labelLevel == nil { level = LineParser.inferLevel(body) }
        } else {
            let line = parser.timeAndLevel(body, memory: &memory)
            lineTime = line.timestamp
            if labelLevel == nil { level = line.level }
        }
        return LogEvent(timestamp: collectorTime ?? lineTime ?? receivedAt, tenant: tenant,
                        service: StreamLabels.service(labels) ?? "unknown_service", level: level, labels: labels, body: body,
                        externalID: externalID, lineTimestamp: lineTime)
    }
}
