/// The labels that name a service, the way collectors and Kubernetes name them, in order of
/// preference: Loki's `service_name`, OpenTelemetry's `service.name`, `app.kubernetes.io/name`, the
/// container name, Prometheus' `job`. Receivers read an event's service with them, and alert
/// enrichment an alert's.
public enum ServiceLabels {
    public static let keys = [
        "service_name", "service", "service.name", "app", "app.kubernetes.io/name", "app_kubernetes_io_name",
        // Fluent Bit's `kubernetes` filter, as its es/http outputs send it (nested, read as dotted keys).
        "kubernetes.labels.app.kubernetes.io/name", "kubernetes.labels.app",
        "k8s.container.name", "container", "container_name", "kubernetes.container_name", "job",
    ]
}
