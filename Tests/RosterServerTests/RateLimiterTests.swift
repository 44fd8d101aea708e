import Foundation
import Testing

@testable import RosterServer

@Suite("Rate limiter")
struct RateLimiterTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    @Test("Each address has its own bucket of N a minute, earned back at N a minute")
    func buckets() async {
        let limiter = RateLimiter(perMinute: 6)
        for _ in 0..<6 { #expect(await limiter.attempt("10.0.0.1", now: start) == nil) }
        // One attempt comes back every 10 s.
        #expect(await limiter.attempt("10.0.0.1", now: start) == .seconds(10))
        #expect(await limiter.attempt("10.0.0.1", now: start.addingTimeInterval(4)) == .seconds(6))
        #expect(await limiter.attempt("10.0.0.2", now: start) == nil)
        #expect(await limiter.attempt("10.0.0.1", now: start.addingTimeInterval(10)) == nil)
        #expect(await limiter.attempt("10.0.0.1", now: start.addingTimeInterval(10)) != nil)
        // A quiet minute refills the bucket, and no more than full.
        for _ in 0..<6 { #expect(await limiter.attempt("10.0.0.1", now: start.addingTimeInterval(3600)) == nil) }
        #expect(await limiter.attempt("10.0.0.1", now: start.addingTimeInterval(3600)) != nil)
    }

    @Test("A limit of 0 allows everything")
    func off() async {
        let limiter = RateLimiter(perMinute: 0)
        for _ in 0..<100 { #expect(await limiter.attempt("10.0.0.1", now: start) == nil) }
        #expect(await limiter.count == 0)
    }

    @Test("Many addresses do not grow it past its bound; a throttled address among few stays throttled")
    func bounded() async {
        let limiter = RateLimiter(perMinute: 2, maxClients: 100)
        for _ in 0..<2 { _ = await limiter.attempt("attacker", now: start) }
        #expect(await limiter.attempt("attacker", now: start) != nil)
        for index in 0..<10_000 {
            _ = await limiter.attempt("192.0.2.\(index)", now: start.addingTimeInterval(Double(index) / 1000))
            #expect(await limiter.count <= 100)
        }
        let few = RateLimiter(perMinute: 2, maxClients: 100)
        for _ in 0..<2 { _ = await few.attempt("attacker", now: start) }
        for index in 0..<50 { _ = await few.attempt("198.51.100.\(index)", now: start) }
        #expect(await few.attempt("attacker", now: start) != nil)
    }
}
