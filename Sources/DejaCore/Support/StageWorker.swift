import Foundation

/// The thread of a long-running, CPU- or disk-bound stage (the write-ahead log's flusher, the
/// store's writer, the embedder, the vector index sync): it runs the stage's `step` again and again,
/// sleeps while a step finds nothing to do until `wake()`, a timeout or a stop, and ends on `stop`.
/// One lifecycle for every stage, so that none hand-writes its own flags, waits and joins.
public final class StageWorker: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `condition`.

    /// What a step did, which tells the worker what to do next.
    public enum Outcome: Sendable, Equatable {
        /// It did work: step again at once.
        case progressed
        /// It found nothing to do: sleep until woken, or at most this long (nil: until woken).
        case idle(TimeInterval?)
        /// The stage is done for good (it failed and said so to its owner): end the thread.
        case finished
    }

    /// How `stop` ends the worker.
    public enum Stop: Sendable {
        /// Step until a step that began after the stop finds nothing to do: every piece of work
        /// handed over before `stop` is done.
        case drain
        /// End after the step in hand; the rest waits for the next start.
        case now
    }

    /// What a step knows of the worker.
    public struct Context: Sendable {
        /// A drain was asked for before this step began: the stage may take more of the machine to
        /// catch up, nobody is waiting for CPU anymore.
        public let draining: Bool
    }

    /// CPU priority of the worker's thread, relative to the threads that answer requests.
    public enum Priority: Sendable, Equatable {
        case normal
        /// A Linux nice value (0–19): a smaller share of the CPU.
        case nice(Int32)
        /// Runs only on a core nothing else wants (`SCHED_IDLE`).
        case idle

        /// Gives the calling thread this priority (a lowered one cannot be raised back: use it on
        /// a thread of the stage's own).
        public func applyToCurrentThread() {
            #if canImport(Glibc)
            switch self {
            case .normal:
                break
            case .nice(let value):
                // `setpriority` with who = 0 is the calling thread on Linux.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, value)
            case .idle:
                // Nice 19 alone still takes a slice whenever it is runnable; SCHED_IDLE waits for an idle core.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
                var parameters = sched_param(sched_priority: 0)
                pthread_setschedparam(pthread_self(), 5, &parameters)  // SCHED_IDLE, which Glibc does not export to Swift
            }
            #endif
        }
    }

    public let name: String
    private let priority: Priority
    private let step: (Context) throws -> Outcome
    private let condition = NSCondition()
    /// Counts `wake()` calls: a step that began before the last wake-up may have missed its work,
    /// so the worker steps again instead of sleeping.
    private var wakeups: UInt64 = 0
    private var stopRequest: Stop?
    private var started = false
    private var ended = false
    private var failure: Error?

    /// `step` runs on the worker's thread only; an error it throws ends the worker and is rethrown by `stop`.
    public init(name: String, priority: Priority = .normal, step: @escaping (Context) throws -> Outcome) {
        self.name = name
        self.priority = priority
        self.step = step
    }

    /// Starts the thread; a second call does nothing.
    public func start() {
        let first = condition.withLock {
            defer { started = true }
            return !started
        }
        guard first else { return }
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// New work was handed over: an idle worker steps again.
    public func wake() {
        condition.withLock {
            wakeups &+= 1
            condition.broadcast()
        }
    }

    /// Asks the worker to end (`.now` wins over a `.drain` asked before) without waiting for it.
    public func requestStop(_ how: Stop) {
        condition.withLock {
            if stopRequest != .now { stopRequest = how }
            condition.broadcast()
        }
    }

    /// Ends the worker as `how` says, waits until its thread has ended, and rethrows the error that
    /// ended it. A worker never started ends at once.
    public func stop(_ how: Stop) throws {
        requestStop(how)
        try waitUntilEnded()
    }

    /// Waits until the thread has ended (after a stop, or a step that finished); rethrows its error.
    public func waitUntilEnded() throws {
        try condition.withLock {
            while started && !ended { condition.wait() }
            if let failure { throw failure }
        }
    }

    /// Whether the thread has ended.
    public var hasEnded: Bool { condition.withLock { ended } }

    private func run() {
        priority.applyToCurrentThread()
        defer {
            condition.withLock {
                ended = true
                condition.broadcast()
            }
        }
        while true {
            // The stop and the wake-up count are read before the step: work handed over while the
            // step runs is seen by the next one, and a drain asked for before it ends only when a
            // step that began after it found nothing.
            let (request, wakeupsBefore) = condition.withLock { (stopRequest, wakeups) }
            if request == .now { return }
            let outcome: Outcome
            do {
                outcome = try step(Context(draining: request == .drain))
            } catch {
                condition.withLock { failure = error }
                return
            }
            switch outcome {
            case .progressed:
                continue
            case .finished:
                return
            case .idle(let timeout):
                if request == .drain { return }
                condition.withLock {
                    let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
                    while stopRequest == nil && wakeups == wakeupsBefore {
                        if let deadline {
                            if !condition.wait(until: deadline) { break }
                        } else {
                            condition.wait()
                        }
                    }
                }
            }
        }
    }
}
