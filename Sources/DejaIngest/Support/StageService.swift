import DejaCore
import Foundation
import ServiceLifecycle

/// A long-running pipeline stage as a service of a `ServiceGroup`: started when the group runs,
/// stopped when the group shuts down gracefully (in the reverse of the order services are listed)
/// or is cancelled (a service failed: `stop` is told, and need not finish a backlog). Stages run on threads of their own (`StageWorker`); starting and stopping,
/// which may block until a backlog is stored, run off the concurrency pool.
public struct StageService: Service {
    public let name: String
    private let start: @Sendable () throws -> Void
    private let stop: @Sendable (_ cancelled: Bool) throws -> Void

    public init(name: String, start: @escaping @Sendable () throws -> Void, stop: @escaping @Sendable (_ cancelled: Bool) throws -> Void) {
        self.name = name
        self.start = start
        self.stop = stop
    }

    public func run() async throws {
        try await Self.onOwnThread(name: "deja-\(name)-start", start)
        // A graceful shutdown and a cancellation both end the wait; the stage stops either way.
        let cancelled: Bool
        do {
            try await gracefulShutdown()
            cancelled = false
        } catch {
            cancelled = true
        }
        try await Self.onOwnThread(name: "deja-\(name)-stop") { [stop] in try stop(cancelled) }
    }

    /// Runs blocking `work` on a new thread and returns its result: a wait on a disk or a condition
    /// must not hold one of the few threads that run every task.
    public static func onOwnThread<Value: Sendable>(name: String, _ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = name
            thread.start()
        }
    }
}
