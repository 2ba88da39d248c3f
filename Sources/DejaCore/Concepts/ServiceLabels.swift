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
