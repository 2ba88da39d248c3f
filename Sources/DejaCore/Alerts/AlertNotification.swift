import Foundation

/// One Alertmanager webhook notification (payload version 4): one aggregation group's alerts.
public struct AlertNotification: Sendable, Equatable {
    public var version: String
    public var status: String
    public var groupKey: String
    public var receiver: String
    public var externalURL: String
    public var commonAnnotations: [String: String]
    public var alerts: [Alert]

    public init(version: String, status: String, groupKey: String, receiver: String, externalURL: String, commonAnnotations: [String: String],
                alerts: [Alert]) {
        self.version = version
        self.status = status
        self.groupKey = groupKey
        self.receiver = receiver
        self.externalURL = externalURL
        self.commonAnnotations = commonAnnotations
        self.alerts = alerts
    }

    /// One alert of the group, as Alertmanager sends it.
    public struct Alert: Sendable, Equatable, Codable {
        /// `firing` or `resolved`.
        public var status: String
        public var labels: [String: String]
        public var annotations: [String: String]
        /// Nanoseconds since the epoch.
        public var startsAt: Int64
        /// Nil while firing with Alertmanager's zero time.
        public var endsAt: Int64?
        public var generatorURL: String
        /// Stable per label set: the key of an alert's record.
        public var fingerprint: String

        public init(status: String, labels: [String: String], annotations: [String: String], startsAt: Int64, endsAt: Int64?,
                    generatorURL: String, fingerprint: String) {
            self.status = status
            self.labels = labels
            self.annotations = annotations
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.generatorURL = generatorURL
            self.fingerprint = fingerprint
        }

        public var name: String { labels["alertname"] ?? "" }
        public var isResolved: Bool { status == "resolved" }
    }

    /// Payload versions this reader knows.
    public static let knownVersions: Set<String> = ["4"]
}

/// Why a webhook body is not an Alertmanager notification.
public struct AlertPayloadError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension AlertNotification {
    /// Decodes a webhook body. A body that is not JSON, or lacks what every version has (an
    /// `alerts` list whose items carry `status`, `labels`, `startsAt` and `fingerprint`), is an
    /// error naming the problem; other fields are read when present.
    public init(json data: Data) throws(AlertPayloadError) {
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw AlertPayloadError(description: "the body is not a JSON object (an Alertmanager webhook payload)")
        }
        version = Self.string(root["version"]) ?? ""
        status = Self.string(root["status"]) ?? ""
        groupKey = Self.string(root["groupKey"]) ?? ""
        receiver = Self.string(root["receiver"]) ?? ""
        externalURL = Self.string(root["externalURL"]) ?? ""
        commonAnnotations = Self.labels(root["commonAnnotations"]) ?? [:]
        guard let items = root["alerts"] as? [Any] else { throw AlertPayloadError(description: "\"alerts\" is missing or not a list") }
        alerts = []
        for (index, item) in items.enumerated() {
            guard let alert = item as? [String: Any] else { throw AlertPayloadError(description: "alerts[\(index)] is not an object") }
            guard let status = Self.string(alert["status"]), ["firing", "resolved"].contains(status) else {
                throw AlertPayloadError(description: "alerts[\(index)].status must be \"firing\" or \"resolved\"")
            }
            guard let labels = Self.labels(alert["labels"]) else {
                throw AlertPayloadError(description: "alerts[\(index)].labels must be an object of strings")
            }
            guard let fingerprint = Self.string(alert["fingerprint"]), !fingerprint.isEmpty, fingerprint.count <= 128 else {
                throw AlertPayloadError(description: "alerts[\(index)].fingerprint is missing")
            }
            guard let startText = Self.string(alert["startsAt"]), let startsAt = TimestampParser.parseISO(startText) else {
                throw AlertPayloadError(description: "alerts[\(index)].startsAt is not an RFC 3339 time")
            }
            // A firing alert's endsAt is Alertmanager's zero time or a time it may yet extend.
            let endsAt = Self.string(alert["endsAt"]).flatMap { $0.hasPrefix("0001-") ? nil : TimestampParser.parseISO($0) }
            alerts.append(Alert(status: status, labels: labels, annotations: Self.labels(alert["annotations"]) ?? [:], startsAt: startsAt,
                                endsAt: endsAt, generatorURL: Self.string(alert["generatorURL"]) ?? "", fingerprint: fingerprint))
        }
    }

    private static func string(_ value: Any?) -> String? { value as? String }

    private static func labels(_ value: Any?) -> [String: String]? {
        guard let object = value as? [String: Any] else { return nil }
        var labels: [String: String] = [:]
        for (key, value) in object {
            guard let text = value as? String else { return nil }
            labels[key] = text
        }
        return labels
    }
}

extension AlertNotification.Alert {
    /// What the alert says, for matching logs by meaning: its name in words, summary and description.
    public var text: String {
        var parts = [Self.words(name)]
        for key in ["summary", "description", "message"] {
            if let value = annotations[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
                parts.append(value.hasSuffix(".") ? String(value.dropLast()) : value)
            }
        }
        return parts.filter { !$0.isEmpty }.joined(separator: ". ")
    }

    /// `CheckoutHighErrorRate` → `Checkout High Error Rate`; `KubePodCrashLooping` → `Kube Pod Crash Looping`.
    static func words(_ name: String) -> String {
        var out = ""
        var previous: Character?
        for character in name {
            if character == "_" || character == "-" {
                out.append(" ")
            } else {
                if let previous, character.isUppercase, previous.isLowercase || previous.isNumber { out.append(" ") }
                out.append(character)
            }
            previous = character
        }
        return out
    }

    /// The metric names in the PromQL of `generatorURL` (`g0.expr`), for joining with metric search.
    public var metricNames: [String] {
        guard let query = generatorURL.split(separator: "?", maxSplits: 1).last, generatorURL.contains("?") else { return [] }
        for pair in query.split(separator: "&") where pair.hasPrefix("g0.expr=") {
            let expression = String(pair.dropFirst(8)).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            return PromQLNames.metrics(in: expression)
        }
        return []
    }
}

/// Metric names in a PromQL expression: identifiers that are not functions, keywords or label names.
enum PromQLNames {
    static let reserved: Set<String> = [
        "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool", "inf", "nan",
    ]

    static let grouping: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right"]

    static func metrics(in expression: String) -> [String] {
        let characters = Array(expression)
        var names: [String] = []
        var index = 0
        var skipList = false  // the label list after `by (`, `on (`, ...
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == ":" }
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\"", "'", "`":
                index += 1
                while index < characters.count && characters[index] != character { index += characters[index] == "\\" ? 2 : 1 }
                index += 1
            case "{", "[":
                // Label matchers and range durations hold no metric names.
                let close: Character = character == "{" ? "}" : "]"
                while index < characters.count && characters[index] != close { index += 1 }
                index += 1
            case "(" where skipList:
                while index < characters.count && characters[index] != ")" { index += 1 }
                index += 1
                skipList = false
            default:
                guard character.isLetter || character == "_" || character == ":" else { index += 1; continue }
                var end = index
                while end < characters.count && isWord(characters[end]) { end += 1 }
                let word = String(characters[index..<end])
                var next = end
                while next < characters.count && characters[next].isWhitespace { next += 1 }
                if grouping.contains(word.lowercased()) {
                    skipList = true
                } else if (next >= characters.count || characters[next] != "(") && !reserved.contains(word.lowercased()) && !names.contains(word) {
                    names.append(word)
                }
                index = end
            }
        }
        return names
    }
}
