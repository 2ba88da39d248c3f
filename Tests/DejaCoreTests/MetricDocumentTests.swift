import Foundation
import DejaCore
import Testing

@Suite struct MetricDocumentTests {
    @Test("metric names split into words at underscores, case changes and acronyms", arguments: [
        ("node_filesystem_avail_bytes", ["node", "filesystem", "avail", "bytes"]),
        ("node_memory_MemAvailable_bytes", ["node", "memory", "mem", "available", "bytes"]),
        ("node_netstat_IpExt_OutOctets", ["node", "netstat", "ip", "ext", "out", "octets"]),
        ("node_load15", ["node", "load15"]),
        ("HTTPServerRequests:rate5m", ["http", "server", "requests", "rate5m"]),
    ])
    func split(name: String, words: [String]) {
        #expect(MetricNameWords.split(name) == words)
    }

    @Test func abbreviationsAndUnitsAreSpelledOut() {
        let document = MetricDocument(MetricMetadata(metric: "process_open_fds", type: "gauge", help: "Number of open file descriptors.",
                                                     labels: ["instance"], jobs: ["node"]))
        #expect(document.text.hasPrefix("process open fds file descriptors open files. Number of open file descriptors. gauge"))
        #expect(document.terms.contains("descriptors") && document.terms.contains("node") && document.terms.contains("instance"))
        let counter = MetricDocument(MetricMetadata(metric: "node_vmstat_oom_kill", type: "unknown", help: "/proc/vmstat information field oom_kill."))
        #expect(counter.text.contains("oom out of memory killed kill killed"))
    }

    @Test("each type gets the PromQL that reads it", arguments: [
        (MetricMetadata(metric: "http_requests_total", type: "counter"), "rate(http_requests_total[5m])"),
        (MetricMetadata(metric: "node_netstat_Tcp_RetransSegs", type: "unknown"), "node_netstat_Tcp_RetransSegs"),
        (MetricMetadata(metric: "node_context_switches_total", type: "unknown"), "rate(node_context_switches_total[5m])"),
        (MetricMetadata(metric: "http_request_duration_seconds", type: "histogram"),
         "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
        (MetricMetadata(metric: "go_gc_duration_seconds", type: "summary"),
         "rate(go_gc_duration_seconds_sum[5m]) / rate(go_gc_duration_seconds_count[5m])"),
        (MetricMetadata(metric: "node_memory_MemAvailable_bytes", type: "gauge"), "node_memory_MemAvailable_bytes"),
    ])
    func promql(metric: MetricMetadata, expression: String) {
        #expect(PromQLExpression.of(metric) == expression)
    }

    @Test func missingFieldsDecodeAsEmpty() throws {
        let decoded = try JSONDecoder().decode([MetricMetadata].self, from: Data(#"[{"metric": "up"}]"#.utf8))
        #expect(decoded == [MetricMetadata(metric: "up")])
    }
}
