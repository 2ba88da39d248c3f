import Foundation

/// Runs async work to completion from a thread of Deja's own (the ingest consumer, the store-read
/// queue), which may block: the stores' protocols are synchronous, PostgresNIO is async. Never call
/// it from a Swift-concurrency task: on 2 cores that would block half the cooperative pool.
/// Past `timeout` the work is cancelled and `TimedOut` thrown: PostgresNIO waits for a connection
/// as long as it is asked to, and a server that is down must not hold a caller for ever.
func waitFor<Value: Sendable>(timeout: Duration, _ work: @escaping @Sendable () async throws -> Value) throws -> Value {
    let box = ResultBox<Value>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await withTimeout(timeout, work)) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// `work`'s value, or `TimedOut` once `timeout` has passed (the work is cancelled then).
func withTimeout<Value: Sendable>(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
    try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimedOut(after: timeout)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// PostgreSQL did not answer in time.
struct TimedOut: Error, CustomStringConvertible {
    let after: Duration
    var description: String { "no answer within \(after.components.seconds) s (is it running and reachable?)" }
}

/// The result handed from the task to the waiting thread; the semaphore orders the two accesses.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    var result: Result<Value, Error>?
}
