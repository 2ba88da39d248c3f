import DejaCore

/// A Kubernetes Event (`kubectl get events -o json`): its reason leads its message, as `kubectl
/// describe` shows it (`BackOff: Back-off restarting failed container`); `Warning` is its level;
/// the container or object it is about names the service.
struct KubernetesEvent {
    let message: String
    let level: Severity
    let time: Int64?
    let service: String
    let labels: [String: String]

    init?(_ object: [String: Any]) {
        guard let involved = object["involvedObject"] as? [String: Any] ?? object["regarding"] as? [String: Any],
              let reason = object["reason"] as? String else { return nil }
        let note = (object["message"] ?? object["note"]) as? String ?? ""
        message = note.isEmpty ? reason : reason + ": " + note
        level = (object["type"] as? String) == "Warning" ? .warning : .info
        let metadata = object["metadata"] as? [String: Any]
        time = ["lastTimestamp", "eventTime", "firstTimestamp"].lazy.compactMap { object[$0] as? String }.first.flatMap(TimestampParser.parseISO)
            ?? (metadata?["creationTimestamp"] as? String).flatMap(TimestampParser.parseISO)
        let name = involved["name"] as? String ?? "unknown"
        // `spec.containers{api}` names the container a pod's event is about.
        let container = (involved["fieldPath"] as? String).flatMap { path -> String? in
            guard let open = path.firstIndex(of: "{"), path.hasSuffix("}") else { return nil }
            return String(path[path.index(after: open)..<path.index(before: path.endIndex)])
        }
        service = container ?? name
        var labels = ["reason": reason, "object": ((involved["kind"] as? String).map { $0 + "/" } ?? "") + name]
        labels["namespace"] = involved["namespace"] as? String
        if let count = object["count"] as? Int { labels["count"] = String(count) }
        self.labels = labels
    }
}
