@testable import DejaCore
import Testing

@Suite struct MultiLineAssemblerTests {
    private func assemble(_ text: String, maxLines: Int = 500) -> [AssembledEvent] {
        var assembler = MultiLineAssembler()
        assembler.maxLines = maxLines
        var events: [AssembledEvent] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            events += assembler.add(String(line), number: index + 1)
        }
        return events + assembler.flush()
    }

    @Test func javaTraceIsOneEvent() {
        let events = assemble("""
        2024-03-14 09:21:07,412 INFO [main] c.a.App - starting
        2024-03-14 09:21:08,001 ERROR [main] c.a.App - request failed
        java.lang.IllegalStateException: no session
        \tat com.acme.App.run(App.java:10)
        Caused by: java.io.IOException: closed
        \tat com.acme.Io.read(Io.java:5)
        \t... 3 more
        2024-03-14 09:21:09,000 INFO [main] c.a.App - recovered
        """)
        #expect(events.map(\.firstLine) == [1, 2, 8])
        #expect(events[1].lastLine == 7)
        #expect(events[1].header.level == .error)
        #expect(events[1].body.hasPrefix("request failed\njava.lang.IllegalStateException: no session\n\tat com.acme.App.run"))
    }

    @Test("blank lines and a W3C log's directives are no events; in a Python traceback a blank line is part of it")
    func blankLinesAndDirectivesAreNoEvents() {
        let events = assemble("""

        2024-03-14 09:21:07,412 INFO [main] c.a.App - starting
           \t
        #Fields: date time cs-method cs-uri-stem sc-status
        2024-03-14 09:21:08 GET /api/orders 503
        Traceback (most recent call last):
          File "/app/job.py", line 9, in run

        KeyError: 'sku'

        """)
        // The traceback follows the line that logged it, as `logger.exception` writes it.
        #expect(events.map(\.body) == ["starting", "GET /api/orders 503\nTraceback (most recent call last):\n  File \"/app/job.py\", line 9, in run\n\nKeyError: 'sku'"])
        #expect(events.map(\.firstLine) == [2, 5] && events.map(\.lastLine) == [2, 10] && events[1].header.level == .error)
    }


    @Test("journalctl's markers are no events; a line that only starts like one is")
    func journalctlMarkersAreNoEvents() {
        let events = assemble("""
        -- Journal begins at Thu 2024-03-14 09:00:00 UTC, ends at Thu 2024-03-14 10:00:00 UTC. --
        Mar 14 09:21:07 web01 nginx[1234]: bind() to 0.0.0.0:80 failed (98: Address already in use)
        -- Boot 1b2c3d4e5f6a4b7c8d9e0f1a2b3c4d5e --
        -- Reboot --
        Mar 14 09:30:00 web01 systemd[1]: Started nginx.service.
        -- migration 42 applied --
        -- No entries --
        """)
        #expect(events.map(\.body) == ["bind() to 0.0.0.0:80 failed (98: Address already in use)", "Started nginx.service.", "-- migration 42 applied --"])
    }
    @Test("java.util.logging's two-line records: the second line gives the first its level and message")
    func javaUtilLoggingRecords() {
        let events = assemble("""
        Dec 07, 2026 9:15:30 AM org.apache.catalina.core.StandardWrapperValve invoke
        SEVERE: Servlet.service() for servlet [dispatcher] threw exception
        java.lang.NullPointerException: boom
        \tat com.acme.Foo.bar(Foo.java:12)
        Dec 07, 2026 9:15:31 PM org.apache.catalina.startup.Catalina start
        INFO: Server startup in 1234 ms
        """)
        #expect(events.map(\.firstLine) == [1, 5])
        #expect(events.map(\.lastLine) == [4, 6])
        #expect(events[0].header.level == .error && events[0].header.source == "org.apache.catalina.core.StandardWrapperValve invoke")
        #expect(events[0].body == "Servlet.service() for servlet [dispatcher] threw exception\njava.lang.NullPointerException: boom\n\tat com.acme.Foo.bar(Foo.java:12)")
        #expect(events[0].header.timestamp.map(RFC3339.string) == "2026-12-07T09:15:30Z")
        #expect(events[1].header.level == .info && events[1].body == "Server startup in 1234 ms")
        #expect(events[1].header.timestamp.map(RFC3339.string) == "2026-12-07T21:15:31Z")
    }

    @Test("PostgreSQL's DETAIL, HINT and STATEMENT lines belong to the message above them")
    func postgresDetailLines() {
        let events = assemble("""
        2026-12-07 10:15:30.123 UTC [4242] ERROR:  duplicate key value violates unique constraint "users_pkey"
        2026-12-07 10:15:30.123 UTC [4242] DETAIL:  Key (id)=(7) already exists.
        2026-12-07 10:15:30.123 UTC [4242] STATEMENT:  INSERT INTO error_log (id) VALUES (7)
        2026-12-07 10:15:31.000 UTC [4243] LOG:  checkpoint starting: time
        """)
        #expect(events.map(\.firstLine) == [1, 4])
        #expect(events[0].header.level == .error)
        #expect(events[0].body == """
        duplicate key value violates unique constraint "users_pkey"
        DETAIL: Key (id)=(7) already exists.
        STATEMENT: INSERT INTO error_log (id) VALUES (7)
        """)
        #expect(events[1].header.level == .info && events[1].body == "checkpoint starting: time")
    }

    @Test(".NET's console format: the category line, then the message and exception indented under it")
    func dotnetConsoleRecords() {
        let events = assemble("""
        fail: Microsoft.AspNetCore.Server.Kestrel[13]
              Connection id "0HM7": An unhandled exception was thrown by the application.
              System.InvalidOperationException: boom
                 at Shop.Pay.Charge() in /src/Pay.cs:line 12
        info: Microsoft.Hosting.Lifetime[14]
              Now listening on: http://[::]:8080
        warn: Shop.Cart[0] cart 7 expired
        """)
        #expect(events.map(\.firstLine) == [1, 5, 7])
        #expect(events[0].header.level == .error && events[0].header.source == "Microsoft.AspNetCore.Server.Kestrel")
        #expect(events[0].body == """
        Connection id "0HM7": An unhandled exception was thrown by the application.
              System.InvalidOperationException: boom
                 at Shop.Pay.Charge() in /src/Pay.cs:line 12
        """)
        #expect(events[1].header.level == .info && events[1].body == "Now listening on: http://[::]:8080")
        #expect(events[2].header.level == .warning && events[2].body == "cart 7 expired")
    }

    @Test func pythonTracebackWithChainingIsOneEvent() {
        let events = assemble("""
        2024-03-14 09:21:07,412 ERROR worker crashed
        Traceback (most recent call last):
          File "/srv/app/orders.py", line 88, in load
            row = cache[key]
        KeyError: 'order-4411'

        During handling of the above exception, another exception occurred:

        Traceback (most recent call last):
          File "/srv/app/api.py", line 12, in handler
        LookupError: order-4411
        2024-03-14 09:21:08,000 INFO next
        """)
        #expect(events.count == 2)
        #expect(events[0].lastLine == 11)
        #expect(events[0].body.contains("LookupError: order-4411"))
    }

    @Test func goPanicIsOneEvent() {
        let events = assemble("""
        panic: runtime error: invalid memory address or nil pointer dereference
        [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2f1c]

        goroutine 17 [running]:
        main.(*Server).handle(0xc000010000, 0x1)
        \t/app/server.go:42 +0x1d
        2024-03-14T09:21:08Z INFO restarted
        """)
        #expect(events.count == 2)
        #expect(events[0].lastLine == 6)
    }

    @Test func goStackOfFunctionNamesIsOneEvent() {
        let events = assemble("""
        2024-03-14T09:21:07Z ERROR fetch failed: context deadline exceeded
        github.com/acme/store.(*Client).Fetch
        \t/app/store/client.go:88
        main.main
        \t/app/main.go:20
        2024-03-14T09:21:08Z INFO retrying
        """)
        #expect(events.map(\.firstLine) == [1, 6])
        #expect(events[0].lastLine == 5)
    }

    @Test func elixirCrashIsOneEvent() {
        let events = assemble("""
        12:00:00.000 [error] GenServer Shop.Worker terminating
        ** (ArithmeticError) bad argument in arithmetic expression
            (shop 0.1.0) lib/shop/cart.ex:12: Shop.Cart.total/1
            (stdlib 5.2) gen_server.erl:1113: :gen_server.try_handle_call/4
        Last message (from #PID<0.412.0>): {:total, 1}
        12:00:01.000 [info] Shop.Worker restarted
        """)
        #expect(events.map(\.firstLine) == [1, 6])
        #expect(events[0].lastLine == 5)
    }

    @Test func rustPanicIsOneEvent() {
        let events = assemble("""
        2024-03-14T09:21:07Z INFO accepted connection
        thread 'main' (31882) panicked at src/main.rs:2:51:
        called `Option::unwrap()` on a `None` value
        stack backtrace:
           0: __rustc::rust_begin_unwind
                     at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:689:5
           1: billing::main
        note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.
        2024-03-14T09:21:08Z INFO restarted
        """)
        #expect(events.map(\.firstLine) == [1, 2, 9])
        #expect(events[1].lastLine == 8)
        #expect(StackTraceReducer.reduce(events[1].body) == "panicked:\ncalled `Option::unwrap()` on a `None` value\n  at billing::main")
    }

    @Test func phpUncaughtExceptionIsOneEvent() {
        let events = assemble("""
        [03-Jun-2024 11:02:17 UTC] PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/src/Db.php:31
        Stack trace:
        #0 /var/www/html/src/Db.php(31): PDO->__construct('mysql:host=db;d...', 'shop', Object(SensitiveParameterValue))
        #1 {main}
          thrown in /var/www/html/src/Db.php on line 31
        [03-Jun-2024 11:02:18 UTC] PHP Warning:  Undefined variable $cart in /var/www/html/cart.php on line 12
        """)
        #expect(events.map(\.firstLine) == [1, 6])
        #expect(events[0].lastLine == 5)
        #expect(StackTraceReducer.reduce(events[0].body) != nil)
    }

    @Test func criPartialLinesAreJoined() {
        let events = assemble("""
        2024-05-08T15:23:56.403Z stdout P first half,
        2024-05-08T15:23:56.404Z stdout F  second half
        2024-05-08T15:23:57.000Z stdout F next line
        """)
        #expect(events.map(\.body) == ["first half, second half", "next line"])
    }

    @Test("a quiet source completes its pending event")
    func idleFlush() {
        var assembler = MultiLineAssembler()
        assembler.idleTimeout = 1_000
        #expect(assembler.add("ERROR boom", number: 1, now: 10_000).isEmpty)
        #expect(assembler.add("\tat a.B.c(B.java:1)", number: 2, now: 10_500).isEmpty)
        #expect(assembler.flushIfIdle(now: 11_000).isEmpty)
        let done = assembler.flushIfIdle(now: 11_600)
        #expect(done.map(\.lastLine) == [2])
        #expect(assembler.flushIfIdle(now: 99_000).isEmpty)
    }

    @Test func limitsBoundAnEvent() {
        let trace = (["ERROR boom"] + Array(repeating: "\tat a.b.C.d(C.java:1)", count: 20)).joined(separator: "\n")
        let events = assemble(trace, maxLines: 5)
        #expect(events.count > 1)
        #expect(events[0].truncated)
        #expect(events[0].lastLine == 5)
    }
}

@Suite struct ReceivedRecordsTests {
    private func events(_ bodies: [String]) -> [LogEvent] {
        bodies.enumerated().map { LogEvent(timestamp: Int64($0) * 1_000, service: "shop", body: $1) }
    }

    @Test("only lines a record can go on with are looked at closely", arguments: [
        ("\tat com.acme.Shop.pay(Shop.java:42)", true), ("  File \"/app/cart.py\", line 9, in add", true),
        ("Caused by: java.io.IOException: closed", true), ("Traceback (most recent call last):", true),
        ("java.lang.IllegalStateException: no session", true), ("KeyError: 'sku'", true), ("java.lang.NullPointerException", true),
        ("2024-05-07 10:55:45,526 ERROR checkout failed", false), ("{\"level\":\"error\"}", false), ("Error connecting: refused", false),
        ("", false),
    ])
    func linesThatMayContinue(line: String, expected: Bool) {
        #expect(ReceivedRecords.mayContinue(line) == expected)
    }

    @Test("a record's lines join; an entry of several lines, already joined by its collector, stands alone")
    func entriesJoin() throws {
        let joined = try #require(ReceivedRecords.joined(events([
            "2024-05-07 10:55:45,526 ERROR checkout failed", "java.lang.IllegalStateException: no session",
            "2024-05-07 10:55:46,000 ERROR refund failed\n\tat com.acme.Refund.run(Refund.java:7)", "\tat orphan.Frame.run(Frame.java:1)",
            "2024-05-07 10:55:47,000 INFO done",
        ])[...]))
        #expect(joined.map(\.body) == [
            "2024-05-07 10:55:45,526 ERROR checkout failed\njava.lang.IllegalStateException: no session",
            "2024-05-07 10:55:46,000 ERROR refund failed\n\tat com.acme.Refund.run(Refund.java:7)", "\tat orphan.Frame.run(Frame.java:1)",
            "2024-05-07 10:55:47,000 INFO done",
        ])
        #expect(joined.map(\.timestamp) == [0, 2_000, 3_000, 4_000])
        #expect(ReceivedRecords.joined(events(["2024-05-07 10:55:45,526 ERROR a", "2024-05-07 10:55:46,526 INFO b"])[...]) == nil)
    }
}
