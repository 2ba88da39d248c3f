import Foundation

/// An event ready to store: the log event, its redacted body, its normalized message and the
/// signature it belongs to.
public struct PreparedEvent: Sendable, Equatable {
    public var event: LogEvent
    /// The redacted body, as stored and keyword-searched.
    public var body: String
    /// The normalized message; equal messages within (tenant, service) share a signature.
    public var message: String
    /// The signature's key within (tenant, service): `SignatureHash.of(message)`.
    public var signatureHash: String

    public init(event: LogEvent, body: String, message: String, signatureHash: String) {
        self.event = event
        self.body = body
        self.message = message
        self.signatureHash = signatureHash
    }

    /// What the pattern miner learns of the event (`EventPreparer.minedText`).
    public var minedText: String { EventPreparer.minedText(message) }
}

/// The prepare stage, one pure function used by `deja ingest`, `deja serve` and `deja patterns`
/// alike: event → redacted body, message, signature key; the pattern miner learns `minedText`.
public struct EventPreparer: Sendable {
    private let redactor: Redactor

    public init(redactor: Redactor) {
        self.redactor = redactor
    }

    /// `messageStart`, where a reader of the line's stream found its message (`ReceivedLines`),
    /// spares reading its header again, unless redaction changed the header.
    public func prepare(_ event: LogEvent, messageStart: Int? = nil) -> PreparedEvent {
        var event = event
        let body = redactor.redact(event.body)
        let text: String
        if let messageStart, messageStart < body.utf8.count, body.utf8.prefix(messageStart).elementsEqual(event.body.utf8.prefix(messageStart)) {
            text = String(body.utf8.dropFirst(messageStart))!
        } else {
            let read = Self.reading(body)
            text = read.message
            // A received JSON line's level is read here, with its message (its receiver read only its words).
            if event.level == .unknown, let level = read.jsonLevel { event.level = level }
        }
        let message = MessageNormalizer.normalize(text)
        return PreparedEvent(event: event, body: body, message: message, signatureHash: SignatureHash.of(message))
    }

    /// What the pattern miner learns of a message: the message, its placeholders as wildcards.
    public static func minedText(_ message: String) -> String {
        MessageNormalizer.wildcarded(message)
    }

    private static let parser = LineParser()

    /// The part of a body that says what happened: a structured line (JSON, logfmt, ...) gives its
    /// message and error fields, a plain line the text after its header (time, level, thread,
    /// logger), as `deja ingest` reads a file; a multi-line body's further lines are kept as a
    /// file's record keeps them. Terminal colours are no part of it.
    public static func messageText(_ body: String) -> String {
        reading(body).message
    }

    /// `messageText(body)`, and the level its first line names when that line is JSON (a receiver
    /// reads only a JSON line's words; its level is taken here, with its message).
    public static func reading(_ body: String) -> (message: String, jsonLevel: Severity?) {
        let body = TerminalEscapes.stripped(body)
        guard let newline = body.utf8.firstIndex(of: 10) else {
            let first = firstLine(body)
            return (first.message.isEmpty ? body : first.message, first.jsonLevel)
        }
        var later = body[body.index(after: newline)...].split(separator: "\n", omittingEmptySubsequences: false)[...]
        let first = firstLine(String(body[..<newline]))
        var text = first.message
        // .NET's console record (`fail: Category[13]`, pushed line by line): the indented line is its message.
        if text.isEmpty, let message = later.popFirst() { text = String(message.drop { $0 == " " || $0 == "\t" }) }
        if text.isEmpty { text = String(body[..<newline]) }
        for line in later { text += "\n" + laterLineMessage(line) }
        return (text, first.jsonLevel)
    }

    /// A later line of a record as `MultiLineAssembler` keeps it: a line with a header of its own
    /// (PostgreSQL's `DETAIL:`, pushed line by line) without that header; frames and other text whole.
    private static func laterLineMessage(_ line: Substring) -> Substring {
        guard let first = line.utf8.first, first &- 48 < 10 || first == UInt8(ascii: "[") else { return line }
        let parsed = parser.parseLayout(String(line))
        return parsed.layout == .header ? Substring(MultiLineAssembler.continuation(parsed)) : line
    }

    /// The first line's message (empty for a .NET console header that names only its category),
    /// and its level when it is a JSON line that names one.
    private static func firstLine(_ line: String) -> (message: String, jsonLevel: Severity?) {
        let parsed = parser.parseLayout(line)
        if MultiLineAssembler.namesOnlyCategory(parsed) { return ("", nil) }
        let jsonLevel = parsed.layout == .json && parsed.level != .unknown ? parsed.level : nil
        switch parsed.layout {
        case .json, .logfmt, .klog, .syslog5424, .syslog3164, .cri, .docker, .header, .pythonLogging, .dotnetConsole:
            return (parsed.message.isEmpty ? line : parsed.message, jsonLevel)
        case .nginxAccess, .plain, .declared, .directive: return (line, nil)
        }
    }
}

/// A stable 64-bit FNV-1a hash of a normalized message, as hex: a signature's key.
public enum SignatureHash {
    public static func of(_ message: String) -> String {
        String(FNV1a.hash(message.utf8), radix: 16)
    }
}
