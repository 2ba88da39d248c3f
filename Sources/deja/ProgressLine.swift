import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress of long work on standard error: on a terminal, one line rewritten twice a second;
/// otherwise (a pipe, a log file) a plain line every 10 seconds, so that a run that takes minutes is
/// never silent. $DEJA_PROGRESS_SECONDS sets either interval.
final class ProgressLine: @unchecked Sendable {
    // @unchecked: `running` and `shown` are guarded by `condition`.
    private let status: @Sendable () -> String
    private let condition = NSCondition()
    private var running = false
    private var shown = false
    private var thread: Thread?
    let isTerminal: Bool
    let interval: TimeInterval

    init(status: @escaping @Sendable () -> String) {
        self.status = status
        isTerminal = isatty(STDERR_FILENO) != 0
        let chosen = ProcessInfo.processInfo.environment["DEJA_PROGRESS_SECONDS"].flatMap(TimeInterval.init)
        interval = max(0.05, chosen ?? (isTerminal ? 0.5 : 10))
    }

    func start() {
        condition.withLock { running = true }
        let thread = Thread { [self] in
            condition.lock()
            while running {
                _ = condition.wait(until: Date().addingTimeInterval(interval))
                guard running else { break }
                condition.unlock()
                show(status())
                condition.lock()
            }
            condition.unlock()
        }
        thread.name = "deja-progress"
        self.thread = thread
        thread.start()
    }

    /// Stops reporting; on a terminal the live line is cleared, so the final report stands alone.
    func stop() {
        condition.withLock {
            running = false
            condition.broadcast()
        }
        while thread?.isFinished == false { usleep(1_000) }
        let cleared = condition.withLock { () -> Bool in
            defer { shown = false }
            return shown
        }
        if isTerminal && cleared { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func show(_ line: String) {
        condition.withLock { shown = true }
        FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    /// `1234567` as `1,234,567`.
    static func count(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}

/// A count read by a progress line while the work adds to it.
final class ProgressCounter: @unchecked Sendable {
    // @unchecked: `count` is guarded by `lock`.
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }

    func add(_ amount: Int) {
        lock.withLock { count += amount }
    }
}
