/// The header of a plain text line, read by general rules rather than per-format tables: a
/// timestamp (`TimestampScanner`) near the start, a level word (`LevelLexicon`) among the next few
/// tokens, and the usual decorations between the header and the message: process and thread ids,
/// `[thread]` brackets, a `logger:` or `program[pid]:` name, a `logger -` name, a padded column,
/// `pkg.logger [context]`, Spring Boot's `pid --- [thread] logger : `, Ruby Logger's `-- progname: `,
/// or pipe-delimited fields. A level may also lead the line, before the timestamp (`ERROR [main]
/// 2024-03-14 …`, `[WARN ] 2024-03-14 …`).
struct PlainHeader {
    var timestamp: Int64
    var level: Severity = .unknown
    /// Byte offset where the message starts.
    var messageStart: Int
    /// The timestamp's notation, and the byte it starts at.
    var shape: String
    var timestampStart: Int
    /// Bytes of the logger or program the header names (`c.a.App`, `sshd`), if any.
    var source: Range<Int>?

    /// Tokens after the timestamp in which a level is looked for (`host`, `pid`, `tid`, `[thread]`, `component`).
    static let levelWindow = 5

    /// The header of `bytes`; with `known`, only a timestamp of that shape at that byte is read.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, scanner: TimestampScanner, known: (start: Int, shape: String)? = nil) -> PlainHeader? {
        let scanned = if let known { scanner.scan(bytes, at: known.start, shape: known.shape) } else { scanner.scan(bytes) }
        guard let (found, headerEnd) = scanned else { return nil }
        var header = PlainHeader(timestamp: found.nanoseconds, messageStart: headerEnd, shape: found.shape,
                                 timestampStart: found.range.lowerBound)
        if headerEnd < bytes.count, bytes[headerEnd] == UInt8(ascii: "|") { return delimited(header, bytes, from: headerEnd) }
        var at = skip(bytes, from: headerEnd, while: { $0 == 32 || $0 == 9 || $0 == UInt8(ascii: "]") || $0 == UInt8(ascii: ",") })
        if at + 1 < bytes.count, bytes[at] == UInt8(ascii: ":"), bytes[at + 1] == 32 { at = skipSpaces(bytes, from: at + 1) }  // Celery's `[time: LEVEL/…]`

        // A level among the next few tokens. Only ids (digits), `-` and brackets before it mean the
        // level leads the header (`pid tid D Tag: msg`, `- INFO [thread] - msg`); other words before
        // it are header fields of their own (`node RAS KERNEL INFO msg`).
        var leading = true
        var cursor = at
        for _ in 0..<levelWindow {
            let token = nextToken(bytes, from: cursor)
            guard !token.isEmpty else { break }
            // `[DEBUG][606918]`: a bracketed level is its first group; Apache's `[module:level]`, its
            // last part; Celery's `ERROR/MainProcess]`, its first.
            var word = token
            var group = token
            if bytes[token.lowerBound] == UInt8(ascii: "["), let close = bytes[token].firstIndex(of: UInt8(ascii: "]")) {
                group = token.lowerBound..<close + 1
                word = (bytes[group].lastIndex(of: UInt8(ascii: ":")).map { $0 + 1 } ?? group.lowerBound)..<close + 1
            } else if bytes[token.upperBound - 1] == UInt8(ascii: "]"), let slash = bytes[token].firstIndex(of: UInt8(ascii: "/")) {
                word = token.lowerBound..<slash
            }
            // Past other header fields, only a level in capitals (`RAS KERNEL INFO`): a lower-case
            // word there is more likely the message's own.
            if let level = LevelLexicon.level(ofToken: bytes[word]), leading || !bytes[word].contains(where: { $0 &- 97 < 26 }) {
                header.level = level
                at = group.upperBound
                if at < bytes.count, bytes[at] == UInt8(ascii: ":") { at += 1 }  // fluentd's `[warn]: `
                // structlog pads the level inside its bracket: `[error    ] msg`.
                if group == token, bytes[token.lowerBound] == UInt8(ascii: "["), case let close = skipSpaces(bytes, from: at),
                   close < bytes.count, bytes[close] == UInt8(ascii: "]") {
                    at = close + 1
                }
                break
            }
            // A `program[pid]:` name ends the header: what follows is the message.
            if bytes[token.upperBound - 1] == UInt8(ascii: ":") { break }
            let plain = bytes[token].allSatisfy { $0 &- 48 < 10 || $0 == UInt8(ascii: "-") }
                || bytes[token.lowerBound] == UInt8(ascii: "[")
            leading = leading && plain
            cursor = skipSpaces(bytes, from: bracketEnd(bytes, token))
        }
        if header.level != .unknown, at < bytes.count, bytes[at] == 9 { return tabFields(header, bytes, from: at + 1) }
        if header.level == .unknown, found.range.lowerBound > 0, let level = LevelLexicon.level(ofToken: bytes[nextToken(bytes, from: 0)]) {
            header.level = level  // the level leads the line, before the timestamp
            leading = true
        }
        if header.level == .unknown {
            if let marked = redisMark(bytes, header, from: at) { return marked }
            // No level: ids such as a pid or a flag right after the time belong to the header.
            var skipped = 0
            while skipped < 2 {
                let token = nextToken(bytes, from: at)
                guard !token.isEmpty, isNumber(bytes[token]) else { break }
                at = skipSpaces(bytes, from: token.upperBound)
                skipped += 1
            }
            let program = programEnd(bytes, from: skipSpaces(bytes, from: at))
            header.messageStart = program?.end ?? skipSpaces(bytes, from: at)
            header.source = program?.name
            if let program, let level = prefixLevel(bytes, program.end) {  // PostgreSQL's `%t:%r:%u@%d:[%p]:ERROR:`
                header.level = level
                header.source = nil
            }
            return header
        }
        at = skipSpaces(bytes, from: at)
        // Rust's env_logger: `[time LEVEL module] msg`, the bracket opened before the time closing after the module.
        if found.range.lowerBound > 0, bytes[found.range.lowerBound - 1] == UInt8(ascii: "["),
           !bytes[found.range.lowerBound..<at].contains(UInt8(ascii: "]")), case let module = nextToken(bytes, from: at),
           module.count > 1, bytes[module.upperBound - 1] == UInt8(ascii: "]") {
            header.messageStart = skipSpaces(bytes, from: module.upperBound)
            header.source = module.lowerBound..<module.upperBound - 1
            return header
        }
        // Ruby's Logger: `LEVEL -- progname: msg`, `LEVEL -- : msg`.
        if at + 2 < bytes.count, bytes[at] == UInt8(ascii: "-"), bytes[at + 1] == UInt8(ascii: "-"), bytes[at + 2] == 32 {
            let name = nextToken(bytes, from: skipSpaces(bytes, from: at + 3))
            if !name.isEmpty, bytes[name.upperBound - 1] == UInt8(ascii: ":") {
                header.messageStart = skipSpaces(bytes, from: name.upperBound)
                header.source = name.count > 1 ? name.lowerBound..<name.upperBound - 1 : nil
                return header
            }
        }
        guard leading else {
            if at + 1 < bytes.count, bytes[at] == UInt8(ascii: "-"), bytes[at + 1] == 32 { at = skipSpaces(bytes, from: at + 2) }  // `{file.py:12} ERROR - msg`
            header.messageStart = at
            return header
        }
        let decorations = decorationsEnd(bytes, from: at)
        header.messageStart = decorations?.end ?? at
        header.source = decorations?.name
        return header
    }

    /// zap's console encoder: `time\tLEVEL\tlogger\tcaller\tmessage\t{fields}`. Fields without a space
    /// that name a logger or a caller (holding `.`, `/` or `:`) are the header; the first is the source.
    private static func tabFields(_ header: PlainHeader, _ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> PlainHeader {
        var header = header
        var fieldStart = start
        while let tab = bytes[fieldStart...].firstIndex(of: 9) {
            let field = bytes[fieldStart..<tab]
            guard !field.isEmpty, !field.contains(32), field.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") })
            else { break }
            if header.source == nil { header.source = fieldStart..<tab }
            fieldStart = tab + 1
        }
        header.messageStart = fieldStart
        return header
    }

    /// `time|field|field|message`: fields between pipes are the header (a level among them is
    /// read), the last field is the message.
    private static func delimited(_ header: PlainHeader, _ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> PlainHeader {
        var header = header
        var fieldStart = start + 1
        var at = fieldStart
        while at < bytes.count {
            if bytes[at] == UInt8(ascii: "|") {
                let field = fieldStart..<at
                if header.level == .unknown, let level = LevelLexicon.level(ofToken: bytes[field]) { header.level = level }
                fieldStart = at + 1
            }
            at += 1
        }
        header.messageStart = skipSpaces(bytes, from: fieldStart)
        return header
    }

    /// After a leading level: `[thread]` groups and `-`, then a `name:` (containing a letter), a
    /// `name -`, or a column padded by two or more spaces; nil when none of these follows.
    private static func decorationsEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, name: Range<Int>?)? {
        var at = start
        var sawBracket = false
        let pid = nextToken(bytes, from: at)
        // nginx's error log: `pid#tid: *connection msg` (`ngx_log_error_core`), the connection only
        // when a request is being served.
        if pid.count >= 4, bytes[pid.upperBound - 1] == UInt8(ascii: ":"), let hash = bytes[pid].firstIndex(of: UInt8(ascii: "#")),
           isNumber(bytes[pid.lowerBound..<hash]), isNumber(bytes[hash + 1..<pid.upperBound - 1]) {
            at = skipSpaces(bytes, from: pid.upperBound)
            let connection = nextToken(bytes, from: at)
            if connection.count >= 2, bytes[connection.lowerBound] == UInt8(ascii: "*"), isNumber(bytes[connection.lowerBound + 1..<connection.upperBound]) {
                at = skipSpaces(bytes, from: connection.upperBound)
            }
            return (at, nil)
        }
        // Spring Boot's `pid --- [thread] logger : msg` (and `--- [app] [thread]` from 3.2).
        if !pid.isEmpty, isNumber(bytes[pid]), case let dashes = nextToken(bytes, from: skipSpaces(bytes, from: pid.upperBound)),
           bytes[dashes].elementsEqual("---".utf8) {
            at = skipSpaces(bytes, from: dashes.upperBound)
        }
        while at < bytes.count, bytes[at] == UInt8(ascii: "[") {
            at = skipSpaces(bytes, from: bracketEnd(bytes, at..<at + 1))
            sawBracket = true
        }
        if at + 1 < bytes.count, bytes[at] == UInt8(ascii: "-"), bytes[at + 1] == 32 {
            return (skipSpaces(bytes, from: at + 2), nil)  // `[thread] - msg`, `- msg`
        }
        if let named = nameEnd(bytes, from: at, tokens: 1) { return named }
        let token = nextToken(bytes, from: at)
        guard !token.isEmpty else { return sawBracket ? (at, nil) : nil }
        let after = skipSpaces(bytes, from: token.upperBound)
        if let named = dashedName(bytes, token) { return named }
        // `logger : msg`, the colon standing alone (Spring Boot pads the logger to a column).
        if after + 1 < bytes.count, bytes[after] == UInt8(ascii: ":"), bytes[after + 1] == 32, hasLetter(bytes[token]) {
            return (skipSpaces(bytes, from: after + 2), token)
        }
        // `[thread] pkg.Class.method msg`: a dotted Java name after the thread (Tomcat's one-line format).
        if sawBracket, bytes[token].count(where: { $0 == UInt8(ascii: ".") }) >= 2, isJavaName(bytes[token]) { return (after, token) }
        // `package.logger [request context] msg` (Python's oslo, Java's MDC patterns).
        if after < bytes.count, bytes[after] == UInt8(ascii: "["), bytes[token].contains(UInt8(ascii: ".")),
           bytes[token].allSatisfy({ ($0 | 0x20) &- 97 < 26 || $0 &- 48 < 10 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "$") }) {
            return (skipSpaces(bytes, from: bracketEnd(bytes, after..<after + 1)), token)
        }
        // A padded column (`Info   CBS    Loaded …`).
        if after - token.upperBound >= 2, hasLetter(bytes[token]) { return (after, token) }
        return nil
    }

    /// The end of a `name:` (`sshd[24200]:`, `dfs.DataNode$PacketResponder:`) among the next
    /// `tokens` tokens, the message starting after it, and the name without its `[pid]` and colon.
    private static func nameEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, tokens: Int) -> (end: Int, name: Range<Int>?)? {
        var at = start
        for _ in 0..<tokens {
            let token = nextToken(bytes, from: at)
            guard token.count >= 2 else { return nil }
            // A JSON object or string opening the message (`{"cart":`) names no logger.
            if bytes[token.upperBound - 1] == UInt8(ascii: ":"), hasLetter(bytes[token]), !isErrorCode(bytes[token].dropLast()),
               bytes[token.lowerBound] != UInt8(ascii: "{"), bytes[token.lowerBound] != UInt8(ascii: "\""),
               token.upperBound == bytes.count || bytes[token.upperBound] == 32 {
                let name = token.lowerBound..<(bytes[token].firstIndex(of: UInt8(ascii: "[")) ?? token.upperBound - 1)
                return (skipSpaces(bytes, from: token.upperBound), name)
            }
            at = skipSpaces(bytes, from: token.upperBound)
        }
        return nil
    }

    /// `logger - msg`, `program.exe - msg`: a name with a letter, then ` - `.
    private static func dashedName(_ bytes: UnsafeBufferPointer<UInt8>, _ token: Range<Int>) -> (end: Int, name: Range<Int>?)? {
        let after = skipSpaces(bytes, from: token.upperBound)
        guard after + 1 < bytes.count, after > token.upperBound, bytes[after] == UInt8(ascii: "-"), bytes[after + 1] == 32,
              hasLetter(bytes[token]) else { return nil }
        return (skipSpaces(bytes, from: after + 2), token)
    }

    /// Syslog's `host program[pid]:` or `host program:`, or `program - msg`, after a time with no
    /// level: the message starts after it. A `name:` right after the time is kept, as it may be the
    /// message's own.
    private static func programEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, name: Range<Int>?)? {
        let first = nextToken(bytes, from: start)
        guard !first.isEmpty else { return nil }
        if let named = dashedName(bytes, first) { return named }
        if bytes[first].contains(UInt8(ascii: "[")), let end = nameEnd(bytes, from: start, tokens: 1) { return end }
        return nameEnd(bytes, from: skipSpaces(bytes, from: first.upperBound), tokens: 1)
    }

    /// `AH00489`: capitals, then three digits or more, a message's code rather than a logger.
    private static func isErrorCode(_ token: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let letters = token.prefix { $0 &- 65 < 26 }
        return (1...4).contains(letters.count) && token.count - letters.count >= 3 && token.dropFirst(letters.count).allSatisfy { $0 &- 48 < 10 }
    }

    /// `com.acme.App`, `Outer$Inner`: letters, digits, `.`, `_` and `$`.
    private static func isJavaName(_ token: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        token.allSatisfy { ($0 | 0x20) &- 97 < 26 || $0 &- 48 < 10 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "$") }
    }

    /// A level in capitals as the last field of a colon-joined prefix that ends at `end`
    /// (`…:[5678]:ERROR: `), or nil.
    private static func prefixLevel(_ bytes: UnsafeBufferPointer<UInt8>, _ end: Int) -> Severity? {
        var close = end
        while close > 0, bytes[close - 1] == 32 { close -= 1 }
        guard close > 1, bytes[close - 1] == UInt8(ascii: ":") else { return nil }
        var open = close - 1
        while open > 0, bytes[open - 1] &- 65 < 26 { open -= 1 }
        guard open > 0, bytes[open - 1] == UInt8(ascii: ":"), open < close - 1 else { return nil }
        return LevelLexicon.level(ofToken: bytes[open..<close - 1])
    }

    /// Redis's `pid:role dd MMM yyyy HH:mm:ss.SSS <mark> msg`, whose level is one mark (`server.c`:
    /// `.` debug, `-` verbose, `*` notice, `#` warning) after the time.
    private static func redisMark(_ bytes: UnsafeBufferPointer<UInt8>, _ header: PlainHeader, from start: Int) -> PlainHeader? {
        let role = nextToken(bytes, from: 0)
        guard role.count >= 3, role.upperBound <= header.timestampStart, bytes[role.upperBound - 2] == UInt8(ascii: ":"),
              bytes[role.upperBound - 1] &- 65 < 26, bytes[role.lowerBound..<role.upperBound - 2].allSatisfy({ $0 &- 48 < 10 }),
              start + 1 < bytes.count, bytes[start + 1] == 32 else { return nil }
        let levels: [UInt8: Severity] = [UInt8(ascii: "."): .debug, UInt8(ascii: "-"): .trace, UInt8(ascii: "*"): .notice, UInt8(ascii: "#"): .warning]
        guard let level = levels[bytes[start]] else { return nil }
        var header = header
        header.level = level
        header.messageStart = skipSpaces(bytes, from: start + 1)
        return header
    }

    /// `148`, `-1`: a pid, a thread id or a flag.
    private static func isNumber(_ token: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let digits = token.first == UInt8(ascii: "-") ? token.dropFirst() : token
        return !digits.isEmpty && digits.allSatisfy { $0 &- 48 < 10 }
    }

    private static func hasLetter(_ token: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        token.contains { ($0 | 0x20) &- 97 < 26 }
    }

    /// The token starting at `start`: up to the next space.
    private static func nextToken(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Range<Int> {
        var end = start
        while end < bytes.count, bytes[end] != 32, bytes[end] != 9 { end += 1 }
        return start..<end
    }

    /// Past a `[…]` group (nested brackets and spaces inside allowed) that `token` opens; else past the token.
    private static func bracketEnd(_ bytes: UnsafeBufferPointer<UInt8>, _ token: Range<Int>) -> Int {
        guard token.lowerBound < bytes.count, bytes[token.lowerBound] == UInt8(ascii: "[") else { return token.upperBound }
        var depth = 0
        var at = token.lowerBound
        while at < bytes.count {
            if bytes[at] == UInt8(ascii: "[") { depth += 1 } else if bytes[at] == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return at + 1 }
            }
            at += 1
        }
        return token.upperBound
    }

    private static func skipSpaces(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        skip(bytes, from: start) { $0 == 32 || $0 == 9 }
    }

    private static func skip(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, while predicate: (UInt8) -> Bool) -> Int {
        var at = start
        while at < bytes.count, predicate(bytes[at]) { at += 1 }
        return at
    }
}
