import AsyncHTTPClient
import DejaSearch
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// How enriched notifications are forwarded.
public enum AlertForwardFormat: String, Sendable, CaseIterable {
    /// The original Alertmanager payload with an `enrichment` field: each alert's `AlertView`, by fingerprint.
    case webhook
    /// A Slack-compatible incoming-webhook message (`text`, mrkdwn).
    case slack
}

/// Forwards each enriched notification to the next receiver, in order, with retries and backoff
/// on network errors and 5xx (a 4xx is permanent, as Alertmanager treats it). It runs apart from
/// receiving: a target that is down delays only forwarding.
final class AlertForwarder: Service, Sendable {
    struct Item: Sendable {
        var payload: Data
        var alerts: [AlertView]
    }

    private let url: String
    private let format: AlertForwardFormat
    private let logger: Logger
    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    /// Attempts per notification; the waits between them double from `firstBackoff`.
    let attempts: Int
    let firstBackoff: Duration

    init(url: String, format: AlertForwardFormat, logger: Logger, attempts: Int = 8, firstBackoff: Duration = .milliseconds(500)) {
        self.url = url
        self.format = format
        self.logger = logger
        self.attempts = attempts
        self.firstBackoff = firstBackoff
        (stream, continuation) = AsyncStream.makeStream(of: Item.self)
    }

    func enqueue(_ item: Item) {
        continuation.yield(item)
    }

    func run() async throws {
        var settings = HTTPClient.Configuration()
        settings.timeout = .init(connect: .seconds(5), read: .seconds(30))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
        await cancelWhenGracefulShutdown {
            for await item in self.stream {
                await self.deliver(item, client: client)
            }
        }
        try await client.shutdown()
    }

    private func deliver(_ item: Item, client: HTTPClient) async {
        guard let body = try? Self.body(item, format: format) else {
            logger.error("cannot forward an alert notification: its payload is not a JSON object")
            return
        }
        var wait = firstBackoff
        for attempt in 1...attempts {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                if (200..<300).contains(response.status.code) { return }
                if (400..<500).contains(response.status.code) {
                    logger.error("alert forward target refused the notification; not retried", metadata: ["url": "\(url)", "status": "\(response.status.code)"])
                    return
                }
                logger.warning("alert forward target failed; retrying", metadata: ["status": "\(response.status.code)", "attempt": "\(attempt)"])
            } catch {
                logger.warning("alert forward target unreachable; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            }
            guard attempt < attempts, (try? await Task.sleep(for: wait)) != nil else { break }
            wait = min(wait * 2, .seconds(60))
        }
        logger.error("gave up forwarding an alert notification", metadata: ["url": "\(url)", "attempts": "\(attempts)"])
    }

    /// The forwarded body: the payload with `enrichment`, or a Slack message.
    static func body(_ item: Item, format: AlertForwardFormat) throws -> Data {
        switch format {
        case .webhook:
            guard var payload = try JSONSerialization.jsonObject(with: item.payload) as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            var enrichment: [String: Any] = [:]
            for view in item.alerts { enrichment[view.fingerprint] = try JSONSerialization.jsonObject(with: encoder.encode(view)) }
            payload["enrichment"] = enrichment
            return try JSONSerialization.data(withJSONObject: payload, options: .sortedKeys)
        case .slack:
            return try JSONSerialization.data(withJSONObject: ["text": slackText(item.alerts)], options: .sortedKeys)
        }
    }

    static func slackText(_ alerts: [AlertView]) -> String {
        alerts.map { alert in
            var lines = ["*[\(alert.status.uppercased())] \(alert.name)*" + (alert.enrichment?.service.map { " (\($0))" } ?? "")]
            if let summary = alert.annotations["summary"] { lines.append(summary) }
            for issue in alert.related.prefix(3) {
                let state = issue.state == .steady ? "" : ", \(issue.state.rawValue)"
                lines.append("• `\(issue.message.prefix(160))`: \(issue.count) events in \(issue.services.joined(separator: ", "))\(state)")
            }
            if let grafana = alert.enrichment?.links["grafana"] { lines.append("<\(grafana)|Logs in Grafana>") }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }
}
