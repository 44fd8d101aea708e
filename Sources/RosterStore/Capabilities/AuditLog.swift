public import RosterCore

/// The append-only, hash-chained audit log.
public protocol AuditLog: Sendable {
    /// Entries matching `query`, oldest first.
    func auditEntries(matching query: AuditQuery) async throws -> [AuditEntry]
    /// Up to `limit` entries after sequence number `seq`, in order, whatever their content:
    /// the stream `verifyAudit` reads, one page at a time.
    func auditEntries(after seq: Int64, limit: Int) async throws -> [AuditEntry]
}

extension AuditLog {
    /// The last entry's `seq:hash`, nil for an empty log.
    public func auditHead() async throws -> AuditHead? {
        try await auditEntries(matching: AuditQuery(limit: 1)).last.map { AuditHead(seq: $0.seq, hash: $0.hash) }
    }

    /// Checks the whole chain as a stream (a page in memory at a time); with `expectedHead`,
    /// also that nothing was cut off the end.
    public func verifyAudit(expectedHead: AuditHead?) async throws -> AuditChain.Verdict {
        var verifier = AuditChain.Verifier(expectedHead: expectedHead)
        var previous = AuditEntry.genesisHash
        var last: Int64 = 0
        while true {
            let page = try await auditEntries(after: last, limit: 10_000)
            for var entry in page {
                // The stored predecessor hash is the previous row's (backends need not store
                // it twice); a row missing from the middle shows as a gap in `seq`.
                entry.prevHash = previous
                if let broken = verifier.check(entry) { return broken }
                previous = entry.hash
            }
            guard let next = page.last?.seq, page.count == 10_000 else { break }
            last = next
        }
        return verifier.finish()
    }
}
