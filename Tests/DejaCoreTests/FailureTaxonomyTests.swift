import DejaCore
import Testing

@Suite struct FailureTaxonomyTests {
    /// Runtime faults as each runtime words them, with the condition all of its wordings carry.
    static let wordings: [(condition: String, lines: [String])] = [
        ("null reference", [
            "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"name\" is null",
            "System.NullReferenceException: Object reference not set to an instance of an object.",
            "AttributeError: 'NoneType' object has no attribute 'total'",
            "NoMethodError: undefined method `total' for nil:NilClass",
            "TypeError: Cannot read properties of undefined (reading 'total')",
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "PHP Fatal error:  Uncaught Error: Call to a member function total() on null",
            "thread 'main' panicked at src/cart.rs:12:5:\ncalled `Option::unwrap()` on a `None` value",
            "Fatal error: Unexpectedly found nil while unwrapping an Optional value",
            "terminate called after throwing an instance of 'std::logic_error'\n  what():  basic_string: construction from null is not valid",
            "Can't call method \"execute\" on an undefined value at /opt/billing/lib/Invoice.pm line 88.",
            "[error] 41#41: *9 lua entry thread aborted: runtime error: /usr/local/share/lua/5.1/kong/plugins/auth/handler.lua:42: attempt to index a nil value (local 'res')",
        ]),
        // However the dependency is loaded: by import, by name from a module, at link time, natively.
        ("module not found", [
            "ModuleNotFoundError: No module named 'pyarrow'",
            "ImportError: cannot import name 'soft_unicode' from 'markupsafe' (/usr/lib/python3/dist-packages/markupsafe/__init__.py)",
            "Error: Cannot find module 'express-session'",
            "LoadError: cannot load such file -- nokogiri/nokogiri",
            "java.lang.NoClassDefFoundError: org/apache/lucene/codecs/lucene99/Lucene99Codec",
            "java.lang.ClassNotFoundException: org.postgresql.Driver",
            "System.DllNotFoundException: Unable to load shared library 'libgdiplus' or one of its dependencies.",
            "/usr/local/bin/worker: error while loading shared libraries: libssl.so.1.1: cannot open shared object file: No such file or directory",
        ]),
        // Whatever the type says (the JDK's names only the path).
        ("permission denied", [
            "java.nio.file.AccessDeniedException: /opt/reports/out/weekly.pdf",
            "System.UnauthorizedAccessException: Access to the path '/opt/reports/out/monthly.xlsx' is denied.",
            "PermissionError: [Errno 13] Permission denied: '/var/backups/db.sql.gz'",
            "Error: EACCES: permission denied, open '/srv/uploads/avatars/u-88.png'",
            "(File.Error) could not write to file \"/srv/out/report.csv\": permission denied",
            "Error Domain=NSCocoaErrorDomain Code=513 \"The operation could not be completed. You don’t have permission.\"",
        ]),
        ("out of memory", [
            "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
            "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
            "PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /var/www/app/Export.php on line 41",
            "runtime: out of memory: cannot allocate 4194304-byte block (1073741824 in use)",
            "memory allocation of 1073741824 bytes failed",
            "NoMemoryError: failed to allocate memory",
        ]),
        ("certificate verification failed", [
            "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
            "Get \"https://vault.internal:8200/v1/sys/health\": x509: certificate signed by unknown authority",
            "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)",
            "OpenSSL::SSL::SSLError: SSL_connect returned=1 errno=0 peeraddr=10.0.4.2:443 state=error: certificate verify failed (self-signed certificate)",
            "Error: self-signed certificate",
        ]),
        ("invalid character encoding", [
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 14: invalid continuation byte",
            "ArgumentError: invalid byte sequence in UTF-8",
            "Unable to translate bytes [E9] at index 14 from specified code page to Unicode.",
            "JsonException: Malformed UTF-8 characters, possibly incorrectly encoded",
        ]),
        ("concurrent modification", [
            "java.util.ConcurrentModificationException",
            "RuntimeError: dictionary changed size during iteration",
            "System.InvalidOperationException: Collection was modified; enumeration operation may not execute.",
            "fatal error: concurrent map writes",
        ]),
        // As SQLSTATE 22003 names it.
        ("numeric value out of range", ["System.OverflowException: Arithmetic operation resulted in an overflow.", "ERROR:  integer out of range"]),
        ("malformed xml", ["[Fatal Error] :1:1: Content is not allowed in prolog.", "System.Xml.XmlException: Data at the root level is invalid. Line 1, position 1."]),
        ("operation canceled", ["System.OperationCanceledException: The operation was canceled.", "AbortError: This operation was aborted",
                                "Get \"http://pricing.internal/v2/quote\": context canceled"]),
        ("connection closed by peer", [
            "Error: socket hang up",
            "http.client.RemoteDisconnected: Remote end closed connection without response",
            "java.net.SocketException: Unexpected end of file from server",
        ]),
        // A write to a connection the peer closed: EPIPE in every runtime, so `broken pipe` names it too.
        ("connection closed by peer", [
            "write tcp 10.0.0.5:8080->10.0.0.9:51234: write: broken pipe",
            "java.net.SocketException: Broken pipe",
            "BrokenPipeError: [Errno 32] Broken pipe",
            "Errno::EPIPE: Broken pipe",
            "Error: write EPIPE",
            "PHP Warning:  fwrite(): Send of 8192 bytes failed with errno=32 Broken pipe in /var/www/app/Export.php on line 41",
            "System.IO.IOException: Unable to write data to the transport connection: The socket has been shut down.",
        ]),
        // The JDK's message alone is two words; with its type it names the fault.
        ("connection reset by peer", ["System.IO.IOException: Unable to read data from the transport connection: Connection reset by peer.",
                                      "java.net.SocketException: Connection reset"]),
        ("division by zero", ["java.lang.ArithmeticException: / by zero", "ZeroDivisionError: division by zero"]),
        ("connection pool exhausted", [
            "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 20 reached, connection timed out, timeout 30.00",
            "ActiveRecord::ConnectionTimeoutError: could not obtain a connection from the pool within 5.000 seconds (waited 5.001 seconds); all pooled connections were in use",
        ]),
    ]

    @Test("one runtime fault worded by every ecosystem carries one condition", arguments: wordings)
    func faultAcrossEcosystems(condition: String, lines: [String]) {
        for line in lines {
            #expect(FailureTaxonomy.labels(in: line).contains(condition), "\(line): \(FailureTaxonomy.labels(in: line))")
        }
    }

    @Test("errno, its strerror text and the exceptions built on it share the errno's words")
    func systemConditions() {
        for line in ["Error: ENOENT: no such file or directory, open '/etc/app.yaml'", "FileNotFoundError: [Errno 2] No such file or directory: 'x'",
                     "Errno::ENOENT: No such file or directory @ rb_sysopen - /etc/app.yaml", "open /etc/app.yaml: no such file or directory"] {
            #expect(FailureTaxonomy.labels(in: line).first == "no such file or directory", "\(line)")
        }
        #expect(FailureTaxonomy.labels(in: "dial tcp 10.0.0.7:5432: connect: connection refused") == ["connection refused"])
        // getaddrinfo's texts: a DNS server that does not answer is a name that did not resolve.
        #expect(FailureTaxonomy.labels(in: "socket.gaierror: [Errno -3] Temporary failure in name resolution").contains("host name not resolved"))
        for line in ["thread 'worker' panicked at src/q.rs:9:14:\nindex out of bounds: the len is 3 but the index is 3",
                     "what():  vector::_M_range_check: __n (which is 3) >= this->size() (which is 3)",
                     "Fatal error: Index out of range"] {
            #expect(FailureTaxonomy.labels(in: line).contains("index out of range"), "\(line): \(FailureTaxonomy.labels(in: line))")
        }
        #expect(FailureTaxonomy.labels(in: "container exited with exit code 137").contains("killed"))
        #expect(FailureTaxonomy.labels(in: "rpc error: code = Unavailable desc = connection error").contains("service unavailable"))
        #expect(FailureTaxonomy.labels(in: "upstream answered HTTP 503").contains("service unavailable"))
        #expect(FailureTaxonomy.labels(in: "ERROR: duplicate key value violates unique constraint (SQLSTATE 23505)").contains("unique violation"))
        #expect(FailureTaxonomy.labels(in: "Back-off restarting failed container: CrashLoopBackOff").contains("crash loop back off"))
        // Message brokers: Kafka's protocol errors by code name and by the Java client's exception, AMQP's reply codes.
        #expect(FailureTaxonomy.labels(in: "org.apache.kafka.common.errors.LeaderNotAvailableException: There is no leader for this topic-partition").contains("leader not available"))
        #expect(FailureTaxonomy.labels(in: "produce failed: kafka server error UNKNOWN_TOPIC_OR_PARTITION").contains("unknown topic or partition"))
        #expect(FailureTaxonomy.labels(in: "operation queue.declare caused a channel exception precondition_failed: inequivalent arg 'x-queue-type'").contains("precondition failed"))
        #expect(FailureTaxonomy.labels(in: "ChannelClosedByBroker: (403, \"ACCESS_REFUSED - access to queue 'jobs' in vhost '/' refused\")").contains("access refused"))
    }

    @Test("a second condition comes before the first entry's class and description")
    func conditionsBeforeElaborations() {
        // `std::out_of_range` is also gRPC's OUT_OF_RANGE, whose entry adds a description and its
        // HTTP status; the range check's own condition still gets one of the three places.
        let line = "terminate called after throwing an instance of 'std::out_of_range'\n  what():  vector::_M_range_check: __n (which is 4) >= this->size() (which is 4)"
        #expect(FailureTaxonomy.labels(in: line) == ["out of range", "index out of range", "the operation was attempted past the valid range"])
    }

    @Test("every match names its source; routine lines name no condition")
    func sourcesAndRoutine() {
        let matches = FailureTaxonomy.matches(in: "ssl.SSLCertVerificationError: certificate verify failed: certificate has expired")
        #expect(!matches.isEmpty && matches.allSatisfy { !$0.source.isEmpty })
        let quit = FailureTaxonomy.matches(in: "signal 3 (SIGQUIT) received, shutting down")
        #expect(quit.map(\.labels) == [["quit"]] && quit.map(\.source) == ["signal SIGQUIT"])
        for line in ["GET /api/orders 200 12ms", "user 42 logged in from web", "request took 4290 ms", "cache warmed: 1200 keys in 0.8 s"] {
            #expect(FailureTaxonomy.labels(in: line).isEmpty, "\(line): \(FailureTaxonomy.labels(in: line))")
        }
        #expect(FailureTaxonomy.entryCount > 5_000)
    }

    @Test("mail servers' enhanced status codes and DNS response codes name their condition where a server writes them")
    func mailAndDNSCodes() {
        #expect(FailureTaxonomy.labels(in: "550-5.1.1 The email account that you tried to reach does not exist.")
                == ["bad destination mailbox address", "user unknown"])
        #expect(FailureTaxonomy.labels(in: "postfix/smtp[811]: 4F2A1C: to=<ana@example.org>, dsn=5.2.2, status=bounced (host mx.example.org said: 552 5.2.2 Mailbox full)")
                == ["mailbox full"])
        #expect(FailureTaxonomy.labels(in: "upgraded libfoo to version 5.1.1 in 5.2.2 seconds").isEmpty)
        #expect(FailureTaxonomy.labels(in: #"[INFO] 10.244.0.1:53124 - 4471 "A IN api.example.org. udp 41 false 512" NXDOMAIN qr,rd,ra 41 0.000211s"#)
                == ["dns name does not exist"])
        // REFUSED is an English word: only a resolver's own forms (`status: REFUSED`) are its rcode.
        #expect(FailureTaxonomy.labels(in: "dial tcp 10.0.0.7:5432: connect: connection refused") == ["connection refused"])
        #expect(FailureTaxonomy.labels(in: ";; ->>HEADER<<- opcode: QUERY, status: REFUSED, id: 4242") == ["dns refused"])
        // Node.js's resolver codes are c-ares's; a lookup that found no address is an unresolved name.
        #expect(FailureTaxonomy.labels(in: "Error: getaddrinfo ENOTFOUND pricing.internal")
                == ["domain name not found", "host name not resolved"])
        #expect(FailureTaxonomy.labels(in: "Error: querySrv ESERVFAIL _mongodb._tcp.cluster0.example.net")
                == ["dns server returned general failure", "host name not resolved"])
    }

    @Test("a TLS alert is one condition in OpenSSL's, Go's and the JDK's words; Go's net errors name theirs")
    func tlsAlertsAndGoNetErrors() {
        let alert = "tls alert bad certificate"
        #expect(FailureTaxonomy.labels(in: "http: TLS handshake error from 10.0.0.9:51234: remote error: tls: bad certificate").contains(alert))
        #expect(FailureTaxonomy.labels(in: "javax.net.ssl.SSLHandshakeException: Received fatal alert: bad_certificate").contains(alert))
        #expect(FailureTaxonomy.labels(in: "error:0A000412:SSL routines::sslv3 alert bad certificate").contains(alert))
        // OpenSSL's two-word reasons are its own only where OpenSSL prints them.
        #expect(FailureTaxonomy.labels(in: "error:0A00009C:SSL routines::http request") == ["http request", "tls handshake failed"])
        #expect(FailureTaxonomy.labels(in: "Http request log for http.requests.mapreduce is not defined").isEmpty)
        #expect(FailureTaxonomy.labels(in: "[ERROR] plugin/errors: 2 example.com. A: read udp 10.244.0.5:43122->8.8.8.8:53: i/o timeout")
                == ["request timed out"])
    }

    @Test("a rejected token names the check that failed, whichever library rejected it; OAuth's codes their own")
    func tokenAuthentication() {
        for line in ["token has invalid claims: token is expired",                    // golang-jwt
                     "jwt.exceptions.ExpiredSignatureError: Signature has expired",   // PyJWT
                     "JWT::ExpiredSignature: Signature has expired",                  // ruby-jwt
                     "TokenExpiredError: jwt expired"] {                              // jsonwebtoken, by oauthlib's name
            #expect(Set(FailureTaxonomy.labels(in: line)).isSuperset(of: ["token expired", "invalid token"]), "\(line): \(FailureTaxonomy.labels(in: line))")
        }
        #expect(FailureTaxonomy.labels(in: "jwt.exceptions.InvalidAudienceError: Invalid audience") == ["invalid token audience", "invalid token"])
        #expect(FailureTaxonomy.labels(in: "jwt.exceptions.DecodeError: Not enough segments") == ["malformed token", "invalid token"])
        #expect(FailureTaxonomy.labels(in: #"WWW-Authenticate: Bearer error="invalid_token""#) == ["invalid token", "unauthorized"])
        #expect(FailureTaxonomy.labels(in: #"token refresh failed: {"error":"invalid_grant"}"#) == ["invalid grant", "bad request"])
        // Another library's DecodeError is no token's.
        #expect(FailureTaxonomy.labels(in: "google.protobuf.message.DecodeError: Error parsing message").isEmpty)
    }

    @Test("a runtime's message is matched without the probe's own types: a cast between any two types is a type mismatch")
    func castsBetweenOtherTypes() {
        let line = "java.lang.ClassCastException: class java.lang.String cannot be cast to class java.lang.Long "
            + "(java.lang.String and java.lang.Long are in module java.base of loader 'bootstrap')"
        #expect(FailureTaxonomy.labels(in: line) == ["class cast exception", "type mismatch"])
        #expect(FailureTaxonomy.labels(in: "panic: interface conversion: interface {} is string, not float64") == ["type mismatch"])
        // Nor its own field: Go's JSON decoder names the field it failed on.
        #expect(FailureTaxonomy.labels(in: "json: cannot unmarshal string into Go struct field Order.amount of type float64") == ["malformed json"])
    }

    @Test("a Kafka error is one condition in the Java client's words and in librdkafka's")
    func kafkaInBothClients() {
        #expect(FailureTaxonomy.labels(in: "org.apache.kafka.common.errors.RebalanceInProgressException: The group is rebalancing, so a rejoin is needed.") == ["rebalance in progress"])
        #expect(FailureTaxonomy.labels(in: "Rdkafka::RdkafkaError: Broker: Group rebalance in progress") == ["rebalance in progress"])
        #expect(FailureTaxonomy.labels(in: "Delivery failed: RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE") == ["message size too large"])
        #expect(FailureTaxonomy.labels(in: "Delivery failed: Broker: Message size too large") == ["message size too large"])
    }

    @Test("PostgreSQL's corruption messages name their condition; its internal errors name none")
    func postgresCorruption() {
        #expect(FailureTaxonomy.labels(in: "ERROR:  invalid page in block 4211 of relation base/16384/16397") == ["data corrupted", "internal error"])
        #expect(FailureTaxonomy.labels(in: "ERROR:  index \"orders_pkey\" contains unexpected zero page at block 12") == ["index corrupted", "internal error"])
    }

    @Test("garbage collection as each runtime logs it is a pause or a collection, whatever the runtime calls it")
    func garbageCollection() {
        let jvm = "[2026-03-02T11:40:19.882+0000][info][gc] GC(311) Pause Young (Normal) (G1 Evacuation Pause) 1480M->212M(2048M) 1840.551ms"
        let v8 = "[7:0x6a1c3d0]   412311 ms: Mark-Compact 1890.1 (2050.2) -> 1875.3 (2051.0) MB, 2210.5 / 0.0 ms  (average mu = 0.201, current mu = 0.044) task"
        #expect(FailureTaxonomy.labels(in: jvm) == ["garbage collection pause"])
        #expect(FailureTaxonomy.labels(in: v8) == ["garbage collection pause"])
        // A collector's own name, as monitors quote it.
        #expect(FailureTaxonomy.labels(in: "JvmPauseMonitor: Detected pause in JVM or host machine (eg GC): GC pool 'PS MarkSweep' had collection(s): count=1 time=3301ms")
                == ["garbage collection"])
        // The JVM's event names are common words: without the `gc` its lines carry, they name nothing.
        #expect(FailureTaxonomy.labels(in: "queue consumer: pause young workers until the full backlog drains").isEmpty)
    }

    @Test("a database's slow-query log names a slow query; the same duration elsewhere does not")
    func slowQueries() {
        #expect(FailureTaxonomy.labels(in: "LOG:  duration: 8120.310 ms  statement: UPDATE accounts SET balance = balance - 10") == ["slow query"])
        #expect(FailureTaxonomy.labels(in: "# Query_time: 9.123001  Lock_time: 0.000210 Rows_sent: 0  Rows_examined: 1200311") == ["slow query"])
        #expect(FailureTaxonomy.labels(in: "GET /api/cart 200, duration: 8120 ms").isEmpty)
    }

    @Test("a line that says a fault in the taxonomy's plain words names it")
    func faultsInPlainWords() {
        #expect(FailureTaxonomy.labels(in: "psycopg2.pool.PoolError: connection pool exhausted") == ["connection pool exhausted"])
        #expect(FailureTaxonomy.labels(in: "fatal error: stack overflow") == ["stack overflow"])
        #expect(FailureTaxonomy.labels(in: "thread stack of 8 MiB reserved, overflow guard page on").isEmpty)
    }

    @Test("a message whose subject is a value names no condition by its predicate alone")
    func predicatesOfValues() {
        // PostgreSQL raises `%s "%s" does not exist` as eight conditions and MariaDB `%s %s does not
        // exist`: neither makes a missing image or file an undefined database object.
        for line in ["deployment references an image tag that does not exist in the registry",
                     "the file you asked for does not exist", "this value is not valid"] {
            #expect(FailureTaxonomy.labels(in: line).isEmpty, "\(line): \(FailureTaxonomy.labels(in: line))")
        }
        // With its subject, the message is PostgreSQL's own.
        #expect(FailureTaxonomy.labels(in: #"ERROR:  relation "orders" does not exist"#).first == "undefined table")
        #expect(FailureTaxonomy.labels(in: #"ERROR:  function lower(integer) does not exist"#).first == "undefined function")
    }
}

@Suite struct EmbeddingTextTests {
    @Test("the model reads a failure's conditions before its message, and they are kept apart to lean toward")
    func conditionsLeadTheText() {
        let line = "write tcp 10.0.0.5:8080->10.0.0.9:51234: write: broken pipe"
        let embedded = EmbeddingText(line)
        #expect(embedded.conditions == "connection closed by peer; broken pipe")
        #expect(embedded.text == "connection closed by peer; broken pipe: write tcp : write: broken pipe")
        let routine = EmbeddingText("GET /api/orders 200 12ms")
        #expect(routine.conditions == nil && routine.text == "GET /api/orders")
    }

    @Test("a stack trace is reduced before its conditions are read")
    func traceReduced() {
        let trace = "java.lang.NullPointerException: Cannot invoke \"Cart.total()\" because \"cart\" is null\n\tat com.shop.Checkout.pay(Checkout.java:42)\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)"
        let embedded = EmbeddingText(trace)
        #expect(embedded.conditions == "null pointer exception; null reference")
        #expect(embedded.text.hasPrefix(embedded.conditions! + ": java.lang.Null Pointer Exception: Cannot invoke"))
        #expect(!embedded.text.contains("FrameworkServlet"))
    }

    @Test("a library's own exception types are read by their words, after what the taxonomy knows")
    func unknownTypesByTheirWords() {
        let line = "com.acme.billing.InvoiceLockedException: invoice 42 is locked by another payment run"
        #expect(EmbeddingText(line).conditions == "invoice locked exception")
        #expect(EmbeddingText(line).text == "invoice locked exception: com.acme.billing.Invoice Locked Exception: invoice is locked by another payment run")
        let chained = "MongoServerSelectionError: connect ECONNREFUSED 127.0.0.1:27017"
        #expect(EmbeddingText(chained).labels == ["connection refused", "mongo server selection error"])
        // A run of capitals is one word; a type the taxonomy names is read as it says, once.
        #expect(EmbeddingText("KafkaJSProtocolError: The coordinator is not aware of this member").labels.contains("kafka js protocol error"))
        #expect(EmbeddingText("java.util.concurrent.RejectedExecutionException: queue is full").labels == ["rejected execution exception"])
        // Not a type: a bare suffix, or a word ending in one that is all capitals or lower case.
        #expect(EmbeddingText("Error: ERROR MYERROR myError occurred").labels.isEmpty)
    }
}

@Suite struct SharedConditionTests {
    @Test("conditions several ecosystems share are what tells two wordings apart from two failures")
    func sharedConditions() {
        #expect(FailureTaxonomy.conditions(in: "java.lang.NullPointerException: Cannot invoke \"Cart.total()\" because \"cart\" is null") == ["null reference"])
        #expect(FailureTaxonomy.conditions(in: "AttributeError: 'NoneType' object has no attribute 'total'") == ["null reference"])
        #expect(FailureTaxonomy.conditions(in: "write /var/lib/x: no space left on device") == ["no space left on device"])
        #expect(FailureTaxonomy.conditions(in: "java.io.IOException: stream closed").isEmpty)
        // MariaDB's errors carry the SQLSTATE they are raised with, named as PostgreSQL names it.
        let mysqlLogin = FailureTaxonomy.conditions(in: "Mysql2::Error: Access denied for user 'shop'@'10.0.4.7' (using password: YES)")
        let postgresLogin = FailureTaxonomy.conditions(in: "FATAL:  password authentication failed for user \"reporting\"")
        #expect(postgresLogin == ["invalid password", "invalid authorization specification"])
        #expect(Set(mysqlLogin).intersection(postgresLogin) == ["invalid authorization specification"])
        let mysqlDeadlock = FailureTaxonomy.conditions(in: "(1213, 'Deadlock found when trying to get lock; try restarting transaction')")
        let postgresSerialization = FailureTaxonomy.conditions(in: "ERROR:  could not serialize access due to concurrent update")
        #expect(Set(mysqlDeadlock).intersection(postgresSerialization) == ["serialization failure", "transaction rollback"])
        // MariaDB's identifier directive (%`s) is a value like any other: the grant it reports is PostgreSQL's missing privilege too.
        #expect(FailureTaxonomy.conditions(in: "ERROR 1142 (42000): DELETE command denied to user 'report'@'10.2.0.9' for table `shop`.`orders`")
                == ["command denied to user for table", "syntax error or access rule violation"])
        // PostgreSQL's messages chosen before the report, by object kind.
        #expect(FailureTaxonomy.conditions(in: "ERROR:  permission denied for table invoices").contains("insufficient privilege"))
    }

    @Test("AWS's error codes, Redis's replies and systemd's unit failures share their conditions with every other system's")
    func codesOfOtherSystems() {
        let boto = FailureTaxonomy.conditions(in: "botocore.exceptions.ClientError: An error occurred (Throttling) when calling the DescribeInstances operation (reached max retries: 4): Rate exceeded")
        let dynamo = FailureTaxonomy.conditions(in: "software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded.")
        let github = FailureTaxonomy.conditions(in: "HTTP 429 Too Many Requests from api.github.com; retry after 38s")
        #expect(boto == ["throttling", "too many requests"])
        #expect(Set(dynamo).intersection(github) == ["too many requests"])
        #expect(FailureTaxonomy.conditions(in: "operation error S3: GetObject, https response error StatusCode: 403, api error AccessDenied: Access Denied")
                .starts(with: ["access denied", "forbidden"]))
        // Redis's replies, as redis-py names them: its memory limit is an out-of-memory condition.
        #expect(FailureTaxonomy.conditions(in: "redis.exceptions.OutOfMemoryError: command not allowed when used memory > 'maxmemory'.")
                .contains("out of memory"))
        #expect(FailureTaxonomy.conditions(in: "READONLY You can't write against a read only replica.") == ["read only"])
        // systemd's report of a killed unit and Kubernetes' of a killed container: one signal.
        let unit = FailureTaxonomy.conditions(in: "systemd[1]: worker.service: Main process exited, code=killed, status=9/KILL")
        let container = FailureTaxonomy.conditions(in: "Container worker terminated: reason OOMKilled, exit code 137")
        #expect(Set(unit).intersection(container) == ["killed", "process killed by a signal"])
        #expect(FailureTaxonomy.labels(in: "systemd[1]: api.service: Main process exited, code=exited, status=203/EXEC") == ["the actual process execution failed"])
        // A code another source names stays that source's: the JDK's type, not an AWS error.
        #expect(FailureTaxonomy.labels(in: "java.lang.IllegalArgumentException: id must not be null") == ["illegal argument exception"])
    }

    @Test("an errno worded by musl or the BSDs is glibc's condition; curl's codes name theirs, not a User-Agent's version")
    func otherLibcsAndCurl() {
        // Python on Alpine (musl), Go on macOS: the texts differ, the errno is one.
        #expect(FailureTaxonomy.labels(in: "TimeoutError: [Errno 110] Operation timed out").first == "connection timed out")
        #expect(FailureTaxonomy.labels(in: "connect to 10.0.0.7:5432 failed: Address not available") == ["cannot assign requested address"])
        #expect(FailureTaxonomy.labels(in: "dial tcp 10.0.0.7:443: connect: can't assign requested address") == ["cannot assign requested address"])
        #expect(FailureTaxonomy.labels(in: "accept: No file descriptors available") == ["too many open files"])
        // Two words are any text's: an API's quota is no disk's.
        #expect(FailureTaxonomy.labels(in: "Quota exceeded for quota metric 'Read requests'").isEmpty)
        #expect(FailureTaxonomy.labels(in: "curl: (28) Operation timed out after 30001 milliseconds with 0 bytes received")
                == ["timeout was reached", "connection timed out"])
        #expect(FailureTaxonomy.labels(in: "curl: (52) Empty reply from server") == ["server returned nothing"])
        #expect(FailureTaxonomy.labels(in: "cURL error 6: Could not resolve host: api.example.com").contains("host name not resolved"))
        #expect(FailureTaxonomy.labels(in: "error: RPC failed; curl 56 Recv failure: Connection reset by peer")
                == ["failure when receiving data from the peer", "connection reset by peer"])
        #expect(FailureTaxonomy.labels(in: #"10.0.0.5 - - "GET /healthz HTTP/1.1" 200 2 "-" "curl/7.88.1""#).isEmpty)
    }

    @Test("HAProxy's failed health checks name their status and a failed check; a passed one names nothing")
    func haproxyHealthChecks() {
        #expect(FailureTaxonomy.labels(in: "[WARNING] (8) : Server geo/geo2 is DOWN, reason: Layer4 timeout, check duration: 2001ms.")
                == ["layer4 timeout", "health check failed"])
        #expect(FailureTaxonomy.conditions(in: #"Server app/a1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms."#)
                == ["layer4 connection problem", "health check failed", "connection refused"])
        #expect(FailureTaxonomy.labels(in: "Server geo/geo2 is UP, reason: Layer7 check passed, code: 200, check duration: 3ms.").isEmpty)
        #expect(FailureTaxonomy.labels(in: "[ALERT] (8) : backend storefront has no server available!") == ["no server available", "service unavailable"])
        // Its statuses' plain words elsewhere are any program's.
        #expect(FailureTaxonomy.labels(in: "socket error while reading config").isEmpty)
    }

    @Test("nginx's errors name the status nginx answers them with; PHP's output through FastCGI names none")
    func nginxErrors() {
        let timedOut = "2024/06/04 11:02:13 [error] 31#31: *88 upstream timed out (110: Connection timed out) while reading response header from upstream"
        #expect(FailureTaxonomy.labels(in: timedOut) == ["gateway timeout", "connection timed out"])
        #expect(FailureTaxonomy.labels(in: "[error] 31#31: *12 upstream prematurely closed connection while reading response header from upstream") == ["bad gateway"])
        #expect(FailureTaxonomy.labels(in: "[error] 31#31: *12 no live upstreams while connecting to upstream") == ["bad gateway"])
        #expect(FailureTaxonomy.labels(in: "[error] 31#31: *12 client intended to send too large body: 10485761 bytes") == ["request entity too large"])
        #expect(FailureTaxonomy.labels(in: #"[error] 31#31: *12 FastCGI sent in stderr: "PHP message: PHP Notice:  Undefined index: q""#).isEmpty)
    }

    @Test("a MySQL client error is one condition in MariaDB's wording and MySQL's; a working connection's description is none")
    func mysqlClientErrors() {
        #expect(FailureTaxonomy.labels(in: "SQLSTATE[HY000] [2006] MySQL server has gone away") == ["server has gone away"])
        #expect(FailureTaxonomy.conditions(in: "pymysql.err.OperationalError: (2013, 'Lost connection to MySQL server during query')")
                == FailureTaxonomy.conditions(in: "ERROR 2013 (HY000): Lost connection to server during query"))
        #expect(FailureTaxonomy.labels(in: "ERROR 2003 (HY000): Can't connect to MySQL server on 'db:3306' (111)") == ["can t connect to server on"])
        #expect(FailureTaxonomy.labels(in: "Connection: Localhost via UNIX socket").isEmpty)
    }
}
