// Writes a Swift file that embeds text files of the repository (the Lua scripts of
// lua/, the SQL migrations of ops/mysql/), so the binary carries them exactly as they
// are in the repository and no copy is kept by hand.
//
// Usage: TextEmbedder OUTPUT.swift --group NAME FILE... [--group NAME FILE...]...
// Each group becomes `EmbeddedText.NAME: [String: String]`, keyed by file name without
// its extension.

import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
guard !arguments.isEmpty else {
    FileHandle.standardError.write(Data("usage: TextEmbedder OUTPUT.swift --group NAME FILE...\n".utf8))
    exit(2)
}
let output = arguments.removeFirst()
var groups: [(name: String, files: [String])] = []
for argument in arguments {
    if argument.hasPrefix("--group=") {
        groups.append((String(argument.dropFirst("--group=".count)), []))
    } else if !groups.isEmpty {
        groups[groups.count - 1].files.append(argument)
    }
}

var swift = """
    // Generated at build time by TextEmbedder. Do not edit.

    /// Text files of the repository, embedded at build time, by file name without extension.
    enum EmbeddedText {

    """
for group in groups {
    swift += "    static let \(group.name): [String: String] = [\n"
    for path in group.files.sorted() {
        let url = URL(fileURLWithPath: path)
        let text = try String(contentsOf: url, encoding: .utf8)
        var hashes = "#"
        while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
        let name = url.deletingPathExtension().lastPathComponent
        swift += "        \"\(name)\": \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes),\n"
    }
    swift += group.files.isEmpty ? "        :\n    ]\n" : "    ]\n"
}
swift += "}\n"
try swift.write(to: URL(fileURLWithPath: output), atomically: true, encoding: .utf8)
