import DejaCore

/// The time a log line shows at its start, for events whose sender gave none: the collector's own
/// timestamp, when there is one, always wins.
enum LineTime {
    static func read(_ line: String, receivedAt now: Int64) -> Int64? {
        TimestampScanner(reference: now).timestamp(in: line)
    }
}

/// How a receiver's labels become an event's service and level, the way collectors name them:
/// Loki's `service_name` and `detected_level`, Kubernetes' `app.kubernetes.io/name`, the container
/// name, OpenTelemetry's `service.name`, ECS's `log.level`.
enum StreamLabels {
    /// In order of preference.
    static let serviceKeys = [
        "service_name", "service", "service.name", "app", "app.kubernetes.io/name", "app_kubernetes_io_name",
        // Fluent Bit's `kubernetes` filter, as its es/http outputs send it (nested, read as dotted keys).
        "kubernetes.labels.app.kubernetes.io/name", "kubernetes.labels.app",
        "k8s.container.name", "container", "container_name", "kubernetes.container_name", "job",
    ]
    static let levelKeys = ["level", "severity", "detected_level", "log.level", "lvl", "loglevel", "severity_text"]

    /// Service named by `labels`, or nil.
    static func service(_ labels: [String: String]) -> String? {
        for key in serviceKeys {
            if let value = labels[key], !value.isEmpty { return value }
        }
        return nil
    }

    /// Level named by `labels`, else read from the body.
    static func level(_ labels: [String: String], body: String) -> Severity {
        for key in levelKeys {
            if let value = labels[key] {
                let level = Severity(parsing: value)
                if level != .unknown { return level }
            }
        }
        return LineParser.inferLevel(body)
    }

    /// An event from a receiver's labels and line.
    static func event(body: String, timestamp: Int64, labels: [String: String], tenant: String, externalID: String? = nil) -> LogEvent {
        LogEvent(timestamp: timestamp, tenant: tenant, service: service(labels) ?? "unknown_service", level: level(labels, body: body),
                 labels: labels, body: body, externalID: externalID)
    }
}
