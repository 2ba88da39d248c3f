import DejaCore

/// How a receiver's labels become an event's service and level, the way collectors name them:
/// Loki's `service_name` and `detected_level`, Kubernetes' `app.kubernetes.io/name`, the container
/// name, OpenTelemetry's `service.name`, ECS's `log.level`.
enum StreamLabels {
    /// In order of preference.
    static let serviceKeys = ServiceLabels.keys
    static let levelKeys = ["level", "severity", "detected_level", "log.level", "lvl", "loglevel", "severity_text"]

    /// Service named by `labels`, or nil.
    static func service(_ labels: [String: String]) -> String? {
        for key in serviceKeys {
            if let value = labels[key], !value.isEmpty { return value }
        }
        return nil
    }

    /// Level named by `labels`, or nil.
    static func level(_ labels: [String: String]) -> Severity? {
        for key in levelKeys {
            if let value = labels[key] {
                let level = Severity(parsing: value)
                if level != .unknown { return level }
            }
        }
        return nil
    }
}
