import DejaCore

/// A Kubernetes Event (`kubectl get events -o json`): its reason leads its message, as `kubectl
/// describe` shows it (`BackOff: Back-off restarting failed container`); `Warning` is its level;
/// the container or object it is about names the service (a replica pod its workload, `PodName`).
struct KubernetesEvent {
    let message: String
    let level: Severity
    let time: Int64?
    let service: String
    let labels: [String: String]

    init(reason: String, note: String, type: String?, time: Int64?, kind: String?, name: String, container: String?,
         namespace: String?, count: Int?) {
        message = note.isEmpty ? reason : reason + ": " + note
        level = type == "Warning" ? .warning : .info
        self.time = time
        service = container ?? (kind?.lowercased() == "pod" ? PodName.workload(of: name) : nil) ?? name
        var labels = ["reason": reason, "object": (kind.map { $0 + "/" } ?? "") + name]
        labels["namespace"] = namespace
        labels["count"] = count.map(String.init)
        self.labels = labels
    }

    init?(_ object: [String: Any]) {
        guard let involved = object["involvedObject"] as? [String: Any] ?? object["regarding"] as? [String: Any],
              let reason = object["reason"] as? String else { return nil }
        let metadata = object["metadata"] as? [String: Any]
        // `spec.containers{api}` names the container a pod's event is about.
        let container = (involved["fieldPath"] as? String).flatMap(Self.container(inFieldPath:))
        self.init(reason: reason, note: (object["message"] ?? object["note"]) as? String ?? "", type: object["type"] as? String,
                  time: ["lastTimestamp", "eventTime", "firstTimestamp"].lazy.compactMap { object[$0] as? String }.first.flatMap(TimestampParser.parseISO)
                      ?? (metadata?["creationTimestamp"] as? String).flatMap(TimestampParser.parseISO),
                  kind: involved["kind"] as? String, name: involved["name"] as? String ?? "unknown", container: container,
                  namespace: involved["namespace"] as? String, count: object["count"] as? Int)
    }

    /// The container a field path names: `spec.containers{api}` is api.
    static func container(inFieldPath path: String) -> String? {
        guard let open = path.firstIndex(of: "{"), path.hasSuffix("}") else { return nil }
        return String(path[path.index(after: open)..<path.index(before: path.endIndex)])
    }
}
