import DejaCore
import Foundation

/// A log export of JSON documents over many lines rather than a line per record, as the tools an
/// on-call engineer exports logs with write them: `gcloud logging read --format=json` (an
/// array of LogEntry), `aws logs filter-log-events` (`{"events": […]}`), `kubectl get events -o json`
/// (a List's `items`), an Elasticsearch search response (`hits.hits[]._source`), Azure's diagnostic
/// logs (`{"records": […]}`), or any array of records. Each record is an event, read as a JSON log
/// line is; a Kubernetes Event by its own fields.
public struct JSONExport {
    /// Objects that hold an export's records, as paths of keys.
    static let recordPaths = [["items"], ["events"], ["entries"], ["records"], ["logs"], ["hits", "hits"]]
    static let maxDepth = 128

    /// Whether a file whose first line is `line` holds JSON documents: pretty-printed (`[` or `{`
    /// alone on its first line), an array of records on one line, or an object on one line that
    /// holds records and no message. A JSON line per record opens with a whole object.
    public static func opens(_ line: String) -> Bool {
        let trimmed = line.utf8.filter { $0 != 32 && $0 != 9 && $0 != 13 }
        if trimmed.elementsEqual("[".utf8) || trimmed.elementsEqual("{".utf8) || trimmed.starts(with: "[{".utf8) || trimmed.starts(with: "[\"".utf8) {
            return true
        }
        // A response on one line (`curl …/_search`): an object holding records, with no message of its own.
        guard trimmed.starts(with: "{\"".utf8), recordPaths.contains(where: { line.contains("\"\($0.last!)\"") }),
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return false }
        return recordArray(object) != nil && ["message", "msg", "log"].allSatisfy { object[$0] == nil }
    }

    /// The document that starts on `reason` cannot be read.
    private func invalid(_ reason: String) -> InvalidExport {
        InvalidExport(file: context.file, kind: "opens as a log export of JSON documents", reason: "the value that starts on " + reason,
                      remedy: "Fix or complete it, or pass --jsonl if the file holds a JSON event per line")
    }

    let context: ExportContext
    /// Records that hold a line as written (Grafana's), read as a log store's entries.
    private var entries: ExportedEntries
    /// The open document's bytes, from its first, or in an array of records the open record's;
    /// and the line it starts on.
    private var value: [UInt8] = []
    private var valueLine = 0
    /// The open document is an array, read record by record (a gcloud export can be gigabytes),
    /// which opened on `arrayLine`; `scalar` is the number or literal among its values being read.
    private var inArray = false
    private var arrayLine = 0
    private var scalar: [UInt8] = []
    private var depth = 0, inString = false, escaped = false

    public init(_ context: ExportContext) {
        self.context = context
        entries = ExportedEntries(now: context.now, zoneOffset: context.parser.timestamps.zoneOffset)
    }

    /// Reads line `number`; returns the events of the documents it completed (several written one
    /// after another, as `kubectl get events -o json --watch` and programs that pretty-print each
    /// record write them, are each read when complete), or nil when the line, outside a document,
    /// opens none: the file goes on as text (a program that printed its configuration first).
    public mutating func add(_ line: String, number: Int) throws -> [LogEvent]? {
        if depth == 0, value.isEmpty, let first = line.utf8.first(where: { $0 != 32 && $0 != 9 && $0 != 13 }),
           first != UInt8(ascii: "{"), first != UInt8(ascii: "[") { return nil }
        var events: [LogEvent] = []
        for byte in line.utf8 + [10] {
            if inString {
                value.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if inArray, depth == 1 { events += try complete() }  // a record that is a line of text
                }
                continue
            }
            let space = byte == 32 || byte == 9 || byte == 10 || byte == 13
            if depth == 0, value.isEmpty {
                if space { continue }
                valueLine = number
                if byte == UInt8(ascii: "[") {
                    inArray = true
                    arrayLine = number
                    depth = 1
                    continue
                }
                inArray = false
            } else if inArray, depth == 1 {
                // Between an array's records: separators, and numbers and literals, which hold no log line.
                if byte &- 97 < 26 || byte &- 48 < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "E") {
                    scalar.append(byte)
                    continue
                }
                if !scalar.isEmpty {
                    guard ["true", "false", "null"].contains(where: { scalar.elementsEqual($0.utf8) })
                        || Double(String(decoding: scalar, as: UTF8.self)) != nil else {
                        throw invalid("line \(number) is not valid JSON: '\(String(decoding: scalar, as: UTF8.self))' among an array's values")
                    }
                    scalar.removeAll()
                }
                switch byte {
                case _ where space, UInt8(ascii: ","): continue
                case UInt8(ascii: "]"):
                    depth = 0
                    inArray = false
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""): valueLine = number
                default: throw invalid("line \(number) is not valid JSON: '\(Character(Unicode.Scalar(byte)))' among an array's values")
                }
            }
            value.append(byte)
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                // The JSON parser recurses: nesting beyond any export's is refused before it.
                guard depth <= Self.maxDepth else { throw invalid("line \(valueLine) nests deeper than \(Self.maxDepth) levels") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == (inArray ? 1 : 0) { events += try complete() }
            default: break
            }
        }
        return events
    }

    /// The end of the file: a document left open is cut short.
    public mutating func finish() throws -> [LogEvent] {
        if inArray, value.isEmpty { throw invalid("line \(arrayLine) is not valid JSON: the array is not closed") }
        return (value.isEmpty ? [] : try complete()) + drain()
    }

    /// The records read and not yet handed on: after an `InvalidExport`, what came before it.
    public mutating func drain() -> [LogEvent] {
        entries.flush()
    }

    /// The events of the document, or of the array's record, just read.
    private mutating func complete() throws -> [LogEvent] {
        defer { value.removeAll(); inString = false; escaped = false }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(value), options: [.fragmentsAllowed])
        } catch {
            var reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            while reason.hasSuffix(".") { reason.removeLast() }
            throw invalid("line \(valueLine) is not valid JSON: \(reason)")
        }
        guard inArray else { return Self.records(root).flatMap { events($0) } }
        // An array's record is read from its text as written, unless it is a search hit's `_source`.
        if let source = (root as? [String: Any])?["_source"] { return events(source) }
        return events(root, text: String(decoding: value, as: UTF8.self))
    }

    /// The records a document holds: an array's elements, the array under one of `recordPaths`
    /// (an Elasticsearch hit's `_source`), else the document itself.
    static func records(_ root: Any) -> [Any] {
        if let array = root as? [Any] { return array }
        guard let object = root as? [String: Any] else { return [root] }
        return recordArray(object)?.map { (($0 as? [String: Any])?["_source"]) ?? $0 } ?? [object]
    }

    /// The array under the first of `recordPaths` that `object` has.
    private static func recordArray(_ object: [String: Any]) -> [Any]? {
        recordPaths.lazy.compactMap { path in
            path.reduce(object as Any?) { value, key in (value as? [String: Any])?[key] } as? [Any]
        }.first
    }

    /// The events `record` completes, whose JSON `text` is given when known as written: its own,
    /// or for a Grafana row, the records of the rows before it it ends.
    private mutating func events(_ record: Any, text: String? = nil) -> [LogEvent] {
        if let row = (record as? [String: Any]).flatMap(GrafanaLogRow.init) {
            let entry = LogEvent(timestamp: context.now, tenant: context.tenant,
                                 service: context.givenService ?? ServiceLabels.service(in: row.labels) ?? context.service,
                                 level: StreamLabels.level(row.labels) ?? .unknown, labels: row.labels, body: row.line)
            return entries.add(entry, time: row.time)
        }
        return event(record, text: text).map { [$0] } ?? []
    }

    /// The event of `record`, whose JSON `text` is given when known as written.
    private func event(_ record: Any, text: String?) -> LogEvent? {
        if let text = record as? String {
            guard !text.allSatisfy(\.isWhitespace) else { return nil }
            let line = context.parser.parse(text)
            return LogEvent(timestamp: line.timestamp ?? context.now, tenant: context.tenant, service: context.givenService ?? context.service,
                            level: line.level, body: line.message)
        }
        guard let object = record as? [String: Any] else { return nil }
        if let event = KubernetesEvent(object) {
            return LogEvent(timestamp: event.time ?? context.now, tenant: context.tenant, service: context.givenService ?? event.service, level: event.level,
                            labels: event.labels, body: event.message)
        }
        guard let text = text ?? (try? JSONSerialization.data(withJSONObject: object)).map({ String(decoding: $0, as: UTF8.self) }) else { return nil }
        let line = context.parser.parse(jsonObject: object, text: text)
        var labels: [String: String] = [:]
        if let source = line.source { labels["logger"] = source }
        return LogEvent(timestamp: line.timestamp ?? context.now, tenant: context.tenant, service: context.givenService ?? line.service ?? context.service,
                        level: line.level, labels: labels, body: line.message)
    }
}
