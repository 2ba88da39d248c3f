import ArgumentParser
import Foundation
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

    /// As ArgumentParser's, but an option refused while a command runs (not while parsing) names
    /// that command's help, not the usage of `deja` itself.
    static func main() async {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ValidationError {
            let name = type(of: command).configuration.commandName.map { "deja \($0)" } ?? "deja"
            FileHandle.standardError.write(Data("Error: \(error.message)\n  See '\(name) --help' for more information.\n".utf8))
            exit(withError: ExitCode.validationFailure)
        } catch {
            exit(withError: error)
        }
    }
}
