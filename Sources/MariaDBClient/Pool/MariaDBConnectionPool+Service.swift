import ServiceLifecycle

extension MariaDBConnectionPool: Service {
    /// Keeps the pool open until the service group shuts down (gracefully or by
    /// cancellation), then closes every connection. List the pool before the services
    /// that use it: a group stops its services in reverse order, so the pool closes last.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
