import DejaCore
import Testing

@Suite struct NormalizationTests {
    @Test("variables become typed placeholders", arguments: [
        ("request 9f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c failed", "request <uuid> failed"),
        ("dial tcp 10.0.3.17:5432: connect: connection refused", "dial tcp <ip>: connect: connection refused"),
        ("peer [2001:db8::1] reset", "peer [<ip>] reset"),
        ("2024-03-14 09:21:07,412 ERROR took 250ms", "<time> ERROR took <duration>"),
        ("at 2024-03-14T09:21:07.412Z wrote 512KB in 1.5s", "at <time> wrote <size> in <duration>"),
        ("GET /api/v1/orders/8812?user=bob&page=2 200", "GET /api/v1/orders/<num>?user=<value>&page=<value> <num>"),
        ("deleting blk_-6952295868487656571 at 0x7ffd3a2c", "deleting blk_-<num> at <hex>"),
        ("pod checkout-7d9f8b6c5-xk2p4 restarted 3 times", "pod checkout-<hex>-<id> restarted <num> times"),
        ("plain words stay as they are", "plain words stay as they are"),
        ("took 12 ms\r\nretry 3 of 5\r\n", "took <num> ms\nretry <num> of <num>"),
        ("résumé 日本 42 ok", "résumé 日本 <num> ok"),
        ("disk usage at 91.5%, quota 80 % used", "disk usage at <num>%, quota <num> % used"),
        ("charged $45.20 after ~300ms", "charged $<num> after ~<duration>"),
        ("29#29: *7667 upstream timed out", "<num>#<num>: *<num> upstream timed out"),
        ("loss 1e-5 then 2.5E+10, not 1e-5x", "loss <num> then <num>, not 1e-5x"),
    ])
    func masking(input: String, expected: String) {
        #expect(MessageNormalizer.normalize(input) == expected)
    }

    static let javaTrace = """
    2024-03-14 09:21:07,412 ERROR [http-nio-8080-exec-7] o.a.c.c.C : Servlet.service() threw exception
    java.lang.NullPointerException: Cannot invoke "Invoice.getCustomerId()" because "invoice" is null
    \tat com.acme.billing.service.InvoiceService.reconcile(InvoiceService.java:214)
    \tat com.acme.billing.service.InvoiceService$$FastClassBySpringCGLIB$$4f1c2a.invoke(<generated>)
    \tat org.springframework.cglib.proxy.MethodProxy.invoke(MethodProxy.java:218)
    \tat java.base/java.lang.Thread.run(Thread.java:1583)
    Caused by: java.io.IOException: stream closed
    \tat com.acme.io.Reader.read(Reader.java:12)
    \t... 4 more
    """

    @Test func javaTracesOfOneFailureNormalizeAlike() throws {
        let other = Self.javaTrace
            .replacingOccurrences(of: "09:21:07,412", with: "11:02:55,009")
            .replacingOccurrences(of: "exec-7", with: "exec-3")
            .replacingOccurrences(of: "4f1c2a", with: "9ab3d1")
            .replacingOccurrences(of: "java:214", with: "java:220")
        let message = MessageNormalizer.normalize(Self.javaTrace)
        #expect(message == MessageNormalizer.normalize(other))
        #expect(message.contains("java.lang.NullPointerException"))
        #expect(message.contains("Caused by: java.io.IOException: stream closed"))
        #expect(message.contains("at com.acme.billing.service.InvoiceService.reconcile"))
        #expect(!message.contains("214"))
        #expect(!message.contains("more"))
        // The application's own frames, not the servlet container's or the JDK's.
        #expect(!message.contains("at java.lang.Thread.run"))
    }

    @Test func pythonChainedTraceKeepsBothExceptionsAndInnermostFrames() throws {
        let trace = """
        Traceback (most recent call last):
          File "/srv/app/orders.py", line 88, in load
            row = cache[key]
        KeyError: 'order-4411'

        During handling of the above exception, another exception occurred:

        Traceback (most recent call last):
          File "/srv/app/api.py", line 12, in handler
            return load(key)
          File "/srv/app/orders.py", line 91, in load
            raise LookupError(key)
        LookupError: order-4411
        """
        let reduced = try #require(StackTraceReducer.reduce(trace))
        #expect(reduced == """
        KeyError: 'order-4411'
          at orders.py in load
        LookupError: order-4411
          at orders.py in load
          at api.py in handler
        """)
    }

    @Test func goPanicLosesAddressesAndGoroutineIDs() throws {
        let trace = """
        panic: runtime error: invalid memory address or nil pointer dereference
        [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2f1c]

        goroutine 17 [running]:
        main.(*Server).handle(0xc000010000, 0x1)
        \t/app/server.go:42 +0x1d
        main.main()
        \t/app/main.go:12 +0x25
        """
        let reduced = try #require(StackTraceReducer.reduce(trace))
        #expect(reduced.contains("panic: runtime error: invalid memory address or nil pointer dereference"))
        #expect(reduced.contains("  at main.(*Server).handle"))
        #expect(reduced.contains("  at main.main"))
        #expect(!reduced.contains("goroutine"))
        #expect(!reduced.contains("0xc000010000"))
    }

    @Test("a Go stack as zap and pkg/errors print it: functions without arguments, dependencies by their module path")
    func goStackOfFunctionNames() {
        let trace = """
        fetch failed: context deadline exceeded
        github.com/acme/store.(*Client).Fetch
        \t/app/store/client.go:88
        github.com/acme/api.(*Handler).Get
        \t/app/api/handler.go:41
        net/http.HandlerFunc.ServeHTTP
        \t/usr/local/go/src/net/http/server.go:2136
        github.com/go-chi/chi/v5.(*Mux).routeHTTP
        \t/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.10/mux.go:444
        """
        #expect(StackTraceReducer.reduce(trace) == """
        fetch failed: context deadline exceeded
          at github.com/acme/store.(*Client).Fetch
          at github.com/acme/api.(*Handler).Get
        """)
    }

    @Test func rustBacktraceKeepsThePanicAndTheApplicationsFrames() throws {
        let trace = """
        thread 'tokio-runtime-worker' (31882) panicked at src/handler.rs:42:18:
        called `Option::unwrap()` on a `None` value
        stack backtrace:
           0: __rustc::rust_begin_unwind
                     at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:689:5
           1: core::panicking::panic_fmt
                     at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs:80:14
           2: core::option::unwrap_failed
           3: tokio::runtime::task::harness::poll_future
                     at /home/build/.cargo/registry/src/index.crates.io-6f17d22bba15001f/tokio-1.38.0/src/runtime/task/harness.rs:473:19
           4: 0x55d1c2a3b4c5 - billing::handler::load_user::h1a2b3c4d5e6f7a8b
                     at ./src/handler.rs:42:18
           5: billing::main
                     at ./src/main.rs:10:5
        note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.
        """
        #expect(StackTraceReducer.reduce(trace) == """
        panicked:
        called `Option::unwrap()` on a `None` value
          at billing::handler::load_user
          at billing::main
        """)
        // Before Rust 1.73 the message was on the panic line.
        let old = "thread 'main' panicked at 'index out of bounds: the len is 2 but the index is 7', src/main.rs:4:5\n   0: billing::main"
        #expect(StackTraceReducer.reduce(old) == "panicked: index out of bounds: the len is 2 but the index is 7\n  at billing::main")
        // A numbered list is not a backtrace, nor are anyhow's numbered causes.
        #expect(StackTraceReducer.reduce("retrying:\n1: connect to primary\n2: connect to replica") == nil)
        #expect(StackTraceReducer.reduce("Error: upload failed\n\nCaused by:\n    0: hyper::Error(Connect, ConnectError(\"tcp connect error\"))\n    1: Connection refused (os error 111)") == nil)
    }

    @Test func elixirTraceKeepsTheApplicationsFunctions() {
        let trace = """
        GenServer Shop.Worker terminating
        ** (ArithmeticError) bad argument in arithmetic expression
            (shop 0.1.0) lib/shop/cart.ex:12: Shop.Cart.total/1
            (shop 0.1.0) lib/shop/worker.ex:20: Shop.Worker.handle_call/3
            (stdlib 5.2) gen_server.erl:1113: :gen_server.try_handle_call/4
            (stdlib 5.2) proc_lib.erl:241: :proc_lib.init_p_do_apply/3
        """
        #expect(StackTraceReducer.reduce(trace) == """
        GenServer Shop.Worker terminating
        ** (ArithmeticError) bad argument in arithmetic expression
          at Shop.Cart.total/1
          at Shop.Worker.handle_call/3
        """)
    }

    @Test func dotNetAndNodeFramesLoseFilePositions() throws {
        let dotnet = try #require(StackTraceReducer.reduce("""
        System.NullReferenceException: Object reference not set to an instance of an object.
           at Acme.Cart.Total(Int32 id) in /src/Cart.cs:line 42
           at Acme.Api.Get() in /src/Api.cs:line 7
        """))
        #expect(dotnet.contains("  at Acme.Cart.Total(Int32 id)") && !dotnet.contains("line 42"))
        let node = try #require(StackTraceReducer.reduce("""
        TypeError: Cannot read properties of undefined (reading 'total')
            at Cart.total (/srv/app/cart.js:10:5)
            at /srv/app/index.js:22:7
        """))
        #expect(node == "TypeError: Cannot read properties of undefined (reading 'total')\n  at Cart.total\n  at index.js")
    }

    @Test func nodeErrorPropertiesAreSkippedButItsCauseIsKept() throws {
        let reduced = try #require(StackTraceReducer.reduce("""
        Error: quote request failed
            at fetchQuote (/srv/app/src/quote.js:10:11) {
          [cause]: Error: getaddrinfo ENOTFOUND pricing.internal
              at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:107:26) {
            errno: -3008,
            code: 'ENOTFOUND',
            syscall: 'getaddrinfo',
            hostname: 'pricing.internal'
          }
        }
        """))
        #expect(reduced == """
        Error: quote request failed
          at fetchQuote
        Error: getaddrinfo ENOTFOUND pricing.internal
          at GetAddrInfoReqWrap.onlookup [as oncomplete]
        """)
    }

    @Test func goroutineCreatorIsAFrameAndRailsGemFramesAreTheFrameworks() throws {
        let go = try #require(StackTraceReducer.reduce("""
        panic: runtime error: invalid memory address or nil pointer dereference
        goroutine 42 [running]:
        github.com/acme/shop/cart.(*Service).Total(0x0)
        \t/src/cart/service.go:57 +0x1c
        created by net/http.(*Server).Serve in goroutine 1
        \t/usr/local/go/src/net/http/server.go:3086 +0x4db
        """))
        #expect(go == "panic: runtime error: invalid memory address or nil pointer dereference\n  at github.com/acme/shop/cart.(*Service).Total")
        let rails = try #require(StackTraceReducer.reduce("""
        ActiveRecord::RecordNotFound (Couldn't find User with 'id'=5512):

        app/controllers/users_controller.rb:9:in `show'
        actionpack (7.1.3) lib/action_controller/metal/basic_implicit_render.rb:6:in `send_action'
        actionpack (7.1.3) lib/abstract_controller/base.rb:224:in `process_action'
        """))
        #expect(rails == "ActiveRecord::RecordNotFound (Couldn't find User with 'id'=5512):\n  at users_controller.rb in show")
    }

    @Test func phpTraceKeepsTheApplicationsCallsWithoutArguments() throws {
        let reduced = try #require(StackTraceReducer.reduce("""
        PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/src/Db.php:31
        Stack trace:
        #0 /var/www/html/vendor/doctrine/dbal/src/Driver/PDO/Connection.php(20): PDO->__construct('mysql:host=db;d...', 'shop', Object(SensitiveParameterValue))
        #1 /var/www/html/src/Db.php(31): App\\Db->connect()
        #2 [internal function]: App\\Orders->load('4411')
        #3 {main}
          thrown in /var/www/html/src/Db.php on line 31
        """))
        #expect(reduced == """
        PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/src/Db.php:31
          at App\\Db->connect
          at App\\Orders->load
        """)
    }

    @Test func railsFramesPrintedAloneAreFrames() throws {
        let reduced = try #require(StackTraceReducer.reduce("""
        NoMethodError (undefined method `display_name' for nil:NilClass):
          app/views/admin/orders/_row.html.erb:7
          app/controllers/admin/orders_controller.rb:21:in 'Admin::OrdersController#index'
          /usr/local/bundle/gems/actionpack-7.1.3/lib/action_controller/metal/basic_implicit_render.rb:6:in `send_action'
        """))
        #expect(reduced == """
        NoMethodError (undefined method `display_name' for nil:NilClass):
          at _row.html.erb
          at orders_controller.rb in Admin::OrdersController#index
        """)
    }

    @Test func dotNetSectionEndsAndPythonCaretsAreNotMessages() throws {
        let dotnet = try #require(StackTraceReducer.reduce("""
        System.Net.Http.HttpRequestException: Connection refused (inventory:8080)
           at Acme.Inventory.Client.GetAsync(String sku) in /src/Client.cs:line 18
        --- End of stack trace from previous location ---
           at Acme.Api.Stock.Get() in /src/Stock.cs:line 9
        """))
        #expect(dotnet == "System.Net.Http.HttpRequestException: Connection refused (inventory:8080)\n  at Acme.Inventory.Client.GetAsync(String sku)\n  at Acme.Api.Stock.Get()")
        let python = try #require(StackTraceReducer.reduce("""
        Traceback (most recent call last):
          File "/srv/app/api.py", line 12, in handler
            return totals[key]
                   ~~~~~~^^^^^
        KeyError: 'eu-west'
        """))
        #expect(python == "KeyError: 'eu-west'\n  at api.py in handler")
    }

    @Test func plainMultiLineTextIsNoTrace() {
        #expect(StackTraceReducer.reduce("first line\nsecond line") == nil)
    }
}

@Suite struct WildcardedMessageTests {
    @Test("typed placeholders become the miner's wildcard; other angle brackets stay")
    func placeholdersBecomeWildcards() {
        #expect(MessageNormalizer.wildcarded("user <id> from <ip> took <duration> (<num> <size>) <b>x</b> <valu") ==
                "user <*> from <*> took <*> (<*> <*>) <b>x</b> <valu")
        #expect(MessageNormalizer.wildcarded("no placeholders, é <") == "no placeholders, é <")
        #expect(MessageNormalizer.wildcarded("?a=<value>&b=<value><time>") == "?a=<*>&b=<*><*>")
    }
}

@Suite struct EventPreparerTests {
    let preparer: EventPreparer

    init() throws { preparer = EventPreparer(redactor: try Redactor()) }

    private func prepared(_ body: String) -> PreparedEvent {
        preparer.prepare(LogEvent(timestamp: 0, tenant: "t", service: "shop", level: .error, labels: [:], body: body))
    }

    @Test("a received JSON line's level is read with its message; a level the event has is kept")
    func receivedJSONLinesLevel() {
        func level(_ body: String, _ level: Severity = .unknown) -> Severity {
            preparer.prepare(LogEvent(timestamp: 0, tenant: "t", service: "shop", level: level, labels: [:], body: body)).event.level
        }
        #expect(level(#"{"level":"warn","msg":"disk almost full"}"#) == .warning)
        #expect(level(#"{"severity":"DEBUG","message":"cache hit"}"#) == .debug)
        #expect(level(#"{"level":"info","msg":"started"}"#, .error) == .error)
        #expect(level("2024-03-14 09:21:07 disk almost full") == .unknown)
    }

    @Test("a received line whose header its stream's reader found is prepared alike without reading the header again")
    func receivedLinesSpareASecondRead() throws {
        let bodies = [
            "2024-03-14 09:21:07,412 ERROR [http-nio-8080-exec-7] o.a.c.Servlet - request failed for order 42",
            "2024-03-14 09:21:08,001 WARN [scheduling-1] o.a.c.Pool - pool 80% used",
            "2024-03-14 09:21:09,001 ERROR [main] o.a.c.Auth - token sk_live_4eC39HqLyjWDarjtT1zdp7dc rejected",
            "2024-03-14 09:21:10,001 INFO [main] o.a.c.App -",
        ]
        var lines = ReceivedLines()
        var spared = 0
        for body in bodies {
            let (event, start) = lines.reading(LogEvent(timestamp: 1, tenant: "t", service: "shop", body: body))
            if start != nil { spared += 1 }
            #expect(preparer.prepare(event, messageStart: start) == preparer.prepare(event), "\(body)")
        }
        #expect(spared == 3)  // the first line teaches the stream its layout
    }

    @Test("a received line's message is its text after the header, as a file's: threads and pids split no signature")
    func headersAreNoPartOfTheMessage() {
        let lines = [
            "2024-03-14 09:21:07,412 ERROR [http-nio-8080-exec-7] o.a.c.Servlet - request failed for order 42",
            "2024-03-14 09:21:08,001 ERROR [scheduling-1] o.a.c.Servlet - request failed for order 43",
        ]
        #expect(lines.map { prepared($0).message } == ["request failed for order <num>", "request failed for order <num>"])
        #expect(prepared(lines[0]).body == lines[0])  // the body is kept whole
        // A trace's first line loses its header; the frames stay as they are.
        let trace = prepared("2024-03-14 09:21:07,412 ERROR [main] c.a.App - charge failed\njava.lang.IllegalStateException: closed")
        #expect(trace.message.hasPrefix("charge failed\njava.lang.IllegalStateException"))
        #expect(prepared("no header at all: 42 retries").message == "no header at all: <num> retries")
        // .NET's console record pushed line by line: the indented line is the message, not the category.
        #expect(prepared("fail: Shop.Checkout[13]\n      Payment for order 42 failed\n      System.TimeoutException: slow").message
            == "Payment for order <num> failed\nSystem.TimeoutException: slow")
        #expect(prepared("info: Microsoft.Hosting.Lifetime[14]").message == "info: Microsoft.Hosting.Lifetime[<num>]")
        // PostgreSQL's lines, pushed one by one and joined: each without its header.
        #expect(prepared("""
            2024-03-14 09:21:07.412 UTC [4242] ERROR:  duplicate key value violates unique constraint "users_pkey"
            2024-03-14 09:21:07.412 UTC [4242] DETAIL:  Key (id)=(7) already exists.
            """).message == "duplicate key value violates unique constraint \"users_pkey\"\nDETAIL: Key (id)=(<num>) already exists.")
        // Terminal colours are no part of a message, on any line.
        #expect(prepared("\u{1B}[31mcharge failed\u{1B}[0m\n\u{1B}[2m  at pay (/app/pay.js:3:9)\u{1B}[0m").message
            == prepared("charge failed\n  at pay (/app/pay.js:3:9)").message)
    }
}
