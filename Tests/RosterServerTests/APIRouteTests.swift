import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import RosterCore
import RosterReconcile
import RosterSQLite
import RosterStore
import Testing

@testable import RosterServer

@Suite("Routes: JSON API")
struct APIRouteTests {
    static let paths = ["/api/v1/status", "/api/v1/teams", "/api/v1/teams/ml/members", "/api/v1/invitations", "/api/v1/audit"]

    @Test("Without a valid, active key every endpoint is 401", arguments: paths)
    func unauthorized(_ path: String) async throws {
        try await ServerFixture.with { fixture in
            let alice = try #require(APIKeySecret(parsing: fixture.keys["alice"]!))
            _ = try await fixture.store.revokeAPIKey(id: alice.id, by: "test", at: Date())
            try await fixture.application.test(.router) { client in
                for headers: HTTPFields in [
                    [:], [.authorization: "Bearer"], [.authorization: "Basic YWxpY2U6cHc="], fixture.bearer("nobody"),
                    fixture.bearer("alice"), [.authorization: "Bearer " + String(fixture.keys["carol"]!.dropLast(2))],
                ] {
                    let response = try await client.execute(uri: path, method: .get, headers: headers)
                    #expect(response.status == .unauthorized, "\(headers)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"roster\"")
                }
            }
        }
    }

    @Test("What each role sees follows the permission matrix")
    func roles() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                // Teams: your own only; the spend limit only where your role may view billing.
                let carolTeams = try #require(try await client.execute(uri: "/api/v1/teams", method: .get, headers: fixture.bearer("carol")).json as? [[String: Any]])
                #expect(carolTeams.map { $0["slug"] as? String } == ["ml"])
                #expect(carolTeams.first?["spendLimit"] as? String == "40.00")
                let danTeams = try #require(try await client.execute(uri: "/api/v1/teams", method: .get, headers: fixture.bearer("dan")).json as? [[String: Any]])
                #expect(danTeams.map { $0["slug"] as? String } == ["ml", "ops"])
                #expect(danTeams.first?["spendLimit"] == nil && danTeams.last?["spendLimit"] as? String == "80.00")
                let zedTeams = try await client.execute(uri: "/api/v1/teams", method: .get, headers: fixture.bearer("zed"))
                #expect(zedTeams.status == .ok && (zedTeams.json as? [Any])?.isEmpty == true)

                // Members: to members of the team; no answer tells a missing team from a closed one.
                let members = try await client.execute(uri: "/api/v1/teams/ml/members", method: .get, headers: fixture.bearer("carol"))
                #expect(members.status == .ok)
                #expect((members.json as? [[String: Any]])?.compactMap { $0["email"] as? String }
                    == ["alice@example.com", "carol@example.com", "dan@example.com"])
                let closed = try await client.execute(uri: "/api/v1/teams/ops/members", method: .get, headers: fixture.bearer("carol"))
                let missing = try await client.execute(uri: "/api/v1/teams/nope/members", method: .get, headers: fixture.bearer("carol"))
                #expect(closed.status == .forbidden && missing.status == .forbidden)

                // Invitations: admins, with links, for their teams only.
                let aliceInvitations = try await client.execute(uri: "/api/v1/invitations", method: .get, headers: fixture.bearer("alice"))
                let list = try #require(aliceInvitations.json as? [[String: Any]])
                #expect(list.map { $0["email"] as? String } == ["bob@example.com"])
                #expect((list.first?["link"] as? String)?.hasPrefix("http://roster.test/invite/") == true)
                #expect(try await client.execute(uri: "/api/v1/invitations", method: .get, headers: fixture.bearer("carol")).status == .forbidden)
                let danInvitations = try await client.execute(uri: "/api/v1/invitations", method: .get, headers: fixture.bearer("dan"))
                #expect((danInvitations.json as? [Any])?.isEmpty == true)

                // Status: to anyone signed in; links only for admins.
                let status = try #require(try await client.execute(uri: "/api/v1/status", method: .get, headers: fixture.bearer("carol")).json as? [String: Any])
                #expect((status["runs"] as? [Any])?.isEmpty == false)
                #expect(status["invitations"] == nil)
            }
        }
    }

    @Test("The audit log takes the command line's filters, for admins, across the teams they administer")
    func audit() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                func entries(_ query: String, _ who: String) async throws -> (HTTPResponse.Status, [[String: Any]]) {
                    let response = try await client.execute(uri: "/api/v1/audit" + query, method: .get, headers: fixture.bearer(who))
                    return (response.status, response.json as? [[String: Any]] ?? [])
                }
                let (status, all) = try await entries("", "alice")
                #expect(status == .ok)
                #expect(!all.isEmpty && all.allSatisfy { $0["team"] as? String == "ml" })
                let (_, dans) = try await entries("", "dan")
                #expect(!dans.isEmpty && dans.allSatisfy { $0["team"] as? String == "ops" })
                let (_, accepted) = try await entries("?action=invite.accept&resourceType=invite", "alice")
                #expect(accepted.compactMap { $0["resourceId"] as? String ?? $0["resourceID"] as? String }.sorted()
                    == ["ml/carol@example.com", "ml/dan@example.com"])
                let (_, byUser) = try await entries("?user=CAROL@example.com", "alice")
                #expect(byUser.count == 1)
                let (_, limited) = try await entries("?limit=1", "alice")
                #expect(limited.count == 1 && (limited.first?["seq"] as? Int) == (all.last?["seq"] as? Int))
                let (_, future) = try await entries("?since=2999-01-01", "alice")
                #expect(future.isEmpty)
                let (_, past) = try await entries("?until=2000-01-01T00:00:00Z", "alice")
                #expect(past.isEmpty)
                #expect(try await entries("?team=ops", "alice").0 == .forbidden)
                #expect(try await entries("", "carol").0 == .forbidden)
                #expect(try await entries("", "zed").0 == .forbidden)
                for bad in ["?limit=0", "?limit=abc", "?since=soon", "?resourceType=user", "?limit=99999"] {
                    #expect(try await entries(bad, "alice").0 == .badRequest, "\(bad)")
                }
            }
        }
    }

    @Test("A refused run's reason shows each viewer only what the matrix lets them see of each team")
    func runReasonsFollowTheMatrix() async throws {
        try await ServerFixture.with { fixture in
            // Both teams' limits above their ceilings: each is that team's billing viewers' to read.
            let manifests = fixture.folder + "/manifests"
            let ml = manifests + "/teams/ml.yaml"
            try String(contentsOfFile: ml, encoding: .utf8).replacingOccurrences(of: "perHour: 40", with: "perHour: 999.99")
                .write(toFile: ml, atomically: true, encoding: .utf8)
            let ops = manifests + "/teams/ops.yaml"
            try String(contentsOfFile: ops, encoding: .utf8)
                .replacingOccurrences(of: "displayName: Operations", with: "displayName: Operations\n  spendLimit: {perHour: 555}")
                .write(toFile: ops, atomically: true, encoding: .utf8)
            let outcome = try await Reconciler.run(ServerFixture.request(manifests, trigger: "interval"), store: fixture.store)
            let run = try #require(outcome.run)
            #expect(run.result == .failed)
            #expect(run.message?.isEmpty == false, "\(run.message ?? "") \(outcome.errors)")
            #expect(run.reason?.items.count == outcome.errors.filter { $0.severity == .error }.count, "\(outcome.errors)")

            try await fixture.application.test(.router) { client in
                func latest(_ name: String) async throws -> (message: String, reason: [String: Any]) {
                    let status = try #require(
                        try await client.execute(uri: "/api/v1/status", method: .get, headers: fixture.bearer(name)).json
                            as? [String: Any])
                    let runs = try #require(status["runs"] as? [[String: Any]])
                    let first = try #require(runs.first)
                    return (first["message"] as? String ?? "", first["reason"] as? [String: Any] ?? [:])
                }
                // alice: admin of ml (billing too), in no role in ops.
                let alice = try await latest("alice")
                #expect(alice.message.contains("999.99") && !alice.message.contains("555"), "\(alice)")
                #expect(alice.reason["kind"] as? String == "invalid-manifests")
                #expect((alice.reason["hidden"] as? Int ?? 0) >= 1)
                // carol: billing in ml sees the ceiling; nothing of ops.
                let carol = try await latest("carol")
                #expect(carol.message.contains("999.99") && !carol.message.contains("555"), "\(carol)")
                // dan: basic in ml may not view billing; admin in ops sees the ops error.
                let dan = try await latest("dan")
                #expect(!dan.message.contains("999.99") && !dan.message.contains("for ml "), "\(dan)")
                #expect(dan.message.contains("555") && dan.reason["hidden"] as? Int == 1, "\(dan)")
                // zed: in no team, sees that the manifests have errors and nothing of any team.
                let zed = try await latest("zed")
                #expect(zed.message.hasPrefix("the manifests have errors"), "\(zed)")
                #expect(!zed.message.contains("999.99") && !zed.message.contains("555"), "\(zed)")
                #expect(zed.reason["hidden"] as? Int == 2)
                #expect((zed.reason["details"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test("Invitations page by team and email; the next link only when more follow")
    func invitationPaging() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.application.test(.router) { client in
                // ml has one pending invitation (bob): a page of one is the whole list.
                let one = try await client.execute(uri: "/api/v1/invitations?limit=1", method: .get, headers: fixture.bearer("alice"))
                #expect((one.json as? [[String: Any]])?.map { $0["email"] as? String } == ["bob@example.com"])
                #expect(one.headers[APIController.link] == nil, "no page follows the last one")
                let after = try await client.execute(
                    uri: "/api/v1/invitations?after=ml/bob@example.com", method: .get, headers: fixture.bearer("alice"))
                #expect((after.json as? [Any])?.isEmpty == true)
                // teams: two for dan, one a page.
                let first = try await client.execute(uri: "/api/v1/teams?limit=1", method: .get, headers: fixture.bearer("dan"))
                #expect((first.json as? [[String: Any]])?.map { $0["slug"] as? String } == ["ml"])
                #expect(first.headers[APIController.link] == "</api/v1/teams?after=ml&limit=1>; rel=\"next\"")
                let second = try await client.execute(uri: "/api/v1/teams?after=ml&limit=1", method: .get, headers: fixture.bearer("dan"))
                #expect((second.json as? [[String: Any]])?.map { $0["slug"] as? String } == ["ops"] && second.headers[APIController.link] == nil)
            }
        }
    }
}
