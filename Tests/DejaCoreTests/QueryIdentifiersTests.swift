import DejaCore
import Testing

@Suite struct QueryIdentifiersTests {
    @Test("ids people paste are found in a query of any length")
    func identifiers() {
        #expect(QueryIdentifiers.of("what happened to order 4471 in checkout after the deploy, it was charged twice") == ["4471"])
        #expect(QueryIdentifiers.of("trace 8e9f5577a631ab016ea404f7c0755073") == ["8e9f5577a631ab016ea404f7c0755073"])
        #expect(QueryIdentifiers.of("controller-uid=78147bc7-c3e7-447a-b931-68e2c0042499") == ["78147bc7-c3e7-447a-b931-68e2c0042499"])
        #expect(QueryIdentifiers.of("INV-2024-427820") == ["inv-2024-427820"])
        #expect(QueryIdentifiers.of("session sess_oe5hsn2xnw1hxxkx1vah timed out") == ["sess_oe5hsn2xnw1hxxkx1vah"])
        #expect(QueryIdentifiers.of("upload img_6768o7bog18onx failed") == ["img_6768o7bog18onx"])
        #expect(QueryIdentifiers.of("connection from 10.251.106.50:50010 dropped, mail to Ops@Example.com") == ["10.251.106.50:50010", "ops@example.com"])
        #expect(QueryIdentifiers.of("pod checkout-7d9f8b6c5-x2k4q restarted on ip-10-0-1-23") == ["checkout-7d9f8b6c5-x2k4q", "ip-10-0-1-23"])
        #expect(QueryIdentifiers.of("request ord-77f3a2.") == ["ord-77f3a2"])
        #expect(QueryIdentifiers.of("node ip-10-0-1-23.ec2.internal NotReady, then web01.prod.example.com") == ["ip-10-0-1-23.ec2.internal", "web01.prod.example.com"])
        #expect(QueryIdentifiers.of("DHCP lease for 3C:22:FB:91:0A:7E renewed, then 00-1a-2b-3c-4d-5e") == ["3c:22:fb:91:0a:7e", "00-1a-2b-3c-4d-5e"])
        // A name in a private domain is a host's, digits or not; a public one needs a digit.
        #expect(QueryIdentifiers.of("catalog.internal") == ["catalog.internal"])
        #expect(QueryIdentifiers.of("reads from ldap.corp and printer.local, not api.example.com") == ["ldap.corp", "printer.local"])
        #expect(QueryIdentifiers.of("user.home is unset; errors.messages.invalid for com.acme.test") == [])
    }

    @Test("dates, versions, quantities and names with a short number are not ids")
    func notIdentifiers() {
        #expect(QueryIdentifiers.of("String '31.06.2024' was not recognized as a valid DateTime at 2024-06-03T00:11:42.165Z") == [])
        #expect(QueryIdentifiers.of("TLSv1.2 handshake with utf-8 and sha256 took 1500ms, 512MB used, version 1.22.3, log4j http2 base64") == [])
        #expect(QueryIdentifiers.of("at com.shop.Cart.total(Cart.java:88) in Weekly.php:41, 12:30:45") == [])
        #expect(QueryIdentifiers.of("deadline_exceeded ER_DUP_ENTRY NullPointerException") == [])
        #expect(QueryIdentifiers.of("at 12:30:45.221 ab:cd:ef:01:23 or ab:cd:ef:01:23:4g") == [])
        #expect(QueryIdentifiers.of("certificate expired on June 1 2024, order 2417 failed") == ["2417"])
        #expect(QueryIdentifiers.of("python3.11 reads log4j.properties from api.example.com, v1.2.3 and 1.2.3-beta4") == [])
    }

    @Test("in a pasted line, its failure's own code is no id; looked up alone, it is")
    func failureCodes() {
        // MySQL's 1213 is the deadlock's code (the taxonomy's source for its message says so);
        // Npgsql prints SQLSTATE 23505 and .NET its HRESULT beside the message.
        #expect(QueryIdentifiers.of("pymysql.err.OperationalError: (1213, 'Deadlock found when trying to get lock; try restarting transaction')") == [])
        #expect(QueryIdentifiers.of("Npgsql.PostgresException (0x80004005): 23505: duplicate key value violates unique constraint \"IX_Users_Email\"") == [])
        #expect(QueryIdentifiers.of("(1213, 'Deadlock found when trying to get lock; try restarting transaction') for order 48213") == ["48213"])
        #expect(QueryIdentifiers.of("SQLSTATE 23505") == ["23505"])
        #expect(QueryIdentifiers.of("HRESULT 0x80004005") == ["0x80004005"])
    }
}

@Suite struct QueryTextTests {
    @Test("a pasted line is searched by its message, as events are stored; its header's thread is no identifier")
    func pastedLineLosesItsHeader() {
        let pasted = QueryText("2024-06-03 11:02:17,412 ERROR [pool-3-thread-12] c.a.b.OrderService - Connection refused to inventory:8080")
        #expect(pasted.searched == "Connection refused to inventory:8080")
        #expect(pasted.level == .error)
        #expect(QueryIdentifiers.of(pasted.searched) == ["inventory:8080"])
        #expect(QueryText(#"{"ts":"2024-06-03T11:02:17Z","level":"warn","msg":"payment declined"}"#).searched == "payment declined")
    }

    @Test("a record pasted as a JSON document, pretty-printed or an Elasticsearch hit, is searched by what it says")
    func pastedJSONDocument() {
        let hit = QueryText("""
            {
              "_index": "logs-2024.06.03",
              "_id": "Xk2hXo8BqLw1",
              "_source": {
                "@timestamp": "2024-06-03T11:02:17.412Z",
                "log.level": "error",
                "message": "checkout failed",
                "error.stack_trace": "java.lang.NullPointerException: cart is null\\n\\tat com.acme.Cart.total(Cart.java:42)",
                "host.name": "web-07"
              }
            }
            """)
        #expect(hit.searched == "checkout failed\njava.lang.NullPointerException: cart is null\n\tat com.acme.Cart.total(Cart.java:42)")
        #expect(hit.level == .error)
        #expect(QueryIdentifiers.of(hit.searched).isEmpty)
        // Braces around prose are no document.
        #expect(QueryText("{ connection refused }").searched == "{ connection refused }")
    }

    @Test("a pasted trace keeps its lines after the header's message")
    func pastedTraceKeepsItsFrames() {
        let trace = QueryText("2024-06-03 11:02:17 ERROR Checkout failed\njava.lang.NullPointerException: cart is null\n\tat com.acme.Cart.total(Cart.java:42)")
        #expect(trace.searched == "Checkout failed\njava.lang.NullPointerException: cart is null\n\tat com.acme.Cart.total(Cart.java:42)")
    }

    @Test("a trace copied from docker compose logs, kubectl logs --prefix or stern is searched without the prefixes")
    func pastedPrefixedTrace() {
        let compose = QueryText("api-1  | 2024-06-03 11:02:17 ERROR Checkout failed\napi-1  | java.lang.NullPointerException: cart is null\napi-1  | \tat com.acme.Cart.total(Cart.java:42)")
        #expect(compose.searched == "Checkout failed\njava.lang.NullPointerException: cart is null\n\tat com.acme.Cart.total(Cart.java:42)")
        #expect(compose.level == .error)
        let pod = QueryText("[pod/api-7d9f/api] Traceback (most recent call last):\n[pod/api-7d9f/api]   File \"/app/cart.py\", line 9, in add\n[pod/api-7d9f/api] KeyError: 'sku'")
        #expect(pod.searched == "Traceback (most recent call last):\n  File \"/app/cart.py\", line 9, in add\nKeyError: 'sku'")
        let stern = QueryText("api-7d9f8b6c5d-x2k4q api Traceback (most recent call last):\napi-7d9f8b6c5d-x2k4q api   File \"/app/cart.py\", line 9\napi-7d9f8b6c5d-x2k4q api KeyError: 'sku'")
        #expect(stern.searched == "Traceback (most recent call last):\n  File \"/app/cart.py\", line 9\nKeyError: 'sku'")
        #expect(QueryText("api-7d9f8b6c5d-x2k4q api 2024-06-03 11:02:17 ERROR Checkout failed").searched == "Checkout failed")
        // A query typed with a pod's name first keeps it: stern's prefix is words.
        #expect(QueryText("checkout-7d9f8b6c5d-x2k4q oom killed").searched == "checkout-7d9f8b6c5d-x2k4q oom killed")
    }

    @Test("several pasted lines are searched by their messages")
    func pastedLinesLoseTheirHeaders() {
        let lines = QueryText("2024-06-03 11:02:17 WARN retrying payment 3 of 5\n2024-06-03 11:02:19 ERROR payment failed: card declined")
        #expect(lines.searched == "retrying payment 3 of 5\npayment failed: card declined")
        #expect(lines.level == .warning)
        let windows = QueryText("2024-06-03 11:02:17 ERROR payment failed\r\nSystem.TimeoutException: gateway\r\n   at Acme.Pay.Charge()")
        #expect(windows.searched == "payment failed\nSystem.TimeoutException: gateway\n   at Acme.Pay.Charge()")
    }

    @Test("a sentence is searched as written, even one naming a level or a date", arguments: [
        ("errors since 2024-06-03", Severity.error),
        ("what happened at 2024-06-03 11:02 to the checkout service", Severity.unknown),
        ("ERROR connection refused", Severity.error),
        ("controller-uid=78147bc7-c3e7-447a-b931-68e2c0042499", Severity.unknown),
    ])
    func sentencesStayAsWritten(query: String, level: Severity) {
        #expect(QueryText(query).searched == query)
        #expect(QueryText(query).level == level)
    }
}
