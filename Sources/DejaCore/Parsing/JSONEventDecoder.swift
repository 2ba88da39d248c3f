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
            var reader = Reader(bytes: bytes)
            return reader.readEvent(into: &fields)
        }
        if !fast { fields = try Self.generalFields(line, number: number) }
        guard let body = fields.body else { throw DecodingError(number: number, problem: "no string field \"body\"") }
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

    /// A scalar JSON value as text (`"\(value)"` on `Any` would go through reflection); nil for null.
    private static func text(_ value: Any) -> String? {
        if let string = value as? String { return string }
        if value is NSNull { return nil }
        if let number = value as? NSNumber { return number.stringValue }
        return "\(value)"
    }

    /// Reads the common shape from bytes; false as soon as anything else turns up.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func readEvent(into fields: inout Fields) -> Bool {
            guard expect(UInt8(ascii: "{")) else { return false }
            if expect(UInt8(ascii: "}")) { return atEnd() }
            repeat {
                guard let key = readString(), expect(UInt8(ascii: ":")) else { return false }
                skipSpace()
                if key == "labels" {
                    guard readLabels(into: &fields.labels) else { return false }
                } else {
                    guard let value = readString() else { return false }
                    switch key {
                    case "body": fields.body = value
                    case "id": fields.id = value
                    case "service": fields.service = value
                    case "level": fields.level = value
                    case "timestamp": fields.timestamp = value
                    default: break
                    }
                }
            } while expect(UInt8(ascii: ","))
            return expect(UInt8(ascii: "}")) && atEnd()
        }

        private mutating func readLabels(into labels: inout [String: String]) -> Bool {
            guard expect(UInt8(ascii: "{")) else { return false }
            if expect(UInt8(ascii: "}")) { return true }
            repeat {
                guard let key = readString(), expect(UInt8(ascii: ":")), let value = readString() else { return false }
                labels[key] = value
            } while expect(UInt8(ascii: ","))
            return expect(UInt8(ascii: "}"))
        }

        private mutating func skipSpace() {
            while at < bytes.count, [32, 9, 10, 13].contains(bytes[at]) { at += 1 }
        }

        private mutating func expect(_ byte: UInt8) -> Bool {
            skipSpace()
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        private mutating func atEnd() -> Bool {
            skipSpace()
            return at == bytes.count
        }

        /// A string value; nil for anything else, or escapes beyond the simple ones.
        private mutating func readString() -> String? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            let start = at
            while at < bytes.count {
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") {
                    at += 1
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at - 1]), as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") { return readEscaped(from: start) }
                if byte < 0x20 { return nil }
                at += 1
            }
            return nil
        }

        private mutating func readEscaped(from start: Int) -> String? {
            var output = Array(bytes[start..<at])
            while at < bytes.count {
                let byte = bytes[at]
                at += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: output, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { return nil }
                    let escaped = bytes[at]
                    at += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
                    case UInt8(ascii: "n"): output.append(10)
                    case UInt8(ascii: "t"): output.append(9)
                    case UInt8(ascii: "r"): output.append(13)
                    case UInt8(ascii: "b"): output.append(8)
                    case UInt8(ascii: "f"): output.append(12)
                    case UInt8(ascii: "u"):
                        guard let scalar = readUnicodeEscape() else { return nil }
                        output.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                default:
                    if byte < 0x20 { return nil }
                    output.append(byte)
                }
            }
            return nil
        }

        /// After `\u`: four hex digits, or a surrogate pair written as two escapes.
        private mutating func readUnicodeEscape() -> Unicode.Scalar? {
            guard let high = readHex4() else { return nil }
            if (0xD800..<0xDC00).contains(high) {
                guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else { return nil }
                at += 2
                guard let low = readHex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(high)
        }

        private mutating func readHex4() -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[at])).hexDigitValue else { return nil }
                value = value << 4 | UInt32(digit)
                at += 1
            }
            return value
        }
    }
}
