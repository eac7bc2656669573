import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RedisClient
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Set once to end a run.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

/// The `hotstock` processes of a fault run.
struct Processes {
    let serve: HotStockProcess
    let syncer: HotStockProcess
    let sweeper: HotStockProcess

    func startAll() throws {
        for process in [serve, syncer, sweeper] { try process.start() }
    }

    /// SIGTERM to each running process; a graceful stop must exit 0. Returns violations.
    func stopAll() async throws -> [String] {
        var violations: [String] = []
        for process in [serve, syncer, sweeper] where process.isRunning {
            let status = try await process.terminate()
            if status != 0 { violations.append("\(process.name) exited \(status) after SIGTERM") }
        }
        return violations
    }
}

/// The local services of a fault run: a single Redis, or a cluster.
struct Daemons {
    let redis: DaemonControl?
    let cluster: ClusterControl?
    let mariadb: DaemonControl
}

/// Injects one fault at a time and tells when the faulted part answers again.
struct FaultInjector {
    let processes: Processes
    let daemons: Daemons
    let redisAdmin: RedisConnectionPool
    let http: HTTPDriver
    let attempts: AttemptLog
    let mariadbPause: Duration

    /// Injects `kind`, waits for recovery, and describes what happened (the error rate
    /// is filled in later, from the attempts of the whole outage).
    func inject(_ kind: FaultPlan.Kind, random: inout SeededRandom) async throws -> FaultReport.Fault {
        let at = attempts.elapsed
        let detail: String
        switch kind {
        case .redisKill:
            guard let redis = daemons.redis else { throw ScenarioError("no single Redis to kill") }
            try await redis.killHard()
            // Down for a random moment, as a supervisor's restart delay.
            let down = Int64.random(in: 100...1_000, using: &random)
            try await Task.sleep(for: .milliseconds(down))
            try await redis.restart()
            try await waitForRedis()
            detail = "killed, restarted after \(down) ms down"
        case .primaryKill:
            detail = try await requireCluster().killPrimary(random: &random)
        case .reshard:
            detail = try await requireCluster().reshard(count: 300, random: &random)
        case .addPrimary:
            detail = try await requireCluster().addPrimary(
                port: 17_007,
                count: 500,
                serving: .seconds(3),
                random: &random
            )
        case .lossyFailover:
            detail = try await requireCluster().lossyFailover(stale: .seconds(1), random: &random)
        case .syncerKill, .sweeperKill:
            let process = kind == .syncerKill ? processes.syncer : processes.sweeper
            try await process.killHard()
            try await Task.sleep(for: .milliseconds(Int64.random(in: 100...1_000, using: &random)))
            try process.start()
            detail = "killed mid-batch and started again"
        case .mariadbPause:
            try daemons.mariadb.signal(SIGSTOP)
            do {
                try await Task.sleep(for: mariadbPause)
            } catch {
                try daemons.mariadb.signal(SIGCONT)
                throw error
            }
            try daemons.mariadb.signal(SIGCONT)
            detail = "frozen for \(mariadbPause), resumed"
        case .functionFlush:
            _ = try await redisAdmin.send("FUNCTION", "FLUSH")
            detail = "FUNCTION FLUSH under load"
        case .serveKill:
            try await processes.serve.killHard()
            try processes.serve.start()
            try await waitUntilServing()
            detail = "killed mid-request and started again"
        case .serveRestart:
            let status = try await processes.serve.terminate()
            guard status == 0 else { throw ScenarioError("serve exited \(status) after SIGTERM") }
            try processes.serve.start()
            try await waitUntilServing()
            detail = "SIGTERM (exit 0), started again"
        }
        let outageMs = Int((attempts.elapsed - at) * 1000)
        return FaultReport.Fault(
            kind: kind,
            atS: at,
            outageMs: outageMs,
            attempts: 0,
            failedAttempts: 0,
            errorRate: 0,
            detail: detail + " — outage \(outageMs) ms"
        )
    }

    private func requireCluster() throws -> ClusterControl {
        guard let cluster = daemons.cluster else { throw ScenarioError("this fault needs a cluster (--cluster-dir)") }
        return cluster
    }

    /// Waits until Redis answers PING again (30 s at most).
    func waitForRedis() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try? await redisAdmin.send("PING")) != nil { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ScenarioError("Redis did not come back within 30 s")
    }

    /// Waits until the server answers `GET /health/ready` with 200 (30 s at most).
    func waitUntilServing() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let request = HTTPClientRequest(url: http.baseURL + "/health/ready")
            if let response = try? await http.client.execute(request, timeout: .seconds(2)), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ScenarioError("hotstock serve did not become ready within 30 s")
    }
}
