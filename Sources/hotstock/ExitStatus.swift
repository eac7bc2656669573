import ArgumentParser
import Foundation
import HotStockCore
import MariaDBClient
import RedisClient

/// The exit codes of DESIGN section 6, and the one place that maps a failure to one.
enum ExitStatus: Int32 {
    /// Done.
    case success = 0
    /// The infrastructure failed: Redis or MySQL unreachable, misconfigured (a malformed
    /// URL) or answering wrongly.
    case infrastructure = 1
    /// Bad usage or `invalid_argument`.
    case usage = 2
    /// Refused by the rules: any contract error other than `invalid_argument`.
    case refused = 3

    /// The status for a refusal of the engine.
    init(_ error: InventoryError) {
        switch error.code {
        case .invalidArgument: self = .usage
        case .unavailable: self = .infrastructure
        default: self = .refused
        }
    }

    var exitCode: ExitCode { ExitCode(rawValue) }

    /// Prints one line for an engine, Redis or MySQL failure (or, with `json`, a
    /// refusal's error body on stdout) and returns its status; any other error (bad
    /// usage found by ArgumentParser, an exit already decided) is thrown on.
    static func reporting(_ error: any Error, json: Bool = false) throws -> ExitStatus {
        switch error {
        case let error as InventoryError:
            if json {
                print(HotStockJSON.encode(ErrorBody(error)))
            } else {
                printFailure("\(error.code): \(error.message)")
            }
            return ExitStatus(error)
        case let error as RedisError:
            printFailure("\(error)")
            return .infrastructure
        case let error as MariaDBError:
            printFailure("\(error)")
            return .infrastructure
        default:
            throw error
        }
    }

    /// Writes `hotstock: <line>` to standard error.
    static func printFailure(_ line: String) {
        FileHandle.standardError.write(Data("hotstock: \(line)\n".utf8))
    }
}
