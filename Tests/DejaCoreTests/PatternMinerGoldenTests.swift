import DejaCore
import Foundation
import Testing

/// The miner on fixed corpora (`Fixtures/mining/*.log`, written by `scripts/make_mining_fixtures.py`),
/// compared with the patterns it gave when the golden file was written: a change to mining shows up
/// as a diff of `*.patterns`, not as a silent shift. `DEJA_UPDATE_GOLDEN=1 swift test --filter
/// PatternMinerGoldenTests` writes the files anew, to be reviewed and committed.
@Suite struct PatternMinerGoldenTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mining")

    /// The patterns of `lines`, one `count<TAB>template` line each, most frequent first.
    static func mined(_ lines: [Substring]) -> String {
        let miner = PatternMiner()
        for line in lines { _ = miner.learn(line) }
        return miner.patterns.map { "\($0.count)\t\($0.template)\n" }.joined()
    }

    @Test("patterns mined from each corpus are the golden ones", arguments: ["service", "kubelet", "sshd", "tunnel", "access"])
    func corpus(name: String) throws {
        let lines = try String(contentsOf: Self.fixtures.appendingPathComponent("\(name).log"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == 400)
        let patterns = Self.mined(lines)
        let golden = Self.fixtures.appendingPathComponent("\(name).patterns")
        if ProcessInfo.processInfo.environment["DEJA_UPDATE_GOLDEN"] == "1" {
            try patterns.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(patterns == expected, "mining \(name).log changed; DEJA_UPDATE_GOLDEN=1 rewrites \(golden.lastPathComponent)")
        // Every line is counted once.
        let counted = patterns.split(separator: "\n").reduce(0) { $0 + Int($1.prefix { $0 != "\t" })! }
        #expect(counted == lines.count)
    }
}
