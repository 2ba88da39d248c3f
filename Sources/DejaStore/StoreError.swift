/// Why the store cannot be used; each case says what to do.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case cannotCreateDirectory(String, String)
    case foreignDatabase(String)
    case corruptDatabase(String, String)
    case newerSchema(String, Int)
    case noStore(String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let why):
            "cannot create the data directory \(path): \(why) (choose another with --data-dir or DEJA_DATA_DIR)"
        case .foreignDatabase(let path):
            "\(path) is not a Deja database (another program's SQLite file); point --data-dir at an empty or Deja directory"
        case .corruptDatabase(let path, let why):
            "\(path) is damaged or not a database (\(why)); move it aside and re-ingest, or restore a backup"
        case .newerSchema(let path, let version):
            "\(path) was written by a newer Deja (schema \(version)); upgrade deja to read it"
        case .noStore(let path):
            "\(path) holds no Deja store: give the --data-dir (or DEJA_DATA_DIR) that `deja ingest` or `deja serve` wrote to, or ingest logs there first"
        }
    }
}
