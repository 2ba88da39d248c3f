/// The prefix that tools merging several containers' output write before each line:
/// `docker compose logs` (`api-1  | message`, Compose v1 `shop_api_1  | message`) and
/// `kubectl logs --prefix` (`[pod/api-7d9f8b-x2k4q/api] message`). The line after it is the
/// container's own, and the container names the service.
public struct ContainerPrefix: Sendable, Hashable {
    /// The service the container runs: Compose's service (its replica number dropped), Kubernetes' container.
    public let service: String
    /// Where the line came from: `container` (Compose's name, Kubernetes' container) and `pod`.
    public let labels: [String: String]

    /// The prefix of `line` and the container's line after it; nil for a line without one.
    public static func split(_ line: String) -> (prefix: ContainerPrefix, line: Substring)? {
        let utf8 = line.utf8
        guard let first = utf8.first else { return nil }
        if first == UInt8(ascii: "[") { return kubectl(line) }
        guard isNameByte(first) else { return nil }
        return compose(line)
    }

    /// `[pod/NAME/CONTAINER] ` (also `deployment/`, `job/`… when kubectl was given a workload).
    private static func kubectl(_ line: String) -> (prefix: ContainerPrefix, line: Substring)? {
        guard let close = line.utf8.prefix(320).firstIndex(of: UInt8(ascii: "]")), line.utf8[line.utf8.index(after: close)...].first == 32 else { return nil }
        let parts = line.utf8[line.utf8.index(after: line.utf8.startIndex)..<close].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isNameByte) }), parts[0].allSatisfy({ $0 &- 97 < 26 }) else { return nil }
        let pod = String(Substring(parts[1])), container = String(Substring(parts[2]))
        let rest = line[line.utf8.index(close, offsetBy: 2)...]
        return (ContainerPrefix(service: container, labels: ["pod": pod, "container": container]), rest)
    }

    /// `NAME-N  | ` with the name padded to the longest of the run; Compose v1 wrote `NAME_N`. The
    /// name has a letter: `2024-03-14 | ` is a date.
    private static func compose(_ line: String) -> (prefix: ContainerPrefix, line: Substring)? {
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
        let service = String(Substring(name[..<separator]))
        return (ContainerPrefix(service: service, labels: ["container": container]), line[rest...])
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        byte &- 97 < 26 || byte &- 65 < 26 || byte &- 48 < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }
}
