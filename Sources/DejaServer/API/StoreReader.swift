import DejaStore
import Dispatch

/// Runs the API's reads of the store (events by id, counts over time) on threads of their own,
/// several at once (SQLite in WAL mode reads beside the writer), so that a request never blocks
/// one of the server's event-loop threads on the disk.
final class StoreReader: Sendable {
    private let store: SQLiteStore
    private let queue = DispatchQueue(label: "deja-store-reads", qos: .userInitiated, attributes: .concurrent)

    init(store: SQLiteStore) {
        self.store = store
    }

    func run<Value: Sendable>(_ work: @escaping @Sendable (SQLiteStore) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [store] in continuation.resume(with: Result { try work(store) }) }
        }
    }
}
