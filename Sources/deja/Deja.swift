import ArgumentParser
import DejaEmbedding
import DejaServer

@main
struct Deja: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deja",
        abstract: "Semantic log search: find logs by meaning, not by keyword.",
        // The model named is the default one (--model or $DEJA_MODEL_DIR choose another).
        version: "deja \(DejaVersion.string), model \(SentenceEmbedder.defaultModelFolder.lastPathComponent) (\(SentenceEmbedder.defaultModelFolder.path))",
        subcommands: [DemoCommand.self, IngestCommand.self, ServeCommand.self, SearchCommand.self, SimilarCommand.self, PatternsCommand.self, IssuesCommand.self, AlertsCommand.self, MetricsCommand.self, ParseCommand.self, EmbedCommand.self, BenchCommand.self]
    )
}
