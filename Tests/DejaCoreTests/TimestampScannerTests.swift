import DejaCore
import Testing

/// The timestamp grammar and header rules on lines written the way common programs write them
/// (fixtures of our own, one per notation), with a fixed receive time.
@Suite struct TimestampScannerTests {
    /// 2026-12-04T12:00:00Z.
    static let reference: Int64 = 1_796_385_600_000_000_000
    let parser: LineParser = {
        var parser = LineParser()
        parser.timestamps = TimestampScanner(reference: TimestampScannerTests.reference)
        return parser
    }()

    @Test("timestamps in every common notation", arguments: [
        ("2026-11-20T08:15:30.123456789Z payment accepted", "2026-11-20T08:15:30.123456789Z"),
        ("2026-11-20 08:15:30,517 INFO [main] c.a.App: started", "2026-11-20T08:15:30.517Z"),
        ("2026-11-20 10:15:30.5+02:00 WARN slow", "2026-11-20T08:15:30.5Z"),
        ("2026/11/20 08:15:30 [error] 17#17: upstream timed out", "2026-11-20T08:15:30Z"),
        ("2026.11.20 08.15.30 job done", "2026-11-20T08:15:30Z"),
        ("26/11/20 08:15:30 INFO spark.Executor: task 3 finished", "2026-11-20T08:15:30Z"),
        ("261120 081530 42 INFO dfs.Block: replicated", "2026-11-20T08:15:30Z"),
        ("20261120-08:15:30:250|Pedometer|4211|step counted", "2026-11-20T08:15:30.25Z"),
        ("11-20 08:15:30.001  311  402 W Camera: focus lost", "2026-11-20T08:15:30.001Z"),
        ("[11.20 08:15:30] proxy.exe - close, 512 bytes sent", "2026-11-20T08:15:30Z"),
        ("Nov 20 08:15:30 gateway sshd[811]: session opened", "2026-11-20T08:15:30Z"),
        ("Nov  2 08:15:30 gateway cron[9]: job started", "2026-11-02T08:15:30Z"),
        ("[Fri Nov 20 08:15:30 2026] [warn] cache full", "2026-11-20T08:15:30Z"),
        ("10.0.0.1 - - [20/Nov/2026:10:15:30 +0200] \"GET / HTTP/1.1\" 200 512", "2026-11-20T08:15:30Z"),
        ("- 1795162530 2026.11.20 node-7 2026-11-20-08.15.30.000001 node-7 KERNEL FATAL machine check", "2026-11-20T08:15:30Z"),
        ("1795162530123 cache evicted 12 keys", "2026-11-20T08:15:30.123Z"),
        ("2026-11-20 08:15:30 UTC [4242] LOG:  checkpoint complete", "2026-11-20T08:15:30Z"),
        ("20-Nov-2026 08:15:30.250 SEVERE [main] org.apache.catalina.startup.Catalina.start failed", "2026-11-20T08:15:30.25Z"),
        ("7:M 20 Nov 2026 08:15:30.001 * Ready to accept connections tcp", "2026-11-20T08:15:30.001Z"),
        ("Fri, 20 Nov 2026 08:15:30 GMT request served", "2026-11-20T08:15:30Z"),
        ("Nov 20, 2026 8:15:30 PM org.apache.Foo run", "2026-11-20T20:15:30Z"),
        ("Nov 20, 2026 12:15:30 AM org.apache.Foo run", "2026-11-20T00:15:30Z"),
        ("Nov 20, 2026 @ 08:15:30.250 web-01 api connection refused", "2026-11-20T08:15:30.25Z"),  // Kibana's
        // A time of day alone (logback's default): the reference's day, or the day before when
        // that would put it more than an hour after the reference (12:00Z).
        ("08:15:30.123 [main] ERROR c.a.App - failed", "2026-12-04T08:15:30.123Z"),
        ("[12:59:00] job done", "2026-12-04T12:59:00Z"),
        ("13:00:01 [main] INFO c.a.App - later than the reference by more than an hour", "2026-12-03T13:00:01Z"),
    ])
    func notations(line: String, expected: String) throws {
        let parsed = parser.parse(line)
        #expect(parsed.timestamp.map(RFC3339.string) == expected, "\(line) → \(parsed.layout) \(parsed.timestampShape ?? "-")")
    }

    @Test("levels and messages after the header", arguments: [
        ("2026-11-20 08:15:30,517 INFO [main] com.shop.App: started in 2.1 s", Severity.info, "started in 2.1 s"),
        ("2026-11-20 08:15:30,517 - WARN  [worker-3:Pool@88] - queue is 90% full", .warning, "queue is 90% full"),
        ("11-20 08:15:30.001  311  402 E Camera: focus lost", .error, "focus lost"),
        ("2026-11-20 08:15:30, Information     Setup    Installed update 42", .info, "Installed update 42"),
        ("[Fri Nov 20 08:15:30 2026] [crit] [client 10.0.0.1] script not found", .critical, "[client 10.0.0.1] script not found"),
        ("2026-11-20 08:15:30.120 SEVERE org.app.Db: pool exhausted", .error, "pool exhausted"),
        ("2026-11-20 08:15:30 FINE org.app.Cache - warmed 120 entries", .debug, "warmed 120 entries"),
        ("Nov 20 08:15:30 gateway kernel: eth0 link down", .unknown, "eth0 link down"),
        ("2026-11-20 08:15:30 Server started, a failure count of 0", .unknown, "Server started, a failure count of 0"),
        ("20261120-08:15:30:250|Pedometer|4211|step counted 42", .unknown, "step counted 42"),
        ("2026-11-20 08:15:30.120|WARN|billing|invoice 7 late", .warning, "invoice 7 late"),
        ("[11.20 08:15:30] proxy.exe - relay.example.org:443 open through proxy", .unknown, "relay.example.org:443 open through proxy"),
        ("2026-11-20 08:15:30.008 2931 INFO shop.api.server [req-7f3a user-2] 10.0.0.9 \"GET /cart\" status: 200", .info,
         "10.0.0.9 \"GET /cart\" status: 200"),
        // Defaults of common servers and libraries.
        ("2026-11-20T08:15:30.123Z ERROR 4242 --- [main] o.s.b.SpringApplication : Application run failed", .error,
         "Application run failed"),
        ("2026-11-20 08:15:30.123  WARN 4242 --- [           main] o.s.b.w.e.t.TomcatWebServer              : Port in use", .warning,
         "Port in use"),
        ("2026-11-20T08:15:30.123Z  INFO 4242 --- [shop] [           main] c.a.Shop                                 : Started", .info,
         "Started"),
        ("E, [2026-11-20T08:15:30.123456 #4242] ERROR -- : PG::ConnectionBad: could not connect", .error, "PG::ConnectionBad: could not connect"),
        ("I, [2026-11-20T08:15:30.123456 #4242]  INFO -- sidekiq: Booting", .info, "Booting"),
        ("20-Nov-2026 08:15:30.250 SEVERE [main] org.apache.catalina.startup.Catalina.start Server startup failed", .error,
         "Server startup failed"),
        ("7:M 20 Nov 2026 08:15:30.001 # Redis is starting", .warning, "Redis is starting"),
        ("7:M 20 Nov 2026 08:15:30.001 * Ready to accept connections tcp", .notice, "Ready to accept connections tcp"),
        ("ERROR [main] 2026-11-20 08:15:30,123 CassandraDaemon.java:774 - Exception encountered during startup", .error,
         "Exception encountered during startup"),
        ("[WARN ] 2026-11-20 08:15:30.123 [main] Sink - batch dropped", .warning, "batch dropped"),
        ("2026-11-20 08:15:30 +0000 [warn]: #0 buffer flush took longer time than slow_flush_log_threshold", .warning,
         "#0 buffer flush took longer time than slow_flush_log_threshold"),
        ("2026-11-20 08:15:30.123 UTC [4242] LOG:  checkpoint starting: time", .info, "checkpoint starting: time"),
        ("2026-11-20 08:15:30 UTC:10.0.0.9(5432):app@shop:[4242]:ERROR:  deadlock detected", .error, "deadlock detected"),
        ("08:15:30.123 [main] ERROR c.a.App - only a time of day", .error, "only a time of day"),
        ("2026-11-20T08:15:30.123Z\tERROR\tcontroller.cart\tcart/reconcile.go:88\tReconciler error\t{\"error\": \"conflict\"}", .error,
         "Reconciler error\t{\"error\": \"conflict\"}"),
        ("2026-11-20 08:15:30 [error    ] payment failed           order_id=42", .error, "payment failed           order_id=42"),
        ("[2026-11-20 08:15:30,123: ERROR/MainProcess] Task shop.charge[4f1c] raised unexpected: ValueError()", .error,
         "Task shop.charge[4f1c] raised unexpected: ValueError()"),
        ("[2026-11-20, 08:15:30 UTC] {taskinstance.py:1937} ERROR - Task failed with exception", .error, "Task failed with exception"),
        ("[2026-11-20T08:15:30Z ERROR media_resizer::params] width parameter rejected", .error, "width parameter rejected"),
        ("\u{1B}[2m2026-11-20T08:15:30.123456Z\u{1B}[0m \u{1B}[31mERROR\u{1B}[0m \u{1B}[2mshop::cart\u{1B}[0m\u{1B}[2m:\u{1B}[0m cart expired",
         .error, "cart expired"),
        ("[2026-11-20T08:15:30,123][INFO ][o.e.n.Node               ] [es-0] started", .info, "[o.e.n.Node               ] [es-0] started"),
        ("[Fri Nov 20 08:15:30.123456 2026] [mpm_event:notice] [pid 7:tid 9] AH00489: Apache/2.4.62 configured", .notice,
         "[pid 7:tid 9] AH00489: Apache/2.4.62 configured"),
        ("2026/11/20 08:15:30 [error] 29#29: *7667 upstream timed out (110: Connection timed out) while reading response header", .error,
         "upstream timed out (110: Connection timed out) while reading response header"),
        ("2026/11/20 08:15:30 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)", .fatal,
         "bind() to 0.0.0.0:80 failed (98: Address already in use)"),
    ])
    func headers(line: String, level: Severity, message: String) {
        let parsed = parser.parse(line)
        #expect(parsed.level == level, "\(line)")
        #expect(parsed.message == message, "\(line)")
    }

    @Test func yearLessDatesFallInTheLatestYearNotInTheFuture() throws {
        var scanner = TimestampScanner(reference: Self.reference)
        func read(_ text: String) -> String? {
            var text = text
            return text.withUTF8 { scanner.scan($0) }.map { RFC3339.string($0.found.nanoseconds) }
        }
        #expect(read("Mar 17 16:13:38 host app: x") == "2026-03-17T16:13:38Z")
        #expect(read("Dec  5 11:00:00 host app: x") == "2026-12-05T11:00:00Z")  // a day ahead: skew, not last year
        // 2027-01-01T00:30:00Z: a December line is last year's.
        scanner.reference = 1_798_763_400_000_000_000
        #expect(read("Dec 31 23:59:59 host app: x") == "2026-12-31T23:59:59Z")
        // A zone-less time is read in the zone the user sets.
        scanner.zoneOffset = 3_600
        #expect(read("2026-11-20 09:15:30 x") == "2026-11-20T08:15:30Z")
        #expect(read("2026-11-20 09:15:30Z x") == "2026-11-20T09:15:30Z")
    }

    @Test("syslog and klog dates, which carry no year, are placed by the same rule")
    func syslogAndKlogYears() {
        // 2027-01-01T00:30:00Z: December lines are last year's, January's this year's.
        let parser = LineParser(timestamps: TimestampScanner(reference: 1_798_763_400_000_000_000))
        let syslog = parser.parse("Dec 31 23:59:59 host sshd[42]: Accepted publickey for ops")
        #expect(syslog.layout == .syslog3164 && syslog.timestamp.map(RFC3339.string) == "2026-12-31T23:59:59Z")
        let klog = parser.parse("I1231 23:59:58.250000    1234 kubelet.go:2412] \"Syncing pod\"")
        #expect(klog.layout == .klog && klog.timestamp.map(RFC3339.string) == "2026-12-31T23:59:58.25Z")
        let january = parser.parse("W0101 00:10:00.000000    1234 kubelet.go:2412] \"Slow\"")
        #expect(january.timestamp.map(RFC3339.string) == "2027-01-01T00:10:00Z")
    }

    @Test("zones a user names: UTC or a fixed offset; a named zone with daylight saving is refused", arguments: [
        ("UTC", Int64?.some(0)), ("Z", 0), ("+02:00", 7_200), ("-0700", -25_200), ("+05", 18_000), ("+05:30", 19_800),
        ("Europe/Berlin", nil), ("+2:00", nil), ("+15:00", nil), ("+02:60", nil), ("0200", nil), ("", nil), ("+0２00", nil),
    ])
    func zoneOffsets(text: String, seconds: Int64?) {
        #expect(ZoneOffset.seconds(text) == seconds)
    }

    @Test func timesOutsideTheStoredRangeAreNotTimestamps() {
        for line in ["1969-12-31 23:59:59 before the epoch", "2200-01-01 00:00:00 too late", "2026-13-01 00:00:00 no month",
                     "2026-11-31 25:00:00 no hour", "0946684799 just before 2000", "9999999999 far future"] {
            #expect(parser.parse(line).timestamp == nil, "\(line)")
        }
    }

    @Test("generated input never crashes, hangs, or yields a time outside 1970-2200")
    func generatedInput() {
        var random = SeededGenerator(seed: 26)
        let pieces = ["2026", "-", "/", ".", ":", ",", " ", "T", "Z", "+", "11", "20", "08", "15", "30", "123456789", "Nov", "Fri", "[",
                      "]", "1795162530", "261120", "081530", "INFO", "E", "UTC", "99", "00", "9", "\t"]
        let scanner = TimestampScanner(reference: Self.reference)
        for _ in 0..<50_000 {
            var line = ""
            for _ in 0..<Int.random(in: 1...16, using: &random) { line += pieces.randomElement(using: &random)! }
            if let found = line.withUTF8Copy({ scanner.scan($0) }) {
                #expect(found.found.nanoseconds >= EventTime.earliest && found.found.nanoseconds < EventTime.latest, "\(line)")
                #expect(found.headerEnd <= line.utf8.count)
            }
        }
    }
}

extension String {
    fileprivate func withUTF8Copy<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var copy = self
        return copy.withUTF8(body)
    }
}
