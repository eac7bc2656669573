// Writes a Swift file that embeds the text of HotStock's Lua scripts, so the binary
// carries `lua/` exactly as it is in the repository and no copy is kept by hand.
//
// Usage: LuaEmbedder OUTPUT.swift SCRIPT.lua...

import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: LuaEmbedder OUTPUT.swift SCRIPT.lua...\n".utf8))
    exit(2)
}

var swift = """
    // Generated at build time by LuaEmbedder from the repository's lua/ folder. Do not edit.

    /// The text of every script in `lua/`, by file name without the extension.
    enum EmbeddedLua {
        static let scripts: [String: String] = [

    """
for path in arguments.dropFirst().sorted() {
    let url = URL(fileURLWithPath: path)
    let text = try String(contentsOf: url, encoding: .utf8)
    var hashes = "#"
    while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
    let name = url.deletingPathExtension().lastPathComponent
    swift += "        \"\(name)\": \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes),\n"
}
swift += "    ]\n}\n"
try swift.write(to: URL(fileURLWithPath: output), atomically: true, encoding: .utf8)
