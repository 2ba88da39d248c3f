/// Joins the lines of a multi-line record that a collector sent as separate entries of one stream
/// (a Java trace pushed line by line by a Promtail or an OpenTelemetry Collector without a
/// `multiline` stage) into one event, by the rules `MultiLineAssembler` reads a file with. The
/// joined body is the lines as sent, one per line; the event keeps its first line's time, labels
/// and id. A stream with no line that could continue a record (most) costs one look at each line.
public enum ReceivedRecords {
    /// `events`, consecutive entries of one stream in the order sent, with each record's lines
    /// joined; nil when no line could continue a record (nothing to join).
    public static func joined(_ events: ArraySlice<LogEvent>) -> [LogEvent]? {
        guard events.dropFirst().contains(where: { mayContinue($0.body) }) else { return nil }
        let events = Array(events)
        var joined: [LogEvent] = []
        joined.reserveCapacity(events.count)
        var assembler = MultiLineAssembler()
        var offset = 0  // index in `events` of the assembler's line 1
        func take(_ records: [AssembledEvent]) {
            for record in records {
                var lines = events[offset + record.firstLine - 1...offset + record.lastLine - 1]
                // The blank lines a traceback took in after its last line are not the record's.
                while lines.count > 1, isNoEvent(lines.last!.body) { lines.removeLast() }
                var event = lines.first!
                if lines.count > 1 { event.body = lines.map(\.body).joined(separator: "\n") }
                joined.append(event)
            }
        }
        for (index, event) in events.enumerated() {
            // An entry of several lines is a record already, joined by its collector.
            if event.body.utf8.contains(10) {
                take(assembler.flush())
                joined.append(event)
                assembler = MultiLineAssembler()
                offset = index + 1
                continue
            }
            take(assembler.add(event.body, number: index - offset + 1))
        }
        take(assembler.flush())
        return joined
    }

    /// Whether a received entry is no event: a blank line, a W3C log's directive (`#Fields: …`) or
    /// journalctl's marker (`-- Reboot --`), none of which is stored from a file either. Looked at
    /// once records are joined: a blank line inside a trace is the trace's.
    public static func isNoEvent(_ body: String) -> Bool {
        guard let first = body.utf8.first else { return true }
        if first == UInt8(ascii: "#") { return W3CExtendedLog.directive(body) != nil }
        if first == UInt8(ascii: "-") { return JournalctlMarker.isMarker(body) }
        return (first == 32 || first == 9 || first == 10 || first == 13) && body.utf8.allSatisfy { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }
    }

    /// Whether a line may continue the record before it: indented (frames, a traceback's source
    /// lines, .NET's console messages), a cause, or an exception's `Type: message`.
    public static func mayContinue(_ body: String) -> Bool {
        let utf8 = body.utf8
        guard let first = utf8.first else { return false }
        if first == 32 || first == 9 { return true }
        // Bytes first: this looks at every pushed line. An exception's type is the first word.
        let word = utf8.prefix(160).prefix { $0 != 32 }
        if word.elementsEqual("Caused".utf8) || word.elementsEqual("Traceback".utf8) || word.elementsEqual("goroutine".utf8) { return true }
        guard word.count == utf8.count || word.last == UInt8(ascii: ":") else { return false }
        return MultiLineAssembler.looksLikeExceptionLine(Substring(String(decoding: word, as: UTF8.self)))
    }
}
