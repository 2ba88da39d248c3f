import ArgumentParser

@main
struct Deja: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deja",
        abstract: "Semantic log search: find logs by meaning, not by keyword.",
        subcommands: [DemoCommand.self, IngestCommand.self, ServeCommand.self, SearchCommand.self, SimilarCommand.self, PatternsCommand.self, IssuesCommand.self, AlertsCommand.self, MetricsCommand.self, ParseCommand.self, EmbedCommand.self, BenchCommand.self]
    )
}
