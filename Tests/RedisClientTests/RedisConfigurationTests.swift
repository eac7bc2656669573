import RedisClient
import Testing

@Suite("redis:// URLs")
struct RedisConfigurationTests {
    @Test func urlGivesUserPasswordHostPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://app:s%40cret@10.1.2.3:6380/4")
        #expect(configuration.username == "app")
        #expect(configuration.password == "s@cret")
        #expect(configuration.host == "10.1.2.3")
        #expect(configuration.port == 6380)
        #expect(configuration.database == 4)
    }

    @Test func defaultsApplyWhenTheURLIsShort() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration.username == nil && configuration.password == nil)
        #expect(configuration.port == 6379 && configuration.database == 0)
        let passwordOnly = try RedisConfiguration(url: "redis://:pw@localhost/")
        #expect(passwordOnly.username == nil && passwordOnly.password == "pw")
    }

    @Test(arguments: [
        "http://user:topsecret@host:1/0", "redis://user:topsecret@host:1/notanumber", "redis://user:topsecret@/0",
        "not a url at all", "", "redis:/user:topsecret@host:1/0", "redis//user:topsecret@host",
    ])
    func badURLsAreRefusedWithoutRepeatingThePassword(url: String) {
        do {
            _ = try RedisConfiguration(url: url)
            Issue.record("\(url) was accepted")
        } catch {
            #expect(error.code == .invalidURL)
            if url.contains("@") {
                #expect(!"\(error)".contains("topsecret"))
            }
        }
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let configuration = try RedisConfiguration(url: "redis://app:topsecret@host:1/2")
        #expect("\(configuration)" == "redis://app:***@host:1/2")
        #expect(!"\(configuration)".contains("topsecret"))
    }
}
