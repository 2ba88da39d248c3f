import ArgumentParser
import DejaCore
import DejaSearch
import DejaStore
import Foundation

/// `deja alerts`: recent Alertmanager alerts received by `deja serve`, with what explains them.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List recent alerts (received by deja serve from Alertmanager) and the logs that explain them.",
        discussion: """
        Each alert is printed with its status, start, service, and the issues its enrichment found, \
        most telling first. --json prints each alert as the API does (GET /api/v1/alerts).
        """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Only alerts in this status: firing or resolved.")
    var status: String?

    @Option(help: "Print at most N alerts.")
    var limit = 20

    @Option(help: "Related issues printed per alert.")
    var related = 3

    @Flag(help: "Print the alerts as JSON, one per line.")
    var json = false

    mutating func run() throws {
        if let status, !["firing", "resolved"].contains(status) { throw ValidationError("--status must be firing or resolved, not '\(status)'") }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        let alerts: [AlertView]
        do {
            alerts = try AlertStore(directory: try DataDirectory(existing: store.dataDir)).alerts(tenant: store.tenant, status: status, limit: limit)
                .map(AlertView.init)
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
        var output = OutputBuffer()
        if json {
            try output.appendJSONLines(alerts)
        } else if alerts.isEmpty {
            // Said on standard error, so that a script reading the list still reads nothing.
            let note = status.map { "No \($0) alerts for tenant \(store.tenant).\n" }
                ?? "No alerts received for tenant \(store.tenant): deja serve records them when Alertmanager's webhook points at its /api/v1/alerts/alertmanager.\n"
            FileHandle.standardError.write(Data(note.utf8))
        } else {
            for alert in alerts {
                let service = alert.enrichment?.service ?? "no known service"
                output.append("\(alert.status.uppercased())\t\(alert.name)\t\(alert.startsAt)\t\(service)\t\(alert.fingerprint)\n")
                if alert.enrichment == nil { output.append("  (not enriched yet)\n") }
                for issue in alert.related.prefix(related) {
                    let id = issue.issueID.map { "I\($0)" } ?? "-"
                    output.append("  \(issue.count)\t\(id)\t\(issue.state.rawValue)\t\(issue.services.joined(separator: ","))\t\(issue.message)\n")
                }
            }
        }
        output.flush()
    }
}
