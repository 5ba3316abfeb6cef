import ArgumentParser
import Storage

/// `--database`: the PostgreSQL database servers share, for every command that opens the metadata.
///
/// No default value is declared, so that `--help` can never print a URL (and its password) taken
/// from the environment.
struct DatabaseOption: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "PostgreSQL for the metadata, postgres://USER:PASSWORD@HOST:PORT/DB (default: SQLite in the data directory). Env: DOCINTAKE_DATABASE_URL",
            valueName: "url"))
    var text: String?

    /// The database, or nil for the embedded SQLite default.
    func url() throws -> DatabaseURL? {
        guard let text = text ?? Environment.value("DOCINTAKE_DATABASE_URL"), !text.isEmpty else { return nil }
        do {
            return try DatabaseURL(text)
        } catch {
            throw ValidationError("--database: \(error)")
        }
    }
}
