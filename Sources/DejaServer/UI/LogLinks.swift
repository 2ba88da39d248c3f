import DejaCore
import Foundation

/// Links that open a window of logs in Grafana Explore (Loki) and Kibana Discover, in the URL
/// formats the web UI uses for one event: a service's logs around an alert, or every raw line
/// holding a pasted identifier.
enum LogLinks {
    /// `service`'s logs (all services when nil) from `since` to `until` (nanoseconds); with
    /// `holding`, only lines holding one of those tokens, ignoring case.
    static func links(service: String?, since: Int64, until: Int64, holding tokens: [String] = [],
                      configuration links: DeepLinks) -> [String: String] {
        var out: [String: String] = [:]
        let (from, to) = (since / 1_000_000, until / 1_000_000)
        if let grafana = links.grafanaURL, let datasource = links.lokiDatasource {
            var expression = service.map { "{service_name=\"\(escaped($0))\"}" } ?? "{service_name=~\".+\"}"
            // A raw string (backquotes) holds the regular expression as written; tokens never hold a backquote.
            if !tokens.isEmpty { expression += " |~ `(?i)" + tokens.map(quotedForRegex).joined(separator: "|") + "`" }
            let pane: [String: Any] = [
                "datasource": datasource,
                "queries": [["refId": "A", "datasource": ["type": "loki", "uid": datasource], "expr": expression, "queryType": "range"]],
                "range": ["from": String(from), "to": String(to)],
            ]
            if let json = try? JSONSerialization.data(withJSONObject: ["dja": pane], options: .sortedKeys) {
                out["grafana"] = "\(grafana.trimmingSuffix("/"))/explore?schemaVersion=1&orgId=1&panes=\(encoded(String(decoding: json, as: UTF8.self)))"
            }
        }
        if let kibana = links.kibanaURL {
            let view = links.kibanaDataView.map { "index:\(rison($0))," } ?? ""
            var clauses = service.map { ["service.name : \"\(escaped($0))\""] } ?? []
            if !tokens.isEmpty { clauses.append("(" + tokens.map { "\"\(escaped($0))\"" }.joined(separator: " or ") + ")") }
            let g = "(time:(from:\(rison(RFC3339.string(since))),to:\(rison(RFC3339.string(until)))))"
            let a = "(\(view)query:(language:kuery,query:\(rison(clauses.joined(separator: " and ")))))"
            out["kibana"] = "\(kibana.trimmingSuffix("/"))/app/discover#/?_g=\(encoded(g))&_a=\(encoded(a))"
        }
        return out
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// `text` matched literally by a Go (RE2) regular expression, as Loki's `|~` reads one.
    private static func quotedForRegex(_ text: String) -> String {
        let special = Set("\\.+*?()|[]{}^$")
        return String(text.flatMap { special.contains($0) ? ["\\", $0] : [$0] })
    }

    private static func rison(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "'", with: "!'") + "'"
    }

    private static func encoded(_ text: String) -> String { PrometheusMetadataReader.percentEncoded(text) }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
