/// One event assembled from one or more physical lines.
public struct AssembledEvent: Sendable, Equatable {
    /// The first line, parsed: its time, level and source are the event's.
    public var header: ParsedLine
    /// The message with continuation lines (stack frames, causes) appended, newline-separated.
    public var body: String
    /// Input line numbers (1-based) the event spans.
    public var firstLine: Int
    public var lastLine: Int
    /// More lines belonged to the event than the limits allow; the rest became further events.
    public var truncated = false

    public init(header: ParsedLine, body: String, firstLine: Int, lastLine: Int, truncated: Bool = false) {
        self.header = header
        self.body = body
        self.firstLine = firstLine
        self.lastLine = lastLine
        self.truncated = truncated
    }
}

extension AssembledEvent {
    /// The event without the blank lines a traceback took in after its last line.
    var withoutTrailingBlankLines: AssembledEvent {
        guard body.utf8.last == 10 || body.utf8.last == 32 || body.utf8.last == 9 || body.utf8.last == 13 else { return self }
        var event = self
        while let newline = event.body.lastIndex(of: "\n"), event.body[event.body.index(after: newline)...].allSatisfy(\.isWhitespace) {
            event.body.removeSubrange(newline...)
        }
        return event
    }
}

/// Joins the lines of one multi-line record — a Java/Kotlin, .NET or Node.js stack trace, a Python
/// traceback, a Go or Rust panic, a goroutine dump, a Ruby backtrace, an Elixir crash — into one
/// event, and CRI partial (`P`) lines into one line. Bounded by `maxLines` and `maxBytes`;
/// `flushIfIdle(now:)` ends an event whose source has gone quiet for `idleTimeout` (a trace's last
/// line has no successor to end it), and `flush()` ends it at end of input.
public struct MultiLineAssembler: Sendable {
    public var maxLines = 500
    public var maxBytes = 128 * 1024
    /// Nanoseconds without a new line after which the pending event is complete.
    public var idleTimeout: UInt64 = 1_000_000_000
    private var lastLineAt: UInt64 = 0
    private let parser: LineParser
    private var layout = LineLayoutMemory()
    private var pending: AssembledEvent?
    private var pendingLines = 0
    private var partial: (line: ParsedLine, number: Int)?
    private var inPythonTrace = false
    /// In a Go or Rust panic: printed to stderr without headers, it ends at the next header.
    private var inPanic = false
    /// The last line was a Go stack's file line (`\t/app/main.go:20`): a function may follow.
    private var afterGoFileLine = false

    public init(parser: LineParser = LineParser()) { self.parser = parser }

    /// Adds line `number` (1-based), received at `now` (monotonic nanoseconds); returns the events
    /// this line completed.
    public mutating func add(_ raw: String, number: Int, now: UInt64 = 0) -> [AssembledEvent] {
        lastLineAt = now
        defer { afterGoFileLine = raw.hasPrefix("\t") && raw.contains(".go:") }
        var line = parser.parse(raw, memory: &layout)
        if line.layout == .directive { return [] }
        var number = number
        if let held = partial {  // CRI `P` lines continue on the next line of the same stream
            line.message = held.line.message + line.message
            line.timestamp = held.line.timestamp
            number = held.number
            partial = nil
        }
        if line.isPartial {
            partial = (line, number)
            return []
        }
        if completesTwoLineHeader(raw, number: number) { return [] }
        if pending != nil, continues(raw, line), pendingLines < maxLines, pending!.body.utf8.count + raw.utf8.count < maxBytes {
            if awaitsDotnetMessage {
                // .NET's console: the header named only the category; the message is this line.
                pending!.body = String(raw.drop { $0 == " " || $0 == "\t" })
                pending!.header.message = pending!.body
            } else {
                pending!.body += "\n" + (line.layout == .plain ? raw : Self.continuation(line))
            }
            pending!.lastLine = number
            pendingLines += 1
            return []
        }
        // A blank line between records is none.
        if raw.utf8.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return [] }
        var done: [AssembledEvent] = []
        if var finished = pending {
            if continues(raw, line) { finished.truncated = true }
            done.append(finished.withoutTrailingBlankLines)
        }
        pending = AssembledEvent(header: line, body: line.message, firstLine: number, lastLine: number)
        pendingLines = 1
        inPythonTrace = line.message.hasPrefix("Traceback (most recent call last)")
        inPanic = line.message.hasPrefix("panic: ") || line.message.hasPrefix("fatal error: ")
            || StackTraceReducer.rustPanic(line.message[...]) != nil
        return done
    }

    /// java.util.logging's default format writes a record on two lines: `Mar 14, 2024 9:21:07 AM
    /// com.acme.Cart checkout`, then `SEVERE: payment failed`. The second gives the first its
    /// level and message; the class and method become its source.
    private mutating func completesTwoLineHeader(_ raw: String, number: Int) -> Bool {
        guard let header = pending?.header, pendingLines == 1, header.level == .unknown, header.timestampShape == Self.julShape,
              let colon = raw.firstIndex(of: ":"), let level = Self.julLevels[String(raw[..<colon])] else { return false }
        let message = String(raw[raw.index(after: colon)...].drop { $0 == " " })
        pending!.header.level = level
        pending!.header.source = header.message
        pending!.header.message = message
        pending!.body = message
        pending!.lastLine = number
        pendingLines += 1
        return true
    }

    /// A .NET console record's first line without a message of its own (`fail: Category[13]`): the
    /// indented line after it is the message.
    private var awaitsDotnetMessage: Bool {
        guard let header = pending?.header, pendingLines == 1 else { return false }
        return pending!.body == header.message && Self.namesOnlyCategory(header)
    }

    /// `fail: Category[13]` with no message after the id: .NET's console writes the message on the next lines.
    static func namesOnlyCategory(_ line: ParsedLine) -> Bool {
        guard line.layout == .dotnetConsole, let source = line.source else { return false }
        return line.message.hasPrefix(source + "[")
    }

    private static let julShape = "MMM dd, yyyy HH:mm:ss"
    private static let julLevels: [String: Severity] = [
        "SEVERE": .error, "WARNING": .warning, "INFO": .info, "CONFIG": .debug, "FINE": .debug, "FINER": .trace, "FINEST": .trace,
    ]

    /// Ends the pending event if no line came for `idleTimeout` before `now`.
    public mutating func flushIfIdle(now: UInt64) -> [AssembledEvent] {
        guard pending != nil || partial != nil, now >= lastLineAt, now - lastLineAt >= idleTimeout else { return [] }
        return flush()
    }

    /// Ends the pending event, if any.
    public mutating func flush() -> [AssembledEvent] {
        var done: [AssembledEvent] = []
        if let held = partial {
            partial = nil
            done += add(held.line.message, number: held.number, now: lastLineAt)
        }
        if let finished = pending { done.append(finished.withoutTrailingBlankLines) }
        pending = nil
        pendingLines = 0
        return done
    }

    /// Whether `raw` continues the pending event rather than starting one.
    private mutating func continues(_ raw: String, _ line: ParsedLine) -> Bool {
        let hasHeader = line.timestamp != nil || (line.layout != .plain && line.layout != .cri && line.layout != .docker)
        let text = line.layout == .cri || line.layout == .docker ? line.message : raw
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        if trimmed.isEmpty { return inPythonTrace || inPanic }
        if hasHeader { return Self.isDetail(line) && pending?.header.layout == .header }
        // Python tracebacks and Go and Rust panics go to stderr without headers: they end at the next header.
        if inPythonTrace || inPanic { return true }
        if text.first == " " || text.first == "\t" { return true }  // frames, Python source lines, indented detail
        // A Go stack as zap and pkg/errors print it: a function alone on its line, its file next.
        if Self.looksLikeGoFunction(trimmed) || afterGoFileLine && !trimmed.contains(where: \.isWhitespace) && trimmed.contains(".") {
            return true
        }
        // The lines the trace reducer skips as connectives (`... 4 more`, `Stack trace:`) and PHP's
        // unindented frames are the trace's too.
        if trimmed.hasPrefix("Caused by:") || trimmed.hasPrefix("Suppressed:") || trimmed.hasPrefix("Traceback (most recent call last)")
            || trimmed.hasPrefix("[signal ") || trimmed.hasPrefix("created by ") || trimmed.hasPrefix("from ") && trimmed.contains(".rb:")
            || trimmed.hasPrefix("** (") || trimmed.hasPrefix("Last message")  // an Elixir process's crash
            || StackTraceReducer.isConnective(trimmed) || StackTraceReducer.phpFrame(trimmed) != nil {
            if trimmed.hasPrefix("Traceback") { inPythonTrace = true }
            return true
        }
        return Self.looksLikeExceptionLine(trimmed)
    }

    /// PostgreSQL writes what it adds to a message on lines of their own, each with the full
    /// header: `… [4242] DETAIL:  Key (id)=(7) already exists.`, then `STATEMENT:  INSERT …`.
    static func isDetail(_ line: ParsedLine) -> Bool {
        line.layout == .header && line.source.map(postgresDetails.contains) == true
    }

    private static let postgresDetails: Set<String> = ["DETAIL", "HINT", "QUERY", "CONTEXT", "LOCATION", "STATEMENT"]

    /// A later line of a record with a header of its own, as the record keeps it: a detail with
    /// its keyword (`DETAIL: Key (id)=(7) already exists.`), any other line its message.
    static func continuation(_ line: ParsedLine) -> String {
        isDetail(line) ? "\(line.source!): \(line.message)" : line.message
    }

    /// `github.com/acme/store.(*DB).Get`, `main.(*Server).handle`: a function of a Go stack printed
    /// alone on its line, its file on the next, indented (not a path, a URL or a sentence).
    static func looksLikeGoFunction(_ text: Substring) -> Bool {
        guard !text.contains(where: \.isWhitespace), !text.hasPrefix("/"), !text.contains("://") else { return false }
        let name = text.split(separator: "/").last ?? text
        return name.contains("(*") || text.contains("/") && name.contains(".") && name.first?.isLetter == true
    }

    /// `java.lang.IllegalStateException: …`, `KeyError: 'x'`, `System.InvalidOperationException: …`, `TypeError: …`.
    static func looksLikeExceptionLine(_ text: Substring) -> Bool {
        guard let colon = text.firstIndex(of: ":") else {
            return text.hasSuffix("Exception") || text.hasSuffix("Error")
        }
        let name = text[..<colon]
        guard !name.isEmpty, !name.contains(" "), name.first!.isLetter else { return false }
        let last = name.split(separator: ".").last ?? name
        return last.hasSuffix("Exception") || last.hasSuffix("Error") || last.hasSuffix("Throwable") || last.hasSuffix("Exit")
            || last.hasSuffix("Interrupt") || last.hasSuffix("Warning")
    }
}
