import DejaCore
import Foundation
import SwiftProtobuf

/// Loki's push API (`POST /loki/api/v1/push`): JSON, or Loki's protobuf `PushRequest` in snappy
/// block compression, as Promtail, Alloy and Fluent Bit's `loki` output send them.
enum LokiPush {
    /// The events of a push body (already gzip-decoded when the client said so).
    static func events(_ body: [UInt8], contentType: String?, tenant: String, limits: IngestLimits,
                       lines: StreamLines = StreamLines(receivedAt: EventTime.now())) throws -> [LogEvent] {
        let mediaType = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard !mediaType.isEmpty else { throw Rejection.badRequest("Content-Type is required: application/json or application/x-protobuf") }
        if mediaType == "application/json" { return try fromJSON(body, tenant: tenant, limits: limits, lines: lines) }
        // As in Loki, any other media type is snappy-compressed protobuf.
        return try fromProtobuf(try RequestBody.snappy(body, limits: limits), tenant: tenant, limits: limits, lines: lines)
    }

    static func fromJSON(_ body: [UInt8], tenant: String, limits: IngestLimits,
                         lines prototype: StreamLines = StreamLines(receivedAt: EventTime.now())) throws -> [LogEvent] {
        try RequestBody.checkJSONDepth(body, limits: limits)
        // The shape every Loki client sends is read from the bytes; anything else (numbers as label
        // values, other keys) goes through JSONSerialization, with the same result or error.
        let fast = body.withUnsafeBufferPointer { bytes in
            var reader = JSONByteReader(bytes: bytes)
            return readPush(&reader)
        }
        let streams = try fast ?? generalStreams(body)
        var budget = RequestBudget(limits)
        try budget.check(streams: streams.count)
        var events: [LogEvent] = []
        for (streamIndex, stream) in streams.enumerated() {
            let place = "streams[\(streamIndex)]"
            guard !stream.labels.isEmpty else { throw Rejection.badRequest("\(place): at least one label pair is required per stream") }
            try limits.check(labels: stream.labels, at: "\(place).stream")
            let labelBytes = IngestLimits.bytes(of: stream.labels)
            var lines = prototype
            events.reserveCapacity(events.count + min(stream.entries.count, limits.maxEventsPerRequest))
            let streamStart = events.count
            for (valueIndex, entry) in stream.entries.enumerated() {
                let at = "\(place).values[\(valueIndex)]"
                guard let timestamp = Int64(entry.time).flatMap(EventTime.checked) else {
                    throw Rejection.badRequest("\(at): timestamp '\(entry.time)' is not nanoseconds since the epoch in \(EventTime.rangeDescription)")
                }
                try RequestBody.checkLine(entry.line, at: at, limits: limits)
                var labels = stream.labels
                if let metadata = entry.metadata {
                    labels.merge(metadata) { stream, _ in stream }
                    try limits.check(labels: labels, at: at)
                }
                try budget.add(bytes: entry.line.utf8.count + (entry.metadata == nil ? labelBytes : IngestLimits.bytes(of: labels)))
                events.append(lines.event(body: entry.line, collectorTime: timestamp, labels: labels, tenant: tenant))
            }
            // A record its collector sent line by line is one event.
            if let records = ReceivedRecords.joined(events[streamStart...]) { events.replaceSubrange(streamStart..., with: records) }
        }
        events.removeAll { ReceivedRecords.isNoEvent($0.body) }
        return events
    }

    /// One stream of a JSON push: its labels and its entries.
    struct Stream {
        var labels: [String: String]
        var entries: [(time: String, line: String, metadata: [String: String]?)]
    }

    /// `{"streams": [{"stream": {…}, "values": [["<ns>", "<line>", {…}?], …]}, …]}` with string
    /// values only; nil as soon as the body holds anything else.
    static func readPush(_ reader: inout JSONByteReader) -> [Stream]? {
        guard reader.expect(UInt8(ascii: "{")), let key = reader.readString(), key == "streams", reader.expect(UInt8(ascii: ":")),
              reader.expect(UInt8(ascii: "[")) else { return nil }
        var streams: [Stream] = []
        if !reader.expect(UInt8(ascii: "]")) {
            repeat {
                guard let stream = readStream(&reader) else { return nil }
                streams.append(stream)
            } while reader.expect(UInt8(ascii: ","))
            guard reader.expect(UInt8(ascii: "]")) else { return nil }
        }
        return reader.expect(UInt8(ascii: "}")) && reader.atEnd() ? streams : nil
    }

    private static func readStream(_ reader: inout JSONByteReader) -> Stream? {
        guard reader.expect(UInt8(ascii: "{")) else { return nil }
        var labels: [String: String]?
        var entries: [(time: String, line: String, metadata: [String: String]?)]?
        repeat {
            guard let key = reader.readString(), reader.expect(UInt8(ascii: ":")) else { return nil }
            switch key {
            case "stream" where labels == nil: labels = reader.readStringObject()
            case "values" where entries == nil: entries = readEntries(&reader)
            default: return nil
            }
        } while reader.expect(UInt8(ascii: ","))
        guard reader.expect(UInt8(ascii: "}")), let labels, let entries else { return nil }
        return Stream(labels: labels, entries: entries)
    }

    private static func readEntries(_ reader: inout JSONByteReader) -> [(time: String, line: String, metadata: [String: String]?)]? {
        guard reader.expect(UInt8(ascii: "[")) else { return nil }
        var entries: [(time: String, line: String, metadata: [String: String]?)] = []
        if reader.expect(UInt8(ascii: "]")) { return entries }
        repeat {
            guard reader.expect(UInt8(ascii: "[")), let time = reader.readString(), reader.expect(UInt8(ascii: ",")),
                  let line = reader.readString() else { return nil }
            var metadata: [String: String]?
            if reader.expect(UInt8(ascii: ",")) {
                guard let object = reader.readStringObject() else { return nil }
                metadata = object
            }
            guard reader.expect(UInt8(ascii: "]")) else { return nil }
            entries.append((time, line, metadata))
        } while reader.expect(UInt8(ascii: ","))
        return reader.expect(UInt8(ascii: "]")) ? entries : nil
    }

    /// Any valid JSON push through `JSONSerialization`: label values may be numbers or booleans.
    private static func generalStreams(_ body: [UInt8]) throws -> [Stream] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw Rejection.badRequest("body is not a JSON object")
        }
        guard let streams = object["streams"] as? [Any] else { throw Rejection.badRequest("no \"streams\" array") }
        return try streams.enumerated().map { streamIndex, item in
            let place = "streams[\(streamIndex)]"
            guard let stream = item as? [String: Any], let labels = stream["stream"] as? [String: Any],
                  let values = stream["values"] as? [Any] else {
                throw Rejection.badRequest("\(place): needs a \"stream\" object of labels and a \"values\" array")
            }
            return Stream(labels: try stringMap(labels, at: "\(place).stream"), entries: try values.enumerated().map { valueIndex, value in
                let at = "\(place).values[\(valueIndex)]"
                guard let entry = value as? [Any], entry.count == 2 || entry.count == 3, let time = entry[0] as? String,
                      let line = entry[1] as? String else {
                    throw Rejection.badRequest("\(at): needs [\"<nanoseconds>\", \"<line>\"] with optional metadata")
                }
                guard entry.count == 3 else { return (time, line, nil) }
                guard let metadata = entry[2] as? [String: Any] else { throw Rejection.badRequest("\(at): structured metadata must be an object") }
                return (time, line, try stringMap(metadata, at: "\(at)[2]"))
            })
        }
    }

    static func fromProtobuf(_ bytes: [UInt8], tenant: String, limits: IngestLimits,
                         lines prototype: StreamLines = StreamLines(receivedAt: EventTime.now())) throws -> [LogEvent] {
        let request: Logproto_PushRequest
        do {
            request = try Logproto_PushRequest(serializedBytes: bytes)
        } catch {
            throw Rejection.badRequest("body is not a Loki PushRequest: \(error)")
        }
        var budget = RequestBudget(limits)
        try budget.check(streams: request.streams.count)
        var events: [LogEvent] = []
        for (streamIndex, stream) in request.streams.enumerated() {
            let place = "streams[\(streamIndex)]"
            let labels: [String: String]
            do {
                labels = try LabelSelector.parse(stream.labels)
            } catch let error as LabelSelector.Failure {
                throw Rejection.badRequest("\(place): labels \(error)")
            }
            guard !labels.isEmpty else { throw Rejection.badRequest("\(place): at least one label pair is required per stream") }
            try limits.check(labels: labels, at: "\(place).labels")
            let labelBytes = IngestLimits.bytes(of: labels)
            var lines = prototype
            let streamStart = events.count
            for (entryIndex, entry) in stream.entries.enumerated() {
                let at = "\(place).entries[\(entryIndex)]"
                try RequestBody.checkLine(entry.line, at: at, limits: limits)
                guard let timestamp = EventTime.from(seconds: entry.timestamp.seconds, nanos: entry.timestamp.nanos) else {
                    throw Rejection.badRequest("\(at).timestamp: \(entry.timestamp.seconds)s \(entry.timestamp.nanos)ns is outside \(EventTime.rangeDescription)")
                }
                var eventLabels = labels
                for pair in entry.structuredMetadata where eventLabels[pair.name] == nil { eventLabels[pair.name] = pair.value }
                if !entry.structuredMetadata.isEmpty { try limits.check(labels: eventLabels, at: at) }
                try budget.add(bytes: entry.line.utf8.count + (entry.structuredMetadata.isEmpty ? labelBytes : IngestLimits.bytes(of: eventLabels)))
                events.append(lines.event(body: entry.line, collectorTime: timestamp, labels: eventLabels, tenant: tenant))
            }
            // A record its collector sent line by line is one event.
            if let records = ReceivedRecords.joined(events[streamStart...]) { events.replaceSubrange(streamStart..., with: records) }
        }
        events.removeAll { ReceivedRecords.isNoEvent($0.body) }
        return events
    }

    /// A flat JSON object as strings (numbers and booleans as their text; nesting refused).
    private static func stringMap(_ object: [String: Any], at place: String) throws -> [String: String] {
        var map: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let text as String: map[key] = text
            case let number as NSNumber: map[key] = number.stringValue
            default: throw Rejection.badRequest("\(place).\(key): values must be strings")
            }
        }
        return map
    }
}
