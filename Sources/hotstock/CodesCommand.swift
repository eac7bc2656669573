import ArgumentParser
import Foundation
import HotStockCore

/// `hotstock codes load|show`: code pools (DESIGN section 5b).
struct CodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codes",
        abstract: "Load the code pool of a codes SKU, or show the codes of a confirmed order.",
        subcommands: [CodesLoadCommand.self, CodesShowCommand.self]
    )
}

/// `hotstock codes load SKU FILE --batch ID`: one code per line. A file of more than
/// 10,000 codes goes in parts `ID.1`, `ID.2`, ...; running it again adds nothing.
struct CodesLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Seal and load a file of codes (one per line) into a codes SKU; idempotent by batch id.",
        discussion:
            "Needs HOTSTOCK_CODE_KEY. Duplicates (in the file, in earlier batches, delivered) are counted and skipped."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The codes SKU.") var sku: String
    @Argument(help: "A file with one code per line (1-256 characters from ! to ~).") var file: String
    @Option(help: "The batch id: the same id with the same file adds nothing again.") var batch: String

    func validate() throws {
        try EngineOptions.requireCodeKey()
        guard Identifier.isValid(batch), batch.count <= 56 else {
            throw ValidationError("--batch must be 1-56 characters of [A-Za-z0-9._:-]")
        }
    }

    func run() async throws {
        let codes: [String]
        do {
            codes = try Self.readCodes(file)
        } catch let error as InventoryError {
            ExitStatus.printFailure("\(error.code): \(error.message)")
            throw ExitStatus.usage.exitCode
        }
        let parts = stride(from: 0, to: codes.count, by: InventoryLimits.maxCodesPerBatch).map {
            Array(codes[$0..<min($0 + InventoryLimits.maxCodesPerBatch, codes.count)])
        }
        let progress = isatty(STDERR_FILENO) == 1
        try await EngineCommand.run(engine, output) { inventory in
            var total = CodeBatchBody(
                CodeBatchResult(sku: sku, batch: batch, added: 0, duplicates: 0, total: 0, created: true)
            )
            var done = 0
            for (index, part) in parts.enumerated() {
                let id = parts.count == 1 ? batch : "\(batch).\(index + 1)"
                let result = try await inventory.loadCodes(sku: sku, batch: id, codes: part)
                total.added += result.added
                total.duplicates += result.duplicates
                total.total = result.total
                done += part.count
                if progress {
                    FileHandle.standardError.write(Data("\rloaded \(done) of \(codes.count) codes".utf8))
                }
            }
            if progress { FileHandle.standardError.write(Data("\n".utf8)) }
            return total
        }
    }

    /// The file's codes, one per line (a trailing `\r` is dropped, empty lines are
    /// skipped); any bad line refuses the whole file, naming the line, never the code.
    static func readCodes(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InventoryError(.invalidArgument, "cannot read \(path)")
        }
        var codes: [String] = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let bytes = line.last == 0x0D ? line.dropLast() : line[...]
            if bytes.isEmpty { continue }
            guard bytes.count <= InventoryLimits.maxCodeLength, bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw InventoryError(
                    .invalidArgument,
                    "line \(index + 1) of \(path) is not a code (1-256 characters from ! to ~)"
                )
            }
            codes.append(String(decoding: bytes, as: UTF8.self))
        }
        guard !codes.isEmpty else { throw InventoryError(.invalidArgument, "\(path) holds no codes") }
        return codes
    }
}
