import DejaCore
import Foundation
import SwiftProtobuf

/// OTLP/HTTP logs (`POST /v1/logs`), protobuf or JSON: `service.name` from the resource, severity,
/// resource and record attributes as labels. Records without a body are rejected one by one and
/// reported as a partial success, as the protocol asks.
enum OTLPLogs {
    struct Decoded {
        var events: [LogEvent] = []
        var rejected = 0
        var problems: [String] = []
    }

    static func isJSON(_ contentType: String?) -> Bool {
        contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    static func decode(_ body: [UInt8], contentType: String?, tenant: String, limits: IngestLimits, now: Int64,
                       zoneOffset: Int64 = 0) throws -> Decoded {
        let request: Opentelemetry_Proto_ExportLogsServiceRequest
        do {
            if isJSON(contentType) {
                try RequestBody.checkJSONDepth(body, limits: limits)
                var options = JSONDecodingOptions()
                options.ignoreUnknownFields = true
                request = try Opentelemetry_Proto_ExportLogsServiceRequest(jsonUTF8Bytes: body, options: options)
            } else {
                request = try Opentelemetry_Proto_ExportLogsServiceRequest(serializedBytes: body)
            }
        } catch {
            throw Rejection.badRequest("body is not an OTLP ExportLogsServiceRequest: \(error)")
        }
        var decoded = Decoded()
        var budget = RequestBudget(limits)
        try budget.check(streams: request.resourceLogs.count)
        let json = isJSON(contentType)
        for (resourceIndex, resourceLogs) in request.resourceLogs.enumerated() {
            var resource: [String: String] = [:]
            for attribute in resourceLogs.resource.attributes { resource[attribute.key] = text(attribute.value) }
            try limits.check(labels: resource, at: "resourceLogs[\(resourceIndex)].resource")
            for scopeLogs in resourceLogs.scopeLogs {
                var lines = StreamLines(receivedAt: now, zoneOffset: zoneOffset)  // one scope of one resource: one stream
                for record in scopeLogs.logRecords {
                    var attributes: [String: String] = [:]
                    for attribute in record.attributes { attributes[attribute.key] = text(attribute.value) }
                    let body = ExceptionFields.body(text(record.body), movingFrom: &attributes)
                    guard !body.isEmpty else {
                        decoded.rejected += 1
                        decoded.problems.append("a log record has no body")
                        continue
                    }
                    guard body.utf8.count <= limits.maxLineBytes else {
                        decoded.rejected += 1
                        decoded.problems.append("a log record body (with its exception) of \(body.utf8.count) bytes is over the \(limits.maxLineBytes)-byte limit")
                        continue
                    }
                    var labels = resource.merging(attributes) { $1 }
                    // JSON carries ids as hex, which the protobuf JSON decoder read as base64:
                    // encoding them back gives the hex text.
                    if !record.traceID.isEmpty { labels["trace_id"] = json ? record.traceID.base64EncodedString() : hex(record.traceID) }
                    if !record.spanID.isEmpty { labels["span_id"] = json ? record.spanID.base64EncodedString() : hex(record.spanID) }
                    do {
                        try limits.check(labels: labels, at: "a log record")
                    } catch let rejection as Rejection {
                        decoded.rejected += 1
                        decoded.problems.append(rejection.message)
                        continue
                    }
                    try budget.add(bytes: body.utf8.count + IngestLimits.bytes(of: labels))
                    let time = record.timeUnixNano != 0 ? record.timeUnixNano : record.observedTimeUnixNano
                    let timestamp = time == 0 ? nil : EventTime.from(unsigned: time)
                    guard time == 0 || timestamp != nil else {
                        decoded.rejected += 1
                        decoded.problems.append("a log record's time is outside \(EventTime.rangeDescription)")
                        continue
                    }
                    var event = lines.event(body: body, collectorTime: timestamp, labels: labels, tenant: tenant)
                    if let level = severity(record.severityNumber) ?? nonEmpty(record.severityText).map(Severity.init(parsing:)), level != .unknown {
                        event.level = level
                    }
                    decoded.events.append(event)
                }
            }
        }
        // A collector's `filelog` receiver without a `recombine` operator sends a trace line by line.
        decoded.events = SourceStreams.joined(decoded.events)
        return decoded
    }

    /// The response body in the request's encoding: empty on full success.
    static func response(_ decoded: Decoded, json: Bool) throws -> [UInt8] {
        var response = Opentelemetry_Proto_ExportLogsServiceResponse()
        if decoded.rejected > 0 {
            response.partialSuccess.rejectedLogRecords = Int64(decoded.rejected)
            response.partialSuccess.errorMessage = Array(Set(decoded.problems)).sorted().joined(separator: "; ")
        }
        return json ? try response.jsonUTF8Bytes() : try response.serializedBytes()
    }

    /// OTLP severity numbers: 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal.
    static func severity(_ number: Int32) -> Severity? {
        switch number {
        case 1...4: .trace
        case 5...8: .debug
        case 9...12: .info
        case 13...16: .warning
        case 17...20: .error
        case 21...24: .fatal
        default: nil
        }
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    private static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    /// An attribute or body value as text; structured values as JSON.
    static func text(_ value: Opentelemetry_Proto_AnyValue) -> String {
        switch value.value {
        case .stringValue(let text): return text
        case .boolValue(let flag): return flag ? "true" : "false"
        case .intValue(let number): return String(number)
        case .doubleValue(let number): return String(number)
        case .bytesValue(let data): return data.base64EncodedString()
        case .arrayValue, .kvlistValue:
            let object = jsonObject(value)
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) else { return "" }
            return String(decoding: data, as: UTF8.self)
        case nil: return ""
        }
    }

    private static func jsonObject(_ value: Opentelemetry_Proto_AnyValue) -> Any {
        switch value.value {
        case .arrayValue(let array): return array.values.map(jsonObject)
        case .kvlistValue(let list): return Dictionary(list.values.map { ($0.key, jsonObject($0.value)) }) { first, _ in first }
        case .boolValue(let flag): return flag
        case .intValue(let number): return number
        case .doubleValue(let number): return number
        default: return text(value)
        }
    }
}
