import Logging
import Synchronization

/// A log handler that keeps every line (message and metadata, at every level), so a
/// test can read what an operator's log would hold.
struct CapturingLogHandler: LogHandler {
    /// The lines logged so far, shared by copies of the handler.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let error = event.error.map { " error=\($0)" } ?? ""
        lines.append("\(event.level) \(event.message) \(merged)\(error) \(event.source) \(event.file):\(event.line)")
    }

    /// A logger whose lines land in `lines`.
    static func logger(_ label: String, into lines: Lines) -> Logger {
        Logger(label: label) { _ in CapturingLogHandler(lines: lines) }
    }
}
