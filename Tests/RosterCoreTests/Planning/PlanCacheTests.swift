import RosterCore
import Testing

@Suite("Plan cache: the teams column")
struct PlanCacheTests {
    @Test("a file's teams survive the text column, in order")
    func roundTrip() {
        let file = PlanCache.File(
            path: "teams/a.yaml", content: "x", size: 1,
            teams: [
                .init(slug: "ml-research", position: SourcePosition(line: 5, column: 9)),
                .init(slug: "a", position: SourcePosition(line: 123_456, column: 1)),
            ])
        #expect(file.teamsText == "ml-research@5:9 a@123456:1")
        #expect(PlanCache.File.teams(fromText: file.teamsText) == file.teams)
        #expect(PlanCache.File.teams(fromText: "") == [])
    }

    @Test("text that is not a teams column is refused, never half read", arguments: [
        "ml", "ml@", "ml@5", "ml@5:", "@5:9", "ml@x:9", "ml@5:9x", "ml@5:9  b@1:1", "ml@5:9 b", "ml@99999999999999:1",
    ])
    func malformed(_ text: String) {
        #expect(PlanCache.File.teams(fromText: text) == nil)
    }
}
