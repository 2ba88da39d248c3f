/// Deja's version, as `deja --version` and `GET /api/v1/status` name it.
public enum DejaVersion {
    public static let string = "0.9.0"
}
