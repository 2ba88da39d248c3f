import Foundation

/// Puts work a person waits for (a search) ahead of background work, on machines of few cores.
/// Foreground work runs inside `run`; background stages (preparing, storing and embedding events)
/// call `yield()` between small pieces of their work and wait there while foreground work runs,
/// at most `longestWait` at a time. Operating-system priorities alone do not do this: a stage at
/// nice 5 still takes a quarter of a core it shares with a search, and a thread's priority, once
/// lowered, cannot be raised back without privileges.
public final class ForegroundGate: @unchecked Sendable {
    // @unchecked: `running` is guarded by `condition`.
    private var running = 0
    private let condition = NSCondition()
    /// The longest one `yield()` waits: background work is delayed by a long search, never stopped.
    public let longestWait: TimeInterval

    public init(longestWait: TimeInterval = 0.25) {
        self.longestWait = longestWait
    }

    /// Runs `body` as foreground work: background stages hold back until it returns.
    public func run<Value>(_ body: () throws -> Value) rethrows -> Value {
        condition.withLock { running += 1 }
        defer {
            condition.withLock {
                running -= 1
                if running == 0 { condition.broadcast() }
            }
        }
        return try body()
    }

    /// Whether foreground work is running now.
    public var isBusy: Bool { condition.withLock { running > 0 } }

    /// Returns at once when no foreground work runs; otherwise waits until none does, or
    /// `longestWait` has passed.
    public func yield() {
        condition.withLock {
            guard running > 0 else { return }
            let deadline = Date(timeIntervalSinceNow: longestWait)
            while running > 0 && condition.wait(until: deadline) {}
        }
    }
}
