import DejaCore
import Foundation

/// Elasticsearch's bulk API (`POST [/{index}]/_bulk`) as Fluent Bit's `es` output, Beats, Logstash,
/// rsyslog's `omelasticsearch` and the Python client's bulk helper send it: NDJSON action lines
/// (`index`, `create`) each followed by a document. Each document becomes an event; the answer
/// has one item per action, in order, as Elasticsearch gives it.
enum ElasticsearchBulk {
    /// One action's outcome, before the accepted events are stored.
    struct Item {
        let action: String
        let index: String
        let id: String
        /// The event to store, or the error for this item.
        let outcome: Result<LogEvent, ItemError>
    }

    struct ItemError: Error {
        let type: String
        let reason: String
    }

    /// Fields that carry the log line, in order of preference (ECS, Fluent Bit, Logstash, syslog).
    static let bodyKeys = ["message", "log", "msg", "@message", "event.original", "MESSAGE", "text", "short_message"]
    static let timeKeys = ["@timestamp", "timestamp", "time", "date", "ts"]

    static func items(_ body: [UInt8], defaultIndex: String?, tenant: String, limits: IngestLimits, now: Int64,
                      zoneOffset: Int64 = 0) throws -> [Item] {
        guard body.last == UInt8(ascii: "\n") else {
            throw Rejection.badRequest("The bulk request must be terminated by a newline [\\n]")
        }
        let lines = RequestBody.text(body).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .filter { !$0.allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 } }
        var items: [Item] = []
        var budget = RequestBudget(limits)
        var generated = 0
        var index = 0
        var documentLines = StreamLines(receivedAt: now, zoneOffset: zoneOffset)  // a bulk request is mostly one shipper's stream
        while index < lines.count {
            let actionLine = Array(lines[index])
            index += 1
            try RequestBody.checkJSONDepth(actionLine, limits: limits)
            guard let action = try? JSONSerialization.jsonObject(with: Data(actionLine)) as? [String: Any], action.count == 1,
                  let (name, metaValue) = action.first, let meta = metaValue as? [String: Any] else {
                throw Rejection.badRequest("line \(index): expected an action such as {\"create\":{}} but found \(String(decoding: actionLine.prefix(80), as: UTF8.self))")
            }
            let target = meta["_index"] as? String ?? defaultIndex ?? "deja"
            var id = (meta["_id"] as? String) ?? (meta["_id"] as? NSNumber)?.stringValue
            switch name {
            case "index", "create":
                guard index < lines.count else { throw Rejection.badRequest("line \(index): action \(name) has no document line after it") }
                let documentLine = Array(lines[index])
                index += 1
                if id == nil {
                    generated += 1
                    id = generatedID(now: now, ordinal: generated)
                }
                let outcome = event(from: documentLine, line: index, tenant: tenant, index: target, id: id, limits: limits,
                                    lines: &documentLines)
                if case .success(let event) = outcome { try budget.add(bytes: event.body.utf8.count + IngestLimits.bytes(of: event.labels)) }
                items.append(Item(action: name, index: target, id: id!, outcome: outcome))
            case "update":
                index += 1  // its partial document
                items.append(Item(action: name, index: target, id: id ?? "", outcome: .failure(unsupported(name))))
            case "delete":
                items.append(Item(action: name, index: target, id: id ?? "", outcome: .failure(unsupported(name))))
            default:
                throw Rejection.badRequest("line \(index): unknown bulk action '\(name)' (index, create, update, delete)")
            }
        }
        return items
    }

    /// The events to store for `items`: the accepted documents, a record its shipper sent line by
    /// line joined into one (`SourceStreams`).
    static func events(_ items: [Item]) -> [LogEvent] {
        SourceStreams.joined(items.compactMap { try? $0.outcome.get() })
    }

    /// A single document (`POST /{index}/_doc`, as rsyslog sends without bulk mode).
    static func document(_ body: [UInt8], tenant: String, index: String, id: String?, limits: IngestLimits, now: Int64,
                         zoneOffset: Int64 = 0) throws -> LogEvent {
        var lines = StreamLines(receivedAt: now, zoneOffset: zoneOffset)
        switch event(from: body, line: 1, tenant: tenant, index: index, id: id, limits: limits, lines: &lines) {
        case .success(let event): return event
        case .failure(let error): throw Rejection.badRequest(error.reason)
        }
    }

    private static func unsupported(_ action: String) -> ItemError {
        ItemError(type: "illegal_argument_exception", reason: "deja keeps logs append-only: '\(action)' is not supported")
    }

    /// Ids for documents sent without one, unique enough within one server's life.
    private static func generatedID(now: Int64, ordinal: Int) -> String {
        String(now, radix: 36) + "-" + String(ordinal, radix: 36)
    }

    private static func event(from line: [UInt8], line number: Int, tenant: String, index: String, id: String?, limits: IngestLimits,
                              lines: inout StreamLines) -> Result<LogEvent, ItemError> {
        let parsing = { (reason: String) in Result<LogEvent, ItemError>.failure(ItemError(type: "mapper_parsing_exception", reason: reason)) }
        if (try? RequestBody.checkJSONDepth(line, limits: limits)) == nil { return parsing("document nests deeper than \(limits.maxJSONDepth) levels") }
        guard let document = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            return parsing("line \(number): the document is not a JSON object")
        }
        var fields: [String: String] = [:]
        flatten(document, prefix: "", into: &fields)
        guard let bodyKey = bodyKeys.first(where: { fields[$0] != nil }), let line = fields.removeValue(forKey: bodyKey) else {
            return parsing("line \(number): no log line in the document (one of \(bodyKeys.joined(separator: ", ")))")
        }
        let body = ExceptionFields.body(line, movingFrom: &fields)
        guard body.utf8.count <= limits.maxLineBytes else {
            return parsing("line \(number): log line (with its exception) of \(body.utf8.count) bytes is over the \(limits.maxLineBytes)-byte limit")
        }
        // A document without a time field keeps the time its line was written, when it shows one.
        var timestamp: Int64?
        if let timeKey = timeKeys.first(where: { fields[$0] != nil }), let text = fields.removeValue(forKey: timeKey) {
            guard let parsed = TimestampParser.parseISO(text) ?? Double(text).flatMap(TimestampParser.parseEpoch) else {
                return parsing("line \(number): \(timeKey) '\(text)' is neither an RFC 3339 nor a Unix time in \(EventTime.rangeDescription)")
            }
            timestamp = parsed
        }
        // A document's flattened fields can number in the hundreds: those that name its service or
        // level, then the first (by name), within the label limits become labels; the rest stay in
        // the document, which Deja does not keep.
        var labels: [String: String] = ["_index": index]
        let keys = fields.keys.sorted()
        let kept = (keys.filter(StreamLabels.namingKeys.contains) + keys.filter { !StreamLabels.namingKeys.contains($0) }).lazy.filter { key in
            key.utf8.count <= limits.maxLabelNameBytes && fields[key]!.utf8.count <= limits.maxLabelValueBytes
        }
        for key in kept.prefix(limits.maxLabelsPerStream - 1) { labels[key] = fields[key] }
        return .success(lines.event(body: body, collectorTime: timestamp, labels: labels, tenant: tenant, externalID: id))
    }

    /// Nested objects as dotted keys (`kubernetes.pod_name`); arrays of scalars joined by commas.
    private static func flatten(_ object: [String: Any], prefix: String, into fields: inout [String: String]) {
        for (key, value) in object {
            let name = prefix.isEmpty ? key : prefix + "." + key
            switch value {
            case let nested as [String: Any]: flatten(nested, prefix: name, into: &fields)
            case let text as String: fields[name] = text
            case let number as NSNumber: fields[name] = number.stringValue
            case let array as [Any]:
                let scalars = array.compactMap { ($0 as? String) ?? ($0 as? NSNumber)?.stringValue }
                if scalars.count == array.count { fields[name] = scalars.joined(separator: ",") }
            default: break
            }
        }
    }

    /// The bulk response: `took`, `errors`, and one item per action in request order.
    static func response(_ items: [Item], tookMilliseconds: Int, firstSequence: Int) -> [String: Any] {
        var errors = false
        var rendered: [[String: Any]] = []
        for (offset, item) in items.enumerated() {
            var result: [String: Any] = ["_index": item.index, "_id": item.id]
            switch item.outcome {
            case .success:
                result["_version"] = 1
                result["result"] = "created"
                result["status"] = 201
                result["_shards"] = ["total": 1, "successful": 1, "failed": 0]
                result["_seq_no"] = firstSequence + offset
                result["_primary_term"] = 1
            case .failure(let error):
                errors = true
                result["status"] = 400
                result["error"] = ["type": error.type, "reason": error.reason]
            }
            rendered.append([item.action: result])
        }
        return ["took": tookMilliseconds, "errors": errors, "items": rendered]
    }
}
