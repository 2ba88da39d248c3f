/// Failure families named the many ways ecosystems word them: `NullPointerException`,
/// `'NoneType' object has no attribute` and `undefined method for nil:NilClass` are all a null
/// reference. The model alone does not know these names mean the same thing; naming the family in
/// plain words beside the message lets it see that they do.
public enum ErrorConcepts {
    /// A family: its plain-English name and lower-case phrases that identify it. A phrase matches
    /// where a word starts; an all-digit phrase (a status code) must also end at a word end.
    public struct Concept: Sendable {
        public let name: String
        public let phrases: [String]
        /// The phrases as bytes, made once: matching runs for every new signature and every query.
        let phraseBytes: [[UInt8]]

        init(name: String, phrases: [String]) {
            self.name = name
            self.phrases = phrases
            phraseBytes = phrases.map { Array($0.utf8) }
        }
    }

    /// The families found in `text`, in table order.
    public static func names(in text: String) -> [String] {
        let lowered = text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
        return table.filter { concept in concept.phraseBytes.contains { matches($0, in: lowered) } }.map(\.name)
    }

    static func matches(_ phrase: [UInt8], in text: [UInt8]) -> Bool {
        guard let first = phrase.first, phrase.count <= text.count else { return false }
        let digitsOnly = phrase.allSatisfy(isDigit)
        var start = 0
        while start + phrase.count <= text.count {
            guard let found = text[start...].firstIndex(of: first), found + phrase.count <= text.count else { return false }
            if (found == 0 || !isWordByte(text[found - 1])) && text[found..<found + phrase.count].elementsEqual(phrase)
                && (!digitsOnly || found + phrase.count == text.count || !isWordByte(text[found + phrase.count])) {
                return true
            }
            start = found + 1
        }
        return false
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    private static func isWordByte(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 97 && byte <= 122) || byte >= 128 }

    // Written from the error vocabularies of Java/Kotlin, .NET, Python, Go, Node, Ruby, PHP, Rust,
    // databases, brokers, Kubernetes and cloud APIs; an entry is a failure family, not a product.
    public static let table: [Concept] = [
        Concept(name: "null reference", phrases: ["nullpointerexception", "nullreferenceexception", "object reference not set to an instance", "'nonetype' object", "nonetype object", "for nil:nilclass", "for nil", "nil pointer dereference", "invalid memory address or nil pointer", "assignment to entry in nil map", "of undefined", "of null", "on null", "null object reference", "on a `none` value", "non-null is null", "is not an object (evaluating", "undefined is not an object", "null pointer"]),
        Concept(name: "file not found", phrases: ["filenotfound", "no such file or directory", "enoent", "nosuchfileexception", "failed to open stream", "could not find file", "cannot find the file", "cannot find the path", "file does not exist", "file not found"]),
        Concept(name: "file permission denied", phrases: ["eacces", "permission denied", "permissionerror", "unauthorizedaccessexception", "accessdeniedexception", "operation not permitted", "eperm", "read-only file system", "erofs"]),
        Concept(name: "access denied by authorization policy", phrases: ["accessdenied", "access denied", "authorizationfailed", "not authorized to perform", "does not have authorization", "does not have permission", "insufficient permission", "permission_denied", "lacks permission", "authorizationpermissionmismatch", "403 forbidden", "forbidden: 403", "exceptions.forbidden", "is forbidden", "missing permission", "iam permission"]),
        Concept(name: "authentication failed", phrases: ["authentication failed", "authentication failure", "password authentication failed", "invalid credentials", "bad credentials", "unauthenticated", "401 unauthorized", "invalid token", "token expired", "token has expired", "jwt expired", "failed password", "login failed", "invalid user"]),
        Concept(name: "number parse error", phrases: ["numberformatexception", "formatexception", "invalid literal for int", "parseinterror", "parsefloaterror", "strconv.atoi", "strconv.parseint", "strconv.parsefloat", "invalid value for integer", "invalid value for float", "could not convert string to float", "not a valid integer", "not a valid number", "invaliddigit", "input string was not in a correct format", "for input string", "is not a number"]),
        Concept(name: "date parse error", phrases: ["datetimeparseexception", "does not match format", "not recognized as a valid datetime", "invalid time value", "invalid date", "failed to parse time string", "parsing time", "date::error", "unparseable date", "cannot parse date", "invalid datetime", "time data '"]),
        Concept(name: "timeout", phrases: ["deadline_exceeded", "deadline exceeded", "timed out", "timeoutexception", "timeouterror", "etimedout", "sockettimeoutexception", "operation timed out", "gateway timeout", "request timeout", "timeout expired", "timeout waiting", "timeout exceeded", "exceeded the timeout"]),
        Concept(name: "connection refused", phrases: ["econnrefused", "connection refused", "connectexception", "actively refused", "could not connect to server", "connect: connection refused"]),
        Concept(name: "connection closed by peer", phrases: ["epipe", "broken pipe", "econnreset", "connection reset", "clientabortexception", "unable to write data to the transport connection", "client closed", "premature close", "socket hang up", "connection aborted", "unexpected eof", "forcibly closed"]),
        Concept(name: "dns resolution failed", phrases: ["name or service not known", "enotfound", "unknownhostexception", "no such host", "getaddrinfo", "temporary failure in name resolution", "could not resolve host", "nodename nor servname", "name resolution"]),
        Concept(name: "certificate verification failed", phrases: ["certificate verify failed", "x509:", "sslhandshakeexception", "pkix path building failed", "certificate has expired", "self signed certificate", "self-signed certificate", "unable to verify the first certificate", "cert_has_expired", "unable to get local issuer certificate", "certificate is not trusted"]),
        Concept(name: "tls protocol mismatch", phrases: ["protocol version", "no shared protocol", "tlsv1_alert_protocol_version", "unsupported protocol", "handshake failure", "no protocols available", "wrong version number", "ssl routines", "tls handshake"]),
        Concept(name: "database ssl required", phrases: ["ssl is not enabled on the server", "does not support ssl", "ssl off", "ssl connection is required", "requires ssl", "sslmode", "require_secure_transport", "ssl required"]),
        Concept(name: "out of memory", phrases: ["outofmemoryerror", "java heap space", "memoryerror", "cannot allocate memory", "enomem", "oomkilled", "out of memory", "memory alarm", "heap out of memory", "oom-kill", "oom_kill", "killed process", "memory limit", "exit code 137", "memory exhausted", "allowed memory size"]),
        Concept(name: "disk full", phrases: ["enospc", "no space left on device", "disk full", "diskfull", "disk quota exceeded", "flood stage", "disk watermark", "disk usage exceeded", "filesystem is full", "insufficient disk"]),
        Concept(name: "too many open files", phrases: ["emfile", "too many open files"]),
        Concept(name: "cpu throttling", phrases: ["throttl", "cpu limit", "cpu quota", "cfs quota", "nr_throttled"]),
        Concept(name: "rate limited", phrases: ["429", "too many requests", "rate limit", "ratelimit", "requestlimitexceeded", "slowdown", "resource_exhausted", "quota exceeded"]),
        Concept(name: "upstream unavailable", phrases: ["503", "service unavailable", "no healthy upstream", "upstream connect error", "502", "bad gateway", "no server is available", "nosrv", "backend down", "code = unavailable", "status: unavailable"]),
        Concept(name: "deadlock", phrases: ["deadlock", "lock wait timeout", "could not serialize access", "serialization failure"]),
        Concept(name: "duplicate key", phrases: ["duplicate key", "duplicate entry", "unique constraint", "e11000", "duplicatekeyexception", "integrityerror", "uniqueviolation", "already exists"]),
        Concept(name: "connection pool exhausted", phrases: ["too many connections", "remaining connection slots", "connection pool", "connection is not available", "queuepool limit", "pool exhausted", "max_connections", "too many clients"]),
        Concept(name: "container crash loop", phrases: ["crashloopbackoff", "back-off restarting failed container", "exec format error", "exec user process caused", "restarting failed container"]),
        Concept(name: "image pull failed", phrases: ["imagepullbackoff", "errimagepull", "failed to pull image", "manifest unknown", "pull access denied"]),
        Concept(name: "volume mount failed", phrases: ["failedmount", "multi-attach error", "unable to attach or mount volumes", "already exclusively attached", "failedattachvolume", "volume is already", "mountvolume"]),
        Concept(name: "pod scheduling failed", phrases: ["failedscheduling", "insufficient cpu", "insufficient memory", "didn't match node", "untolerated taint", "nodes are available", "unschedulable"]),
        Concept(name: "job failed", phrases: ["backofflimitexceeded", "backoff limit", "deadlineexceeded job", "job was active longer", "job failed"]),
        Concept(name: "autoscaler metrics unavailable", phrases: ["failedgetresourcemetric", "failedcomputemetricsreplicas", "unable to get metrics", "failed to get cpu utilization", "metrics.k8s.io", "unable to fetch metrics"]),
        Concept(name: "probe failed", phrases: ["liveness probe failed", "readiness probe failed", "startup probe failed", "unhealthy"]),
        Concept(name: "pod evicted", phrases: ["evicted", "the node was low on resource"]),
        Concept(name: "index out of range", phrases: ["indexoutofboundsexception", "indexerror", "index out of range", "arrayindexoutofbounds", "argumentoutofrangeexception", "undefined offset", "out of bounds"]),
        Concept(name: "missing key", phrases: ["keyerror", "keynotfoundexception", "nosuchelementexception", "undefined index", "key not found", "undefined array key"]),
        Concept(name: "type error", phrases: ["classcastexception", "invalidcastexception", "typeerror", "cannot be cast to", "type mismatch", "is not a function"]),
        Concept(name: "stack overflow", phrases: ["stackoverflowerror", "maximum recursion depth", "maximum call stack size", "stack overflow"]),
        Concept(name: "division by zero", phrases: ["/ by zero", "zerodivisionerror", "dividebyzeroexception", "divide by zero", "division by zero"]),
        Concept(name: "malformed json", phrases: ["jsonparseexception", "jsondecodeerror", "unexpected token", "unexpected end of json", "invalid json", "malformed json", "jsonreaderexception", "failed to parse json", "json: cannot unmarshal", "expecting value: line"]),
        Concept(name: "email recipient rejected", phrases: ["mailbox unavailable", "recipient unknown", "user unknown", "no such user", "recipient address rejected", "550 5.1.1", "address rejected", "undeliverable"]),
        Concept(name: "cors rejected", phrases: ["cors", "access-control-allow-origin", "origin is not allowed", "origin not allowed", "cross-origin"]),
        Concept(name: "csrf token invalid", phrases: ["csrf", "invalidauthenticitytoken", "tokenmismatchexception", "authenticity token", "xsrf"]),
        Concept(name: "websocket upgrade failed", phrases: ["websocket", "upgrade header", "'upgrade' token", "connection: upgrade"]),
        Concept(name: "message broker blocked", phrases: ["connection.blocked", "resource alarm", "publishers blocked", "flow control", "blocking publishers"]),
        Concept(name: "consumer acknowledgement timeout", phrases: ["consumer_timeout", "delivery acknowledgement", "precondition_failed", "unacked", "ack timeout"]),
        Concept(name: "search cluster unhealthy", phrases: ["cluster health status changed", "unassigned", "primary shard is not active", "no_shard_available", "clusterblockexception", "shard failed", "[red]"]),
        Concept(name: "segmentation fault", phrases: ["sigsegv", "segmentation fault", "segfault", "access violation", "core dumped"]),
        Concept(name: "module not found", phrases: ["classnotfoundexception", "noclassdeffounderror", "modulenotfounderror", "importerror", "cannot find module", "undefined symbol", "cannot open shared object file", "loaderror"]),
        Concept(name: "io error", phrases: ["i/o error", "input/output error", "eio", "ioexception"]),
        Concept(name: "clock skew", phrases: ["clock skew", "time drift", "clock drift", "time is out of sync", "step time server", "adjust time server", "ntpd"]),
    ]
}
