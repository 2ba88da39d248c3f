/// A pod's name as Kubernetes generates it for a workload's replicas: a Deployment's
/// `<deployment>-<pod-template-hash>-<suffix>` (`api-7d9f8b6c5d-x2k4q`), a DaemonSet's or Job's
/// `<name>-<suffix>` (`kube-proxy-x7k2p`). The suffix is five characters and the hash up to ten,
/// drawn from the alphabet without vowels or look-alikes that `k8s.io/apimachinery/pkg/util/rand`
/// uses, so that the workload's name can be told from them. A StatefulSet's `web-0` cannot be.
public enum PodName {
    private static let alphabet = Set("bcdfghjklmnpqrstvwxz2456789".utf8)

    /// The workload that `pod` is a replica of, or nil when its name has no generated part.
    public static func workload(of pod: String) -> String? {
        var parts = pod.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 2, isGenerated(parts.last!, lengths: 5...5) else { return nil }
        parts.removeLast()
        if parts.count >= 2, isGenerated(parts.last!, lengths: 6...10) { parts.removeLast() }
        let name = parts.joined(separator: "-")
        return name.isEmpty ? nil : name
    }

    /// Whether `pod` is named as a StatefulSet names its pods: its own name and an ordinal (`web-0`).
    /// Many other words are named so too (`node-1`, `retry-3`): only where pods are known to be named.
    public static func isStatefulSetPod(_ pod: String) -> Bool {
        guard let dash = pod.lastIndex(of: "-") else { return false }
        let ordinal = pod[pod.index(after: dash)...]
        return !ordinal.isEmpty && ordinal.utf8.allSatisfy { $0 &- 48 < 10 } && pod[..<dash].contains { $0.isLetter }
    }

    private static func isGenerated(_ part: Substring, lengths: ClosedRange<Int>) -> Bool {
        lengths.contains(part.utf8.count) && part.utf8.allSatisfy(alphabet.contains)
    }
}
