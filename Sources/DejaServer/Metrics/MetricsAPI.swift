import DejaSearch
import Foundation
import Hummingbird

/// A metric hit as the API gives it: the metric, its PromQL, and where to graph it.
struct MetricSearchHit: Codable, Sendable {
    var metric: String
    var type: String
    var help: String
    var unit: String
    var labels: [String]
    var jobs: [String]
    var score: Double
    var promql: String
    /// Prometheus' graph page for `promql`, and Grafana Explore when it is configured.
    var links: [String: String]
}

struct MetricSearchResponse: Codable, ResponseEncodable {
    var query: String
    var metrics: [MetricSearchHit]
}

/// `GET /api/v1/metrics/search?q=…&job=…&type=…&service=…&limit=…`: metrics by meaning, from the
/// last index; `service` prefers metrics of the job that service's logs come from.
struct MetricsAPI {
    let search: MetricSearch
    /// Queries are embedded where log searches are, one at a time and off the event loops.
    let searches: SearchService
    /// Where links point: the first Prometheus configured, and Grafana's Prometheus data source.
    let prometheusURL: String?
    let links: DeepLinks
    let metrics: ServerMetrics

    func register(on router: GuardedRouter) {
        router.get("/api/v1/metrics/search", .scope(.read)) { request, context in
            let tenant = try context.tenant(for: .read)
            let parameters = request.formParameters
            let query = parameters["q"].map(String.init) ?? ""
            guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw HTTPError(.badRequest, message: "a metric search needs q: what the metric measures, in your words")
            }
            let limit = try parameters["limit"].map { text -> Int in
                guard let limit = Int(text), (1...100).contains(limit) else { throw HTTPError(.badRequest, message: "limit must be 1 to 100, got '\(text)'") }
                return limit
            } ?? 10
            let job = parameters["job"].map(String.init), type = parameters["type"].map(String.init)
            let service = parameters["service"].map(String.init)
            let started = DispatchTime.now().uptimeNanoseconds
            let search = search
            let hits = try await searches.run { _ in try search.search(query, tenant: tenant, job: job, type: type, service: service, k: limit) }
            metrics.searched("metrics", seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            return MetricSearchResponse(query: query, metrics: hits.map { hit in
                MetricSearchHit(metric: hit.metric, type: hit.type, help: hit.help, unit: hit.unit, labels: hit.labels, jobs: hit.jobs,
                                score: hit.score, promql: hit.promql, links: links(for: hit.promql))
            })
        }
    }

    private func links(for expression: String) -> [String: String] {
        var out: [String: String] = [:]
        if let prometheusURL {
            out["prometheus"] = "\(prometheusURL)/graph?g0.expr=\(PrometheusMetadataReader.percentEncoded(expression))&g0.tab=0&g0.range_input=1h"
        }
        if let grafana = links.grafanaURL, let datasource = links.prometheusDatasource {
            let pane: [String: Any] = ["dja": [
                "datasource": datasource,
                "queries": [["refId": "A", "datasource": ["type": "prometheus", "uid": datasource], "expr": expression]],
                "range": ["from": "now-1h", "to": "now"],
            ]]
            if let json = try? JSONSerialization.data(withJSONObject: pane, options: [.sortedKeys]) {
                let base = grafana.hasSuffix("/") ? String(grafana.dropLast()) : grafana
                out["grafana"] = "\(base)/explore?schemaVersion=1&orgId=1&panes=\(PrometheusMetadataReader.percentEncoded(String(decoding: json, as: UTF8.self)))"
            }
        }
        return out
    }
}
