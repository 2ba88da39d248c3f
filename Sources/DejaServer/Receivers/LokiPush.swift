import DejaCore
import Foundation
import SwiftProtobuf

/// Loki's push API (`POST /loki/api/v1/push`): JSON, or Loki's protobuf `PushRequest` in snappy
/// block compression, as Promtail, Alloy and Fluent Bit's `loki` output send them.
enum LokiPush {
    /// The events of a push body (already gzip-decoded when the client said so).
    static func events(_ body: [UInt8], contentType: String?, tenant: String, limits: IngestLimits) throws -> [LogEvent] {
        let mediaType = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard !mediaType.isEmpty else { throw Rejection.badRequest("Content-Type is required: application/json or application/x-protobuf") }
        if mediaType == "application/json" { return try fromJSON(body, tenant: tenant, limits: limits) }
        // As in Loki, any other media type is snappy-compressed protobuf.
        return try fromProtobuf(try RequestBody.snappy(body, limits: limits), tenant: tenant, limits: limits)
    }

    static func fromJSON(_ body: [UInt8], tenant: String, limits: IngestLimits) throws -> [LogEvent] {
        try RequestBody.checkJSONDepth(body, limits: limits)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw Rejection.badRequest("body is not a JSON object")
        }
        guard let streams = object["streams"] as? [Any] else { throw Rejection.badRequest("no \"streams\" array") }
        var events: [LogEvent] = []
        for (streamIndex, item) in streams.enumerated() {
            let place = "streams[\(streamIndex)]"
            guard let stream = item as? [String: Any], let labels = stream["stream"] as? [String: Any],
                  let values = stream["values"] as? [Any] else {
                throw Rejection.badRequest("\(place): needs a \"stream\" object of labels and a \"values\" array")
            }
            let streamLabels = try stringMap(labels, at: "\(place).stream")
            guard !streamLabels.isEmpty else { throw Rejection.badRequest("\(place): at least one label pair is required per stream") }
            for (valueIndex, value) in values.enumerated() {
                let at = "\(place).values[\(valueIndex)]"
                guard let entry = value as? [Any], entry.count == 2 || entry.count == 3, let time = entry[0] as? String,
                      let line = entry[1] as? String else {
                    throw Rejection.badRequest("\(at): needs [\"<nanoseconds>\", \"<line>\"] with optional metadata")
                }
                guard let timestamp = Int64(time) else { throw Rejection.badRequest("\(at): timestamp '\(time)' is not nanoseconds since the epoch") }
                try RequestBody.checkLine(line, at: at, limits: limits)
                var eventLabels = streamLabels
                if entry.count == 3 {
                    guard let metadata = entry[2] as? [String: Any] else { throw Rejection.badRequest("\(at): structured metadata must be an object") }
                    eventLabels.merge(try stringMap(metadata, at: "\(at)[2]")) { stream, _ in stream }
                }
                events.append(StreamLabels.event(body: line, timestamp: timestamp, labels: eventLabels, tenant: tenant))
            }
        }
        return events
    }

    static func fromProtobuf(_ bytes: [UInt8], tenant: String, limits: IngestLimits) throws -> [LogEvent] {
        let request: Logproto_PushRequest
        do {
            request = try Logproto_PushRequest(serializedBytes: bytes)
        } catch {
            throw Rejection.badRequest("body is not a Loki PushRequest: \(error)")
        }
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
            for (entryIndex, entry) in stream.entries.enumerated() {
                try RequestBody.checkLine(entry.line, at: "\(place).entries[\(entryIndex)]", limits: limits)
                var eventLabels = labels
                for pair in entry.structuredMetadata where eventLabels[pair.name] == nil { eventLabels[pair.name] = pair.value }
                let timestamp = entry.timestamp.seconds * 1_000_000_000 + Int64(entry.timestamp.nanos)
                events.append(StreamLabels.event(body: entry.line, timestamp: timestamp, labels: eventLabels, tenant: tenant))
            }
        }
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
