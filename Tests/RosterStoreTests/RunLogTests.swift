import Foundation
import RosterCore
import RosterStoreTestSupport
import RosterTestSupport
import Testing

@testable import RosterStore

@Suite("Store: the run history")
struct RunLogTests {
    private func run(
        _ id: String, _ result: ReconcileRun.Result, at minute: Double, commit: String? = "c1", version: Int64? = 1
    ) -> ReconcileRun {
        ReconcileRun(
            id: id, trigger: "interval", startedAt: fixedDate.addingTimeInterval(minute * 60),
            finishedAt: fixedDate.addingTimeInterval(minute * 60 + 1), repository: "repo", ref: "main", commit: commit,
            result: result, message: result == .failed ? "broken" : nil, stateVersion: version)
    }

    @Test("Consecutive no-change runs of one commit and state are one record with a count and a last-seen time", arguments: StoreBackend.allCases)
    func repeatsCollapse(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            try await store.record(run("a", .noChanges, at: 0))
            try await store.record(run("b", .noChanges, at: 1))
            try await store.record(run("c", .noChanges, at: 2))
            var page = try await store.runs(RunQuery())
            #expect(page.runs.map(\.id) == ["a"] && page.total == 1)
            #expect(page.runs.first?.repeats == 3)
            #expect(page.runs.first?.lastSeenAt == fixedDate.addingTimeInterval(121))

            // Another commit, another state version, or anything in between starts a new record.
            try await store.record(run("d", .noChanges, at: 3, commit: "c2"))
            try await store.record(run("e", .noChanges, at: 4, commit: "c2", version: 2))
            try await store.record(run("f", .failed, at: 5, commit: "c2", version: 2))
            try await store.record(run("g", .noChanges, at: 6, commit: "c2", version: 2))
            try await store.record(run("h", .noChanges, at: 7, commit: "c2", version: 2))
            page = try await store.runs(RunQuery())
            #expect(page.runs.map(\.id) == ["g", "f", "e", "d", "a"])
            #expect(page.runs.map(\.repeats) == [2, 1, 1, 1, 3])
            #expect(try await store.run(id: "g")?.lastSeenAt == fixedDate.addingTimeInterval(421))
            #expect(try await store.run(id: "h") == nil, "a repeat is counted, not recorded")
        }
    }

    @Test("The history pages by key, newest first, filtered by result, with totals", arguments: StoreBackend.allCases)
    func paging(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            let store = fixture.store
            for index in 0..<25 {
                let result: ReconcileRun.Result = index % 5 == 0 ? .failed : .refused
                try await store.record(run(String(format: "r%02d", index), result, at: Double(index)))
            }
            let first = try await store.runs(RunQuery(limit: 10))
            #expect(first.runs.map(\.id) == (15..<25).reversed().map { String(format: "r%02d", $0) })
            #expect(first.total == 25 && first.hasMore)
            let second = try await store.runs(RunQuery(before: first.runs.last?.id, limit: 10))
            #expect(second.runs.map(\.id) == (5..<15).reversed().map { String(format: "r%02d", $0) })
            let third = try await store.runs(RunQuery(before: second.runs.last?.id, limit: 10))
            #expect(third.runs.count == 5 && !third.hasMore)

            let failed = try await store.runs(RunQuery(result: .failed, limit: 3))
            #expect(failed.runs.map(\.id) == ["r20", "r15", "r10"] && failed.total == 5 && failed.hasMore)
            let olderFailed = try await store.runs(RunQuery(result: .failed, before: "r10", limit: 3))
            #expect(olderFailed.runs.map(\.id) == ["r05", "r00"] && !olderFailed.hasMore)
            #expect(try await store.runs(RunQuery(before: "no-such-run")).runs.isEmpty)
            #expect(try await store.run(id: "r07")?.result == .refused)
        }
    }

    @Test("An apply that changes nothing repeats the newest record and answers with its id", arguments: StoreBackend.allCases)
    func applyRepeats(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { fixture in
            try await fixture.converge([team("ml", members: [("bob@example.com", .dev)])])
            let plan = try await fixture.plan([team("ml", members: [("bob@example.com", .dev)])])
            let first = try await fixture.store.apply(plan, context: context(at: fixedDate.addingTimeInterval(60)))
            let second = try await fixture.store.apply(plan, context: context(at: fixedDate.addingTimeInterval(120)))
            #expect(first.runID == second.runID)
            let newest = try #require(try await fixture.store.run(id: first.runID))
            #expect(newest.result == .noChanges && newest.repeats == 2 && newest.stateVersion == 1)
        }
    }
}
