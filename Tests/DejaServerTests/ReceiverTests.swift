import DejaCore
@testable import DejaServer
import Foundation
import NIOCore
import Testing

@Suite struct ReceiverTests {
    @Test func snappyBlocksDecodeLiteralsAndOverlappingCopies() throws {
        // "abc", then a 9-byte copy from 3 back: a run that overlaps what it produces.
        let compressed: [UInt8] = [12, 0x08, 97, 98, 99, 0x15, 3]
        #expect(try Snappy.decompress(compressed, limit: 100) == Array("abcabcabcabc".utf8))
        #expect(throws: Snappy.Failure.self) { try Snappy.decompress(compressed, limit: 11) }
        #expect(throws: Snappy.Failure.self) { try Snappy.decompress([12, 0x08, 97, 98, 99, 0x15, 9], limit: 100) }
        #expect(throws: Snappy.Failure.self) { try Snappy.decompress([5, 0x08, 97], limit: 100) }
    }

    @Test("a gzip or zlib body inflates whole, every gzip member; one cut short, corrupt or too large is refused")
    func zlibBodies() throws {
        // `gzip.compress(b'{"body":"one"}\n', mtime=0)` and the same of "two"; `zlib.compress(b'{"body":"three"}\n')`.
        let one: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 171, 86, 74, 202, 79, 169, 84, 178, 82, 202, 207, 75, 85, 170, 229, 2, 0,
                            216, 214, 180, 143, 15, 0, 0, 0]
        let two: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 171, 86, 74, 202, 79, 169, 84, 178, 82, 42, 41, 207, 87, 170, 229, 2, 0,
                            23, 49, 232, 228, 15, 0, 0, 0]
        let three: [UInt8] = [120, 156, 171, 86, 74, 202, 79, 169, 84, 178, 82, 42, 201, 40, 74, 77, 85, 170, 229, 2, 0, 51, 243, 5, 139]
        func inflate(_ bytes: [UInt8], gzip: Bool = true, limit: Int = 1_000) throws -> String {
            String(decoding: try ZlibBody.inflate(ByteBuffer(bytes: bytes), gzip: gzip, limit: limit), as: UTF8.self)
        }
        #expect(try inflate(one) == "{\"body\":\"one\"}\n")
        #expect(try inflate(one + two) == "{\"body\":\"one\"}\n{\"body\":\"two\"}\n")
        #expect(try inflate(three, gzip: false) == "{\"body\":\"three\"}\n")
        // Cut anywhere short of its end (the last 8 bytes are the checksum and length), never a part of it.
        for end in [10, 20, 27, 31, 34] {
            #expect(throws: ZlibBody.Failure.truncated) { try inflate(Array(one.prefix(end))) }
        }
        #expect(throws: ZlibBody.Failure.truncated) { try inflate(Array(three.prefix(24)), gzip: false) }
        #expect(throws: ZlibBody.Failure.truncated) { try inflate(one + Array(two.prefix(20))) }
        #expect(throws: ZlibBody.Failure.corrupt) { try inflate(one + Array("trailing".utf8)) }
        #expect(throws: ZlibBody.Failure.corrupt) { try inflate(three + three, gzip: false) }
        #expect(throws: ZlibBody.Failure.corrupt) { try inflate(Array("plain text".utf8)) }
        #expect(throws: ZlibBody.Failure.tooLarge(limit: 20)) { try inflate(one + two, limit: 20) }
    }

    @Test func lokiLabelSetsParseWithEscapes() throws {
        #expect(try LabelSelector.parse(#"{app="checkout", namespace="shop"}"#) == ["app": "checkout", "namespace": "shop"])
        #expect(try LabelSelector.parse(#"{ msg="say \"hi\"\n", path="C:\\x", e="\u00e9" }"#) == ["msg": "say \"hi\"\n", "path": "C:\\x", "e": "é"])
        #expect(try LabelSelector.parse("{}") == [:])
        for bad in [#"app="x""#, #"{app=x}"#, #"{app="x""#, #"{app="x"} extra"#, #"{="x"}"#] {
            #expect(throws: LabelSelector.Failure.self) { try LabelSelector.parse(bad) }
        }
    }

    @Test func lokiJSONPushMapsServiceLevelLabelsAndMetadata() throws {
        let body = Array("""
            {"streams": [{"stream": {"service_name": "checkout", "namespace": "shop", "detected_level": "warn"},
              "values": [["1718000000123456789", "payment slow"], ["1718000000223456789", "payment timeout", {"trace_id": "4bf9"}]]}]}
            """.utf8)
        let events = try LokiPush.events(body, contentType: "application/json; charset=utf-8", tenant: "team-a", limits: IngestLimits())
        #expect(events.count == 2)
        #expect(events[0] == LogEvent(timestamp: 1_718_000_000_123_456_789, tenant: "team-a", service: "checkout", level: .warning,
                                      labels: ["service_name": "checkout", "namespace": "shop", "detected_level": "warn"], body: "payment slow"))
        #expect(events[1].labels["trace_id"] == "4bf9")
    }

    @Test("a pushed line keeps the collector's time; its own time and level are read when it is prepared, its layout learned per stream")
    func lokiLinesKeepTheirOwnTimeBeside() throws {
        let body = Array("""
            {"streams": [{"stream": {"app": "kafka"},
              "values": [["1715079400000000000", "[2024-05-07 10:55:45,526] INFO [Controller id=0] Processed 3 partitions"],
                         ["1715079401000000000", "[2024-05-07 10:55:46,001] WARN [Log partition=t-0] Found deletable segments"],
                         ["1715079402000000000", "\\tat kafka.network.Processor.run(SocketServer.scala:123)"],
                         ["1715079403000000000", "{\\"level\\":\\"error\\",\\"msg\\":\\"rolled\\"}"]]},
             {"stream": {"app": "kafka", "level": "debug"},
              "values": [["1715079404000000000", "[2024-05-07 10:55:48,000] ERROR labelled otherwise"]]}]}
            """.utf8)
        let received = try LokiPush.events(body, contentType: "application/json", tenant: "t", limits: IngestLimits(),
                                           lines: StreamLines(receivedAt: 1_715_080_000_000_000_000))
        // The receiver takes the labels' level only; the line is read where events are prepared.
        // The frame sent on its own is the warning's trace.
        #expect(received.map(\.level) == [.unknown, .unknown, .unknown, .debug])
        #expect(received[1].body == "[2024-05-07 10:55:46,001] WARN [Log partition=t-0] Found deletable segments\n\tat kafka.network.Processor.run(SocketServer.scala:123)")
        #expect(received.allSatisfy { $0.lineTimestamp == nil })
        var lines = ReceivedLines()
        let events = received.map { lines.read($0) }
        #expect(events.map(\.timestamp) == [1_715_079_400_000_000_000, 1_715_079_401_000_000_000, 1_715_079_403_000_000_000,
                                            1_715_079_404_000_000_000])
        #expect(events.map(\.lineTimestamp) == [1_715_079_345_526_000_000, 1_715_079_346_001_000_000, nil, 1_715_079_348_000_000_000])
        #expect(events.map(\.level) == [.info, .warning, .error, .debug])
        #expect(events[0].body == "[2024-05-07 10:55:45,526] INFO [Controller id=0] Processed 3 partitions")
    }

    @Test("a trace a collector sent line by line is one event, in JSON and protobuf pushes; other lines stay as sent")
    func lokiLinesOfOneRecordAreOneEvent() throws {
        let lines = [
            "2024-05-07 10:55:45,526 ERROR [main] c.a.Shop - checkout failed",
            "java.lang.IllegalStateException: no session",
            "\tat com.acme.Shop.pay(Shop.java:42)",
            "2024-05-07 10:55:46,001 INFO [main] c.a.Shop - retried",
            "Traceback (most recent call last):",
            "  File \"/app/cart.py\", line 9, in add",
            "KeyError: 'sku'",
            "2024-05-07 10:55:47,000 INFO [main] c.a.Shop - done",
        ]
        let push: [String: Any] = ["streams": [["stream": ["app": "shop"], "values": lines.enumerated().map { ["171507940\($0)000000000", $1] }]]]
        let json = Array(try JSONSerialization.data(withJSONObject: push))
        var request = Logproto_PushRequest()
        request.streams = [Logproto_StreamAdapter.with { stream in
            stream.labels = #"{app="shop"}"#
            stream.entries = lines.enumerated().map { index, line in
                Logproto_EntryAdapter.with { $0.line = line; $0.timestamp = .init(seconds: 1_715_079_400 + Int64(index), nanos: 0) }
            }
        }]
        for events in [try LokiPush.fromJSON(json, tenant: "t", limits: IngestLimits()),
                       try LokiPush.fromProtobuf(Array(try request.serializedData()), tenant: "t", limits: IngestLimits())] {
            // The traceback follows the line that logged it, as `logger.exception` writes it.
            #expect(events.map(\.body) == [lines[0...2].joined(separator: "\n"), lines[3...6].joined(separator: "\n"), lines[7]])
            #expect(events.map(\.timestamp) == [1_715_079_400_000_000_000, 1_715_079_403_000_000_000, 1_715_079_407_000_000_000])
        }
    }

    @Test("blank entries and W3C directives are no events, over Loki push (JSON, protobuf), OTLP and Elasticsearch bulk, as in a file; a blank line inside a trace is the trace's")
    func blankLinesAndDirectivesAreNoEvents() throws {
        let lines = ["", "#Software: Microsoft Internet Information Services 10.0", "#Fields: date time cs-method cs-uri-stem sc-status",
                     "2024-03-14 09:21:07 GET /checkout 500", "   ", "#1 of 2: a line that only starts with a hash",
                     "Traceback (most recent call last):", "  File \"/app/job.py\", line 9, in run", "", "KeyError: 'sku'", "\t"]
        // The traceback follows the line that logged it, as `logger.exception` writes it.
        let expected = ["2024-03-14 09:21:07 GET /checkout 500",
                        "#1 of 2: a line that only starts with a hash\nTraceback (most recent call last):\n  File \"/app/job.py\", line 9, in run\n\nKeyError: 'sku'"]
        let push: [String: Any] = ["streams": [["stream": ["app": "iis"], "values": lines.enumerated().map { ["17150794\($0 + 10)000000000", $1] }]]]
        var request = Logproto_PushRequest()
        request.streams = [Logproto_StreamAdapter.with { stream in
            stream.labels = #"{app="iis"}"#
            stream.entries = lines.enumerated().map { index, line in
                Logproto_EntryAdapter.with { $0.line = line; $0.timestamp = .init(seconds: 1_715_079_410 + Int64(index), nanos: 0) }
            }
        }]
        let json = try LokiPush.fromJSON(Array(try JSONSerialization.data(withJSONObject: push)), tenant: "t", limits: IngestLimits())
        let protobuf = try LokiPush.fromProtobuf(Array(try request.serializedData()), tenant: "t", limits: IngestLimits())
        #expect(json.map(\.body) == expected)
        #expect(protobuf.map(\.body) == expected)
        var scope = Opentelemetry_Proto_ScopeLogs()
        scope.logRecords = lines.filter { !$0.isEmpty }.map { line in Opentelemetry_Proto_LogRecord.with { $0.body.stringValue = line } }
        var otlp = Opentelemetry_Proto_ExportLogsServiceRequest()
        otlp.resourceLogs = [.with { $0.scopeLogs = [scope] }]
        let decoded = try OTLPLogs.decode(try otlp.serializedBytes(), contentType: "application/x-protobuf", tenant: "t", limits: IngestLimits(), now: 0)
        let otlpBodies = decoded.events.map(\.body)
        #expect(otlpBodies == expected.map { $0.replacingOccurrences(of: "\n\n", with: "\n") } && decoded.rejected == 0)
        // Filebeat's documents: each is accepted, the blank and the directive not stored.
        for messages in [["", "#Fields: date time cs-method", "GET /checkout 500"], ["", "   ", "GET /checkout 500"]] {
            let bulk = messages.map { #"{"index":{}}"# + "\n" + String(decoding: try! JSONSerialization.data(withJSONObject: ["message": $0]), as: UTF8.self) }
            let items = try ElasticsearchBulk.items(Array((bulk.joined(separator: "\n") + "\n").utf8), defaultIndex: "logs", tenant: "t", limits: IngestLimits(), now: 5)
            #expect(items.allSatisfy { (try? $0.outcome.get()) != nil } && ElasticsearchBulk.events(items).map(\.body) == ["GET /checkout 500"])
        }
    }

    @Test("a record without a collector's time takes the line's, else the receive time")
    func otlpRecordsWithoutTimeTakeTheLines() throws {
        var request = Opentelemetry_Proto_ExportLogsServiceRequest()
        var resource = Opentelemetry_Proto_ResourceLogs()
        var scope = Opentelemetry_Proto_ScopeLogs()
        for line in ["2024-05-07T10:55:45.5Z ERROR payment declined", "no time here"] {
            var record = Opentelemetry_Proto_LogRecord()
            record.body.stringValue = line
            scope.logRecords.append(record)
        }
        resource.scopeLogs = [scope]
        request.resourceLogs = [resource]
        let decoded = try OTLPLogs.decode(try request.serializedBytes(), contentType: "application/x-protobuf", tenant: "t",
                                          limits: IngestLimits(), now: 1_715_080_000_000_000_000)
        #expect(decoded.events.map(\.timestamp) == [1_715_079_345_500_000_000, 1_715_080_000_000_000_000])
        #expect(decoded.events.map(\.lineTimestamp) == [nil, nil])
        #expect(decoded.events.map(\.level) == [.error, .unknown])
    }

    @Test("a JSON push reads the same through the byte reader as through JSONSerialization")
    func lokiJSONFastPathAgreesWithTheGeneralParser() throws {
        let bodies = [
            #"{"streams":[{"stream":{"app":"a","job":"j"},"values":[["1","plain"],["2","tab\there \"quoted\" \u00e9 \ud83d\ude00 \/",{"k":"v"}]]},{"values":[],"stream":{"x":"y"}}]}"#,
            #" { "streams" : [ ] } "#,
            #"{"streams":[{"stream":{"app":"a"},"values":[["3","line"]]}]}"#,
        ]
        for body in bodies {
            let fast = Array(body.utf8).withUnsafeBufferPointer { bytes in
                var reader = JSONByteReader(bytes: bytes)
                return LokiPush.readPush(&reader)
            }
            let events = try LokiPush.events(Array(body.utf8), contentType: "application/json", tenant: "t", limits: IngestLimits())
            let expected = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let lines = (expected["streams"] as! [[String: Any]]).flatMap { ($0["values"] as! [[Any]]).map { $0[1] as! String } }
            #expect(try #require(fast).flatMap { $0.entries.map(\.line) } == lines)
            #expect(events.map(\.body) == lines)
        }
        // Shapes the byte reader leaves to the general parser, with the same meaning.
        let numbers = #"{"streams":[{"stream":{"app":"a","shard":7},"values":[["1","x"]]}]}"#
        #expect(Array(numbers.utf8).withUnsafeBufferPointer { bytes in
            var reader = JSONByteReader(bytes: bytes)
            return LokiPush.readPush(&reader)
        } == nil)
        #expect(try LokiPush.events(Array(numbers.utf8), contentType: "application/json", tenant: "t", limits: IngestLimits())[0].labels["shard"] == "7")
    }

    @Test func lokiJSONPushRefusesWhatLokiRefuses() {
        let limits = IngestLimits()
        let cases = [
            (#"{"streams": [{"stream": {}, "values": [["1", "x"]]}]}"#, "at least one label pair"),
            (#"{"streams": [{"stream": {"a": "b"}, "values": [[1, "x"]]}]}"#, "streams[0].values[0]"),
            (#"{"streams": [{"stream": {"a": "b"}, "values": [["soon", "x"]]}]}"#, "not nanoseconds"),
            (#"{"streams": "no"}"#, "no \"streams\" array"),
        ]
        for (body, expected) in cases {
            do {
                _ = try LokiPush.events(Array(body.utf8), contentType: "application/json", tenant: "t", limits: limits)
                Issue.record("accepted \(body)")
            } catch let rejection as Rejection {
                #expect(rejection.status == .badRequest && rejection.message.contains(expected), "\(rejection.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(throws: Rejection.self) { try LokiPush.events(Array("{}".utf8), contentType: nil, tenant: "t", limits: limits) }
    }

    @Test func deeplyNestedJSONIsRefusedBeforeParsing() {
        var limits = IngestLimits()
        limits.maxJSONDepth = 5
        let deep = Array((String(repeating: "[", count: 6) + String(repeating: "]", count: 6)).utf8)
        #expect(throws: Rejection.self) { try RequestBody.checkJSONDepth(deep, limits: limits) }
        #expect(throws: Never.self) { try RequestBody.checkJSONDepth(Array(#"{"a": "[[[[[[[[[[[["}"#.utf8), limits: limits) }
    }

    @Test func elasticsearchBulkItemsFollowTheRequestOrder() throws {
        let body = Array("""
            {"index": {"_index": "logs", "_id": "a1"}}
            {"@timestamp": "2024-06-10T06:01:02.123Z", "log": "payment timeout", "kubernetes": {"namespace_name": "shop", "container_name": "checkout"}, "level": "error"}
            {"create": {"_type": "_doc"}}
            {"no_message_here": true}
            {"delete": {"_id": "x"}}
            {"create": {}}
            {"message": "disk full", "service": {"name": "node-agent"}}

            """.utf8)
        let items = try ElasticsearchBulk.items(body, defaultIndex: "fallback", tenant: "t", limits: IngestLimits(), now: 5)
        #expect(items.map(\.action) == ["index", "create", "delete", "create"])
        let first = try items[0].outcome.get()
        #expect(first.body == "payment timeout" && first.service == "checkout" && first.level == .error && first.externalID == "a1")
        #expect(first.timestamp == 1_717_999_262_123_000_000 && first.labels["kubernetes.namespace_name"] == "shop" && first.labels["_index"] == "logs")
        #expect((try? items[1].outcome.get()) == nil && items[1].index == "fallback")
        #expect((try? items[2].outcome.get()) == nil)
        let last = try items[3].outcome.get()
        #expect(last.service == "node-agent" && last.timestamp == 5 && !items[3].id.isEmpty && last.externalID == items[3].id)
        let response = ElasticsearchBulk.response(items, tookMilliseconds: 3, firstSequence: 0)
        #expect(response["errors"] as? Bool == true)
        let statuses = (response["items"] as! [[String: Any]]).map { ($0.values.first as! [String: Any])["status"] as! Int }
        #expect(statuses == [201, 400, 400, 201])
        #expect(throws: Rejection.self) { try ElasticsearchBulk.items(Array("{\"create\":{}}\n{\"message\":\"x\"}".utf8), defaultIndex: nil, tenant: "t", limits: IngestLimits(), now: 0) }
    }

    @Test("a trace Fluent Bit or Filebeat shipped line by line is one event per pod, however the pods' lines interleave")
    func elasticsearchLinesOfOneRecordAreOneEvent() throws {
        func document(_ pod: String, _ line: String, offset: Int) -> String {
            let log = line.replacingOccurrences(of: "\t", with: "\\t")
            return #"{"create": {}}"# + "\n" + #"{"@timestamp": "2024-06-10T06:01:0\#(offset)Z", "log": "\#(log)", "log.offset": \#(offset * 100), "#
                + #""kubernetes": {"pod_name": "\#(pod)", "container_name": "checkout"}}"# + "\n"
        }
        let body = document("checkout-a", "2024-06-10 06:01:00 ERROR c.a.Shop - checkout failed", offset: 0)
            + document("checkout-b", "2024-06-10 06:01:01 INFO c.a.Shop - cart saved", offset: 1)
            + document("checkout-a", "java.lang.IllegalStateException: no session", offset: 2)
            + document("checkout-b", "2024-06-10 06:01:03 INFO c.a.Shop - cart read", offset: 3)
            + document("checkout-a", "\tat com.acme.Shop.pay(Shop.java:42)", offset: 4)
            + document("checkout-a", "2024-06-10 06:01:05 INFO c.a.Shop - retried", offset: 5)
        let items = try ElasticsearchBulk.items(Array(body.utf8), defaultIndex: "logs", tenant: "t", limits: IngestLimits(), now: 0)
        #expect(items.count == 6 && ElasticsearchBulk.response(items, tookMilliseconds: 1, firstSequence: 0)["errors"] as? Bool == false)
        let events = ElasticsearchBulk.events(items)
        #expect(events.map(\.body) == [
            "2024-06-10 06:01:00 ERROR c.a.Shop - checkout failed\njava.lang.IllegalStateException: no session\n\tat com.acme.Shop.pay(Shop.java:42)",
            "2024-06-10 06:01:05 INFO c.a.Shop - retried",
            "2024-06-10 06:01:01 INFO c.a.Shop - cart saved", "2024-06-10 06:01:03 INFO c.a.Shop - cart read",
        ])
        #expect(events.map { $0.labels["kubernetes.pod_name"] } == ["checkout-a", "checkout-a", "checkout-b", "checkout-b"])
        #expect(events[0].timestamp == 1_717_999_260_000_000_000 && events[0].externalID == items[0].id)
    }

    @Test("a traceback a collector's filelog receiver sent line by line is one event per file")
    func otlpLinesOfOneRecordAreOneEvent() throws {
        var scope = Opentelemetry_Proto_ScopeLogs()
        for (file, line) in [("worker.log", "2024-05-07 10:55:45 ERROR job failed"), ("api.log", "2024-05-07 10:55:45 INFO GET /health 200"),
                             ("worker.log", "Traceback (most recent call last):"), ("worker.log", "  File \"/app/job.py\", line 9, in run"),
                             ("api.log", "  indented, but another file's"), ("worker.log", "KeyError: 'sku'")] {
            var record = Opentelemetry_Proto_LogRecord()
            record.body.stringValue = line
            record.attributes = [.with { $0.key = "log.file.name"; $0.value.stringValue = file }]
            scope.logRecords.append(record)
        }
        var request = Opentelemetry_Proto_ExportLogsServiceRequest()
        request.resourceLogs = [.with { $0.scopeLogs = [scope] }]
        let decoded = try OTLPLogs.decode(try request.serializedBytes(), contentType: "application/x-protobuf", tenant: "t",
                                          limits: IngestLimits(), now: 1_715_080_000_000_000_000)
        #expect(decoded.events.map(\.body) == [
            "2024-05-07 10:55:45 ERROR job failed\nTraceback (most recent call last):\n  File \"/app/job.py\", line 9, in run\nKeyError: 'sku'",
            "2024-05-07 10:55:45 INFO GET /health 200\n  indented, but another file's",
        ])
    }

    @Test("a shipper's document names its service wherever it keeps it: Filebeat's Kubernetes metadata past a hundred fields, a file path")
    func elasticsearchDocumentsNameTheirService() throws {
        // Filebeat on Kubernetes: 120 host fields sort before `kubernetes.*`, beyond the label limit.
        let host = (0..<120).map { #""host.field\#($0)": "v\#($0)""# }.joined(separator: ", ")
        let body = Array("""
            {"create": {}}
            {"@timestamp": "2024-06-10T06:01:02Z", "message": "payment timeout", \(host), "kubernetes": {"container": {"name": "checkout"}, "labels": {"app_kubernetes_io/name": "checkout-api"}}}
            {"create": {}}
            {"@timestamp": "2024-06-10T06:01:02Z", "message": "upstream timed out", "log": {"file": {"path": "/var/log/nginx/error.log"}}, "host": {"name": "web-1"}}

            """.utf8)
        let items = try ElasticsearchBulk.items(body, defaultIndex: "logs", tenant: "t", limits: IngestLimits(), now: 5)
        #expect(try items.map { try $0.outcome.get().service } == ["checkout-api", "nginx"])
        #expect(try items[0].outcome.get().labels.count == IngestLimits().maxLabelsPerStream)
        // Promtail scraping files by a static config: its job names the scrape, the file the program.
        #expect(ServiceLabels.service(in: ["job": "varlogs", "filename": "/var/log/nginx/error.log"]) == "nginx")
        #expect(ServiceLabels.service(in: ["job": "varlogs"]) == "varlogs")
    }

    @Test func otlpRecordsTakeServiceSeverityAndAttributes() throws {
        let body = Array("""
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}},
                                                        {"key":"k8s.namespace.name","value":{"stringValue":"shop"}}]},
              "scopeLogs":[{"scope":{"name":"app.logger"},"logRecords":[
                {"timeUnixNano":"1718000000223456789","severityNumber":17,"severityText":"ERROR",
                 "body":{"stringValue":"payment timeout after 30s"},
                 "attributes":[{"key":"http.route","value":{"stringValue":"/pay"}},{"key":"retry","value":{"intValue":"2"}}],
                 "traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7"},
                {"timeUnixNano":"1718000000223456790","severityNumber":9}]}]}]}
            """.utf8)
        let decoded = try OTLPLogs.decode(body, contentType: "application/json", tenant: "t", limits: IngestLimits(), now: 0)
        #expect(decoded.rejected == 1 && decoded.events.count == 1)
        let event = try #require(decoded.events.first)
        #expect(event.service == "checkout" && event.level == .error && event.timestamp == 1_718_000_000_223_456_789)
        #expect(event.labels["http.route"] == "/pay" && event.labels["retry"] == "2" && event.labels["k8s.namespace.name"] == "shop")
        #expect(event.labels["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736" && event.labels["span_id"] == "00f067aa0ba902b7")
        let response = String(decoding: try OTLPLogs.response(decoded, json: true), as: UTF8.self)
        #expect(response.contains("\"rejectedLogRecords\":\"1\"") && response.contains("no body"))
    }

    @Test("an exception in OpenTelemetry's or ECS's fields joins the body, however long its trace")
    func exceptionFieldsJoinTheBody() throws {
        // The OpenTelemetry Java agent's appender: the message as body, the exception as attributes;
        // 60 frames are far over the 2,048-byte label value limit, which rejected the record.
        let frames = (0..<60).map { "\tat com.acme.shop.Layer\($0).call(Layer\($0).java:\($0 + 10))" }.joined(separator: "\n")
        let trace = "java.lang.IllegalStateException: cart 4411 has no session\n" + frames
        var record = Opentelemetry_Proto_LogRecord()
        record.body.stringValue = "checkout failed"
        for (key, value) in [("exception.type", "java.lang.IllegalStateException"), ("exception.message", "cart 4411 has no session"),
                             ("exception.stacktrace", trace), ("code.function", "pay")] {
            var attribute = Opentelemetry_Proto_KeyValue()
            attribute.key = key
            attribute.value.stringValue = value
            record.attributes.append(attribute)
        }
        var typeOnly = Opentelemetry_Proto_LogRecord()
        typeOnly.body.stringValue = "refund failed"
        for (key, value) in [("exception.type", "System.TimeoutException"), ("exception.message", "The operation has timed out.")] {
            var attribute = Opentelemetry_Proto_KeyValue()
            attribute.key = key
            attribute.value.stringValue = value
            typeOnly.attributes.append(attribute)
        }
        var scope = Opentelemetry_Proto_ScopeLogs()
        scope.logRecords = [record, typeOnly]
        var resource = Opentelemetry_Proto_ResourceLogs()
        resource.scopeLogs = [scope]
        var request = Opentelemetry_Proto_ExportLogsServiceRequest()
        request.resourceLogs = [resource]
        let decoded = try OTLPLogs.decode(try request.serializedBytes(), contentType: "application/x-protobuf", tenant: "t",
                                          limits: IngestLimits(), now: 1)
        #expect(decoded.rejected == 0)
        #expect(decoded.events.map(\.body) == ["checkout failed\n" + trace, "refund failed\nSystem.TimeoutException: The operation has timed out."])
        #expect(decoded.events[0].labels == ["code.function": "pay"])

        // ECS logging: `error.*` beside `message`.
        let document = Array("""
            {"create": {}}
            {"message": "checkout failed", "error": {"type": "java.lang.IllegalStateException", "message": "cart 4411 has no session", "stack_trace": \(String(decoding: try JSONSerialization.data(withJSONObject: [trace]), as: UTF8.self).dropFirst().dropLast())}, "service": {"name": "cart"}}

            """.utf8)
        let item = try #require(try ElasticsearchBulk.items(document, defaultIndex: "logs", tenant: "t", limits: IngestLimits(), now: 5).first)
        let event = try item.outcome.get()
        #expect(event.body == "checkout failed\n" + trace)
        #expect(event.labels.keys.allSatisfy { !$0.hasPrefix("error.") })
    }

    @Test func ndjsonIsAllOrNothing() throws {
        let good = Array("{\"id\": \"n1\", \"body\": \"x failed\"}\n\n{\"body\": \"y\", \"service\": \"api\"}\n".utf8)
        #expect(try IngestAPI.ndjson(good, tenant: "t", limits: IngestLimits()).map(\.body) == ["x failed", "y"])
        // A body a Windows tool wrote opens with a byte order mark: the first line is read all the same.
        #expect(try IngestAPI.ndjson([0xEF, 0xBB, 0xBF] + good, tenant: "t", limits: IngestLimits()).map(\.body) == ["x failed", "y"])
        let bulk = [0xEF, 0xBB, 0xBF] + Array("{\"index\":{}}\n{\"message\":\"z\"}\n".utf8)
        #expect(try ElasticsearchBulk.items(bulk, defaultIndex: "logs", tenant: "t", limits: IngestLimits(), now: 5).count == 1)
        let bad = Array("{\"body\": \"x\"}\n\n{\"message\": \"y\"}\n".utf8)
        do {
            _ = try IngestAPI.ndjson(bad, tenant: "t", limits: IngestLimits())
            Issue.record("a line without a body was accepted")
        } catch let rejection as Rejection {
            #expect(rejection.message.hasPrefix("line 3:"), "\(rejection.message)")  // blank lines count
        }
    }
}
