import DejaCore
import Foundation

/// Links that open a window of a service's logs in Grafana Explore (Loki) and Kibana Discover,
/// in the URL formats the web UI uses for one event.
enum WindowLinks {
    static func links(service: String?, since: Int64, until: Int64, configuration links: DeepLinks) -> [String: String] {
        var out: [String: String] = [:]
        let (from, to) = (since / 1_000_000, until / 1_000_000)
        if let grafana = links.grafanaURL, let datasource = links.lokiDatasource {
            let selector = service.map { "{service_name=\"\(escaped($0))\"}" } ?? "{service_name=~\".+\"}"
            let pane: [String: Any] = [
                "datasource": datasource,
                "queries": [["refId": "A", "datasource": ["type": "loki", "uid": datasource], "expr": selector, "queryType": "range"]],
                "range": ["from": String(from), "to": String(to)],
            ]
            if let json = try? JSONSerialization.data(withJSONObject: ["dja": pane], options: .sortedKeys) {
                out["grafana"] = "\(grafana.trimmingSuffix("/"))/explore?schemaVersion=1&orgId=1&panes=\(encoded(String(decoding: json, as: UTF8.self)))"
            }
        }
        if let kibana = links.kibanaURL {
            let view = links.kibanaDataView.map { "index:\(rison($0))," } ?? ""
            let query = service.map { "service.name : \"\(escaped($0))\"" } ?? ""
            let g = "(time:(from:\(rison(RFC3339.string(since))),to:\(rison(RFC3339.string(until)))))"
            let a = "(\(view)query:(language:kuery,query:\(rison(query))))"
            out["kibana"] = "\(kibana.trimmingSuffix("/"))/app/discover#/?_g=\(encoded(g))&_a=\(encoded(a))"
        }
        return out
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    private static func rison(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "'", with: "!'") + "'"
    }

    private static func encoded(_ text: String) -> String { PrometheusMetadataReader.percentEncoded(text) }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
