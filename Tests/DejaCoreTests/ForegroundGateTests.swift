import DejaCore
import Foundation
import Testing

/// Background stages step aside while a search runs, and never for longer than the gate allows.
@Suite struct ForegroundGateTests {
    /// A flag set from another thread.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    /// Foreground work on another thread, running until the returned closure is called (which
    /// returns once it has ended).
    static func holdForeground(_ gate: ForegroundGate) -> () -> Void {
        let (started, finish, ended) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        DispatchQueue.global().async {
            gate.run {
                started.signal()
                finish.wait()
            }
            ended.signal()
        }
        started.wait()
        return {
            finish.signal()
            ended.wait()
        }
    }

    @Test("with no foreground work, yield returns at once")
    func idleGateDoesNotWait() {
        let gate = ForegroundGate(longestWait: 60)
        #expect(!gate.isBusy)
        gate.yield()  // would wait a minute if it waited at all
        #expect(gate.run { 42 } == 42)
        #expect(!gate.isBusy)
    }

    @Test("a background stage waits in yield while foreground work runs, and goes on when it ends")
    func backgroundWaitsForForeground() {
        let gate = ForegroundGate(longestWait: 60)
        let endForeground = Self.holdForeground(gate)
        #expect(gate.isBusy)
        let resumed = Flag()
        let backgroundDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            gate.yield()
            resumed.set()
            backgroundDone.signal()
        }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(!resumed.isSet, "yield returned while the foreground work was still running")
        endForeground()
        #expect(backgroundDone.wait(timeout: .now() + 10) == .success)
        #expect(resumed.isSet)
        #expect(!gate.isBusy)
    }

    @Test("foreground work longer than longestWait delays a background stage by that much, not until it ends")
    func yieldGivesUpAfterLongestWait() {
        let gate = ForegroundGate(longestWait: 0.05)
        let endForeground = Self.holdForeground(gate)
        gate.yield()  // returns after about 50 ms although the foreground work has not ended
        #expect(gate.isBusy)
        endForeground()
    }

    @Test("nested and concurrent foreground work keeps the gate busy until the last one ends")
    func busyUntilLastEnds() {
        let gate = ForegroundGate()
        gate.run {
            gate.run { #expect(gate.isBusy) }
            #expect(gate.isBusy)
        }
        #expect(!gate.isBusy)
    }
}
