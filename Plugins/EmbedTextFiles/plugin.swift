import Foundation
import PackagePlugin

/// Embeds the package's `lua/*.lua` scripts, the shared `lua/shared/*.lua` files and the
/// `ops/mysql/*.sql` migrations into the target as Swift source (`EmbeddedText.lua`,
/// `EmbeddedText.luaShared`, `EmbeddedText.mysql`), so each has one
/// copy, in the repository, and the binary always carries that copy.
@main
struct EmbedTextFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let groups = [("lua", "lua", "lua"), ("luaShared", "lua/shared", "lua"), ("mysql", "ops/mysql", "sql")]
        var arguments: [String] = []
        var inputs: [URL] = []
        for (name, folder, fileExtension) in groups {
            let directory = context.package.directoryURL.appending(path: folder)
            let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == fileExtension }
                .sorted { $0.path < $1.path }
            arguments.append("--group=\(name)")
            arguments += files.map(\.path)
            inputs += files
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedText.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) files from lua/ and ops/mysql/",
                executable: try context.tool(named: "TextEmbedder").url,
                arguments: [output.path] + arguments,
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
