import ArgumentParser

@main
struct Deja: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deja",
        abstract: "Semantic log search: find logs by meaning, not by keyword.",
        subcommands: [EmbedCommand.self, PatternsCommand.self, ParseCommand.self, BenchCommand.self]
    )
}
