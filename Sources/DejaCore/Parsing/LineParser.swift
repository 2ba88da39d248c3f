import Foundation

/// Recognizes a log line's layout and reads its time, level, source and message. Tried in order:
/// container envelopes (CRI, Docker json-file), JSON, syslog, klog, logfmt, then the common plain
/// shapes (Log4j/Logback, Python logging, Go `log`, nginx, PostgreSQL). Whatever is not recognized
/// is plain text, its level inferred from the words in it. Never throws: bad input gets a status.
public struct LineParser: Sendable {
    /// Longest line read; the rest is cut and the line marked `truncated`.
    public var maxLineBytes = 256 * 1024
    /// Deepest JSON nesting read as JSON.
    public var maxJSONDepth = 32
    /// Reads the timestamps of plain, syslog and klog lines; its reference time places year-less
    /// dates, its zone offset reads zone-less times (UTC unless set).
    public var timestamps = TimestampScanner()

    public init(timestamps: TimestampScanner = TimestampScanner()) {
        self.timestamps = timestamps
    }

    /// Parses one physical line (without its newline).
    public func parse(_ raw: String) -> ParsedLine {
        var memory = LineLayoutMemory()
        return parse(raw, memory: &memory)
    }

    /// Parses one line of a stream whose earlier lines taught `memory` its layout: that layout is
    /// tried first (a header's timestamp only at the byte and in the notation seen before), and a
    /// line that does not fit it is detected afresh and teaches `memory` its own.
    public func parse(_ raw: String, memory: inout LineLayoutMemory) -> ParsedLine {
        var status = ParseStatus.ok
        var line = raw
        if line.utf8.count > maxLineBytes {
            line = String(decoding: line.utf8.prefix(maxLineBytes), as: UTF8.self)
            status = .truncated
        }
        // One pass over the bytes: control bytes that text does not hold, and 0xEF, which starts
        // U+FFFD (EF BF BD), the mark of bytes that were not UTF-8, and a byte order mark (EF BB BF).
        let (control, replacement, escape) = line.withUTF8 { bytes in
            var control = false, replacement = false, escape = false
            for byte in bytes {
                control = control || (byte < 32 && byte != 9 && byte != 27)
                replacement = replacement || byte == 0xEF
                escape = escape || byte == 27
            }
            return (control, replacement, escape)
        }
        if escape { line = TerminalEscapes.stripped(line) }
        if control {
            line = String(line.unicodeScalars.filter { $0.value >= 32 || $0 == "\t" || $0 == "\u{1B}" }.map(Character.init))
            if status == .ok { status = .binary }
        }
        if status == .ok, replacement, line.unicodeScalars.contains("\u{FFFD}") { status = .invalidUTF8 }
        if line.hasSuffix("\r") { line.removeLast() }
        if replacement, line.hasPrefix("\u{FEFF}") { line.removeFirst() }  // a byte order mark (0xEF...) is no text

        if let directive = W3CExtendedLog.directive(line) {
            if directive.name == "Fields" { memory.w3cFields = W3CExtendedLog.Fields(directive.value) }
            var parsed = ParsedLine(layout: .directive, message: line)
            parsed.status = status
            return parsed
        }
        if JournalctlMarker.isMarker(line) {
            var parsed = ParsedLine(layout: .directive, message: line)
            parsed.status = status
            return parsed
        }
        var parsed: ParsedLine
        if let known = memory.layout, let recognized = parse(line, as: known, memory: memory) {
            parsed = recognized
        } else {
            parsed = parseLayout(line)
            memory.learn(parsed)
        }
        if parsed.status == .ok { parsed.status = status }
        if let fields = memory.w3cFields {
            if parsed.level == .unknown { parsed.level = W3CExtendedLog.level(line, fields) ?? .unknown }
            if parsed.timestamp == nil { parsed.timestamp = W3CExtendedLog.timestamp(line, fields, scanner: timestamps) }
        }
        if parsed.level == .unknown { parsed.level = Self.inferLevel(parsed.message) }
        return parsed
    }

    /// The time written in a line and its level, for a receiver that keeps the line whole: what
    /// `parse(_:memory:)` finds, without building the message when the stream's header layout
    /// is known (the common case, and a receiver's hot path); then also the byte its message starts at.
    public func timeAndLevel(_ line: String, memory: inout LineLayoutMemory) -> (timestamp: Int64?, level: Severity, messageStart: Int?) {
        if memory.layout == .header, line.utf8.count <= maxLineBytes, let header = knownHeader(line, memory) {
            let level = header.level != .unknown ? header.level
                : memory.w3cFields.flatMap { W3CExtendedLog.level(line, $0) } ?? Self.inferLevel(line)
            return (header.timestamp, level, header.messageStart)
        }
        let parsed = parse(line, memory: &memory)
        return (parsed.lineTimestamp ?? parsed.timestamp, parsed.level, nil)
    }

    /// The fields of a structured line (container envelope, JSON, syslog, klog, logfmt), or nil for
    /// text: cheaper than `parse` for a caller that only wants a structured line's message. Malformed
    /// JSON comes back as plain text with status `malformedJSON`.
    public func parseStructured(_ line: String) -> ParsedLine? {
        if let cri = parseCRI(line) { return cri }
        // Byte checks first: this runs for every ingested line.
        let first = line.utf8.first { $0 != 32 && $0 != 9 }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "<") {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if first == UInt8(ascii: "{") { return parseJSON(String(trimmed), original: line) }
            if let syslog = parseSyslog(trimmed) { return syslog }
        }
        if let klog = parseKlog(line) { return klog }
        return parseLogfmt(line) ?? parseSyslogBody(Substring(line))
    }

    /// The layout, fields and message of one line, without what `parse` adds (a level inferred from
    /// the words, a status, the stream's memory): cheaper, for a caller that wants the message.
    public func parseLayout(_ line: String) -> ParsedLine {
        parseStructured(line) ?? parsePlain(line)
    }

    /// `line` read as `layout` alone, or nil when it is not written that way. Layouts recognized by
    /// what is absent (plain text, Python's `LEVEL:logger:`, nginx access) are always detected.
    private func parse(_ line: String, as layout: LineLayout, memory: LineLayoutMemory) -> ParsedLine? {
        switch layout {
        case .header: return knownHeader(line, memory).map { headerLine(line, $0) }
        case .json:
            guard line.utf8.first(where: { $0 != 32 && $0 != 9 }) == UInt8(ascii: "{") else { return nil }
            let parsed = parseJSON(String(line.drop { $0 == " " || $0 == "\t" }), original: line)
            return parsed.layout == .json ? parsed : nil
        case .klog: return parseKlog(line)
        case .logfmt: return parseLogfmt(line)
        case .syslog3164: return parseSyslogBody(Substring(line))
        case .syslog5424: return line.hasPrefix("<") ? parseSyslog(Substring(line)) : nil
        case .cri: return parseCRI(line)
        case .docker, .pythonLogging, .dotnetConsole, .nginxAccess, .plain, .declared, .directive: return nil
        }
    }

    /// The header of `line` if its timestamp stands where, and as, the stream's did.
    private func knownHeader(_ line: String, _ memory: LineLayoutMemory) -> PlainHeader? {
        var text = line
        return text.withUTF8 { PlainHeader.read($0, scanner: timestamps, known: (memory.timestampStart, memory.shape)) }
    }

    // MARK: Container envelopes

    /// `2024-05-08T15:23:56.403123456Z stdout F message` (P marks a partial line).
    private func parseCRI(_ line: String) -> ParsedLine? {
        guard let first = line.utf8.first, first &- 48 < 10 else { return nil }
        // Most lines that start with a digit are not CRI: the stream after the first space tells.
        let utf8 = line.utf8
        guard let space = utf8.firstIndex(of: 32), utf8.distance(from: utf8.startIndex, to: space) >= 20,
              utf8[space...].dropFirst().starts(with: "stdout ".utf8) || utf8[space...].dropFirst().starts(with: "stderr ".utf8)
        else { return nil }
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].count >= 20, parts[1] == "stdout" || parts[1] == "stderr",
              parts[2] == "F" || parts[2] == "P", let time = TimestampParser.parseISO(parts[0]) else { return nil }
        let inner = parts.count == 4 ? String(parts[3]) : ""
        var parsed = parseLayout(inner)
        if parsed.layout == .plain { parsed.layout = .cri }
        parsed.lineTimestamp = parsed.timestamp
        parsed.timestamp = time
        parsed.attributes["stream"] = String(parts[1])
        parsed.isPartial = parts[2] == "P"
        return parsed
    }

    // MARK: JSON

    // Keys are matched without regard to case (.NET's console formatter and Serilog write
    // `Message`, `LogLevel`, `Exception`). Serilog's compact JSON (CLEF) names them `@m`, `@mt`
    // (the message template), `@l`, `@t`, `@x`.
    /// `textPayload` is Google Cloud Logging's (a `gcloud logging read --format=json` export).
    private static let messageKeys = ["msg", "message", "@m", "renderedmessage", "log", "@message", "text", "event", "@mt", "messagetemplate",
                                      "textpayload"]
    /// Objects whose `message` is the line's: Google Cloud's `jsonPayload`, Rust tracing's `fields`.
    private static let messageHolders = ["jsonPayload", "fields"]
    private static let templateKeys: Set<String> = ["@mt", "messagetemplate"]
    private static let levelKeys = ["level", "severity", "lvl", "loglevel", "log.level", "@level", "@l", "levelname", "detected_level"]
    /// `timeMillis` is log4j 2's `JsonLayout` before 2.11 (after it, `instant`).
    private static let timeKeys = ["time", "ts", "timestamp", "@timestamp", "@t", "t", "datetime", "asctime", "timemillis"]
    private static let sourceKeys = ["logger", "logger_name", "loggername", "service", "app", "component", "caller", "name", "category",
                                     "sourcecontext"]
    /// `thrown` is log4j 2's `JsonLayout`.
    private static let errorKeys = ["error", "err", "exception", "exc_info", "@x", "stack", "stack_trace", "stacktrace", "trace", "thrown"]
    /// The keys of a container line's record as Docker, Fluent Bit and fluentd write it.
    private static let wrapperKeys: Set<String> = ["log", "stream", "time", "@timestamp", "date", "logtag", "attrs", "kubernetes", "docker_id",
                                                   "container_name", "container_id"]
    /// Where an error object keeps its trace: pino's and bunyan's `err.stack`, and the like.
    private static let traceKeys = ["stack", "stack_trace", "stacktrace", "trace", "backtrace"]

    private func parseJSON(_ text: String, original: String) -> ParsedLine {
        guard Self.jsonDepth(text) <= maxJSONDepth,
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            var plain = parsePlain(original)
            plain.status = .malformedJSON
            return plain
        }
        return readJSON(object, text: text)
    }

    /// A JSON log record already decoded, read as `parse` reads a JSON line; `text`, its JSON, is
    /// the message when it names none. For a reader that needs the object itself too (a log export).
    public func parse(jsonObject object: [String: Any], text: String) -> ParsedLine {
        var parsed = readJSON(object, text: text)
        if parsed.level == .unknown { parsed.level = Self.inferLevel(parsed.message) }
        return parsed
    }

    private func readJSON(_ object: [String: Any], text: String) -> ParsedLine {
        var fields: [String: Any] = object
        // Lower-cased key → the object's own spelling, built only for objects with capitals in their
        // keys (lower-casing every key of every line cost JSON ingest 6%).
        var keyOf: [String: String] = [:]
        let capitals = object.keys.contains { key in key.utf8.contains { $0 &- 65 < 26 } }
        if capitals { for key in object.keys { keyOf[key.lowercased()] = keyOf[key.lowercased()] ?? key } }
        func own(_ key: String) -> String? { capitals ? keyOf[key] : fields[key] != nil ? key : nil }
        func take(_ keys: [String]) -> (String, Any)? {
            for key in keys {
                if let own = own(key), let value = fields[own] { fields[own] = nil; return (key, value) }
            }
            return nil
        }
        var parsed = ParsedLine(layout: .json, message: "")
        let service = ServiceLabels.service(inRecord: object)
        parsed.service = service
        // Docker json-file: {"log": "...\n", "stream": "stdout", "time": "..."} wraps the real line, as
        // do Fluent Bit's and fluentd's records of it (with `kubernetes` metadata, a `date`, a `logtag`).
        if let log = object["log"] as? String, object.keys.allSatisfy(Self.wrapperKeys.contains) || object["stream"] != nil && object.count <= 4 {
            var inner = parseLayout(log.hasSuffix("\n") ? String(log.dropLast()) : log)
            if inner.layout == .plain { inner.layout = .docker }
            if let time = ((object["time"] ?? object["@timestamp"]) as? String).flatMap(TimestampParser.parseISO)
                ?? (object["date"] as? Double).flatMap(TimestampParser.parseEpoch) {
                inner.lineTimestamp = inner.timestamp
                inner.timestamp = time
            }
            inner.attributes["stream"] = object["stream"] as? String
            inner.service = service
            return inner
        }
        if let (key, message) = take(Self.messageKeys) {
            parsed.message = Self.string(message)
            if Self.templateKeys.contains(key) { parsed.message = Self.rendered(parsed.message, from: fields) }
        } else if let holder = Self.messageHolders.first(where: { (fields[$0] as? [String: Any])?["message"] is String }),
                  var nested = fields[holder] as? [String: Any] {
            parsed.message = nested.removeValue(forKey: "message") as! String
            fields[holder] = nested.isEmpty ? nil : nested
        }
        // journald's export (`journalctl -o json`): `MESSAGE`, the syslog `PRIORITY`, the time in
        // microseconds as text, the program in `SYSLOG_IDENTIFIER` (else its unit), the service its
        // unit (`nginx.service` is nginx).
        if let micros = (object["__REALTIME_TIMESTAMP"] as? String).flatMap(Double.init) {
            fields["__REALTIME_TIMESTAMP"] = nil
            // A message journald cannot print as text (terminal escapes, bytes that are not UTF-8)
            // is exported as an array of its bytes (systemd.journal-fields(7), journalctl(1)).
            if let numbers = object["MESSAGE"] as? [NSNumber], numbers.allSatisfy({ (0...255).contains($0.intValue) }) {
                var text = String(decoding: numbers.map { UInt8($0.intValue) }, as: UTF8.self)
                if text.utf8.contains(27) { text = TerminalEscapes.stripped(text) }
                while text.last?.isNewline == true { text.removeLast() }
                parsed.message = text
            }
            if parsed.service == nil, let unit = object["_SYSTEMD_UNIT"] as? String, !unit.isEmpty {
                parsed.service = unit.hasSuffix(".service") ? String(unit.dropLast(".service".count)) : unit
            }
            parsed.timestamp = TimestampParser.parseEpoch(micros)
            if let priority = (fields["PRIORITY"] as? String).flatMap(Int.init), (0...7).contains(priority) {
                fields["PRIORITY"] = nil
                parsed.level = Self.syslogSeverity(priority)
            }
            if let program = fields.removeValue(forKey: "SYSLOG_IDENTIFIER") ?? fields["_SYSTEMD_UNIT"] { parsed.source = Self.string(program) }
        }
        if let (_, level) = take(Self.levelKeys) {
            parsed.level = (level as? NSNumber).flatMap(Self.pinoLevel) ?? Severity(parsing: Self.string(level))
        } else if object["@mt"] != nil || object["@m"] != nil {
            parsed.level = .info  // CLEF leaves out `@l` at Information
        } else if let severity = object["s"] as? String, let level = Self.mongoSeverity(severity) {
            // MongoDB's structured log: `"s":"E"`, its component `"c"`.
            parsed.level = level
            fields["s"] = nil
            if let component = fields.removeValue(forKey: "c") { parsed.source = Self.string(component) }
            // Its error is an attribute: a Status `{"code", "codeName", "errmsg"}`, printed as MongoDB prints one.
            if var attributes = fields["attr"] as? [String: Any], let error = attributes.removeValue(forKey: "error"), fields["error"] == nil {
                fields["attr"] = attributes.isEmpty ? nil : attributes
                let status = error as? [String: Any]
                fields["error"] = (status?["codeName"] as? String).map { "\($0): \(status?["errmsg"] as? String ?? "")" } ?? error
            }
        }
        if let (_, time) = take(Self.timeKeys) {
            // Epoch numbers, RFC 3339 text, or MongoDB's extended JSON `{"$date": "…"}`.
            let text = ((time as? [String: Any])?["$date"]).map(Self.string) ?? Self.string(time)
            parsed.timestamp = (time as? Double).flatMap(TimestampParser.parseEpoch) ?? TimestampParser.parseISO(text)
        } else if let instant = object["instant"] as? [String: Any], let seconds = instant["epochSecond"] as? Int64,
                  let time = TimestampParser.parseEpoch(Double(seconds)) {
            // log4j 2's `JsonLayout`: `"instant": {"epochSecond": …, "nanoOfSecond": …}`.
            fields["instant"] = nil
            parsed.timestamp = time + min(max(instant["nanoOfSecond"] as? Int64 ?? 0, 0), 999_999_999)
        }
        // ECS nests its service (`"service": {"name": …}`).
        if let (_, source) = take(Self.sourceKeys) { parsed.source = ((source as? [String: Any])?["name"] as? String) ?? Self.string(source) }
        // ECS's and OpenTelemetry's exception fields, flattened (`error.stack_trace`) or nested.
        var exception: [String: String] = [:]
        for key in ExceptionFields.keys where fields[key] != nil { exception[key] = Self.string(fields.removeValue(forKey: key)!) }
        for name in ["error", "exception"] {
            guard var nested = fields[name] as? [String: Any] else { continue }
            for key in nested.keys where ExceptionFields.keys.contains(name + "." + key) {
                exception[name + "." + key] = Self.string(nested.removeValue(forKey: key)!)
            }
            fields[name] = nested.isEmpty ? nil : nested
        }
        if !exception.isEmpty { parsed.message = ExceptionFields.body(parsed.message, movingFrom: &exception) }
        // Every error field, in order (zap writes `error` and then `stacktrace`), unless the
        // message already holds it (a trace that starts with the error's text).
        while let (_, error) = take(Self.errorKeys) {
            // An error object with a trace (pino's `err: {type, message, stack}`) is its trace,
            // with its newlines, which the object's JSON text would have escaped.
            let trace = (error as? [String: Any]).flatMap { error in
                Self.traceKeys.lazy.compactMap { error[$0] as? String }.first ?? Self.javaTrace(thrown: error)
            }
            let detail = trace ?? Self.string(error)
            guard !detail.isEmpty, !parsed.message.contains(detail) else { continue }
            parsed.message = parsed.message.isEmpty ? detail : parsed.message + "\n" + detail
        }
        // A JSON access log (ingress-nginx's, Envoy's, Traefik's) names no level: its status class is one.
        if parsed.level == .unknown, Self.requestKeys.contains(where: { own($0) != nil }),
           let status = Self.statusKeys.lazy.compactMap({ own($0).flatMap { fields[$0] } }).first,
           let code = (status as? NSNumber)?.intValue ?? Int(Self.string(status)), (100...599).contains(code) {
            parsed.level = Severity(httpStatus: code)
        }
        // Scalars only: writing nested objects back as JSON text cost a record of a cloud export half its reading.
        for (key, value) in fields where value is String || value is NSNumber { parsed.attributes[key] = Self.string(value) }
        if parsed.message.isEmpty { parsed.message = text }
        return parsed
    }

    /// An access log's status and request fields, lower-cased (Envoy's `response_code`, Traefik's `DownstreamStatus`).
    private static let statusKeys = ["status", "status_code", "response_code", "downstreamstatus"]
    private static let requestKeys = ["request", "method", "request_method", "requestmethod", "uri", "request_uri", "path", "url"]

    /// A Java throwable as log4j 2's `JsonLayout` writes it (`name`, `message`, `extendedStackTrace`
    /// or `stackTrace` frames, `cause`), printed as Java prints it; nil for any other object.
    private static func javaTrace(thrown: [String: Any]) -> String? {
        guard let name = thrown["name"] as? String else { return nil }
        let frames = (thrown["extendedStackTrace"] ?? thrown["stackTrace"]) as? [[String: Any]]
        guard frames != nil || thrown["cause"] != nil else { return nil }
        var text = name
        if let message = (thrown["message"] ?? thrown["localizedMessage"]) as? String { text += ": " + message }
        for frame in frames ?? [] {
            guard let type = frame["class"] as? String, let method = frame["method"] as? String else { continue }
            // As `StackTraceElement.toString()`: line -2 marks a native method.
            let line = frame["line"] as? Int ?? -1
            let place = line == -2 ? "Native Method"
                : (frame["file"] as? String).map { line >= 0 ? "\($0):\(line)" : $0 } ?? "Unknown Source"
            text += "\n\tat \(type).\(method)(\(place))"
        }
        if let cause = thrown["cause"] as? [String: Any], let causeTrace = javaTrace(thrown: cause) { text += "\nCaused by: " + causeTrace }
        return text
    }

    /// pino's and bunyan's numeric levels (10 trace … 60 fatal); syslog's 0–7 are read as text.
    private static func pinoLevel(_ number: NSNumber) -> Severity? {
        switch number.intValue {
        case 10: .trace
        case 20: .debug
        case 30: .info
        case 40: .warning
        case 50: .error
        case 60: .fatal
        default: nil
        }
    }

    /// MongoDB's severities: `F`, `E`, `W`, `I`, and `D1` to `D5`.
    private static func mongoSeverity(_ text: String) -> Severity? {
        switch text {
        case "F": .fatal
        case "E": .error
        case "W": .warning
        case "I": .info
        case "D", "D1", "D2", "D3", "D4", "D5": .debug
        default: nil
        }
    }

    /// A message template (`Charge for {OrderId} failed`) with each `{Name}` (`{@Name}`,
    /// `{Name:format}`) replaced by the line's property of that name, top-level (CLEF) or under
    /// `Properties` (Serilog's JSON formatter); a name without a property stays as written.
    private static func rendered(_ template: String, from fields: [String: Any]) -> String {
        guard template.contains("{") else { return template }
        let properties = (fields["Properties"] as? [String: Any]) ?? [:]
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            var name = rest[rest.index(after: open)..<close]
            if name.first == "@" || name.first == "$" { name = name.dropFirst() }
            if let colon = name.firstIndex(where: { $0 == ":" || $0 == "," }) { name = name[..<colon] }
            if let value = fields[String(name)] ?? properties[String(name)] {
                out += string(value)
            } else {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    private static func string(_ value: Any) -> String {
        switch value {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        case is NSNull: return ""
        default:
            guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "\(value)" }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Deepest bracket nesting outside strings; stops counting once past any sane limit.
    static func jsonDepth(_ text: String) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in text.utf8 {
            if inString {
                if escaped { escaped = false } else if byte == 92 { escaped = true } else if byte == 34 { inString = false }
                continue
            }
            switch byte {
            case 34: inString = true
            case 123, 91: depth += 1; deepest = max(deepest, depth); if deepest > 1_000 { return deepest }
            case 125, 93: depth -= 1
            default: break
            }
        }
        return deepest
    }

    // MARK: syslog

    /// RFC 5424 `<165>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg` and RFC 3164 `<34>Oct 11 22:14:15 host app[pid]: msg`.
    private func parseSyslog(_ text: Substring) -> ParsedLine? {
        guard let close = text.firstIndex(of: ">"), let priority = Int(text[text.index(after: text.startIndex)..<close]), priority < 192 else { return nil }
        let rest = text[text.index(after: close)...]
        let level = Self.syslogSeverity(priority % 8)
        if rest.hasPrefix("1 ") {
            let parts = rest.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false)
            guard parts.count >= 6 else { return nil }
            var message = parts.count == 7 ? parts[6] : ""
            if message.hasPrefix("[") {  // structured data: skip [..] groups (quoted values may contain ']')
                var inQuote = false, depth = 0, end = message.startIndex
                for i in message.indices {
                    let c = message[i]
                    if c == "\"" && (i == message.startIndex || message[message.index(before: i)] != "\\") { inQuote.toggle() }
                    if !inQuote { if c == "[" { depth += 1 } else if c == "]" { depth -= 1; if depth == 0 { end = message.index(after: i); if end == message.endIndex || message[end] != "[" { break } } } }
                }
                message = message[end...].drop { $0 == " " }
            } else if message.hasPrefix("- ") || message == "-" {
                message = message.dropFirst(min(2, message.count))
            }
            var parsed = ParsedLine(layout: .syslog5424, message: String(message.hasPrefix("\u{FEFF}") ? message.dropFirst() : message))
            parsed.timestamp = TimestampParser.parseISO(parts[1])
            parsed.level = level
            parsed.source = parts[3] == "-" ? nil : String(parts[3])
            if parts[2] != "-" { parsed.attributes["host"] = String(parts[2]) }
            return parsed
        }
        guard var parsed = parseSyslogBody(rest) else { return nil }
        parsed.level = level
        return parsed
    }

    /// `Oct 11 22:14:15 host app[pid]: msg` (also without a priority, and with a fraction of a second
    /// as `journalctl -o short-precise` writes it). A klog line inside (kubelet's, in the journal)
    /// gives the event its level, source and message.
    private func parseSyslogBody(_ text: Substring) -> ParsedLine? {
        guard text.utf8.count > 16, TimestampParser.monthNumber(text.prefix(3)) != nil, text.dropFirst(3).first == " " else { return nil }
        var head = String(text.prefix(40))
        guard let found = head.withUTF8({ timestamps.scan($0)?.found }), found.range.lowerBound == 0, found.shape == "MMM dd HH:mm:ss",
              head.utf8.dropFirst(found.range.upperBound).first == 32 else { return nil }
        let time = found.nanoseconds
        let afterTime = String(text.utf8.dropFirst(found.range.upperBound))!
        let parts = afterTime.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        var parsed = ParsedLine(layout: .syslog3164, message: "")
        parsed.timestamp = time
        parsed.attributes["host"] = String(parts[0])
        let tag = parts[1]
        if tag.hasSuffix(":") || tag.contains("[") {
            let name = tag.prefix { $0 != "[" && $0 != ":" }
            parsed.source = String(name)
            if let open = tag.firstIndex(of: "["), let close = tag.firstIndex(of: "]") { parsed.attributes["pid"] = String(tag[tag.index(after: open)..<close]) }
            parsed.message = parts.count == 3 ? String(parts[2]) : ""
            if let klog = parseKlog(parsed.message) {
                parsed.level = klog.level
                parsed.source = klog.source
                parsed.message = klog.message
            }
        } else {
            parsed.message = String(afterTime.split(separator: " ", maxSplits: 1).dropFirst().first ?? "")
        }
        return parsed
    }

    private static func syslogSeverity(_ code: Int) -> Severity {
        [.fatal, .critical, .critical, .error, .warning, .notice, .info, .debug][code]
    }

    // MARK: klog

    /// `I0508 15:23:56.403123    1234 file.go:123] message`.
    private func parseKlog(_ line: String) -> ParsedLine? {
        guard let lead = line.utf8.first, [73, 87, 69, 70].contains(lead) else { return nil }
        let b = Array(line.utf8.prefix(40))
        guard b.count > 22, b[1...4].allSatisfy({ $0 >= 48 && $0 <= 57 }), b[5] == 32,
              b[8] == 58, let bracket = line.firstIndex(of: "]") else { return nil }
        let header = line[..<bracket]
        let fields = header.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 4, fields[3].contains(":") else { return nil }
        var parsed = ParsedLine(layout: .klog, message: String(line[line.index(after: bracket)...].drop { $0 == " " }))
        parsed.level = ["I": .info, "W": .warning, "E": .error, "F": .fatal][String(line.prefix(1))] ?? .unknown
        let month = Int(line.dropFirst().prefix(2)) ?? 1, day = Int(line.dropFirst(3).prefix(2)) ?? 1
        parsed.timestamp = timestamps.timestamp(month: month, day: day, time: fields[1])
        parsed.source = String(fields[3])
        if parsed.message.hasPrefix("\""), let pairs = parseLogfmt(parsed.message) {  // structured klog: "msg" key=value
            parsed.attributes = pairs.attributes
        }
        return parsed
    }

    // MARK: logfmt

    /// `key=value key2="quoted value"` with at least two pairs and the first token a pair.
    private func parseLogfmt(_ line: String) -> ParsedLine? {
        guard let firstSpace = line.utf8.firstIndex(of: 32),
              line.utf8[..<firstSpace].contains(UInt8(ascii: "=")) || line.utf8.first == UInt8(ascii: "\"") else { return nil }
        var pairs: [(String, String)] = []
        var chars = Substring(line)
        var messageLead: String?
        if chars.hasPrefix("\"") {  // klog structured: "message" k=v ...
            guard let end = chars.dropFirst().firstIndex(of: "\"") else { return nil }
            messageLead = String(chars[chars.index(after: chars.startIndex)..<end])
            chars = chars[chars.index(after: end)...]
        }
        while true {
            chars = chars.drop { $0 == " " }
            guard !chars.isEmpty else { break }
            guard let equals = chars.firstIndex(of: "="), !chars[..<equals].contains(" ") , equals > chars.startIndex else { return nil }
            let key = String(chars[..<equals])
            var rest = chars[chars.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                var end = rest.endIndex
                for i in rest.indices {
                    if escaped { escaped = false; value.append(rest[i]); continue }
                    if rest[i] == "\\" { escaped = true; continue }
                    if rest[i] == "\"" { end = i; break }
                    value.append(rest[i])
                }
                chars = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[rest.endIndex...]
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                value = String(rest[..<end])
                chars = rest[end...]
            }
            pairs.append((key, value))
        }
        guard pairs.count >= 2 || messageLead != nil else { return nil }
        var parsed = ParsedLine(layout: .logfmt, message: messageLead ?? "")
        for (key, value) in pairs {
            switch key {
            case _ where parsed.message.isEmpty && Self.messageKeys.contains(key): parsed.message = value
            case _ where Self.levelKeys.contains(key): parsed.level = Severity(parsing: value)
            case _ where Self.timeKeys.contains(key) && parsed.timestamp == nil: parsed.timestamp = TimestampParser.parseISO(value)
            case _ where Self.errorKeys.contains(key): parsed.attributes[key] = value
            default: parsed.attributes[key] = value
            }
        }
        if parsed.message.isEmpty { parsed.message = line }
        if let error = parsed.attributes["err"] ?? parsed.attributes["error"], parsed.message != line { parsed.message += ": " + error }
        return parsed
    }

    // MARK: Plain text

    /// Common plain shapes: a leading timestamp, a level, then `[thread] logger - message` and the like.
    private func parsePlain(_ line: String) -> ParsedLine {
        var parsed = ParsedLine(layout: .plain, message: line)
        let rest = Substring(line)

        // nginx access: `1.2.3.4 - user [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 ...`
        let utf8 = line.utf8
        if let open = utf8.firstIndex(of: UInt8(ascii: "[")), utf8[..<open].split(separator: 32).count == 3,
           utf8[utf8.index(after: open)...].dropFirst(2).first == UInt8(ascii: "/"), utf8.contains(UInt8(ascii: "\"")) {
            parsed.layout = .nginxAccess
            parsed.timestamp = timestamps.timestamp(in: line)
            // The status follows the quoted request (the combined format quotes the referrer and agent after it).
            let quoted = rest.split(separator: "\"", omittingEmptySubsequences: false)
            if quoted.count >= 3, let status = quoted[2].split(separator: " ").first, let code = Int(status) {
                parsed.level = Severity(httpStatus: code)
            }
            return parsed
        }
        // uvicorn's `INFO:     message`: a padded level and no logger; the message may open with a time.
        if let first = utf8.first, first &- 65 < 26, let prefix = Self.pythonLevels.first(where: { utf8.starts(with: $0) }),
           utf8.dropFirst(prefix.count).first == 32 {
            parsed.layout = .pythonLogging
            parsed.level = Severity(parsing: String(decoding: prefix, as: UTF8.self))
            var message = String(line.utf8.dropFirst(prefix.count).drop { $0 == 32 })!
            if let (found, headerEnd) = message.withUTF8({ timestamps.scan($0) }), found.range.lowerBound == 0 {
                parsed.timestamp = found.nanoseconds
                message = String(message.utf8.dropFirst(headerEnd).drop { $0 == 32 })!
            }
            parsed.message = message
            return parsed
        }
        if let dotnet = parseDotnetConsole(line) { return dotnet }
        // Python logging default: `ERROR:root:message`.
        if let first = utf8.first, first &- 65 < 26, Self.pythonLevels.contains(where: { utf8.starts(with: $0) }),
           case let colonParts = rest.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false), colonParts.count == 3 {
            parsed.layout = .pythonLogging
            parsed.level = Severity(parsing: colonParts[0])
            parsed.source = String(colonParts[1])
            parsed.message = String(colonParts[2])
            return parsed
        }
        // A header read by general rules: a timestamp near the start in any common notation, a
        // level word, and the decorations before the message (ids, `[thread]`, `logger:`).
        var text = line
        guard let header = text.withUTF8({ PlainHeader.read($0, scanner: timestamps) }) else {
            if let syslog = parseSyslogBody(rest) { return syslog }
            // `[ERROR] plugin/errors: …` (CoreDNS, and other programs that leave the time to their collector)
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(" "),
               let level = LevelLexicon.level(ofToken: rest[...close].utf8) {
                parsed.level = level
                parsed.message = String(rest[rest.index(close, offsetBy: 2)...].drop { $0 == " " })
            }
            return parsed
        }
        return headerLine(line, header)
    }

    private func headerLine(_ line: String, _ header: PlainHeader) -> ParsedLine {
        var parsed = ParsedLine(layout: .header, message: String(decoding: line.utf8.dropFirst(header.messageStart), as: UTF8.self))
        parsed.timestamp = header.timestamp
        parsed.timestampShape = header.shape
        parsed.timestampStart = header.timestampStart
        parsed.level = header.level
        if let source = header.source, !source.isEmpty {
            parsed.source = String(decoding: line.utf8.dropFirst(source.lowerBound).prefix(source.count), as: UTF8.self)
        } else if header.level == .unknown, let inner = structured(parsed.message) {
            // A time alone before a JSON or logfmt line (`docker logs -t`, `kubectl logs --timestamps`,
            // Grafana's text download) is an envelope, as CRI's is: the line's own fields are read.
            parsed.message = inner.message
            parsed.level = inner.level
            parsed.source = inner.source
            parsed.service = inner.service
            parsed.attributes = inner.attributes
            parsed.lineTimestamp = inner.timestamp
        }
        return parsed
    }

    private static let pythonLevels = ["CRITICAL:", "ERROR:", "WARNING:", "INFO:", "DEBUG:"].map { Array($0.utf8) }

    /// `text` read as a JSON object or logfmt pairs, or nil when it is neither.
    private func structured(_ text: String) -> ParsedLine? {
        switch text.utf8.first {
        case UInt8(ascii: "{"):
            let json = parseJSON(text, original: text)
            return json.layout == .json ? json : nil
        case let first? where (first | 0x20) &- 97 < 26 && text.utf8.contains(UInt8(ascii: "=")): return parseLogfmt(text)
        default: return nil
        }
    }

    /// Microsoft.Extensions.Logging's console format (ASP.NET Core's default): `fail: Category[EventId]`,
    /// the message on the next, indented lines (`MultiLineAssembler` takes it), or after the id on
    /// this line (`SingleLine`).
    private func parseDotnetConsole(_ line: String) -> ParsedLine? {
        let utf8 = line.utf8
        guard utf8.count > 9, utf8.dropFirst(4).starts(with: ": ".utf8), let level = Self.dotnetLevels[String(line.prefix(4))],
              let open = utf8.dropFirst(6).firstIndex(of: UInt8(ascii: "[")),
              let close = utf8[open...].firstIndex(of: UInt8(ascii: "]")), close > utf8.index(after: open),
              utf8[utf8.index(after: open)..<close].allSatisfy({ $0 &- 48 < 10 }),
              !utf8[utf8.index(utf8.startIndex, offsetBy: 6)..<open].contains(32) else { return nil }
        var parsed = ParsedLine(layout: .dotnetConsole, message: "")
        parsed.level = level
        parsed.source = String(line[line.index(line.startIndex, offsetBy: 6)..<open])
        let after = String(utf8[utf8.index(after: close)...].drop { $0 == 32 })!
        parsed.message = after.isEmpty ? String(line.dropFirst(6)) : after
        return parsed
    }

    private static let dotnetLevels: [String: Severity] = [
        "trce": .trace, "dbug": .debug, "info": .info, "warn": .warning, "fail": .error, "crit": .critical,
    ]

    /// A level read from the words of `text` (or an access log line's status), for lines that carry
    /// no level field. It runs for most ingested lines, so it reads the first 200 bytes as bytes.
    public static func inferLevel(_ text: String) -> Severity {
        if let status = AccessLogStatus.status(text) { return Severity(httpStatus: status) }
        var head = Array(text.utf8.prefix(200))
        var start = 0
        while start < head.count {
            guard isWordByte(head[start]) else { start += 1; continue }
            var end = start
            while end < head.count, isWordByte(head[end]) { end += 1 }
            // Level words are 4 to 7 letters: packed into an integer, a lookup allocates nothing.
            if end - start >= 4, end - start <= 7, let level = levelWords[Self.packed(head[start..<end])] { return level }
            start = end
        }
        for index in head.indices where head[index] &- 65 < 26 { head[index] |= 0x20 }
        return failureWords.contains { word in contains(head, word) } ? .error : .unknown
    }

    private static let levelWords: [UInt64: Severity] = [
        "FATAL": .fatal, "PANIC": .fatal, "Fatal": .fatal, "panic": .fatal,
        "ERROR": .error, "Error": .error, "SEVERE": .error,
        "WARN": .warning, "WARNING": .warning, "Warning": .warning,
    ].reduce(into: [:]) { $0[packed($1.key.utf8)] = $1.value }

    private static func packed(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
    private static let failureWords = ["exception", "traceback", "failed", "error"].map { Array($0.utf8) }

    /// Letters, and any byte of a non-ASCII character (most of those are letters).
    private static func isWordByte(_ c: UInt8) -> Bool { (c | 0x20) &- 97 < 26 || c >= 0x80 }

    private static func contains(_ text: [UInt8], _ word: [UInt8]) -> Bool {
        guard text.count >= word.count else { return false }
        for start in 0...(text.count - word.count) where text[start] == word[0] && text[start..<start + word.count].elementsEqual(word) {
            return true
        }
        return false
    }
}
