import Foundation

/// A token bucket per client address for sign-in and joining: each address may make
/// `perMinute` attempts at once, and earns them back at `perMinute` a minute. At most
/// `maxClients` addresses are remembered: when full, addresses whose buckets have refilled
/// (as good as new) are forgotten first, then the least recently seen, so many addresses
/// cannot grow it without limit (each of them gets its own `perMinute` attempts at worst).
actor RateLimiter {
    let perMinute: Int
    let maxClients: Int
    private var buckets: [String: Bucket] = [:]

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    init(perMinute: Int, maxClients: Int = 10_000) {
        self.perMinute = perMinute
        self.maxClients = max(1, maxClients)
    }

    /// Clients remembered now (for tests of the bound).
    var count: Int { buckets.count }

    /// Takes one attempt for `client` at `now`: nil when allowed, else how long until the
    /// next attempt is. A limit of 0 allows everything.
    func attempt(_ client: String, now: Date) -> Duration? {
        guard perMinute > 0 else { return nil }
        let capacity = Double(perMinute)
        let rate = capacity / 60
        var bucket = buckets[client].map { old in
            Bucket(tokens: min(capacity, old.tokens + max(0, now.timeIntervalSince(old.updated)) * rate), updated: now)
        } ?? Bucket(tokens: capacity, updated: now)
        if buckets[client] == nil && buckets.count >= maxClients { makeRoom(now: now, capacity: capacity, rate: rate) }
        guard bucket.tokens >= 1 else {
            buckets[client] = bucket
            return .seconds(Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
        bucket.tokens -= 1
        buckets[client] = bucket
        return nil
    }

    /// Forgets refilled buckets, then the oldest, down to three quarters of the bound (so
    /// the cost of a sweep is shared by many new clients).
    private func makeRoom(now: Date, capacity: Double, rate: Double) {
        buckets = buckets.filter { $0.value.tokens + now.timeIntervalSince($0.value.updated) * rate < capacity }
        let target = maxClients * 3 / 4
        guard buckets.count > target else { return }
        let oldest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(buckets.count - target).map(\.key)
        for key in oldest { buckets[key] = nil }
    }
}
