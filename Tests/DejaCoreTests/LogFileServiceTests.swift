@testable import DejaCore
import Testing

@Suite struct LogFileServiceTests {
    @Test("a file's service is its program's name, whatever rotation, its stream or Kubernetes made of the path", arguments: [
        ("checkout.log", "checkout"),
        ("/var/log/app.log.1", "app"),
        ("/var/log/app.log.2024-03-14", "app"),
        ("/var/log/app-2024-03-14.log", "app"),
        ("/var/log/app.log.20240314", "app"),
        ("/var/log/nginx/error.log", "nginx"),
        ("/var/log/nginx/access.log.1", "nginx"),
        ("/var/log/nginx/nginx_error.log", "nginx"),
        ("/home/deploy/.pm2/logs/api-out.log", "api"),
        ("/home/deploy/.pm2/logs/api-error.log", "api"),
        ("/etc/service/queue/log/main/current", "queue"),
        ("/var/log/error.log", "error"),
        ("logs/error.log", "error"),
        ("/var/log/queue-worker/current", "queue-worker"),
        ("/var/log/pods/shop_checkout-7d9f8b6c5-xk2p4_0f8c2b1e-3d4a-4c5b-9e6f-7a8b9c0d1e2f/checkout/0.log", "checkout"),
        ("/var/log/containers/checkout-7d9f8b6c5-xk2p4_shop_checkout-0b6d2a8f7c4e3b1a9d8c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b.log", "checkout"),
        ("dump/shop/checkout-7d9f8b6c5d-xk2p4/logs.txt", "checkout"),  // kubectl cluster-info dump
        ("dump/kube-system/etcd-node-1/logs.txt", "etcd-node-1"),
        ("/var/log/syslog", "syslog"),
        ("error.log", "error"),
        ("my.service.log", "my.service"),
        ("/dev/fd/63", "default"),
        ("/proc/self/fd/0", "default"),
    ])
    func names(path: String, service: String) {
        #expect(LogFileService.name(ofPath: path) == service)
    }
}
