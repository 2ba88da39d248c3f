import Foundation

/// One JSON object per line in the `deja ingest --jsonl` shape: `body` (required), and optional `id`
/// (kept as the external id), `service`, `level`, `timestamp` (RFC 3339) and `labels`.
///
/// The common case (string fields, string labels) is read straight from the bytes, several times
/// faster than a general JSON parser; anything else (numbers, nesting, unknown escapes) goes through
/// `JSONSerialization`, which gives the same event or the error.
public struct JSONEventDecoder: Sendable {
    public var tenant: String
    /// Service of events without one.
    public var defaultService: String
    /// Timestamp of events without one, in nanoseconds.
    public var defaultTimestamp: Int64

    public init(tenant: String, defaultService: String, defaultTimestamp: Int64) {
        self.tenant = tenant
        self.defaultService = defaultService
        self.defaultTimestamp = defaultTimestamp
    }

    /// A line that is not such an event; `number` is its line number, for the message.
    public struct DecodingError: Error, CustomStringConvertible {
        public let number: Int
        public let problem: String
        public var description: String { "line \(number): \(problem)" }
    }

    /// The event on `line` (line number `number`, for errors).
    public func decode(_ line: String, number: Int) throws -> LogEvent {
        var fields = Fields()
        var copy = line
        let fast = copy.withUTF8 { bytes in
            var reader = JSONByteReader(bytes: bytes)
            return Self.readEvent(&reader, into: &fields)
        }
        if !fast { fields = try Self.generalFields(line, number: number) }
        guard let body = fields.body else { throw DecodingError(number: number, problem: Self.missingBody(line)) }
        var timestamp = defaultTimestamp
        if let text = fields.timestamp {
            guard let parsed = TimestampParser.parseISO(text) else {
                throw DecodingError(number: number, problem: "timestamp '\(text)' is not RFC 3339")
            }
            timestamp = parsed
        }
        let level = fields.level.map(Severity.init(parsing:)) ?? LineParser.inferLevel(body)
        return LogEvent(timestamp: timestamp, tenant: tenant, service: fields.service ?? defaultService, level: level,
                        labels: fields.labels, body: body, externalID: fields.id)
    }

    struct Fields {
        var id: String?
        var service: String?
        var level: String?
        var timestamp: String?
        var body: String?
        var labels: [String: String] = [:]
    }

    /// The fields through `JSONSerialization`: any valid JSON, numbers and booleans as text.
    private static func generalFields(_ line: String, number: Int) throws -> Fields {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw DecodingError(number: number, problem: "not a JSON object")
        }
        var fields = Fields()
        fields.body = object["body"] as? String
        fields.timestamp = object["timestamp"] as? String
        if let value = object["timestamp"], fields.timestamp == nil, !(value is NSNull) {
            throw DecodingError(number: number, problem: "timestamp \(value) is not an RFC 3339 string")
        }
        fields.level = object["level"] as? String
        fields.service = object["service"] as? String
        fields.id = object["id"].flatMap(text)
        fields.labels = (object["labels"] as? [String: Any])?.compactMapValues(text) ?? [:]
        return fields
    }

    /// What a line without `body` lacks, naming the field a logger's own JSON keeps its text in,
    /// when it has one: such a line was meant for plain ingest, which reads those fields.
    private static func missingBody(_ line: String) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        guard let key = ["message", "msg", "log", "text", "@m"].first(where: { object?[$0] is String }) else { return "no string field \"body\"" }
        return "no string field \"body\" (its \"\(key)\" is not read: an event's text goes in \"body\"; a logger's own JSON lines are read as they are by plain ingest, without --jsonl, or by the Loki and Elasticsearch receivers)"
    }

    /// A scalar JSON value as text (`"\(value)"` on `Any` would go through reflection); nil for null.
    private static func text(_ value: Any) -> String? {
        if let string = value as? String { return string }
        if value is NSNull { return nil }
        if let number = value as? NSNumber { return number.stringValue }
        return "\(value)"
    }

    /// Reads the common shape from bytes; false as soon as anything else turns up.
    private static func readEvent(_ reader: inout JSONByteReader, into fields: inout Fields) -> Bool {
        guard reader.expect(UInt8(ascii: "{")) else { return false }
        if reader.expect(UInt8(ascii: "}")) { return reader.atEnd() }
        repeat {
            guard let key = reader.readString(), reader.expect(UInt8(ascii: ":")) else { return false }
            if key == "labels" {
                guard let labels = reader.readStringObject() else { return false }
                fields.labels = labels
            } else {
                guard let value = reader.readString() else { return false }
                switch key {
                case "body": fields.body = value
                case "id": fields.id = value
                case "service": fields.service = value
                case "level": fields.level = value
                case "timestamp": fields.timestamp = value
                default: break
                }
            }
        } while reader.expect(UInt8(ascii: ","))
        return reader.expect(UInt8(ascii: "}")) && reader.atEnd()
    }
}
