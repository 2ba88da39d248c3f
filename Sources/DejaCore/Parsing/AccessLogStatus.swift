/// The status of an access log line whose format the general header reading does not place, so
/// that its level can be its status class, as for the common and combined formats:
/// - a quoted request line followed by its status, the Common Log Format's order, which Envoy's
///   and Istio's default access log keep after their `[time]` (`"GET /api HTTP/1.1" 503 UF …`);
/// - HAProxy's HTTP log (`option httplog`, its configuration manual 8.2.3): `client:port [accept
///   date] frontend backend/server Tq/Tw/Tc/Tr/Ta status …`, whose syslog level is the same for
///   every request;
/// - AWS's load balancers' access logs (ALB, and the Classic ELB): `… client:port target:port
///   request_time target_time response_time elb_status target_status …`.
enum AccessLogStatus {
    /// The HTTP status `text` shows in one of these formats; nil for any other text.
    static func status(_ text: String) -> Int? {
        var bytes = text.utf8[...]
        if let status = afterRequest(bytes) { return status }
        // The client and accept date, when the header before them was not read.
        if let first = bytes.first, first &- 48 < 10, let close = bytes.prefix(80).firstIndex(of: UInt8(ascii: "]")),
           bytes[..<close].contains(UInt8(ascii: "[")) {
            bytes = bytes[close...].dropFirst().drop { $0 == 32 }
        }
        return haproxy(bytes) ?? loadBalancer(text.utf8[...])
    }

    /// `"METHOD target HTTP/x" STATUS`, the request among the first 200 bytes.
    private static func afterRequest(_ bytes: Substring.UTF8View.SubSequence) -> Int? {
        guard let open = bytes.prefix(200).firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        let request = bytes[bytes.index(after: open)...]
        guard let method = request.first, method &- 65 < 26, let close = request.prefix(4_096).firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        let line = request[..<close]
        guard let lastSpace = line.lastIndex(of: 32), line[line.index(after: lastSpace)...].starts(with: "HTTP/".utf8) else { return nil }
        var after = request[request.index(after: close)...]
        guard after.first == 32 else { return nil }
        after = after.dropFirst()
        return code(after.prefix { $0 != 32 })
    }

    /// HAProxy: `frontend backend/server Tq/Tw/Tc/Tr/Ta status`.
    private static func haproxy(_ bytes: Substring.UTF8View.SubSequence) -> Int? {
        var bytes = bytes
        guard let frontend = token(&bytes), !frontend.isEmpty, let server = token(&bytes), server.contains(UInt8(ascii: "/")),
              let timers = token(&bytes), isNumbers(timers, separatedBy: UInt8(ascii: "/"), count: 5), let status = token(&bytes) else { return nil }
        return code(status)
    }

    /// AWS ALB / Classic ELB: two `host:port` tokens (the target `-` when none), three durations in
    /// seconds, the status; within the first 13 fields (it is ALB's ninth, the ELB's eighth).
    private static func loadBalancer(_ bytes: Substring.UTF8View.SubSequence) -> Int? {
        var bytes = bytes.prefix(400)
        var hostPorts = 0, hostPortsBefore = 0, seconds = 0, fields = 0
        while fields < 13, let next = token(&bytes) {
            fields += 1
            if seconds == 3, hostPortsBefore >= 2 { return code(next) }
            if isSeconds(next) {
                if seconds == 0 { hostPortsBefore = hostPorts }
                seconds += 1
                hostPorts = 0
            } else {
                seconds = 0
                hostPorts = next.contains(UInt8(ascii: ":")) || next.elementsEqual("-".utf8) ? hostPorts + 1 : 0
            }
        }
        return nil
    }

    /// `0.001`, or `-1` for a stage that did not happen.
    private static func isSeconds(_ token: Substring.UTF8View.SubSequence) -> Bool {
        token.elementsEqual("-1".utf8) || token.contains(UInt8(ascii: ".")) && token.allSatisfy { $0 &- 48 < 10 || $0 == UInt8(ascii: ".") }
    }

    private static func isNumbers(_ token: Substring.UTF8View.SubSequence, separatedBy separator: UInt8, count: Int) -> Bool {
        let parts = token.split(separator: separator, omittingEmptySubsequences: false)
        return parts.count == count && parts.allSatisfy { part in
            !part.isEmpty && part.drop { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }.allSatisfy { $0 &- 48 < 10 }
        }
    }

    /// A three-digit HTTP status.
    private static func code(_ token: Substring.UTF8View.SubSequence) -> Int? {
        guard token.count == 3, token.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        let status = token.reduce(0) { $0 * 10 + Int($1 - 48) }
        return (100...599).contains(status) ? status : nil
    }

    /// The next space-separated token of `bytes`, consumed.
    private static func token(_ bytes: inout Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence? {
        bytes = bytes.drop { $0 == 32 }
        guard !bytes.isEmpty else { return nil }
        let end = bytes.firstIndex(of: 32) ?? bytes.endIndex
        let token = bytes[..<end]
        bytes = bytes[end...]
        return token
    }
}
