import Foundation
import Logging

/// One schema migration: a name that orders it (e.g. `0001_skus_and_holds`) and its SQL.
public struct Migration: Sendable, Hashable {
    /// The migration's name; migrations apply in ascending name order.
    public var name: String
    /// Statements separated by `;` at the end of a line.
    public var sql: String

    /// Makes a migration.
    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }

    /// The migration's statements, split at each `;` that ends a line; `--` comment
    /// lines are dropped.
    var statements: [String] {
        var statements: [String] = []
        var current: [Substring] = []
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") || (trimmed.isEmpty && current.isEmpty) { continue }
            current.append(line)
            if trimmed.hasSuffix(";") {
                statements.append(current.joined(separator: "\n"))
                current = []
            }
        }
        let rest = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }
}

/// Applies migrations in order, each once, recording them in `schema_migrations`.
/// Running it again applies only what is new; migrators running at once (two deploys,
/// parallel tests) take turns on a named lock, so none applies a migration twice.
public struct Migrator: Sendable {
    private let pool: MariaDBConnectionPool
    private let logger: Logger

    /// Makes a migrator on a pool.
    public init(pool: MariaDBConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Applies the migrations not yet recorded; returns the names it applied.
    @discardableResult
    public func migrate(_ migrations: [Migration]) async throws -> [String] {
        try await pool.withConnection { connection in
            // A session lock: released below, or by MariaDB when the connection closes.
            let lock = try await connection.query("SELECT GET_LOCK('hotstock_migrate', 60) AS got")
            guard lock.first?["got"] == "1" else {
                throw MariaDBError(.migrationFailed, "another migrator held the migration lock for 60 s")
            }
            do {
                let done = try await applyPending(migrations, on: connection)
                _ = try await connection.query("SELECT RELEASE_LOCK('hotstock_migrate') AS released")
                return done
            } catch {
                _ = try? await connection.query("SELECT RELEASE_LOCK('hotstock_migrate') AS released")
                throw error
            }
        }
    }

    private func applyPending(_ migrations: [Migration], on connection: MariaDBConnection) async throws -> [String] {
        try await connection.executeText(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
              name VARCHAR(255) NOT NULL PRIMARY KEY,
              applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
            ) ENGINE=InnoDB
            """
        )
        let applied = Set(try await connection.query("SELECT name FROM schema_migrations").compactMap { $0["name"] })
        var done: [String] = []
        for migration in migrations.sorted(by: { $0.name < $1.name }) where !applied.contains(migration.name) {
            for statement in migration.statements {
                do {
                    try await connection.executeText(statement)
                } catch {
                    throw MariaDBError(
                        .migrationFailed,
                        "\(migration.name): \(error.message)",
                        errorNumber: error.errorNumber
                    )
                }
            }
            try await connection.execute("INSERT INTO schema_migrations (name) VALUES (?)", [.text(migration.name)])
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            done.append(migration.name)
        }
        return done
    }
}
