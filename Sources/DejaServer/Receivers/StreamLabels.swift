import DejaCore
import DejaIngest

/// How a receiver's labels become an event's service and level, the way collectors name them:
/// Loki's `service_name` and `detected_level`, Kubernetes' `app.kubernetes.io/name`, the container
/// name, OpenTelemetry's `service.name`, ECS's `log.level`.
enum StreamLabels {
    /// In order of preference.
    static let serviceKeys = ServiceLabels.keys
    static let levelKeys = ["level", "severity", "detected_level", "log.level", "lvl", "loglevel", "severity_text"]

    /// Service named by `labels`, or nil: a label that names it, else the file the line was read
    /// from (`/var/log/nginx/error.log` is nginx), else Prometheus' `job`.
    static func service(_ labels: [String: String]) -> String? {
        for key in serviceKeys where key != "job" {
            if let value = labels[key], !value.isEmpty { return value }
        }
        if let path = ServiceLabels.pathKeys.lazy.compactMap({ labels[$0] }).first(where: { $0.hasPrefix("/") }) {
            return LogFileService.name(ofPath: path)
        }
        return labels["job"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Keys that can name an event's service or level: kept whatever else a document holds.
    static let namingKeys = Set(serviceKeys + levelKeys + ServiceLabels.pathKeys)

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
