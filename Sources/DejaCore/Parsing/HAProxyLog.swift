/// HAProxy's HTTP log format (`option httplog`, the format of its configuration manual, 8.2.3):
/// `client:port [accept date] frontend backend/server Tq/Tw/Tc/Tr/Ta status bytes …`, written
/// to syslog or, in containers, to standard output. Its level is its status class, as for other
/// access logs; HAProxy itself logs every request at one syslog level.
enum HAProxyLog {
    /// The status of an HTTP log line, or of its message after the accept date; nil for any other text.
    static func status(_ text: String) -> Int? {
        var bytes = text.utf8[...]
        // The client and accept date, when the header before them was not read.
        if let first = bytes.first, first &- 48 < 10, let close = bytes.prefix(80).firstIndex(of: UInt8(ascii: "]")),
           bytes[..<close].contains(UInt8(ascii: "[")) {
            bytes = bytes[close...].dropFirst().drop { $0 == 32 }
        }
        guard let frontend = token(&bytes), !frontend.isEmpty, let server = token(&bytes), server.contains(UInt8(ascii: "/")),
              let timers = token(&bytes), timers.count >= 9, timers.allSatisfy({ $0 &- 48 < 10 || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "-") }),
              timers.split(separator: UInt8(ascii: "/")).count == 5,
              let status = token(&bytes), status.count == 3, status.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        return status.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// The next space-separated token of `bytes`, consumed.
    private static func token(_ bytes: inout Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence? {
        guard !bytes.isEmpty else { return nil }
        let end = bytes.firstIndex(of: 32) ?? bytes.endIndex
        let token = bytes[..<end]
        bytes = bytes[end...].drop { $0 == 32 }
        return token
    }
}
