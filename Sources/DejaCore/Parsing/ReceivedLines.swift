/// Reads the events a receiver acknowledged, whose bodies are the lines as collectors sent them:
/// the level a line shows, where no label gave one, and the time written in it, kept beside the
/// collector's. Runs where events are prepared, off the request path; consecutive events of one
/// stream (same service and labels) share what was learned of their layout.
public struct ReceivedLines: Sendable {
    private var parser: LineParser
    private var memory = LineLayoutMemory()
    private var stream: (service: String, labels: [String: String])?

    /// Times that name no zone are read at `zoneOffset` seconds east of UTC.
    public init(zoneOffset: Int64 = 0) {
        parser = LineParser(timestamps: TimestampScanner(reference: 0, zoneOffset: zoneOffset))
    }

    /// `event` with its level and line time read from its body.
    public mutating func read(_ event: LogEvent) -> LogEvent {
        reading(event).event
    }

    /// `read(event)`, and the byte where the body's message starts when its header was read by
    /// the stream's known layout (a single line without terminal escapes): `EventPreparer` then
    /// need not read the header again.
    public mutating func reading(_ event: LogEvent) -> (event: LogEvent, messageStart: Int?) {
        var event = event
        if stream?.service != event.service || stream?.labels != event.labels {
            stream = (event.service, event.labels)
            memory = LineLayoutMemory()
        }
        // JSON lines are read once, when their message is taken; here only their words.
        if event.body.utf8.first(where: { $0 != 32 && $0 != 9 }) == UInt8(ascii: "{") {
            if event.level == .unknown { event.level = LineParser.inferLevel(event.body) }
            return (event, nil)
        }
        // Year-less dates are placed near the collector's time, the same on every replay.
        parser.timestamps.reference = event.timestamp
        let found = parser.timeAndLevel(event.body, memory: &memory)
        if event.level == .unknown { event.level = found.level }
        if let time = found.timestamp, time != event.timestamp { event.lineTimestamp = time }
        // The offset holds for a single line read as it was stored (no escapes stripped first).
        guard let start = found.messageStart, !event.body.utf8.contains(where: { $0 == 10 || $0 == 27 }) else { return (event, nil) }
        return (event, start)
    }
}
