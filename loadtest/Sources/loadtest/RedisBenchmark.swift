import Foundation
import HotStockCore
import RedisClient

/// Runs `redis-benchmark` against HotStock's own hold function (`FCALL hs_hold`) on one
/// SKU with random order ids — the ceiling one Redis core gives that script — or against
/// the reference hold script (``ReferenceHoldScript``) with the same keys.
struct RedisBenchmark {
    var configuration: RedisConfiguration
    var keys: KeySpace
    var sku: String
    var executable = "/usr/bin/redis-benchmark"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Requests per second that redis-benchmark reports for `hs_hold`, or for the
    /// reference script when `reference` is set.
    func run(requests: Int, clients: Int, pipeline: Int, reference: Bool = false) throws -> Double {
        let partition = keys.partition(of: sku)
        var arguments = [
            "-h", configuration.host, "-p", String(configuration.port), "-n", String(requests),
            "-c", String(clients), "-P", String(pipeline), "-r", "1000000000", "--csv",
        ]
        if let password = configuration.password {
            if let user = configuration.username { arguments += ["--user", user] }
            arguments += ["-a", password]
        }
        if configuration.database != 0 { arguments += ["--dbnum", String(configuration.database)] }
        let order = reference ? "ref__rand_int__" : "rb__rand_int__"
        arguments += [
            "FCALL", reference ? ReferenceHoldScript.function : "hs_hold", "5", keys.skuKey(sku),
            keys.holdKey(sku: sku, order: order), keys.expiryKey(partition: partition),
            // The reference appends to a stream of its own: its small entries are no outbox
            // events, and a syncer would skip each with a warning.
            reference ? keys.prefix(partition: partition) + "bench-events" : keys.eventsKey(partition: partition),
            keys.buyersKey(sku), sku, order, "1", "", "60000", "1",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // CSV: a header line, then "FCALL ...","<rps>",...
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard process.terminationStatus == 0, let row = lines.last,
            let rps = row.split(separator: ",").dropFirst().first.flatMap({ Double($0.trimmingCharacters(in: ["\""])) })
        else {
            throw Failure(description: "redis-benchmark failed (exit \(process.terminationStatus))")
        }
        return rps
    }
}
