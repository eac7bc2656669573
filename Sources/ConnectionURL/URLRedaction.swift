import Foundation

/// Safe-to-print forms of connection URLs (`redis://`, `mysql://`), shared by the
/// clients so that no error message ever repeats a password.
public enum URLRedaction {
    /// `url` with the password replaced by `***`. A string that is not a well-formed URL
    /// but has credentials (an `@`) keeps only what follows the `@`.
    public static func redact(_ url: String) -> String {
        guard let at = url.range(of: "@", options: .backwards) else { return url }
        let head = url[..<at.lowerBound]
        guard let schemeEnd = head.range(of: "://") else { return "***" + url[at.lowerBound...] }
        let credentials = head[schemeEnd.upperBound...]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return url[..<colon] + ":***" + url[at.lowerBound...]
    }
}
