import DejaCore
import DejaStore
import Foundation

/// Metric metadata for the demo's services, as their exporters describe them (Micrometer's HikariCP
/// and HTTP server metrics, postgres_exporter, nginx, Node, Go and Python clients), and the alert
/// the demo records on the failure that rises at its end.
enum DemoMetrics {
    static let all: [MetricMetadata] = [
        MetricMetadata(metric: "hikaricp_connections_pending", type: "gauge", help: "Pending threads", labels: ["pool"], jobs: ["payments", "checkout"]),
        MetricMetadata(metric: "hikaricp_connections_active", type: "gauge", help: "Active connections", labels: ["pool"], jobs: ["payments", "checkout"]),
        MetricMetadata(metric: "hikaricp_connections_max", type: "gauge", help: "Max connections", labels: ["pool"], jobs: ["payments", "checkout"]),
        MetricMetadata(metric: "hikaricp_connections_timeout_total", type: "counter", help: "Connection timeout total count", labels: ["pool"],
                       jobs: ["payments", "checkout"]),
        MetricMetadata(metric: "pg_stat_activity_count", type: "gauge", help: "number of connections in this state", labels: ["datname", "state"],
                       jobs: ["postgres"]),
        MetricMetadata(metric: "pg_settings_max_connections", type: "gauge", help: "Sets the maximum number of concurrent connections.",
                       jobs: ["postgres"]),
        MetricMetadata(metric: "http_server_requests_seconds", type: "histogram", help: "Duration of HTTP server request handling",
                       labels: ["method", "outcome", "status", "uri"], jobs: ["payments", "checkout"]),
        MetricMetadata(metric: "nginx_http_requests_total", type: "counter", help: "Total http requests", labels: ["host", "status"], jobs: ["gateway"]),
        MetricMetadata(metric: "nodejs_eventloop_lag_seconds", type: "gauge", help: "Lag of event loop in seconds.", jobs: ["storefront"]),
        MetricMetadata(metric: "go_goroutines", type: "gauge", help: "Number of goroutines that currently exist.", jobs: ["inventory"]),
        MetricMetadata(metric: "python_gc_objects_collected_total", type: "counter", help: "Objects collected during gc", labels: ["generation"],
                       jobs: ["pricing"]),
        MetricMetadata(metric: "process_resident_memory_bytes", type: "gauge", help: "Resident memory size in bytes.",
                       jobs: ["pricing", "inventory", "storefront", "billing"]),
        MetricMetadata(metric: "process_cpu_seconds_total", type: "counter", help: "Total user and system CPU time spent in seconds.",
                       jobs: ["pricing", "inventory", "storefront", "billing"]),
        MetricMetadata(metric: "up", type: "gauge", help: "1 if the target is up, 0 otherwise.",
                       jobs: ["payments", "checkout", "pricing", "inventory", "billing", "storefront", "gateway", "postgres"]),
    ]

    /// Records a firing alert on the rising failure, started 25 minutes before `end`; returns its fingerprint.
    static func recordAlert(in alerts: AlertStore, end: Int64) throws -> String {
        let fingerprint = "demo0a1e7c2d9f34"
        let alert = AlertNotification.Alert(
            status: "firing",
            labels: ["alertname": "PaymentsDatabaseConnectionsExhausted", "service": DemoCorpus.risingService, "severity": "page", "namespace": "shop"],
            annotations: ["summary": "payments cannot get database connections",
                          "description": "More than 5 threads have waited for a pooled connection for 5 minutes."],
            startsAt: end - 25 * 60 * 1_000_000_000, endsAt: nil,
            generatorURL: "http://prometheus:9090/graph?g0.expr=hikaricp_connections_pending%7Bjob%3D%22payments%22%7D+%3E+5&g0.tab=1",
            fingerprint: fingerprint)
        let notification = AlertNotification(version: "4", status: "firing", groupKey: "{}:{alertname=\"PaymentsDatabaseConnectionsExhausted\"}",
                                             receiver: "deja", externalURL: "http://alertmanager:9093", commonAnnotations: [:], alerts: [alert])
        _ = try alerts.record(notification, tenant: "default", receivedAt: end)
        return fingerprint
    }
}
