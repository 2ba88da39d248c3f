@testable import DejaCore
import Testing

@Suite struct PodNameTests {
    @Test("a replica's pod name gives its workload: a Deployment's hash and suffix, a DaemonSet's suffix; other names give none")
    func workloads() {
        #expect(PodName.workload(of: "nginx-deployment-66b6c48dd5-4jw2p") == "nginx-deployment")
        #expect(PodName.workload(of: "api-7d9f8b-x2k4q") == "api")
        #expect(PodName.workload(of: "kube-proxy-x7k2p") == "kube-proxy")
        #expect(PodName.workload(of: "web-0") == nil)
        #expect(PodName.workload(of: "api-server") == nil)  // vowels: a word, not a generated suffix
        #expect(PodName.workload(of: "node-1") == nil)
        #expect(PodName.workload(of: "x7k2p") == nil)
        #expect(PodName.isStatefulSetPod("web-0") && PodName.isStatefulSetPod("kafka-broker-12"))
        #expect(!PodName.isStatefulSetPod("web") && !PodName.isStatefulSetPod("2024-03") && !PodName.isStatefulSetPod("web-"))
    }
}
