import Foundation

/// Where a line came from, as tools that merge many sources' lines write it before each line:
/// `docker compose logs` (`api-1  | message`, Compose v1 `shop_api_1  | message`), `kubectl logs
/// --prefix` (`[pod/api-7d9f8b-x2k4q/api] message`), stern (`api-7d9f8b6c5d-x2k4q api message`),
/// Loki's `logcli query` (`2024-03-14T09:21:07Z {app="checkout"} message`, or `-o jsonl`) and `aws
/// logs tail` (`2024-03-14T09:21:07.412000+00:00 ecs/checkout/0f1e… message`). The line after it is
/// the source's own.
public struct LineSource: Sendable, Hashable {
    /// The service the source names (Compose's service with its replica number dropped, Kubernetes'
    /// container, a Loki stream's service label); nil when its labels name none.
    public let service: String?
    /// The source's labels: `container` (and `pod`), or a Loki stream's.
    public let labels: [String: String]
    /// The prefix is words, as a sentence's could be (stern's), not a tool's punctuation.
    public var isWords = false

    /// The source `line` names, the time it was received where the tool prints one (logcli), and
    /// the source's line; nil for a line without a prefix. `afterStern`: earlier lines of the input
    /// had stern's prefix, so a StatefulSet's pod (`web-0`) is taken for one too.
    public static func split(_ line: String, afterStern: Bool = false) -> (source: LineSource, time: Int64?, line: Substring)? {
        guard let first = line.utf8.first else { return nil }
        if first == UInt8(ascii: "[") { return kubectl(line).map { ($0.source, nil, $0.line) } }
        if first == UInt8(ascii: "{") { return logcliJSON(line) }
        guard isNameByte(first) else { return nil }
        if first &- 48 < 10, let stream = logcli(line) ?? awsLogsTail(line) { return stream }
        return (compose(line) ?? stern(line, afterStern: afterStern)).map { ($0.source, nil, $0.line) }
    }

    /// stern's default output: `POD CONTAINER message`, `NAMESPACE POD CONTAINER message` over
    /// several namespaces, one space apart. Only a pod whose name Kubernetes generated (`PodName`)
    /// is taken for one, a line's first words could be anything else; after such lines, a
    /// StatefulSet's pod too.
    private static func stern(_ line: String, afterStern: Bool) -> (source: LineSource, line: Substring)? {
        func isPod(_ word: Substring) -> Bool {
            PodName.workload(of: String(word)) != nil || afterStern && PodName.isStatefulSetPod(String(word))
        }
        var words: [Substring] = []
        var rest = Substring(line)
        while words.count < 3, let space = rest.utf8.firstIndex(of: 32), isLabel(rest[..<space]) {
            words.append(rest[..<space])
            rest = rest[rest.utf8.index(after: space)...]
            if words.count == 1, rest.utf8.first == 32 { return nil }  // a table's columns (kubectl get pods), not stern's single spaces
            if words.count == 2, isPod(words[0]) { break }
        }
        // The pod's name is the second word before the message, a namespace's the one before it.
        let podIndex = words.count - 2
        guard podIndex >= 0, !rest.isEmpty, isPod(words[podIndex]) else { return nil }
        var labels = ["pod": String(words[podIndex]), "container": String(words[podIndex + 1])]
        if podIndex == 1 { labels["namespace"] = String(words[0]) }
        var source = LineSource(service: String(words[podIndex + 1]), labels: labels)
        source.isWords = true
        return (source, rest)
    }

    /// A Kubernetes name (RFC 1123 label): lower-case letters, digits and hyphens, a letter or digit at each end.
    private static func isLabel(_ word: Substring) -> Bool {
        let utf8 = word.utf8
        guard let first = utf8.first, let last = utf8.last, utf8.count <= 63, first != UInt8(ascii: "-"), last != UInt8(ascii: "-") else { return false }
        return utf8.allSatisfy { $0 &- 97 < 26 || $0 &- 48 < 10 || $0 == UInt8(ascii: "-") }
    }

    /// `[pod/NAME/CONTAINER] ` (also `deployment/`, `job/`… when kubectl was given a workload).
    private static func kubectl(_ line: String) -> (source: LineSource, line: Substring)? {
        guard let close = line.utf8.prefix(320).firstIndex(of: UInt8(ascii: "]")), line.utf8[line.utf8.index(after: close)...].first == 32 else { return nil }
        let parts = line.utf8[line.utf8.index(after: line.utf8.startIndex)..<close].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isNameByte) }), parts[0].allSatisfy({ $0 &- 97 < 26 }) else { return nil }
        let pod = String(Substring(parts[1])), container = String(Substring(parts[2]))
        return (LineSource(service: container, labels: ["pod": pod, "container": container]), line[line.utf8.index(close, offsetBy: 2)...])
    }

    /// `NAME-N  | ` with the name padded to the longest of the run; Compose v1 wrote `NAME_N`. The
    /// name has a letter: `2024-03-14 | ` is a date.
    private static func compose(_ line: String) -> (source: LineSource, line: Substring)? {
        let utf8 = line.utf8
        let name = utf8.prefix(while: isNameByte)
        guard name.count < 200, let separator = name.lastIndex(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }),
              name[..<separator].contains(where: { $0 &- 97 < 26 || $0 &- 65 < 26 }), name.index(after: separator) != name.endIndex,
              name[name.index(after: separator)...].allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        let padding = utf8[name.endIndex...].prefix(while: { $0 == 32 })
        guard !padding.isEmpty, utf8[padding.endIndex...].first == UInt8(ascii: "|") else { return nil }
        var rest = utf8.index(after: padding.endIndex)
        if rest != utf8.endIndex, utf8[rest] == 32 { rest = utf8.index(after: rest) }
        let container = String(Substring(name))
        return (LineSource(service: String(Substring(name[..<separator])), labels: ["container": container]), line[rest...])
    }

    /// logcli's default output: an RFC 3339 time, the stream's labels, the line.
    private static func logcli(_ line: String) -> (source: LineSource, time: Int64?, line: Substring)? {
        let utf8 = line.utf8
        guard let space = utf8.prefix(40).firstIndex(of: 32), utf8[utf8.index(after: space)...].first == UInt8(ascii: "{"),
              let time = TimestampParser.parseISO(String(Substring(utf8[..<space]))),
              let (labels, rest) = try? LabelSelector.prefix(of: String(line[line.index(after: space)...])) else { return nil }
        return (stream(labels), time, rest.drop { $0 == " " })
    }

    /// `aws logs tail`: the event's time as Python's `isoformat()` writes it in UTC (`+00:00`), the
    /// log stream, the message. A stream has a `/` inside (ECS's `prefix/container/task`, Lambda's
    /// `2024/03/14/[$LATEST]…`), so a line's own time and first word are not taken for one.
    private static func awsLogsTail(_ line: String) -> (source: LineSource, time: Int64?, line: Substring)? {
        let utf8 = line.utf8
        guard let space = utf8.prefix(40).firstIndex(of: 32), utf8[..<space].reversed().starts(with: "00:00+".utf8) else { return nil }
        let afterTime = utf8.index(after: space)
        let streamEnd = utf8[afterTime...].firstIndex(of: 32) ?? utf8.endIndex
        let stream = utf8[afterTime..<streamEnd]
        guard let first = stream.first, first != UInt8(ascii: "/"), stream.dropLast().contains(UInt8(ascii: "/")),
              !stream.contains(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "\"") }),
              let time = TimestampParser.parseISO(String(Substring(utf8[..<space]))) else { return nil }
        let name = String(Substring(stream))
        let message = streamEnd == utf8.endIndex ? line[line.endIndex...] : line[utf8.index(after: streamEnd)...]
        return (LineSource(service: ecsContainer(ofStream: name), labels: ["log_stream": name]), time, message)
    }

    /// The container of an ECS task's CloudWatch log stream, which the awslogs driver names
    /// `prefix/container/task-id`; nil for other streams.
    public static func ecsContainer(ofStream name: String) -> String? {
        let parts = name.split(separator: "/")
        return parts.count == 3 && parts[2].count == 32 && parts[2].allSatisfy(\.isHexDigit) ? String(parts[1]) : nil
    }

    /// `logcli query -o jsonl`: `{"labels": {…}, "line": "…", "timestamp": "…"}`.
    private static func logcliJSON(_ line: String) -> (source: LineSource, time: Int64?, line: Substring)? {
        guard line.utf8.starts(with: #"{"labels":"#.utf8),
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let labels = object["labels"] as? [String: String], let text = object["line"] as? String else { return nil }
        return (stream(labels), (object["timestamp"] as? String).flatMap(TimestampParser.parseISO), Substring(text))
    }

    /// A Loki stream: the service its labels name.
    private static func stream(_ labels: [String: String]) -> LineSource {
        LineSource(service: ServiceLabels.service(in: labels), labels: labels)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        byte &- 97 < 26 || byte &- 65 < 26 || byte &- 48 < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }
}
