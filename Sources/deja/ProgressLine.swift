import DejaCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress of long work on standard error: on a terminal, one line rewritten twice a second;
/// otherwise (a pipe, a log file) a plain line every 10 seconds, so that a run that takes minutes is
/// never silent. $DEJA_PROGRESS_SECONDS sets either interval.
final class ProgressLine: @unchecked Sendable {
    // @unchecked: `worker` and `shown` are guarded by `lock`.
    private let status: @Sendable () -> String
    private let lock = NSLock()
    private var worker: StageWorker?
    private var shown = false
    let isTerminal: Bool
    let interval: TimeInterval

    init(status: @escaping @Sendable () -> String) {
        self.status = status
        isTerminal = isatty(STDERR_FILENO) != 0
        let chosen = ProcessInfo.processInfo.environment["DEJA_PROGRESS_SECONDS"].flatMap(TimeInterval.init)
        interval = max(0.05, chosen ?? (isTerminal ? 0.5 : 10))
    }

    /// Reports every `interval`, the first after one interval; again after a `stop`.
    func start() {
        var first = true
        let worker = StageWorker(name: "deja-progress") { [self] _ in
            if !first { show(status()) }
            first = false
            return .idle(interval)
        }
        lock.withLock { self.worker = worker }
        worker.start()
    }

    /// Stops reporting; on a terminal the live line is cleared, so the final report stands alone.
    func stop() {
        let worker = lock.withLock { defer { self.worker = nil }; return self.worker }
        try? worker?.stop(.now)
        let cleared = lock.withLock { () -> Bool in
            defer { shown = false }
            return shown
        }
        if isTerminal && cleared { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func show(_ line: String) {
        lock.withLock { shown = true }
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
