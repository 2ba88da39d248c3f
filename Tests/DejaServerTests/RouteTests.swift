import DejaCore
@testable import DejaServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What clients rely on, through the real routes in process: the Elasticsearch emulation that
/// Beats, Logstash and Fluent Bit's `es` output check, OTLP's partial success, and tenants that
/// never see each other.
@Suite(.serialized) struct RouteTests {
    static let tokens: [(token: String, tenant: String, scopes: [Scope])] = [
        ("red-token", "red", [.ingest, .read]), ("blue-token", "blue", [.ingest, .read]),
    ]

    private func bearer(_ token: String, _ more: HTTPFields = [:]) -> HTTPFields {
        var fields = more
        fields[.authorization] = "Bearer \(token)"
        return fields
    }

    private func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    @Test("an Elasticsearch client finds a cluster, and bulk answers per item in request order")
    func elasticsearchEmulation() async throws {
        let server = try InProcessServer(tokens: Self.tokens)
        defer { server.ingest.close() }
        try await Application(router: server.routes.router).test(.router) { client in
            let root = try await client.execute(uri: "/", method: .get, headers: bearer("red-token"))
            #expect(root.status == .ok && root.headers[IngestAPI.elasticProduct] == "Elasticsearch")
            #expect((try json(root.body)["version"] as? [String: Any])?["number"] as? String == "8.15.0")
            let bulk = """
                {"create": {"_index": "logs"}}
                {"@timestamp": "2026-11-20T09:14:07Z", "message": "payment declined", "service": {"name": "checkout"}}
                {"create": {"_index": "logs", "_id": "bad"}}
                {"@timestamp": "yesterday", "message": "no time"}
                {"delete": {"_index": "logs", "_id": "x"}}

                """
            let response = try await client.execute(uri: "/_bulk", method: .post, headers: bearer("red-token", [.contentType: "application/x-ndjson"]),
                                                    body: ByteBuffer(string: bulk))
            #expect(response.status == .ok)
            let answer = try json(response.body)
            #expect(answer["errors"] as? Bool == true)
            let items = try #require(answer["items"] as? [[String: [String: Any]]])
            #expect(items.map { $0.values.first?["status"] as? Int } == [201, 400, 400])
            #expect((items[1]["create"]?["error"] as? [String: Any])?["type"] as? String == "mapper_parsing_exception")
            try await server.waitUntilStored(1)
        }
    }

    @Test("OTLP: records without a body are rejected as a partial success, the rest stored")
    func otlpPartialSuccess() async throws {
        let server = try InProcessServer(tokens: Self.tokens)
        defer { server.ingest.close() }
        var request = Opentelemetry_Proto_ExportLogsServiceRequest()
        var resource = Opentelemetry_Proto_ResourceLogs()
        var service = Opentelemetry_Proto_KeyValue()
        service.key = "service.name"
        service.value.stringValue = "checkout"
        resource.resource.attributes = [service]
        var scope = Opentelemetry_Proto_ScopeLogs()
        for body in ["payment declined", "", "card expired"] {
            var record = Opentelemetry_Proto_LogRecord()
            record.timeUnixNano = 1_795_000_000_000_000_000
            if !body.isEmpty { record.body.stringValue = body }
            scope.logRecords.append(record)
        }
        resource.scopeLogs = [scope]
        request.resourceLogs = [resource]
        let payload: [UInt8] = try request.serializedBytes()
        try await Application(router: server.routes.router).test(.router) { client in
            let response = try await client.execute(uri: "/v1/logs", method: .post,
                                                    headers: bearer("red-token", [.contentType: "application/x-protobuf"]),
                                                    body: ByteBuffer(bytes: payload))
            #expect(response.status == .ok)
            let answer = try Opentelemetry_Proto_ExportLogsServiceResponse(serializedBytes: Array(buffer: response.body))
            #expect(answer.partialSuccess.rejectedLogRecords == 1)
            #expect(answer.partialSuccess.errorMessage == "a log record has no body")
            try await server.waitUntilStored(2)
        }
    }

    @Test("a tenant's events are found by its own token only, by search, id and patterns")
    func tenantsNeverSeeEachOther() async throws {
        let server = try InProcessServer(tokens: Self.tokens)
        defer { server.ingest.close() }
        try await Application(router: server.routes.router).test(.router) { client in
            for (token, id) in [("red-token", "r1"), ("blue-token", "b1"), ("red-token", "order 42/α")] {
                let event = #"{"id": "\#(id)", "service": "reactor", "timestamp": "2026-11-20T09:14:07Z", "body": "coolant pressure low in loop 7"}"#
                let response = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: bearer(token), body: ByteBuffer(string: event + "\n"))
                #expect(response.status == .ok)
            }
            try await server.waitUntilStored(3)
            // An id with a space, a slash and a letter outside ASCII, as a client encodes it in the path.
            let encoded = try await client.execute(uri: "/api/v1/events/order%2042%2F%CE%B1", method: .get, headers: bearer("red-token"))
            #expect(try encoded.status == .ok && json(encoded.body)["externalID"] as? String == "order 42/α")
            let similar = try await client.execute(uri: "/api/v1/similar/order%2042%2F%CE%B1", method: .get, headers: bearer("red-token"))
            #expect(similar.status == .ok)
            let own = try await client.execute(uri: "/api/v1/events/r1", method: .get, headers: bearer("red-token"))
            let ownTenant = try json(own.body)["tenant"] as? String
            #expect(own.status == .ok && ownTenant == "red")
            let other = try await client.execute(uri: "/api/v1/events/b1", method: .get, headers: bearer("red-token"))
            #expect(other.status == .notFound)
            let search = try await client.execute(uri: "/api/v1/search?q=coolant%20pressure", method: .get, headers: bearer("blue-token"))
            let answer = try json(search.body)
            let groups = try #require(answer["groups"] as? [[String: Any]])
            let ids = groups.flatMap { ($0["events"] as? [[String: Any]] ?? []).compactMap { $0["externalID"] as? String } }
            #expect(ids == ["b1"])
            // As a browser form, `URLSearchParams` or Python's `urlencode` send it: `+` is a space, `%2B` a plus.
            let form = try json(try await client.execute(uri: "/api/v1/search?q=coolant+pressure+%2B10%25", method: .get, headers: bearer("blue-token")).body)
            #expect(form["query"] as? String == "coolant pressure +10%")
            // A time's offset typed unencoded (`+01:00`) arrives as a space: read as the offset it was.
            #expect(try SearchQuery.instant("2026-11-20T01:00:00 01:00", "since") == SearchQuery.instant("2026-11-20T00:00:00Z", "since"))
            #expect(try SearchQuery.instant("2026-11-20 01:00", "since") == DurationParser.instant("2026-11-20 01:00"))
            // Where the time went: every stage, none negative, the query's embedding never free.
            let stages = try #require(answer["stages"] as? [String: Double])
            #expect(Set(stages.keys) == ["embedding", "vectors", "keywords", "keywordWait", "grouping"])
            #expect(stages.values.allSatisfy { $0 >= 0 } && stages["embedding"]! > 0)
            #expect((answer["queuedMilliseconds"] as? Double).map { $0 >= 0 } == true)
            // Keyword search reads every stored event here; a query without an identifier gets no raw-log links.
            #expect(answer["keywordScope"] as? String == "events" && answer["rawLogs"] == nil)
            let patterns = try await client.execute(uri: "/api/v1/patterns?since=3650d", method: .get, headers: bearer("blue-token"))
            let listed = try #require(try json(patterns.body)["patterns"] as? [[String: Any]])
            let tenants = listed.map { ($0["pattern"] as? [String: Any])?["tenant"] as? String }
            #expect(tenants == ["blue"])
            let counted: Int = listed.compactMap { $0["counts"] as? [Int] }.joined().reduce(0, +)
            #expect(counted == 1)
        }
    }
}

/// Raw-log links of a search holding an identifier, through the real routes.
@Suite struct RawLogLinkTests {
    private func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    @Test("a query holding identifiers links to every raw line holding one of them in Grafana and Kibana, over its range and service")
    func identifierLinks() async throws {
        let server = try InProcessServer(tokens: [("reader-token", "acme", [.read])])
        defer { server.ingest.close() }
        try await Application(router: server.routes.router).test(.router) { client in
            let uri = "/api/v1/search?q=lease%20for%203C:22:FB:91:0A:7E%20and%2010.0.3.7&service=dhcp"
                + "&since=2026-11-20T00:00:00Z&until=2026-11-21T00:00:00Z"
            let answer = try json(try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer reader-token"]).body)
            let links = try #require(answer["rawLogs"] as? [String: String])
            let grafana = try #require(links["grafana"].flatMap { URLComponents(string: $0) })
            let panes = try #require(grafana.queryItems?.first { $0.name == "panes" }?.value?.data(using: .utf8))
            let pane = try #require((try JSONSerialization.jsonObject(with: panes) as? [String: Any])?["dja"] as? [String: Any])
            let query = try #require((pane["queries"] as? [[String: Any]])?.first)
            #expect(grafana.host == "grafana.test" && pane["datasource"] as? String == "loki1")
            #expect(query["expr"] as? String == #"{service_name="dhcp"} |~ `(?i)3c:22:fb:91:0a:7e|10\.0\.3\.7`"#)
            #expect(pane["range"] as? [String: String] == ["from": "1795132800000", "to": "1795219200000"])
            let kibana = try #require(links["kibana"]?.removingPercentEncoding)
            #expect(kibana.hasPrefix("http://kibana.test/app/discover#/?_g=(time:(from:'2026-11-20T00:00:00"))
            #expect(kibana.hasSuffix(#"query:(language:kuery,query:'service.name : "dhcp" and ("3c:22:fb:91:0a:7e" or "10.0.3.7")'))"#))
        }
    }
}

/// `/api/v1/metrics/search` through the real routes.
@Suite(.serialized) struct MetricsRouteTests {
    @Test("metric search answers with PromQL and links, per tenant, and names a missing query")
    func metricSearch() async throws {
        let server = try InProcessServer(tokens: RouteTests.tokens)
        defer { server.ingest.close() }
        try server.metricSearch.refresh([
            MetricMetadata(metric: "node_filesystem_avail_bytes", type: "gauge", help: "Filesystem space available to non-root users in bytes.", jobs: ["node"]),
            MetricMetadata(metric: "node_network_receive_bytes_total", type: "counter", help: "Network device statistic receive_bytes.", jobs: ["node"]),
        ], tenant: "red", now: 1_000)
        try await Application(router: server.routes.router).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/metrics/search?q=incoming%20network%20traffic&limit=1", method: .get,
                                                    headers: [.authorization: "Bearer red-token"])
            #expect(response.status == .ok)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            let hit = try #require((body["metrics"] as? [[String: Any]])?.first)
            #expect(hit["metric"] as? String == "node_network_receive_bytes_total")
            #expect(hit["promql"] as? String == "rate(node_network_receive_bytes_total[5m])")
            let links = try #require(hit["links"] as? [String: String])
            #expect(links["prometheus"] == "http://127.0.0.1:9090/graph?g0.expr=rate%28node_network_receive_bytes_total%5B5m%5D%29&g0.tab=0&g0.range_input=1h")
            #expect(links["grafana"]?.hasPrefix("http://grafana.test/explore?schemaVersion=1&orgId=1&panes=%7B%22dja%22") == true)
            let form = try await client.execute(uri: "/api/v1/metrics/search?q=incoming+network+traffic&limit=1", method: .get,
                                                headers: [.authorization: "Bearer red-token"])
            let formBody = try #require(try JSONSerialization.jsonObject(with: Data(buffer: form.body)) as? [String: Any])
            #expect(formBody["query"] as? String == "incoming network traffic")
            #expect((formBody["metrics"] as? [[String: Any]])?.first?["metric"] as? String == "node_network_receive_bytes_total")
            let other = try await client.execute(uri: "/api/v1/metrics/search?q=network", method: .get, headers: [.authorization: "Bearer blue-token"])
            let otherBody = try #require(try JSONSerialization.jsonObject(with: Data(buffer: other.body)) as? [String: Any])
            #expect((otherBody["metrics"] as? [Any])?.isEmpty == true)
            let missing = try await client.execute(uri: "/api/v1/metrics/search", method: .get, headers: [.authorization: "Bearer red-token"])
            #expect(missing.status == .badRequest)
        }
    }
}

/// `/api/v1/issues` through the real routes.
@Suite(.serialized) struct IssuesRouteTests {
    static let tokens: [(token: String, tenant: String, scopes: [Scope])] = [
        ("reader-token", "red", [.ingest, .read]), ("curator-token", "red", [.read, .admin]), ("blue-token", "blue", [.ingest, .read]),
    ]

    private func headers(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    private func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    @Test("issues list failures across services with their state, one issue shows its members, and a curator merges")
    func issuesAndCuration() async throws {
        let server = try InProcessServer(tokens: Self.tokens)
        defer { server.ingest.close() }
        try await Application(router: server.routes.router).test(.router) { client in
            let events = [
                ("j", "checkout", "java.lang.NullPointerException: Cannot invoke \\\"Cart.total()\\\" because \\\"cart\\\" is null"),
                ("p", "pricing", "AttributeError: 'NoneType' object has no attribute 'total'"),
                ("d", "checkout", "java.io.IOException: No space left on device"),
            ].map { #"{"id": "\#($0.0)", "service": "\#($0.1)", "level": "error", "timestamp": "2026-11-20T09:14:07Z", "body": "\#($0.2)"}"# }
            let ingested = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: headers("reader-token"),
                                                    body: ByteBuffer(string: events.joined(separator: "\n") + "\n"))
            #expect(ingested.status == .ok)
            try await server.waitUntilStored(3)
            let listed = try await client.execute(uri: "/api/v1/issues?since=2026-11-20T00:00:00Z&until=2026-11-21T00:00:00Z&buckets=4",
                                                  method: .get, headers: headers("reader-token"))
            #expect(listed.status == .ok)
            let issues = try #require(try json(listed.body)["issues"] as? [[String: Any]])
            let null = try #require(issues.first { (($0["issue"] as? [String: Any])?["services"] as? [String]) == ["checkout", "pricing"] })
            #expect(null["state"] as? String == "steady" && null["windowCount"] as? Int == 2 && (null["counts"] as? [Int]) == [0, 2, 0, 0])
            #expect(issues.count == 2)
            let nullID = try #require((null["issue"] as? [String: Any])?["id"] as? Int)
            let diskID = try #require(issues.compactMap { ($0["issue"] as? [String: Any])?["id"] as? Int }.first { $0 != nullID })

            let one = try await client.execute(uri: "/api/v1/issues/I\(nullID)", method: .get, headers: headers("reader-token"))
            let detail = try #require(try json(one.body)["issue"] as? [String: Any])
            #expect((detail["signatures"] as? [[String: Any]])?.count == 2 && (detail["examples"] as? [[String: Any]])?.count == 2)
            #expect(try await client.execute(uri: "/api/v1/issues/\(nullID)", method: .get, headers: headers("blue-token")).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/issues/x1", method: .get, headers: headers("reader-token")).status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/issues?state=hot", method: .get, headers: headers("reader-token")).status == .badRequest)

            let merge = ByteBuffer(string: #"{"into": \#(nullID)}"#)
            #expect(try await client.execute(uri: "/api/v1/issues/\(diskID)/merge", method: .post, headers: headers("reader-token"), body: merge).status == .forbidden)
            #expect(try await client.execute(uri: "/api/v1/issues/\(diskID)/merge", method: .post, headers: headers("curator-token"), body: merge).status == .ok)
            let merged = try await client.execute(uri: "/api/v1/issues/\(diskID)", method: .get, headers: headers("reader-token"))
            #expect(((try json(merged.body)["issue"] as? [String: Any])?["summary"] as? [String: Any]).flatMap { ($0["issue"] as? [String: Any])?["id"] as? Int } == nullID)
            let status = try json(try await client.execute(uri: "/api/v1/status", method: .get, headers: headers("reader-token")).body)
            #expect(status["signatures"] as? Int == 3 && status["signaturesWaitingForEmbedding"] as? Int == 0 && status["storedEvents"] == nil)
            // The server's own figures count every tenant: an admin's to see.
            let server = try json(try await client.execute(uri: "/api/v1/status", method: .get, headers: headers("curator-token")).body)
            #expect(server["storedEvents"] as? Int == 3 && server["ingestBacklogRecords"] as? Int == 0)
            let split = try await client.execute(uri: "/api/v1/issues/\(nullID)/split", method: .post, headers: headers("curator-token"),
                                                 body: ByteBuffer(string: #"{"signatures": [999999]}"#))
            #expect(split.status == .badRequest)
            let unknown = try await client.execute(uri: "/api/v1/issues/999999/split", method: .post, headers: headers("curator-token"),
                                                   body: ByteBuffer(string: #"{"signatures": [\#(nullID)]}"#))
            #expect(unknown.status == .notFound)
            let shapeless = try await client.execute(uri: "/api/v1/issues/\(nullID)/merge", method: .post, headers: headers("curator-token"),
                                                     body: ByteBuffer(string: #"{"to": 3}"#))
            #expect(shapeless.status == .badRequest)
            #expect((try json(shapeless.body)["error"] as? [String: Any])?["message"] as? String
                    == #"the body must be {"into": ISSUE_ID}: Coding key `into` not found."#)
        }
    }
}
