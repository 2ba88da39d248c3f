import DejaCore
import Testing

@Suite struct LineParserTests {
    let parser = LineParser()

    @Test("a byte order mark opening a line is no part of it: its time, level and message are read")
    func byteOrderMark() {
        let line = parser.parse("\u{FEFF}2026-12-07 10:00:00 ERROR payment failed for order 42")
        #expect(line.message == "payment failed for order 42" && line.level == .error && line.timestamp == 1_796_637_600_000_000_000)
        #expect(line.status == .ok)
    }

    @Test func jsonLogsWithCommonKeys() {
        let line = parser.parse(#"{"ts":"2024-03-14T09:21:07.412Z","level":"warn","logger":"billing","msg":"retrying","attempt":3,"error":"timeout"}"#)
        #expect(line.layout == .json)
        #expect(line.level == .warning)
        #expect(line.source == "billing")
        #expect(line.message == "retrying\ntimeout")
        #expect(line.attributes["attempt"] == "3")
        #expect(line.timestamp == 1_710_408_067_412_000_000)
    }

    @Test("ECS logging's exception fields, flattened or nested, join the message as a trace under it")
    func ecsExceptionFieldsJoinTheMessage() {
        // ecs-logging-java writes dotted keys; ecs-logging-python nests them under `error`.
        let flattened = parser.parse(#"{"@timestamp":"2024-03-14T09:21:07.412Z","log.level":"ERROR","message":"checkout failed","error.type":"java.lang.IllegalStateException","error.message":"no session","error.stack_trace":"java.lang.IllegalStateException: no session\n\tat com.acme.Cart.pay(Cart.java:42)","service.name":"cart"}"#)
        #expect(flattened.level == .error)
        #expect(flattened.message == "checkout failed\njava.lang.IllegalStateException: no session\n\tat com.acme.Cart.pay(Cart.java:42)")
        #expect(flattened.attributes.keys.sorted() == ["service.name"])
        let nested = parser.parse(#"{"log.level":"error","message":"refund failed","error":{"type":"TimeoutError","message":"timed out","code":504}}"#)
        #expect(nested.message == "refund failed\nTimeoutError: timed out\n{\"code\":504}")
    }

    @Test("pino's numeric levels and error objects, .NET's console JSON, Serilog's compact JSON")
    func jsonOfNodeAndDotNetLoggers() {
        let pino = parser.parse(#"{"level":50,"time":1717999262123,"pid":7,"msg":"charge failed","err":{"type":"Error","message":"card declined","stack":"Error: card declined\n    at charge (/app/pay.js:12:9)"}}"#)
        #expect(pino.level == .error)
        #expect(pino.message == "charge failed\nError: card declined\n    at charge (/app/pay.js:12:9)")
        #expect(parser.parse(#"{"level":30,"time":1717999262123,"msg":"listening"}"#).level == .info)
        #expect(parser.parse(#"{"level":40,"msg":"slow"}"#).level == .warning)

        // zap: the error, then the stack of function lines, each kept.
        let zap = parser.parse(#"{"level":"error","ts":1717999262.123,"caller":"store/client.go:88","msg":"fetch failed","error":"context deadline exceeded","stacktrace":"github.com/acme/store.(*Client).Fetch\n\t/app/store/client.go:88"}"#)
        #expect(zap.message == "fetch failed\ncontext deadline exceeded\ngithub.com/acme/store.(*Client).Fetch\n\t/app/store/client.go:88")

        let console = parser.parse(#"{"Timestamp":"2024-06-10T06:01:02.123Z","EventId":0,"LogLevel":"Error","Category":"Shop.Checkout","Message":"charge failed","Exception":"System.InvalidOperationException: card declined\n   at Shop.Pay.Charge() in /src/Pay.cs:line 12"}"#)
        #expect(console.level == .error && console.source == "Shop.Checkout" && console.timestamp == 1_717_999_262_123_000_000)
        #expect(console.message == "charge failed\nSystem.InvalidOperationException: card declined\n   at Shop.Pay.Charge() in /src/Pay.cs:line 12")

        // CLEF: the template rendered from the line's properties; no `@l` means Information.
        let clef = parser.parse(#"{"@t":"2024-06-10T06:01:02.1230000Z","@mt":"Charge for {OrderId} failed after {Elapsed:0.0} ms","@l":"Error","OrderId":4411,"Elapsed":35.5}"#)
        #expect(clef.level == .error && clef.timestamp == 1_717_999_262_123_000_000)
        #expect(clef.message == "Charge for 4411 failed after 35.5 ms")
        #expect(parser.parse(#"{"@t":"2024-06-10T06:01:02Z","@mt":"Cart {Id} saved","Id":7}"#).level == .info)
    }

    @Test("MongoDB's structured log: severity `s`, component `c`, time as extended JSON")
    func mongoStructuredLog() {
        let line = parser.parse(#"{"t":{"$date":"2024-03-14T09:21:07.412+00:00"},"s":"E","c":"NETWORK","id":23,"ctx":"conn7","msg":"Error receiving request from client"}"#)
        #expect(line.level == .error && line.source == "NETWORK" && line.message == "Error receiving request from client")
        #expect(line.timestamp == 1_710_408_067_412_000_000)
        #expect(line.attributes["ctx"] == "conn7" && line.attributes["s"] == nil)
        // The error it names is part of the message: a Status object, or its text.
        let status = parser.parse(#"{"t":{"$date":"2024-03-14T09:21:07.412+00:00"},"s":"E","c":"NETWORK","id":23,"ctx":"conn7","msg":"Error receiving request from client","attr":{"error":{"code":141,"codeName":"SSLHandshakeFailed","errmsg":"SSL peer certificate validation failed"},"remote":"10.0.0.1:5000"}}"#)
        #expect(status.message == "Error receiving request from client\nSSLHandshakeFailed: SSL peer certificate validation failed")
        let text = parser.parse(#"{"t":{"$date":"2024-03-14T09:21:07.412+00:00"},"s":"I","c":"REPL","id":21235,"msg":"Failed to connect","attr":{"error":"HostUnreachable: Error connecting to db-2:27017"}}"#)
        #expect(text.message == "Failed to connect\nHostUnreachable: Error connecting to db-2:27017")
        // A key `s` that is no severity stays an attribute.
        #expect(parser.parse(#"{"msg":"size","s":"large"}"#).attributes["s"] == "large")
    }

    @Test("journalctl -o json, Google Cloud's LogEntry, Rust tracing's JSON and log4j 2's JsonLayout keep their time, level and message")
    func jsonOfPlatformsAndLoggers() {
        let journal = parser.parse(#"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1710408067123456","__MONOTONIC_TIMESTAMP":"5171","PRIORITY":"3","_SYSTEMD_UNIT":"nginx.service","SYSLOG_IDENTIFIER":"nginx","MESSAGE":"bind() to 0.0.0.0:80 failed (98: Address already in use)"}"#)
        #expect(journal.timestamp == 1_710_408_067_123_456_000 && journal.level == .error && journal.source == "nginx")
        #expect(journal.message == "bind() to 0.0.0.0:80 failed (98: Address already in use)" && journal.service == "nginx")
        // A message with terminal escapes is exported as its bytes: "\e[31mdisk full\e[0m\n".
        let colored = parser.parse(#"{"__REALTIME_TIMESTAMP":"1710408067123456","PRIORITY":"6","_SYSTEMD_UNIT":"session-3.scope","MESSAGE":[27,91,51,49,109,100,105,115,107,32,102,117,108,108,27,91,48,109,10]}"#)
        #expect(colored.message == "disk full" && colored.service == "session-3.scope" && colored.level == .info)
        #expect(parser.parse(#"{"__REALTIME_TIMESTAMP":"1710408067123456","PRIORITY":"6","_SYSTEMD_UNIT":"kubelet.service","MESSAGE":"started"}"#).source == "kubelet.service")

        let text = parser.parse(#"{"severity":"ERROR","timestamp":"2024-03-14T09:21:07.123Z","textPayload":"Cloud SQL connection failed","logName":"projects/p/logs/stderr"}"#)
        #expect(text.level == .error && text.message == "Cloud SQL connection failed" && text.timestamp == 1_710_408_067_123_000_000)
        let structured = parser.parse(#"{"severity":"WARNING","timestamp":"2024-03-14T09:21:07Z","jsonPayload":{"message":"quota nearly exhausted","quota":"cpu"}}"#)
        #expect(structured.level == .warning && structured.message == "quota nearly exhausted")

        let tracing = parser.parse(#"{"timestamp":"2024-03-14T09:21:07.123456Z","level":"ERROR","fields":{"message":"request failed","status":503},"target":"api::handler"}"#)
        #expect(tracing.level == .error && tracing.message == "request failed" && tracing.timestamp == 1_710_408_067_123_456_000)

        let log4j = parser.parse(#"{"instant":{"epochSecond":1710408067,"nanoOfSecond":123456789},"thread":"main","level":"ERROR","loggerName":"com.shop.App","message":"Startup failed","thrown":{"commonElementCount":0,"localizedMessage":"Address already in use","message":"Address already in use","name":"java.net.BindException","extendedStackTrace":[{"class":"sun.nio.ch.Net","method":"bind0","file":"Net.java","line":-2},{"class":"com.shop.App","method":"main","file":"App.java","line":21}],"cause":{"name":"java.io.IOException","message":"closed","extendedStackTrace":[]}},"endOfBatch":false}"#)
        #expect(log4j.timestamp == 1_710_408_067_123_456_789 && log4j.level == .error && log4j.source == "com.shop.App")
        #expect(log4j.message == "Startup failed\njava.net.BindException: Address already in use\n\tat sun.nio.ch.Net.bind0(Native Method)\n\tat com.shop.App.main(App.java:21)\nCaused by: java.io.IOException: closed")
        #expect(parser.parse(#"{"timeMillis":1710408067123,"level":"WARN","message":"slow"}"#).timestamp == 1_710_408_067_123_000_000)
        // Fluent Bit's record of a line read without a parser: `date` and `log` only.
        let tail = parser.parse(#"{"date":1710408067.5,"log":"E0314 09:21:07.123456       1 reflector.go:138] failed to list *v1.Pod: Unauthorized"}"#)
        #expect(tail.level == .error && tail.message == "failed to list *v1.Pod: Unauthorized" && tail.timestamp == 1_710_408_067_500_000_000)
    }

    @Test("a source's prefix is read only where a merging tool writes one")
    func lineSources() {
        let compose = LineSource.split("shop_api_1  | started")
        #expect(compose?.source.service == "shop_api" && compose?.source.labels == ["container": "shop_api_1"] && compose?.line == "started")
        #expect(LineSource.split("api-12 |")?.line == "")
        let pod = LineSource.split("[deployment/api/api-server] ready")
        #expect(pod?.source.service == "api-server" && pod?.source.labels == ["pod": "api", "container": "api-server"] && pod?.line == "ready")
        let logcli = LineSource.split(#"2024-03-14T09:21:07.5Z {job="shop/checkout", app="checkout"} GET /cart 502"#)
        #expect(logcli?.source.service == "checkout" && logcli?.time == 1_710_408_067_500_000_000 && logcli?.line == "GET /cart 502")
        #expect(logcli?.source.labels == ["job": "shop/checkout", "app": "checkout"])
        // Promtail's static scrape: the file names the program, as for a pushed stream.
        #expect(LineSource.split(#"2024-03-14T09:21:07Z {job="varlogs", filename="/var/log/nginx/error.log"} x"#)?.source.service == "nginx")
        let jsonl = LineSource.split(#"{"labels":{"namespace":"shop"},"line":"GET /cart 502","timestamp":"2024-03-14T09:21:07Z"}"#)
        #expect(jsonl?.source.service == nil && jsonl?.source.labels == ["namespace": "shop"] && jsonl?.line == "GET /cart 502")
        #expect(jsonl?.time == 1_710_408_067_000_000_000)
        let stern = LineSource.split("api-7d9f8b6c5d-x2k4q api   File \"/app/job.py\", line 9")
        #expect(stern?.source.service == "api" && stern?.source.labels == ["pod": "api-7d9f8b6c5d-x2k4q", "container": "api"])
        #expect(stern?.line == "  File \"/app/job.py\", line 9")
        let sternAll = LineSource.split("shop kube-proxy-x7k2p kube-proxy I0314 09:21:07.123456 1 proxier.go:42] synced")
        #expect(sternAll?.source.labels == ["namespace": "shop", "pod": "kube-proxy-x7k2p", "container": "kube-proxy"] && sternAll?.line.hasPrefix("I0314") == true)
        let aws = LineSource.split("2024-03-14T09:21:07.412000+00:00 ecs/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0 2024-03-14 09:21:07,412 ERROR payment failed")
        #expect(aws?.source.service == "checkout" && aws?.source.labels == ["log_stream": "ecs/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0"])
        #expect(aws?.time == 1_710_408_067_412_000_000 && aws?.line == "2024-03-14 09:21:07,412 ERROR payment failed")
        let lambda = LineSource.split("2024-03-14T09:21:07+00:00 2024/03/14/[$LATEST]0f1e2d3c START RequestId: 8f5a Version: $LATEST")
        #expect(lambda?.source.service == nil && lambda?.line == "START RequestId: 8f5a Version: $LATEST")
        for line in ["2024-03-14T09:21:07.412000+00:00 INFO started", "2024-03-14T09:21:07.412000+00:00 /api/orders took 5 ms",
                     "2024-03-14T09:21:07.412000+00:00 user=a/b logged in", "2024-03-14T09:21:07Z ecs/checkout/0f1e started",
                     "2024-03-14 | started", "2024-03-14 09:21:07 | x", "api | started", "api-1| started", "-1 | x", "[INFO] started",
                     "[pod/api] started", "[Pod/api/api] x", "[pod/a b/c] x", "a-b | x", "", "2024-03-14T09:21:07Z {not labels} x",
                     #"{"labels":"x","line":"y"}"#, #"{"msg":"x"}"#,
                     // stern's shape without a generated pod name, a kubectl table's columns, a pod with no line after it
                     "web-0 nginx GET / 200", "api-server started on port 8080", "api-7d9f8b6c5d-x2k4q   1/1   Running   0   5m",
                     "api-7d9f8b6c5d-x2k4q api", "Api-7d9f8b6c5d-x2k4q api x"] {
            #expect(LineSource.split(line) == nil, "\(line)")
        }
    }

    @Test("a W3C extended log (IIS, CloudFront, Windows Firewall): directives are no events, a line's level is its sc-status")
    func w3cExtendedLogs() {
        var memory = LineLayoutMemory()
        let iis = [
            "#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0", "#Date: 2024-03-14 09:00:01",
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken",
            "2024-03-14 09:00:01 10.0.0.5 GET /api/orders id=42 443 - 203.0.113.9 Mozilla/5.0+(Windows+NT+10.0) 200 0 0 15",
            "2024-03-14 09:00:02 10.0.0.5 POST /api/checkout - 443 - 203.0.113.9 Mozilla/5.0+(Windows+NT+10.0) 500 0 0 1203",
            "2024-03-14 09:00:03 10.0.0.5 GET /api/orders id=43 443 - 203.0.113.10 curl/8.0 404 0 2 3",
        ].map { parser.parse($0, memory: &memory) }
        #expect(iis.map(\.layout) == [.directive, .directive, .directive, .directive, .header, .header, .header])
        #expect(iis.map(\.level) == [.unknown, .unknown, .unknown, .unknown, .info, .error, .warning])
        #expect(iis[5].timestamp == 1_710_406_802_000_000_000 && iis[5].message.hasPrefix("10.0.0.5 POST /api/checkout"))
        // The same lines as a receiver reads them, with the layout learned.
        #expect(parser.timeAndLevel("2024-03-14 09:00:04 10.0.0.5 GET /slow - 443 - 203.0.113.9 curl/8.0 503 0 0 30001", memory: &memory).level == .error)
        // CloudFront separates its values, date and time too, by tabs.
        memory = LineLayoutMemory()
        _ = parser.parse("#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status", memory: &memory)
        let edge = parser.parse("2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111.cloudfront.net\t/index.html\t502", memory: &memory)
        #expect(edge.timestamp == 1_575_493_351_000_000_000 && edge.level == .error)
        // Without `#Fields:`, and after one without a status, a number is no status.
        #expect(parser.parse("2024-03-14 09:00:01 10.0.0.5 GET /x - 443 - 203.0.113.9 curl/8.0 500 0 0 15").level == .unknown)
        memory = LineLayoutMemory()
        _ = parser.parse("#Fields: date time action protocol src-ip dst-ip src-port dst-port size", memory: &memory)
        #expect(parser.parse("2024-03-14 09:00:01 DROP TCP 10.0.0.9 10.0.0.5 51514 500 52", memory: &memory).level == .unknown)
        // A comment that names no directive is text.
        #expect(parser.parse("#TODO: rotate").layout == .plain)
    }

    @Test("an access log line's level is its status class, in the common and the combined format")
    func accessLogLevels() {
        let combined = #"10.0.0.1 - - [14/Mar/2024:09:21:07 +0000] "GET /api/orders HTTP/1.1" STATUS 145 "https://shop.example/" "Mozilla/5.0 (X11)""#
        for (status, level) in [("500", Severity.error), ("503", .error), ("404", .warning), ("200", .info), ("304", .info)] {
            let line = parser.parse(combined.replacingOccurrences(of: "STATUS", with: status))
            #expect(line.layout == .nginxAccess && line.level == level, "\(status)")
        }
        #expect(parser.parse(#"10.0.0.1 - frank [14/Mar/2024:09:21:07 +0000] "POST /pay HTTP/1.1" 502 0"#).level == .error)
        #expect(parser.parse(#"10.0.0.1 - - [14/Mar/2024:09:21:07 +0000] "GET / HTTP/1.1" 200 5 "-" "-" rt=0.186"#).timestamp == 1_710_408_067_000_000_000)
        // HAProxy's HTTP log, to standard output (its date read as the header) or through syslog.
        let haproxy = #"10.0.0.1:5000 [14/Mar/2024:09:21:07.123] fe be/srv1 0/0/-1/-1/3001 STATUS 217 - - SC-- 1/1/0/0/3 0/0 "GET /api HTTP/1.1""#
        for (status, level) in [("503", Severity.error), ("404", .warning), ("200", .info)] {
            #expect(parser.parse(haproxy.replacingOccurrences(of: "STATUS", with: status)).level == level, "\(status)")
            #expect(parser.parse("Mar 14 09:21:07 lb haproxy[123]: " + haproxy.replacingOccurrences(of: "STATUS", with: status)).level == level)
        }
        #expect(LineParser.inferLevel("fe be/srv1 0/0/1/2/3 502 217 - - ---- 1/1/0/0/0 0/0") == .error)
        // Envoy's and Istio's default access log: the status after the quoted request.
        #expect(parser.parse(#"[2024-03-14T09:21:07.123Z] "GET /api/cart HTTP/1.1" 503 UF 0 91 3001 - "10.0.0.1" "curl/8.0" "5d1c" "cart:8080" "10.0.1.5:8080""#).level == .error)
        #expect(parser.parse(#"[2024-03-14T09:21:07.123Z] "POST /pay HTTP/2" 404 - 0 91 12 11 "10.0.0.1" "curl/8.0""#).level == .warning)
        // AWS's Application and Classic Load Balancers.
        #expect(parser.parse(#"https 2024-03-14T09:21:07.123456Z app/my-alb/50dc6c495c0c9188 10.0.0.1:5000 10.0.1.5:80 0.000 0.001 0.000 502 502 34 366 "GET https://shop.example.com:443/api HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2"#).level == .error)
        #expect(parser.parse(#"2024-03-14T09:21:07.123456Z my-elb 192.168.131.39:2817 - -1 -1 -1 504 0 0 0 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -"#).level == .error)
        #expect(parser.parse(#"2024-03-14T09:21:07.123456Z my-elb 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -"#).level == .info)
        // Its TCP log has no status; a line that only looks alike is read by its words.
        #expect(parser.parse("10.0.0.1:5000 [14/Mar/2024:09:21:07.123] fe be/srv1 0/0/3001 217 -- 1/1/0/0/0 0/0").level == .unknown)
        #expect(LineParser.inferLevel("copied a/b 1/2/3/4/5 files") == .unknown)
        #expect(LineParser.inferLevel(#"took 0.5 1.5 2.5 200 ms from a:1 b:2"#) == .unknown)
        // JSON access logs: ingress-nginx's `log-format-upstream`, Envoy's, Traefik's.
        #expect(parser.parse(#"{"time":"2024-03-14T09:21:07Z","remote_addr":"10.0.0.1","request":"GET / HTTP/1.1","status":502}"#).level == .error)
        #expect(parser.parse(#"{"start_time":"2024-03-14T09:21:07Z","method":"GET","path":"/x","response_code":"404"}"#).level == .warning)
        #expect(parser.parse(#"{"RequestMethod":"GET","RequestPath":"/","DownstreamStatus":200,"time":"2024-03-14T09:21:07Z"}"#).level == .info)
        // A level written wins; a status without a request is no access log.
        #expect(parser.parse(#"{"level":"info","method":"GET","status":500,"msg":"served"}"#).level == .info)
        #expect(parser.parse(#"{"msg":"job done","status":500}"#).level != .error)
    }

    @Test("epoch times in JSON are exact to the millisecond and microsecond")
    func epochTimesAreExact() {
        #expect(parser.parse(#"{"time":1717999262123,"msg":"x"}"#).timestamp == 1_717_999_262_123_000_000)
        #expect(parser.parse(#"{"ts":1717999262.123456,"msg":"x"}"#).timestamp == 1_717_999_262_123_456_000)
    }

    @Test func logfmtLines() {
        let line = parser.parse(#"ts=2024-05-02T12:17:22.115Z caller=http.go:194 level=error msg="POST /ingest failed" err="connection reset""#)
        #expect(line.layout == .logfmt)
        #expect(line.level == .error)
        #expect(line.message == "POST /ingest failed: connection reset")
        #expect(line.attributes["caller"] == "http.go:194")
    }

    @Test("journalctl's precise times; a klog line in the journal gives its level, source and message")
    func journalLines() {
        let line = LineParser(timestamps: TimestampScanner(reference: 1_796_385_600_000_000_000))
            .parse(#"Dec 03 10:15:30.123456 node-1 kubelet[811]: E1203 10:15:30.123400     811 pod_workers.go:1298] "Error syncing pod""#)
        #expect(line.layout == .syslog3164 && line.attributes["host"] == "node-1" && line.attributes["pid"] == "811")
        #expect(line.timestamp == 1_796_292_930_123_456_000)
        #expect(line.level == .error && line.source == "pod_workers.go:1298" && line.message == #""Error syncing pod""#)
    }

    @Test func klogLines() {
        let line = parser.parse("E0508 15:23:56.403123    1234 kubelet.go:2412] \"Error syncing pod\" pod=\"default/web-0\"")
        #expect(line.layout == .klog)
        #expect(line.level == .error)
        #expect(line.source == "kubelet.go:2412")
        #expect(line.attributes["pod"] == "default/web-0")
    }

    @Test func syslogBothRFCs() {
        let modern = parser.parse("<165>1 2003-10-11T22:14:15.003Z mymachine evntslog - ID47 [exampleSDID@32473 iut=\"3\"] An application event")
        #expect(modern.layout == .syslog5424)
        #expect(modern.level == .notice)
        #expect(modern.source == "evntslog")
        #expect(modern.message == "An application event")
        let classic = parser.parse("<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8")
        #expect(classic.layout == .syslog3164)
        #expect(classic.level == .critical)
        #expect(classic.source == "su")
        #expect(classic.message == "'su root' failed for lonvick on /dev/pts/8")
    }

    @Test func containerEnvelopes() {
        let cri = parser.parse("2024-05-08T15:23:56.403123456Z stderr F {\"level\":\"error\",\"msg\":\"boom\"}")
        #expect(cri.layout == .json && cri.message == "boom" && cri.level == .error && cri.attributes["stream"] == "stderr")
        let docker = parser.parse(#"{"log":"2024-03-14 09:21:07,412 ERROR [main] c.a.App - started badly\n","stream":"stdout","time":"2024-03-14T09:21:07.5Z"}"#)
        #expect(docker.level == .error)
        #expect(docker.source == "c.a.App")
        #expect(docker.message == "started badly")
    }

    @Test("Fluent Bit's record of a container line, with its Kubernetes metadata, is read as the line it wraps")
    func fluentBitContainerRecords() {
        let line = parser.parse(#"{"date":1717999262.5,"log":"2024-06-10 06:01:02.123 ERROR 1 --- [main] c.a.Shop : payment failed\n","stream":"stderr","time":"2024-06-10T06:01:02.5Z","kubernetes":{"pod_name":"shop-1","namespace_name":"prod"}}"#)
        #expect(line.layout == .header && line.level == .error && line.message == "payment failed")
        #expect(line.timestamp == 1_717_999_262_500_000_000 && line.lineTimestamp == 1_717_999_262_123_000_000)
        #expect(line.attributes["stream"] == "stderr")
    }

    @Test("an envelope's time is the event's; the time written in the line is kept beside it")
    func envelopeTimeAndLineTime() {
        let cri = parser.parse("2024-05-08T15:23:56.403123456Z stdout F 2024-05-08 15:23:50,100 WARN [main] c.a.Pool - slow")
        #expect(cri.timestamp == 1_715_181_836_403_123_456)
        #expect(cri.lineTimestamp == 1_715_181_830_100_000_000)
        #expect(cri.level == .warning && cri.message == "slow")
        let docker = parser.parse(#"{"log":"2024-03-14 09:21:07,412 ERROR [main] c.a.App - started badly\n","stream":"stdout","time":"2024-03-14T09:21:07.5Z"}"#)
        #expect(docker.timestamp == 1_710_408_067_500_000_000)
        #expect(docker.lineTimestamp == 1_710_408_067_412_000_000)
        let bare = parser.parse("2024-05-08T15:23:56.403123456Z stdout F connection reset")
        #expect(bare.timestamp == 1_715_181_836_403_123_456 && bare.lineTimestamp == nil)
    }

    @Test("a time alone before a JSON or logfmt line (docker logs -t, kubectl logs --timestamps) is an envelope: the line's fields are read")
    func timestampedStructuredLines() {
        let json = parser.parse(#"2024-05-08T15:23:56.403123456Z {"level":"error","msg":"db down","time":"2024-05-08T15:23:50Z","service":"orders"}"#)
        #expect(json.layout == .header && json.level == .error && json.message == "db down" && json.service == "orders")
        #expect(json.timestamp == 1_715_181_836_403_123_456 && json.lineTimestamp == 1_715_181_830_000_000_000)
        let logfmt = parser.parse(#"2024-05-08T15:23:56.403123456Z level=warn msg="retrying" err="dial tcp: connection refused""#)
        #expect(logfmt.level == .warning && logfmt.message == "retrying: dial tcp: connection refused")
        // Words with an `=` among them, a brace that opens no object, a line with a level of its own: read as before.
        #expect(parser.parse("2024-05-08 15:23:56 user=bob logged in").message == "user=bob logged in")
        #expect(parser.parse("2024-05-08 15:23:56 {not json").message == "{not json")
        let leveled = parser.parse(#"2024-05-08 15:23:56 INFO {"cart": 3}"#)
        #expect(leveled.level == .info && leveled.message == #"{"cart": 3}"#)
    }

    @Test("a stream's layout is learned: its lines read as without memory, continuations keep it, other layouts are detected")
    func layoutMemoryPerStream() {
        let lines = [
            "[2024-05-07 10:55:45,526] INFO [Controller id=0] Processed 3 partitions (kafka.controller.KafkaController)",
            "[2024-05-07 10:55:46,001] WARN [Log partition=t-0] Found deletable segments at 2024-05-07 10:00:00 (kafka.log.Log)",
            "java.io.IOException: Broken pipe",
            "\tat kafka.network.Processor.run(SocketServer.scala:123)",
            "[2024-05-07 10:55:47,250] ERROR [ReplicaFetcher] Error for partition t-1 (kafka.server.ReplicaFetcherThread)",
            #"{"ts":"2024-05-07T10:55:48Z","level":"info","msg":"rolled"}"#,
            "[2024-05-07 10:55:49,000] DEBUG back to text",
        ]
        var memory = LineLayoutMemory()
        var learned: [LineLayoutMemory] = []
        for line in lines {
            #expect(parser.parse(line, memory: &memory) == parser.parse(line), "\(line)")
            learned.append(memory)
        }
        #expect(learned[0] != LineLayoutMemory())
        #expect(learned[1] == learned[0] && learned[2] == learned[0] && learned[3] == learned[0] && learned[4] == learned[0])
        #expect(learned[5] != learned[0])  // JSON is detected, and learned
        #expect(learned[6] == learned[0])
        var receiver = LineLayoutMemory()
        for line in lines {
            let parsed = parser.parse(line)
            let found = parser.timeAndLevel(line, memory: &receiver)
            #expect(found.timestamp == (parsed.lineTimestamp ?? parsed.timestamp) && found.level == parsed.level, "\(line)")
        }
        let level = parser.parse(lines[4], memory: &memory)
        #expect(level.level == .error && level.message == "[ReplicaFetcher] Error for partition t-1 (kafka.server.ReplicaFetcherThread)")
    }

    @Test("plain shapes", arguments: [
        ("2024-03-14 09:21:07,412 ERROR [http-nio-8080-exec-7] o.a.c.Servlet - request failed", Severity.error, "request failed"),
        ("ERROR:root:cannot open file", .error, "cannot open file"),
        ("2024/03/14 09:21:07 [error] 1234#0: *5 connect() failed (111: Connection refused)", .error, "connect() failed (111: Connection refused)"),
        ("2024-03-14 09:21:07.412 UTC [1234] ERROR:  relation \"users\" does not exist", .error, "relation \"users\" does not exist"),
        ("something went wrong: Exception in thread main", .error, "something went wrong: Exception in thread main"),
        ("INFO:     10.0.0.7:51234 - \"GET /health HTTP/1.1\" 200 OK", .info, "10.0.0.7:51234 - \"GET /health HTTP/1.1\" 200 OK"),
        ("WARNING: 2024-03-14 09:21:07 disk almost full", .warning, "disk almost full"),
        ("[ERROR] plugin/errors: 2 shop.example. A: read udp 10.0.0.9:41234->10.0.0.2:53: i/o timeout", .error,
         "plugin/errors: 2 shop.example. A: read udp 10.0.0.9:41234->10.0.0.2:53: i/o timeout"),
    ])
    func plainShapes(raw: String, level: Severity, message: String) {
        let line = parser.parse(raw)
        #expect(line.level == level)
        #expect(line.message.trimmingPrefixSpaces() == message)
    }

    @Test("hostile input never crashes and is marked", arguments: [
        String(repeating: "[", count: 100_000),
        "{\"a\":" + String(repeating: "[", count: 5_000),
        String(decoding: [0x66, 0x00, 0xFF, 0xFE, 0x01, 0x6F], as: UTF8.self),
        "{\"truncated\": \"no end",
        String(repeating: "x", count: 1_000_000),
    ])
    func hostileInput(raw: String) {
        let line = parser.parse(raw)
        #expect(line.message.utf8.count <= parser.maxLineBytes)
    }

    @Test func statusesNameTheProblem() {
        #expect(parser.parse(String(repeating: "x", count: 300_000)).status == .truncated)
        #expect(parser.parse("{\"a\": [1, 2").status == .malformedJSON)
        #expect(parser.parse("bad \u{0}byte").status == .binary)
        #expect(parser.parse(String(decoding: [0x61, 0xFF], as: UTF8.self)).status == .invalidUTF8)
    }
}

private extension String {
    func trimmingPrefixSpaces() -> String { String(drop { $0 == " " }) }
}

@Suite struct TimestampParserTests {
    @Test("times are read to the nanosecond, with offsets")
    func isoTimes() {
        #expect(TimestampParser.parseISO("2024-03-14T09:21:07.412Z") == 1_710_408_067_412_000_000)
        #expect(TimestampParser.parseISO("2024-03-14 11:21:07,412+02:00") == 1_710_408_067_412_000_000)
        #expect(TimestampParser.parseISO("2024/03/14 09:21:07") == 1_710_408_067_000_000_000)
    }

    @Test("out-of-range digits are no timestamp, never an overflow", arguments: [
        "9999-12-31T23:59:59Z", "5092-04-31 99:99:99", "0000-00-00", "2024-13-01", "1234-56-78T90:12:34",
    ])
    func outOfRange(text: String) {
        #expect(TimestampParser.parseISO(text) == nil || text.hasPrefix("2"))
        _ = LineParser().parse(text + " ERROR boom")
    }

    @Test func epochAndSyslogBounds() {
        #expect(TimestampParser.parseEpoch(1.7e300) == nil)
        #expect(TimestampParser.parseEpoch(1_710_408_067.5) == 1_710_408_067_500_000_000)
        let scanner = TimestampScanner(reference: 1_710_460_800_000_000_000)  // 2024-03-15
        #expect(scanner.timestamp(in: "Mar 99 09:21:07") == nil)
        #expect(scanner.timestamp(in: "Mar 14 09:21:07") == 1_710_408_067_000_000_000)
    }
}

@Suite struct ReceivedLinesTests {
    @Test("a received line gets its level where no label gave one, and its own time beside the collector's")
    func levelsAndLineTimes() {
        var lines = ReceivedLines(zoneOffset: 3_600)
        // 2027-01-01T00:30:00Z: the collector's time places a year-less December date in 2026.
        let collector: Int64 = 1_798_763_400_000_000_000
        let syslog = lines.read(LogEvent(timestamp: collector, service: "ssh", body: "Dec 31 23:59:59 host sshd[42]: Accepted publickey for ops"))
        #expect(syslog.lineTimestamp.map(RFC3339.string) == "2026-12-31T22:59:59Z")
        let labelled = lines.read(LogEvent(timestamp: collector, service: "api", level: .debug, body: "2027-01-01 01:30:00 ERROR boom"))
        #expect(labelled.level == .debug && labelled.lineTimestamp == nil)  // 01:30 at +01:00 is the collector's time
        let json = lines.read(LogEvent(timestamp: collector, service: "api", body: #"{"msg":"payment failed","level":"error"}"#))
        #expect(json.level == .error && json.lineTimestamp == nil)
        let plain = lines.read(LogEvent(timestamp: collector, service: "api", body: "nothing to read"))
        #expect(plain.level == .unknown && plain.lineTimestamp == nil)
    }
}
