import DejaCore
import DejaStore
import Foundation
import ServiceLifecycle

/// Retention for a long-running server: every `interval`, each tenant's events older than `window`
/// are removed, with the signatures no event references any more (`SQLiteStore.removeEvents`), and
/// the issue stage is rebuilt from what remains, so that removed signatures stop counting in their
/// issues; alert occurrences last notified before then go too. Frequent passes keep each one
/// small: a pass holds the store's writer while it deletes.
public final class RetentionService: Service, @unchecked Sendable {
    // @unchecked: immutable but for `onPass`, set before the service runs.
    private let store: SQLiteStore
    private let issues: IssueStage
    private let window: Int64
    private let interval: Duration
    private let sharedIndex: Bool
    private let alerts: (any AlertStoring)?
    /// Called after each pass that removed anything, and with each pass's error; set before the service runs.
    public var onPass: (@Sendable (Result<Removed, Error>) -> Void)?

    /// What one pass removed, over all tenants.
    public struct Removed: Sendable, Equatable {
        public var events = 0
        public var signatures = 0
        public var alerts = 0

        public init(events: Int = 0, signatures: Int = 0, alerts: Int = 0) {
            self.events = events
            self.signatures = signatures
            self.alerts = alerts
        }
    }

    /// Keeps `window` nanoseconds of events (and of `alerts`, when given), looking every `interval`.
    /// With `sharedIndex` (cluster mode) the vector index is the cluster's, which the grouping
    /// leader's retention keeps, as it keeps the cluster's alerts.
    public init(store: SQLiteStore, issues: IssueStage, alerts: (any AlertStoring)? = nil, window: Int64, interval: Duration,
                sharedIndex: Bool = false) {
        self.store = store
        self.issues = issues
        self.alerts = alerts
        self.window = window
        self.interval = interval
        self.sharedIndex = sharedIndex
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let removed = try await StageService.onOwnThread(name: "deja-retention") { [self] in try pass() }
                if removed != Removed() { onPass?(.success(removed)) }
            } catch {
                onPass?(.failure(error))
            }
            // Graceful shutdown ends the wait at once.
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) } } catch { break }
        }
    }

    /// One pass: removes every tenant's events older than `now` minus the window.
    @discardableResult
    public func pass(now: Int64 = Int64(Date().timeIntervalSince1970 * 1e9)) throws -> Removed {
        var removed = Removed()
        for tenant in try store.tenantsWithSignatures() {
            let (events, signatures) = try store.removeEvents(olderThan: now - window, tenant: tenant, sharedIndex: sharedIndex)
            removed.events += events
            removed.signatures += signatures
        }
        if removed.signatures > 0 { try issues.reload() }
        removed.alerts = try alerts?.removeAlerts(notifiedBefore: now - window) ?? 0
        return removed
    }
}
