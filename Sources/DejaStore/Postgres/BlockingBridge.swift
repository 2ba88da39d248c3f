import Foundation

/// Runs async work to completion from a thread of Deja's own (the ingest consumer, the store-read
/// queue), which may block: the stores' protocols are synchronous, PostgresNIO is async. Never call
/// it from a Swift-concurrency task: on 2 cores that would block half the cooperative pool.
func waitFor<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
    let box = ResultBox<Value>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// The result handed from the task to the waiting thread; the semaphore orders the two accesses.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    var result: Result<Value, Error>?
}
