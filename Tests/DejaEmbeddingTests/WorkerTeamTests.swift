@testable import DejaEmbedding
import Foundation
import Testing

/// The encoder's helper threads: every parallel region runs once on each worker, whether the
/// helpers were spinning for it or had parked.
@Suite struct WorkerTeamTests {
    /// Counts per worker, written by that worker only.
    final class Counts: @unchecked Sendable {
        var perWorker: [Int]
        init(_ workers: Int) { perWorker = Array(repeating: 0, count: workers) }
    }

    @Test("back-to-back regions run once on every worker, the caller being worker 0")
    func regionsRunOncePerWorker() {
        let team = WorkerTeam(workers: 3)
        let counts = Counts(3)
        let caller = Thread.current
        var callerWasWorkerZero = true
        for _ in 0..<20_000 {
            team.run { worker in
                counts.perWorker[worker] += 1
                if worker == 0 && Thread.current != caller { callerWasWorkerZero = false }
            }
        }
        #expect(counts.perWorker == [20_000, 20_000, 20_000])
        #expect(callerWasWorkerZero)
    }

    @Test("helpers that parked after a quiet spell are woken by the next region")
    func parkedHelpersWake() {
        let team = WorkerTeam(workers: 2)
        let counts = Counts(2)
        for round in 0..<30 {
            // Longer than the helpers spin: they park, and the region must wake them.
            Thread.sleep(forTimeInterval: round % 3 == 0 ? 0.002 : 0.0002)
            team.run { counts.perWorker[$0] += 1 }
        }
        #expect(counts.perWorker == [30, 30])
    }

    @Test("a team of one runs on the caller alone")
    func teamOfOne() {
        let team = WorkerTeam(workers: 1)
        var workers: [Int] = []
        team.run { workers.append($0) }
        #expect(team.workers == 1 && workers == [0])
    }
}
