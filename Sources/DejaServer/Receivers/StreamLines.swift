import DejaCore

/// What a receiver reads from the lines of one stream whose collector sent no time: the time
/// (and level) the line shows. Lines with the collector's time are not read here: their own time
/// and level are read where events are prepared (`ReceivedLines`), off the request path. One per
/// stream, so that the stream's layout is learned once (`LineParser.parse(_:memory:)`).
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
    /// receive time; its level is the labels' when they name one.
    mutating func event(body: String, collectorTime: Int64?, labels: [String: String], tenant: String,
                        externalID: String? = nil) -> LogEvent {
        var level = StreamLabels.level(labels) ?? .unknown
        var time = collectorTime
        if time == nil, body.utf8.first(where: { $0 != 32 && $0 != 9 }) != UInt8(ascii: "{") {
            let line = parser.timeAndLevel(body, memory: &memory)
            time = line.timestamp
            if level == .unknown { level = line.level }
        }
        return LogEvent(timestamp: time ?? receivedAt, tenant: tenant, service: ServiceLabels.service(in: labels) ?? "unknown_service",
                        level: level, labels: labels, body: body, externalID: externalID)
    }
}
