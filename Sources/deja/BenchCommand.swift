import ArgumentParser
import DejaCore
import DejaEmbedding
import DejaIngest
import Foundation

/// `deja bench`: measurements to run side by side with the anchors in ../shared/bench.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Deja's speed on a workload (release builds only give meaningful numbers).",
        subcommands: [BenchEmbedCommand.self, BenchPatternsCommand.self, BenchSearchCommand.self]
    )
}

/// `deja bench embed`: sentences/s, tokens/s, useful GFLOP/s and peak RSS of the embedder.
struct BenchEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed a workload and report throughput and peak memory.",
        discussion: """
        The workload is FILE (one text per non-blank line) or, by default, a deterministic \
        10,000-line mix of the loghub-2k logs found under --loghub-dir. Time covers text to \
        normalized vectors (tokenization included), after one warm-up batch.
        """
    )

    @Argument(help: "Workload file, one text per line.")
    var file: String?

    @Option(help: "loghub-2k folder for the default workload (default: $DEJA_LOGHUB_DIR or ../shared/data/loghub-2k).")
    var loghubDir: String?

    @Option(help: "Use only the first N lines.")
    var limit: Int?

    @Option(help: "Repeat the timed run and report the median.")
    var repeats = 1

    @Flag(help: "Embed each line alone, one after another, and report per-line latency instead of throughput.")
    var latency = false

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    @OptionGroup var model: ModelOptions

    mutating func run() throws {
        var lines = try file.map(Self.readLines) ?? Self.loghubMix(folder: loghubDir, count: 10_000)
        if let limit { lines = Array(lines.prefix(limit)) }
        guard !lines.isEmpty else { throw CLIError("the workload is empty") }
        let embedder = try model.load()
        _ = embedder.embed(Array(lines.prefix(model.batchSize)), batchSize: model.batchSize)
        if latency { return try reportLatency(embedder, lines) }

        var seconds: [Double] = []
        var tokenCount = 0
        var attentionFLOP = 0.0
        for _ in 0..<max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            let ids = lines.map(embedder.tokenize)
            _ = embedder.embed(tokenized: ids, batchSize: model.batchSize)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            tokenCount = ids.reduce(0) { $0 + $1.count }
            attentionFLOP = ids.reduce(0) { $0 + 4 * Double(embedder.configuration.hiddenSize * embedder.configuration.layerCount) * Double($1.count * $1.count) }
        }
        let median = seconds.sorted()[seconds.count / 2]
        let c = embedder.configuration
        // 2·m·n·k for every encoder matmul on real tokens (the anchor's "useful FLOP").
        let perToken = 2.0 * Double(c.layerCount) * Double(4 * c.hiddenSize * c.hiddenSize + 2 * c.hiddenSize * c.intermediateSize)
        let usefulGFLOPs = (perToken * Double(tokenCount) + attentionFLOP) / median / 1e9
        let result: [String: Any] = [
            "lines": lines.count, "tokens": tokenCount, "batch_size": model.batchSize, "threads": model.threads,
            "seconds": median, "sentences_per_second": Double(lines.count) / median,
            "tokens_per_second": Double(tokenCount) / median, "useful_gflops": usefulGFLOPs,
            "peak_rss_mb": Double(Self.peakResidentBytes()) / 1e6, "blas_kernels": embedder.blasKernels,
            "small_batch_kernel": embedder.smallBatchKernel,
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "lines %d, tokens %d (%.2f per line), batch %d, threads %d, OpenBLAS kernels ",
                         lines.count, tokenCount, Double(tokenCount) / Double(lines.count), model.batchSize, model.threads) + embedder.blasKernels
                  + ", small batches on " + embedder.smallBatchKernel)
            print(String(format: "%.1f sentences/s, %.0f tokens/s, %.2f useful GFLOP/s, peak RSS %.0f MB",
                         Double(lines.count) / median, Double(tokenCount) / median, usefulGFLOPs,
                         Double(Self.peakResidentBytes()) / 1e6))
        }
    }

    /// Median and p99 of embedding one line at a time (tokenization included).
    private func reportLatency(_ embedder: SentenceEmbedder, _ lines: [String]) throws {
        var milliseconds: [Double] = []
        for _ in 0..<max(1, repeats) {
            for line in lines {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = embedder.embed([line], batchSize: 1)
                milliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        milliseconds.sort()
        let tokens = Double(lines.reduce(0) { $0 + embedder.tokenize($1).count }) / Double(lines.count)
        let result: [String: Any] = [
            "lines": lines.count, "tokens_per_line": tokens, "threads": model.threads,
            "p50_ms": milliseconds[milliseconds.count / 2], "p99_ms": milliseconds[min(milliseconds.count - 1, milliseconds.count * 99 / 100)],
            "peak_rss_mb": Double(Self.peakResidentBytes()) / 1e6, "small_batch_kernel": embedder.smallBatchKernel,
        ]
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(String(format: "%d lines of %.1f tokens, threads %d: latency p50 %.2f ms, p99 %.2f ms on ",
                         lines.count, tokens, model.threads, result["p50_ms"] as! Double, result["p99_ms"] as! Double) + embedder.smallBatchKernel)
        }
    }

    static func readLines(_ path: String) throws -> [String] {
        try LineReader.lines(of: path).filter { !$0.allSatisfy(\.isWhitespace) }
    }

    /// A deterministic mix: `count` non-blank lines spread evenly over every `*/*_2k.log`, shuffled.
    static func loghubMix(folder: String?, count: Int) throws -> [String] {
        let path = folder ?? ProcessInfo.processInfo.environment["DEJA_LOGHUB_DIR"] ?? "../shared/data/loghub-2k"
        let root = URL(fileURLWithPath: path)
        let datasets = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
        let files = datasets.map { root.appendingPathComponent($0).appendingPathComponent("\($0)_2k.log") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        guard !files.isEmpty else {
            throw CLIError("no */*_2k.log under \(path): pass a workload FILE or --loghub-dir")
        }
        var generator = SeededGenerator(seed: 20_251_125)
        var picked: [String] = []
        for (index, file) in files.enumerated() {
            var lines = try readLines(file.path)
            lines.shuffle(using: &generator)
            let share = count / files.count + (index < count % files.count ? 1 : 0)
            picked += lines.prefix(share)
        }
        picked.shuffle(using: &generator)
        return picked
    }

    /// VmHWM: the most resident memory this process has had.
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes * 1024
    }
}

/// `deja bench patterns`: pattern-mining lines/s, in process, single thread (input read first).
struct BenchPatternsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patterns",
        abstract: "Mine patterns from a file of messages (one per line) and report lines/s."
    )

    @Argument(help: "Messages, one per line.")
    var file: String

    @Option(help: "Timed passes over the file, each with a fresh miner; the median is reported.")
    var repeats = 3

    mutating func run() throws {
        let lines = try LineReader.lines(of: file)
        guard !lines.isEmpty else { throw CLIError("\(file) is empty") }
        var rates: [Double] = []
        var patterns = 0
        for _ in 0..<max(1, repeats) {
            let miner = PatternMiner()
            let start = DispatchTime.now().uptimeNanoseconds
            for line in lines { miner.learn(line) }
            rates.append(Double(lines.count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            patterns = miner.patterns.count
        }
        print(String(format: "%d lines, %d patterns, %.0f lines/s", lines.count, patterns, rates.sorted()[rates.count / 2]))
    }
}
