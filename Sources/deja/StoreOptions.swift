import ArgumentParser
import DejaCore
import DejaEmbedding
import DejaStore
import Foundation

/// Options of every command that uses the embedded store.
struct StoreOptions: ParsableArguments {
    @Option(help: "Data directory (default: $DEJA_DATA_DIR or ~/.local/share/deja).")
    var dataDir: String?

    @Option(help: "Tenant whose data to use.")
    var tenant = "default"

    /// The store, created if missing: for commands that write (`ingest`, `metrics index`).
    func open() throws -> SQLiteStore { try opened { try DataDirectory(path: dataDir) } }

    /// The store logs were written to: for commands that only read, which name a missing one.
    func openExisting() throws -> SQLiteStore { try opened { try DataDirectory(existing: dataDir) } }

    private func opened(_ directory: () throws -> DataDirectory) throws -> SQLiteStore {
        do { return try SQLiteStore(directory: try directory()) } catch let error as StoreError {
            throw CLIError(error.description)
        }
    }
}

extension ModelOptions {
    func loadRedacted() throws -> (SentenceEmbedder, Redactor) {
        (try load(), try Redactor())
    }
}

/// How `deja ingest` and `deja serve` group signatures into issues (`IssueClusterer.Rule`).
struct IssueOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Least closeness (average cosine similarity plus the shared-family weight) at which a failure joins an issue.",
                               valueName: "closeness"))
    var issueThreshold = IssueClusterer.Rule().threshold

    @Option(help: ArgumentHelp("Weight of shared failure families in closeness.", valueName: "weight"))
    var issueFamilyWeight = IssueClusterer.Rule().conceptWeight

    func validate() throws {
        guard issueThreshold > 0, issueThreshold <= 2 else { throw ValidationError("--issue-threshold must be in (0, 2], got \(issueThreshold)") }
        guard issueFamilyWeight >= 0, issueFamilyWeight <= 1 else { throw ValidationError("--issue-family-weight must be in [0, 1], got \(issueFamilyWeight)") }
    }

    var rule: IssueClusterer.Rule { IssueClusterer.Rule(threshold: issueThreshold, conceptWeight: issueFamilyWeight) }
}
