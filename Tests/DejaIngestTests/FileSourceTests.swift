import DejaCore
@testable import DejaIngest
import Foundation
import Testing

@Suite struct FileSourceTests {
    /// What reading `text`, as a file named `name`, handed over before it ended, and the error that ended it.
    private func read(_ text: String, named name: String, service: String? = nil) throws -> (events: [LogEvent], error: Error?) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deja-source-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var events: [LogEvent] = []
        do {
            try FileSource(paths: [path], service: service, tenant: "default", input: .lines(LineParser()), now: 0).read(cores: 1) { events += $0 }
        } catch {
            return (events, error)
        }
        return (events, nil)
    }

    private func events(in text: String, named name: String, service: String? = nil) throws -> [LogEvent] {
        let read = try read(text, named: name, service: service)
        if let error = read.error { throw error }
        return read.events
    }

    @Test("docker compose logs: each container's lines are its service's, a trace whole however the containers' lines interleave")
    func composeLogs() throws {
        let text = """
            api-1     | 2024-03-14 09:21:07.412 ERROR 1 --- [nio-8080-exec-1] c.a.CheckoutController : checkout failed for cart 42
            worker-1  | 2024-03-14 09:21:07.450 INFO processed job 7
            api-1     | java.lang.IllegalStateException: no session
            api-1     | \tat com.acme.Checkout.pay(Checkout.java:42)
            web-1     | 172.18.0.1 - - [14/Mar/2024:09:21:08 +0000] "GET /api/cart HTTP/1.1" 502 157 "-" "curl/8.0"
            2024-03-14 09:21:09 INFO a line of no container

            """
        let events = try events(in: text, named: "compose.log").sorted { $0.service < $1.service }
        #expect(events.map(\.service) == ["api", "compose", "web", "worker"])
        #expect(events.map(\.level) == [.error, .info, .error, .info])
        #expect(events.map { $0.labels["container"] } == ["api-1", nil, "web-1", "worker-1"])
        #expect(events[0].body == "checkout failed for cart 42\njava.lang.IllegalStateException: no session\n\tat com.acme.Checkout.pay(Checkout.java:42)")
        #expect(events[0].timestamp == 1_710_408_067_412_000_000)
        // A service given names every event; the container is still kept.
        #expect(try self.events(in: text, named: "compose.log", service: "shop").allSatisfy { $0.service == "shop" })
    }

    @Test("stern's output: each pod's container names the service, a trace whole per pod however the pods' lines interleave")
    func sternOutput() throws {
        let events = try events(in: """
            api-7d9f8b6c5d-x2k4q api 2024-03-14T09:21:07.123Z ERROR payment gateway timed out
            api-7d9f8b6c5d-h5n8m api 2024-03-14T09:21:07.200Z INFO GET /health 200
            api-7d9f8b6c5d-x2k4q api java.lang.IllegalStateException: no session
            api-7d9f8b6c5d-x2k4q api \tat com.shop.Cart.total(Cart.java:42)
            db-0 postgres 2024-03-14 09:21:08.000 UTC [42] FATAL:  sorry, too many clients already

            """, named: "stern.txt").sorted { $0.timestamp < $1.timestamp }
        #expect(events.map(\.body) == ["payment gateway timed out\njava.lang.IllegalStateException: no session\n\tat com.shop.Cart.total(Cart.java:42)",
                                       "GET /health 200", "sorry, too many clients already"])
        // A StatefulSet's pod (db-0) is taken for a prefix once the file has shown stern's.
        #expect(events.map(\.service) == ["api", "api", "postgres"])
        #expect(events.map { $0.labels["pod"] } == ["api-7d9f8b6c5d-x2k4q", "api-7d9f8b6c5d-h5n8m", "db-0"])
        #expect(events.map(\.level) == [.error, .info, .fatal] && events[0].timestamp == 1_710_408_067_123_000_000)
    }

    @Test("kubectl logs --prefix: a pod's container names the service, the pod is kept")
    func kubectlPrefixedLogs() throws {
        let events = try events(in: """
            [pod/api-7d9f8b-x2k4q/api] 2024-03-14T09:21:07.412Z ERROR checkout failed
            [pod/api-7d9f8b-x2k4q/api] java.lang.IllegalStateException: no session
            [pod/db-0/postgres] 2024-03-14 09:21:07.500 UTC [61] FATAL:  password authentication failed for user "shop"

            """, named: "pods.log").sorted { $0.service < $1.service }
        #expect(events.map(\.service) == ["api", "postgres"])
        #expect(events.map { $0.labels["pod"] } == ["api-7d9f8b-x2k4q", "db-0"])
        #expect(events[0].body == "checkout failed\njava.lang.IllegalStateException: no session" && events[1].level == .fatal)
    }

    @Test("logcli query's output: each stream's lines are its service's, Loki's time the event's, a trace whole newest first or oldest")
    func logcliOutput() throws {
        let oldestFirst = try events(in: """
            2024-03-14T09:21:07Z {app="checkout", namespace="shop"} 2024-03-14 09:21:06.412 ERROR [main] c.a.Shop - checkout failed
            2024-03-14T09:21:07Z {app="web", namespace="shop"} GET /api/cart 502
            2024-03-14T09:21:07.001Z {app="checkout", namespace="shop"} java.lang.IllegalStateException: no session
            {"labels":{"app":"worker"},"line":"job 7 done","timestamp":"2024-03-14T09:21:09Z"}

            """, named: "query.txt").sorted { $0.service < $1.service }
        #expect(oldestFirst.map(\.service) == ["checkout", "web", "worker"])
        #expect(oldestFirst[0].body == "2024-03-14 09:21:06.412 ERROR [main] c.a.Shop - checkout failed\njava.lang.IllegalStateException: no session")
        #expect(oldestFirst[0].labels["namespace"] == "shop" && oldestFirst[0].level == .error)
        #expect(oldestFirst.map(\.timestamp) == [1_710_408_067_000_000_000, 1_710_408_067_000_000_000, 1_710_408_069_000_000_000])
        #expect(oldestFirst[0].lineTimestamp == 1_710_408_066_412_000_000)

        // logcli's default, newest first: the trace's lines come before its first.
        let newestFirst = try events(in: """
            2024-03-14T09:21:08Z {app="web"} GET /api/cart 502
            2024-03-14T09:21:07.002Z {app="checkout"} \tat com.acme.Cart.total(Cart.java:42)
            2024-03-14T09:21:07.001Z {app="checkout"} java.lang.IllegalStateException: no session
            2024-03-14T09:21:07Z {app="checkout"} checkout failed

            """, named: "query.txt").sorted { $0.service < $1.service }
        #expect(newestFirst.map(\.body) == ["checkout failed\njava.lang.IllegalStateException: no session\n\tat com.acme.Cart.total(Cart.java:42)",
                                            "GET /api/cart 502"])
    }

    @Test("Grafana's logs text download: its facts are no events, its common labels every row's, a trace's rows one event newest first")
    func grafanaTextDownload() throws {
        let events = try events(in: [
            #"Common labels: {"app":"checkout","namespace":"shop"}"#,
            #"Line limit: "1000 (4 returned)""#,
            "", "",
            "2024-03-14 09:21:09.000\tlevel=warn msg=\"slow query\"",
            "2024-03-14 09:21:08.002\t\tat com.shop.Cart.total(Cart.java:42)",
            "2024-03-14 09:21:08.001\tjava.lang.IllegalStateException: no session",
            "1710408068000\t2024-03-14T09:21:08.000Z\t2024-03-14 09:21:07.412 ERROR [main] c.a.Shop - checkout failed",
        ].joined(separator: "\n"), named: "Explore-logs-2024-03-14.txt")
        #expect(events.map(\.body) == ["level=warn msg=\"slow query\"",
            "2024-03-14 09:21:07.412 ERROR [main] c.a.Shop - checkout failed\njava.lang.IllegalStateException: no session\n\tat com.shop.Cart.total(Cart.java:42)"])
        #expect(events.map(\.service) == ["checkout", "checkout"] && events.map(\.level) == [.warning, .error])
        #expect(events[1].labels == ["app": "checkout", "namespace": "shop"])
        #expect(events.map(\.timestamp) == [1_710_408_069_000_000_000, 1_710_408_068_000_000_000])
    }

    @Test("a JSON line names its service as a collector's labels would, before its file's; a request's path does not")
    func jsonLinesNameTheirService() throws {
        let events = try events(in: [
            // ECS logging, its keys dotted.
            #"{"@timestamp":"2024-03-14T09:21:07Z","log.level":"error","message":"payment declined","service.name":"billing"}"#,
            // Fluent Bit's file output after its kubernetes filter: the record of a container's line.
            #"{"date":1710408068.0,"log":"2024-03-14 09:21:08 ERROR out of stock\n","stream":"stdout","kubernetes":{"pod_name":"inventory-7d9f8b-x2k4q","container_name":"inventory"}}"#,
            // A JSON access log: its path is the request's.
            #"{"time":"2024-03-14T09:21:09Z","method":"GET","path":"/api/orders","status":503}"#,
        ].joined(separator: "\n"), named: "collected.log")
        #expect(events.map(\.service) == ["billing", "inventory", "collected"])
        #expect(events.map(\.level) == [.error, .error, .error] && events[1].body == "out of stock")
        #expect(try self.events(in: #"{"msg":"started","app":"cart"}"#, named: "x.log", service: "given").map(\.service) == ["given"])
    }

    @Test("a log export that is one JSON document: each record an event, with the time, level and service it names")
    func jsonExports() throws {
        // gcloud logging read --format=json
        let gcloudExport = """
            [
              {
                "insertId": "abc123",
                "jsonPayload": {"message": "payment declined: card expired"},
                "resource": {"labels": {"container_name": "checkout", "namespace_name": "shop"}, "type": "k8s_container"},
                "severity": "ERROR",
                "timestamp": "2024-03-14T09:21:07.412Z"
              },
              {"textPayload": "GET /health 200", "resource": {"type": "cloud_run_revision", "labels": {"service_name": "web"}}, "severity": "INFO", "timestamp": "2024-03-14T09:21:08Z"}
            ]
            """
        let gcloud = try events(in: gcloudExport, named: "export.json")
        #expect(try events(in: gcloudExport, named: "export.json", service: "shop").map(\.service) == ["shop", "shop"])
        #expect(gcloud.map(\.body) == ["payment declined: card expired", "GET /health 200"])
        #expect(gcloud.map(\.service) == ["checkout", "web"] && gcloud.map(\.level) == [.error, .info])
        #expect(gcloud.map(\.timestamp) == [1_710_408_067_412_000_000, 1_710_408_068_000_000_000])
        // aws logs filter-log-events: milliseconds, the message a log line with a trace in it
        let cloudWatch = try events(in: """
            {
                "events": [
                    {"logStreamName": "ecs/checkout/4f1e", "timestamp": 1710408067412, "message": "Traceback (most recent call last):\\n  File \\"/app/pay.py\\", line 9\\nTimeoutError: gateway", "eventId": "3782"}
                ],
                "searchedLogStreams": []
            }
            """, named: "cw.json")
        #expect(cloudWatch.map(\.body) == ["Traceback (most recent call last):\n  File \"/app/pay.py\", line 9\nTimeoutError: gateway"])
        #expect(cloudWatch.map(\.timestamp) == [1_710_408_067_412_000_000] && cloudWatch.map(\.service) == ["cw"])
        // kubectl get events -o json
        let kubernetes = try events(in: """
            {
                "apiVersion": "v1",
                "items": [
                    {"count": 12, "involvedObject": {"fieldPath": "spec.containers{api}", "kind": "Pod", "name": "api-7d9f8b-x2k4q", "namespace": "shop"},
                     "kind": "Event", "lastTimestamp": "2024-03-14T09:21:07Z", "message": "Back-off restarting failed container api",
                     "reason": "BackOff", "type": "Warning"},
                    {"involvedObject": {"kind": "Node", "name": "node-1"}, "kind": "Event", "reason": "NodeHasDiskPressure", "type": "Normal",
                     "metadata": {"creationTimestamp": "2024-03-14T09:20:00Z"}}
                ],
                "kind": "List"
            }
            """, named: "events.json")
        #expect(kubernetes.map(\.body) == ["BackOff: Back-off restarting failed container api", "NodeHasDiskPressure"])
        #expect(kubernetes.map(\.service) == ["api", "node-1"] && kubernetes.map(\.level) == [.warning, .info])
        #expect(kubernetes[0].labels == ["reason": "BackOff", "object": "Pod/api-7d9f8b-x2k4q", "namespace": "shop", "count": "12"])
        #expect(kubernetes.map(\.timestamp) == [1_710_408_067_000_000_000, 1_710_408_000_000_000_000])
        // An Elasticsearch search response on one line; pretty-printed records one after another.
        let search = try events(in: #"{"took":3,"hits":{"hits":[{"_id":"1","_source":{"@timestamp":"2024-03-14T09:21:07Z","message":"upstream timed out","log.level":"error","service":{"name":"nginx"}}}]}}"# + "\n", named: "hits.json")
        #expect(search.map(\.body) == ["upstream timed out"] && search.map(\.level) == [.error] && search[0].labels["logger"] == "nginx")
        let pretty = try events(in: "{\n  \"level\": \"error\",\n  \"msg\": \"db } down\"\n}\n{\n  \"level\": \"info\",\n  \"msg\": \"db up\"\n}\n", named: "app.log")
        #expect(pretty.map(\.body) == ["db } down", "db up"] && pretty.map(\.level) == [.error, .info])
        // A program that prints its configuration before its log lines.
        let configured = try events(in: "{\n  \"port\": 8080\n}\n2024-03-14 09:21:07 INFO started\n2024-03-14 09:21:08 ERROR db down\n", named: "app.log")
        #expect(configured.map(\.body) == [#"{"port":8080}"#, "started", "db down"] && configured.map(\.level) == [.unknown, .info, .error])
        // A JSON line per record is read line by line, as before.
        let lines = try events(in: #"{"level":"error","msg":"db down"}"# + "\n" + #"{"level":"info","msg":"db up"}"# + "\n", named: "app.log")
        #expect(lines.map(\.body) == ["db down", "db up"])
        // Grafana Explore's JSON download: the line as written, its stream's labels among the fields it detected.
        let grafana = try events(in: """
            [{"line": "2024-03-14 09:21:06 ERROR checkout failed\\njava.lang.IllegalStateException: no session",
              "timestamp": "1710408067000000000", "date": "2024-03-14T09:21:07.000Z", "fields": {"app": "checkout", "namespace": "shop"}},
             {"line": "level=warn msg=\\"slow query\\"", "timestamp": "1710408068000000000", "fields": {"app": "cart", "msg": "slow query"}}]
            """, named: "Explore-logs.json")
        #expect(grafana.map(\.body) == ["2024-03-14 09:21:06 ERROR checkout failed\njava.lang.IllegalStateException: no session", #"level=warn msg="slow query""#])
        #expect(grafana.map(\.service) == ["checkout", "cart"] && grafana.map(\.level) == [.error, .warning])
        #expect(grafana.map(\.labels) == [["app": "checkout", "namespace": "shop"], ["app": "cart"]])
        #expect(grafana.map(\.timestamp) == [1_710_408_067_000_000_000, 1_710_408_068_000_000_000] && grafana[0].lineTimestamp == 1_710_408_066_000_000_000)
        // Newest first, Grafana's default: a trace shipped line by line is one event.
        let newestFirst = try events(in: """
            [{"line": "\\tat com.shop.Cart.total(Cart.java:42)", "timestamp": "1710408067002000000", "fields": {"app": "checkout"}},
             {"line": "java.lang.IllegalStateException: no session", "timestamp": "1710408067001000000", "fields": {"app": "checkout"}},
             {"line": "checkout failed", "timestamp": "1710408067000000000", "fields": {"app": "checkout"}}]
            """, named: "Explore-logs.json")
        #expect(newestFirst.map(\.body) == ["checkout failed\njava.lang.IllegalStateException: no session\n\tat com.shop.Cart.total(Cart.java:42)"])
    }

    @Test("kubectl get events as a table: each row an Event, its reason leading, Warning its level, its age before the file was written its time")
    func kubernetesEventTables() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deja-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func read(_ text: String) throws -> [LogEvent] {
            let path = directory.appendingPathComponent("events.txt").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_710_408_067)], ofItemAtPath: path)
            var events: [LogEvent] = []
            try FileSource(paths: [path], service: nil, tenant: "default", input: .lines(LineParser()), now: 0).read(cores: 1) { events += $0 }
            return events
        }
        let table = try read("""
            LAST SEEN   TYPE      REASON      OBJECT                        MESSAGE
            5m12s       Warning   BackOff     pod/api-7d9f8b6c5d-x2k4q      Back-off restarting failed container api in pod api-7d9f8b6c5d-x2k4q_shop(1234)
            3m          Normal    Pulled      pod/web-0                     Container image "shop/web:1.2.3" already present on machine
            2d4h        Warning   NodeNotReady   node/node-1                Node node-1 status is now: NodeNotReady
            0s   Warning   FailedMount   pod/db-0   MountVolume.SetUp failed for volume "data"
            error: the server doesn't have a resource type "evnts"

            """)
        #expect(table.map(\.body) == ["BackOff: Back-off restarting failed container api in pod api-7d9f8b6c5d-x2k4q_shop(1234)",
                                      #"Pulled: Container image "shop/web:1.2.3" already present on machine"#, "NodeNotReady: Node node-1 status is now: NodeNotReady",
                                      #"FailedMount: MountVolume.SetUp failed for volume "data""#, #"error: the server doesn't have a resource type "evnts""#])
        #expect(table.map(\.service) == ["api", "web-0", "node-1", "db-0", "events"])
        #expect(table.map(\.level) == [.warning, .info, .warning, .warning, .unknown])
        #expect(table.prefix(4).map(\.timestamp) == [1_710_407_755_000_000_000, 1_710_407_887_000_000_000, 1_710_220_867_000_000_000, 1_710_408_067_000_000_000])
        #expect(table[0].labels == ["reason": "BackOff", "object": "pod/api-7d9f8b6c5d-x2k4q"])
        // All namespaces, wide: the container the event is about names the service.
        let wide = try read("""
            NAMESPACE   LAST SEEN   TYPE      REASON      OBJECT              SUBOBJECT                SOURCE        MESSAGE                         FIRST SEEN   COUNT   NAME
            shop        45s         Warning   Unhealthy   pod/web-0           spec.containers{nginx}   kubelet       Readiness probe failed: 503     10m          12      web-0.17c3a2b1
            """)
        #expect(wide.map(\.body) == ["Unhealthy: Readiness probe failed: 503"] && wide.map(\.service) == ["nginx"])
        #expect(wide[0].labels == ["reason": "Unhealthy", "object": "pod/web-0", "namespace": "shop", "count": "12"])
    }

    @Test("a JSON export followed by text: the export's last records are stored before the text's lines")
    func jsonExportThenText() throws {
        let events = try events(in: """
            [{"line": "checkout failed", "timestamp": "1710408067000000000", "fields": {"app": "checkout"}},
             {"line": "retrying", "timestamp": "1710408068000000000", "fields": {"app": "checkout"}}]
            2024-03-14 09:21:09 INFO recovered
            """, named: "app.log")
        #expect(events.map(\.body) == ["checkout failed", "retrying", "recovered"])
    }

    @Test("a gzip file cut short: the lines before the cut are stored, whatever the input kind, then the read fails")
    func truncatedGzip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-cut-\(UUID().uuidString).log.gz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(LineReaderTests.firstMember + LineReaderTests.secondMember.prefix(10)).write(to: URL(fileURLWithPath: path))
        for input in [FileSource.Input.lines(LineParser()), .layout(try LineFormat("<Date> <Time> <Level> <Content>"), LineParser())] {
            var events: [LogEvent] = []
            #expect {
                try FileSource(paths: [path, "later.log"], service: nil, tenant: "default", input: input, now: 0).read(cores: 1) { events += $0 }
            } throws: { error in
                let stopped = error as? FileSource.Stopped
                return stopped?.cause is LineReader.ReadFailure && stopped?.unread == ["later.log"]
            }
            #expect(events.map(\.body) == ["disk full", "retrying"])
        }
    }

    @Test("a JSON export cut short or nested without end is refused with where and what is wrong, the documents before it stored")
    func brokenJSONExports() throws {
        func read(_ text: String, named name: String) throws -> (stored: [String], error: String) {
            let read = try self.read(text, named: name)
            return (read.events.map(\.body), read.error.map { "\($0)" } ?? "")
        }
        // An array's records are read one by one: those before the one cut short are stored.
        let cut = try read("[\n  {\"msg\": \"a\"},\n  {\"msg\": \"b\"\n", named: "cut.json")
        #expect(cut.stored == ["a"] && cut.error.contains("cut.json opens as a log export of JSON documents, and the value that starts on line 3 is not valid JSON: "))
        #expect(try read("[\n  {\"msg\": \"a\"}\n", named: "open.json").error.contains("the value that starts on line 1 is not valid JSON: the array is not closed"))
        #expect(try read("[\n  {\"msg\": \"a\"} x\n]\n", named: "junk.json").error.contains("line 2 is not valid JSON: 'x' among an array's values"))
        #expect(try read("[\n" + String(repeating: "[", count: 100_000) + "\n", named: "deep.json").error.contains("the value that starts on line 2 nests deeper than 128 levels"))
        #expect(try read("[\n  {\"msg\": \"a\"}, 7, true, null, -1.5e3,\n  \"GET /health 200\"\n]\n", named: "mixed.json") == (["a", "GET /health 200"], ""))
        let watch = try read("{\n  \"msg\": \"first\"\n}\n{\n  \"msg\": \"second\",\n  oops\n}\n", named: "watch.json")
        #expect(watch.stored == ["first"] && watch.error.contains("the value that starts on line 4 is not valid JSON"))
    }

    @Test("a CSV export of a log search (Splunk, CloudWatch Logs Insights, Grafana, Kibana): each row an entry with its columns' time, level, service and source")
    func csvExports() throws {
        let splunk = try events(in: """
            "_time","host","source","sourcetype","_raw"
            "2026-12-07T10:00:00.000+0000","web01","/var/log/orders.log","app","2026-12-07 10:00:00 ERROR Connection refused to db:5432"
            "2026-12-07T10:00:01.000+0000","web01","/var/log/orders.log","app","2026-12-07 10:00:01 INFO request served"
            """, named: "splunk.csv")
        #expect(splunk.map(\.body) == ["2026-12-07 10:00:00 ERROR Connection refused to db:5432", "2026-12-07 10:00:01 INFO request served"])
        #expect(splunk.map(\.level) == [.error, .info] && splunk.map(\.service) == ["orders", "orders"])
        #expect(splunk.map { RFC3339.string($0.timestamp) } == ["2026-12-07T10:00:00Z", "2026-12-07T10:00:01Z"])
        #expect(splunk[0].labels == ["host": "web01", "source": "/var/log/orders.log", "sourcetype": "app"])

        // An ECS task's stream names its container, a Lambda's log group its function; CRLF line ends.
        let cloudWatch = try events(in: [
            "@timestamp,@message,@logStream,@log",
            "2026-12-07 10:00:00.000,ERROR payment declined,ecs/payments/0123456789abcdef0123456789abcdef,123456789012:/ecs/shop",
            "2026-12-07 10:00:01.000,\"2026-12-07T10:00:01.000Z\t8f5e2c1a-1b2c-4d5e-8f90-a1b2c3d4e5f6\tERROR\tInvoke Error, timeout\",2026/12/07/[$LATEST]abc,123456789012:/aws/lambda/checkout",
        ].joined(separator: "\r\n") + "\r\n", named: "logs-insights-results.csv")
        #expect(cloudWatch.map(\.service) == ["payments", "checkout"] && cloudWatch.map(\.level) == [.error, .error])
        #expect(cloudWatch[1].body == "2026-12-07T10:00:01.000Z\t8f5e2c1a-1b2c-4d5e-8f90-a1b2c3d4e5f6\tERROR\tInvoke Error, timeout")
        #expect(cloudWatch[1].labels == ["log_stream": "2026/12/07/[$LATEST]abc", "log_group": "123456789012:/aws/lambda/checkout"])

        // Grafana's Explore: the Loki stream's labels; a trace its collector shipped line by line is one
        // entry, another stream's line between its lines.
        let grafana = try events(in: """
            labels,Time,Line,tsNs,id
            "{""app"":""checkout"",""namespace"":""shop""}",2026-12-07 10:00:01.000,2026-12-07T10:00:01Z ERROR Unhandled exception,1796637601000000000,a
            "{""app"":""checkout"",""namespace"":""shop""}",2026-12-07 10:00:01.000,java.lang.IllegalStateException: boom,1796637601000000000,b
            "{app=""cart""}",2026-12-07 10:00:02.000,"{""level"":""warn"",""msg"":""slow query""}",1796637602000000000,d
            "{""app"":""checkout"",""namespace"":""shop""}",2026-12-07 10:00:01.000,\tat com.shop.Foo.bar(Foo.java:10),1796637601000000000,c
            """, named: "Explore-logs.csv")
        #expect(grafana.map(\.body) == ["2026-12-07T10:00:01Z ERROR Unhandled exception\njava.lang.IllegalStateException: boom\n\tat com.shop.Foo.bar(Foo.java:10)",
                                        "{\"level\":\"warn\",\"msg\":\"slow query\"}"])
        #expect(grafana.map(\.service) == ["checkout", "cart"] && grafana[0].labels == ["app": "checkout", "namespace": "shop"])

        // Newest first, as search tools export by default: a trace's lines come before its first line,
        // and other sources' lines come between them.
        let newestFirst = try events(in: """
            @timestamp,@message,@logStream
            2026-12-07 10:00:03.000,request served,web
            2026-12-07 10:00:02.003,KeyError: 'sku',web
            2026-12-07 10:00:02.002,"  File ""/app/cart.py"", line 9, in add",web
            2026-12-07 10:00:02.002,\tat com.shop.Db.open(Db.java:42),db
            2026-12-07 10:00:02.001,Traceback (most recent call last):,web
            2026-12-07 10:00:02.001,java.sql.SQLException: pool exhausted,db
            2026-12-07 10:00:02.000,2026-12-07 10:00:02 ERROR add to cart failed,web
            """, named: "newest-first.csv")
        #expect(Set(newestFirst.map(\.body)) == ["request served",
            "2026-12-07 10:00:02 ERROR add to cart failed\nTraceback (most recent call last):\n  File \"/app/cart.py\", line 9, in add\nKeyError: 'sku'",
            "java.sql.SQLException: pool exhausted\n\tat com.shop.Db.open(Db.java:42)"])

        // Kibana's Discover: its date format, a trace in one quoted cell; a row with no time of its own takes its line's.
        let kibana = try events(in: """
            "@timestamp","host.name","service.name","log.level",message
            "Dec 7, 2026 @ 10:00:00.250","web-01","api","ERROR","Connection refused
            \tat com.shop.Db.open(Db.java:42)"

            "","web-01","api","","2026-12-07 10:00:05 WARN retrying"
            """, named: "discover.csv")
        #expect(kibana.map(\.body) == ["Connection refused\n\tat com.shop.Db.open(Db.java:42)", "2026-12-07 10:00:05 WARN retrying"])
        #expect(kibana.map { RFC3339.string($0.timestamp) } == ["2026-12-07T10:00:00.25Z", "2026-12-07T10:00:05Z"])
        #expect(kibana.map(\.level) == [.error, .warning] && kibana.map(\.service) == ["api", "api"])

        // A line of prose with commas is no header.
        #expect(try events(in: "Starting server, version 1.2\nlistening, port 8080\n", named: "app.log").map(\.body)
            == ["Starting server, version 1.2", "listening, port 8080"])
    }

    @Test("a CSV export with a row that does not fit its header, or a quote left open, is refused naming the line, the rows before it stored")
    func brokenCSVExports() throws {
        func read(_ text: String) throws -> (stored: [String], error: String) {
            let read = try self.read(text, named: "export.csv")
            return (read.events.map(\.body), read.error.map { "\($0)" } ?? "")
        }
        let extra = try read("time,level,message\n2026-12-07 10:00:00,info,started\n2026-12-07 10:00:01,error,failed, retrying\n")
        #expect(extra.stored == ["started"])
        #expect(extra.error.hasSuffix("/export.csv opens with a header row naming its columns, and line 3 has 4 values where the header names 3 columns "
            + "(a value holding the separator must be quoted). Fix the file, or strip its header if it is not an export of log records"))
        let open = try read("time,message\n2026-12-07 10:00:00,started\n2026-12-07 10:00:01,\"failed\nat a.b\n")
        #expect(open.stored == ["started"] && open.error.contains("and the quoted value that opens on line 3 is not closed by its end."))
    }
}
