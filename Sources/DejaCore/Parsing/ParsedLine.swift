/// How a line's layout was recognized.
public enum LineLayout: String, Sendable, Codable {
    /// `header`: a plain line whose timestamp, level and message were read by `PlainHeader`'s general rules.
    /// `directive`: a line about the lines around it (W3C's `#Fields:`, journalctl's `-- Reboot --`), not an event.
    case json, logfmt, klog, syslog5424, syslog3164, cri, docker, header, pythonLogging, dotnetConsole, nginxAccess, plain, declared, directive
}

/// Whether a line was read cleanly, and if not, what was wrong with it.
public enum ParseStatus: String, Sendable, Codable {
    case ok
    /// Bytes that were not UTF-8 were replaced with U+FFFD.
    case invalidUTF8
    /// NUL or other control bytes that do not occur in text.
    case binary
    /// Longer than the line limit: the rest was cut.
    case truncated
    /// JSON nested deeper than the limit, or JSON that ends early: read as plain text.
    case malformedJSON
}

/// One physical line, understood: its layout, fields and message text.
public struct ParsedLine: Sendable, Equatable {
    public var layout: LineLayout
    public var status: ParseStatus = .ok
    /// Nanoseconds since the Unix epoch, when the line carries a time that could be read.
    public var timestamp: Int64?
    /// The time written in the line itself, when an envelope (CRI, Docker) gave the event its own.
    public var lineTimestamp: Int64?
    /// The notation the timestamp was written in, when a plain line's header was read (`yyyy-MM-dd HH:mm:ss`).
    public var timestampShape: String?
    /// The byte of the line where that timestamp starts.
    var timestampStart = 0
    public var level: Severity = .unknown
    /// Logger, component or program name, when the line names one.
    public var source: String?
    /// The service a structured line's own fields name (`ServiceLabels.service(inRecord:)`).
    public var service: String?
    /// The message text (for CRI and Docker lines, the inner line).
    public var message: String
    /// Other structured fields with scalar values (JSON keys, logfmt pairs).
    public var attributes: [String: String] = [:]
    /// CRI partial line (`P`): more of the same line follows.
    public var isPartial = false

    public init(layout: LineLayout, message: String) {
        self.layout = layout
        self.message = message
    }
}

/// What a stream's earlier lines showed of its layout (`LineParser.parse(_:memory:)`): one per
/// stream, so that its lines are read the same way and without trying every layout.
public struct LineLayoutMemory: Sendable, Equatable {
    var layout: LineLayout?
    var timestampStart = 0
    var shape = ""
    /// What a W3C extended log's `#Fields:` directive said of the lines after it.
    var w3cFields: W3CExtendedLog.Fields?

    public init() {}

    /// The layout of the line just detected in a stream. Text without a header (a stack frame, a
    /// continuation) teaches nothing: the stream's next header line is read as the last one was.
    mutating func learn(_ line: ParsedLine) {
        guard line.layout != .plain else { return }
        layout = line.layout
        timestampStart = line.timestampStart
        shape = line.timestampShape ?? ""
    }
}
