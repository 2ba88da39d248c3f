/// The labels that name a service, the way collectors and Kubernetes name them, in order of
/// preference: Loki's `service_name`, OpenTelemetry's `service.name`, `app.kubernetes.io/name`, the
/// container name, Google Cloud's resource labels, Prometheus' `job`. Receivers read an event's
/// service with them, and alert enrichment an alert's.
public enum ServiceLabels {
    public static let keys = [
        "service_name", "service", "service.name", "app", "app.kubernetes.io/name", "app_kubernetes_io_name",
        // Fluent Bit's `kubernetes` filter, as its es/http outputs send it (nested, read as dotted
        // keys); Filebeat's metadata, its label names de-dotted; Vector's `kubernetes_logs` source.
        "kubernetes.labels.app.kubernetes.io/name", "kubernetes.labels.app_kubernetes_io/name", "kubernetes.labels.app",
        "kubernetes.pod_labels.app.kubernetes.io/name", "kubernetes.pod_labels.app",
        "k8s.container.name", "container", "container_name", "kubernetes.container_name", "kubernetes.container.name", "container.name",
        // Google Cloud's LogEntry: GKE's pod labels, then the monitored resource's (GKE, Cloud Run, Cloud Functions, App Engine).
        "labels.k8s-pod/app.kubernetes.io/name", "labels.k8s-pod/app", "resource.labels.container_name", "resource.labels.service_name",
        "resource.labels.function_name", "resource.labels.module_id",
        "job",
    ]

    /// Labels that hold the path of the file a line was read from (Promtail's `filename`,
    /// Filebeat's `log.file.path` (before 7.0 `source`), Vector's `file`, Splunk's `source`): a
    /// service when no label names one.
    public static let pathKeys = ["filename", "log.file.path", "file", "log_file_path", "path", "source"]

    /// The service `labels` name: a label that names it, else the file the line was read from
    /// (`/var/log/nginx/error.log` is nginx, `LogFileService`), else Prometheus' `job`; nil for none.
    public static func service(in labels: [String: String]) -> String? {
        for key in keys where key != "job" {
            if let value = labels[key], !value.isEmpty { return value }
        }
        if let path = pathKeys.lazy.compactMap({ labels[$0] }).first(where: { $0.hasPrefix("/") }) {
            return LogFileService.name(ofPath: path)
        }
        return labels["job"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

extension ServiceLabels {
    /// Fields of a log record that hold the path of the file it was read from. A record's `path`,
    /// `file` or `source` is as often its request's path or its code's file, so those are not.
    static let recordPathKeys = ["log.file.path", "filename", "log_file_path"]

    /// The service a JSON log record's own fields name (`service.name`, `app`, Fluent Bit's
    /// `kubernetes.container_name`, GCP's `resource.labels.container_name`), flat (`"service.name"`)
    /// or nested (`"service": {"name": …}`), else the file it was read from; nil for none.
    /// Prometheus' `job` is a label's, not a record's.
    public static func service(inRecord record: [String: Any]) -> String? {
        var found: [String: String] = [:]
        collect(record, prefix: "", into: &found)
        guard !found.isEmpty else { return nil }
        for key in keys where key != "job" {
            if let value = found[key], !value.isEmpty { return value }
        }
        return recordPathKeys.lazy.compactMap { found[$0] }.first { $0.hasPrefix("/") }.map(LogFileService.name(ofPath:))
    }

    private static let recordKeys = Set(keys.filter { $0 != "job" } + recordPathKeys)
    /// Every dotted beginning of a record key (`kubernetes`, `kubernetes.labels`): the objects worth entering.
    private static let recordKeyPrefixes = Set(recordKeys.flatMap { key in
        key.indices.filter { key[$0] == "." }.map { String(key[..<$0]) }
    })

    /// The string fields of `object` under record keys, by their dotted names; only the nested
    /// objects on the way to one are entered (this runs on every JSON line).
    private static func collect(_ object: [String: Any], prefix: String, into found: inout [String: String]) {
        for (key, value) in object {
            let name = prefix.isEmpty ? key : prefix + "." + key
            if let text = value as? String {
                if recordKeys.contains(name) { found[name] = text }
            } else if recordKeyPrefixes.contains(name), let nested = value as? [String: Any] {
                collect(nested, prefix: name, into: &found)
            }
        }
    }
}
