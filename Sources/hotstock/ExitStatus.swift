import ArgumentParser
import HotStockCore

/// The exit codes of DESIGN section 6.
enum ExitStatus: Int32 {
    /// Done.
    case success = 0
    /// The infrastructure failed: Redis or MySQL unreachable, or answering wrongly.
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
}
