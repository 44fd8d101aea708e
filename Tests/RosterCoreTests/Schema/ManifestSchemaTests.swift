import Foundation
import Testing

@testable import RosterCore

/// Keeps the JSON Schema in step with what the decoder accepts.
@Suite struct ManifestSchemaTests {
    let schema: [String: Any] = try! JSONSerialization.jsonObject(with: Data(ManifestSchema.json.utf8)) as! [String: Any]

    func object(_ path: [String]) -> [String: Any] {
        var node: Any = schema
        for key in path { node = (node as! [String: Any])[key]! }
        return node as! [String: Any]
    }

    func properties(_ path: [String]) -> Set<String> {
        Set((object(path)["properties"] as! [String: Any]).keys)
    }

    @Test func isDraft2020() {
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test func everyObjectListsExactlyTheDecodersFields() {
        let team = ["$defs", "Team", "properties"]
        let config = ["$defs", "Config", "properties"]
        #expect(properties(["$defs", "Team"]) == Set(ManifestFields.document))
        #expect(properties(team + ["metadata"]) == Set(ManifestFields.metadata))
        #expect(properties(team + ["spec"]) == Set(ManifestFields.teamSpec))
        #expect(properties(team + ["spec", "properties", "spendLimit"]) == Set(ManifestFields.spendLimit))
        #expect(properties(["$defs", "Member"]) == Set(ManifestFields.member))
        #expect(properties(["$defs", "Config"]) == Set(ManifestFields.document))
        #expect(properties(config + ["spec"]) == Set(ManifestFields.configSpec))
        #expect(properties(config + ["spec", "properties", "safety"]) == Set(ManifestFields.safety))
        #expect(properties(config + ["spec", "properties", "reconcile"]) == Set(ManifestFields.reconcile))
        #expect(properties(config + ["spec", "properties", "policy"]) == Set(ManifestFields.policy))
        #expect(properties(config + ["spec", "properties", "invitations"]) == Set(ManifestFields.invitations))
    }

    @Test func valuesMatchTheModel() {
        let role = object(["$defs", "Member", "properties", "role"])
        #expect(role["enum"] as? [String] == Role.allCases.map(\.rawValue))
        let name = object(["$defs", "Team", "properties", "metadata", "properties", "name"])
        #expect(name["pattern"] as? String == TeamSlug.pattern)
        let apiVersion = object(["$defs", "Team", "properties", "apiVersion"])
        #expect(apiVersion["const"] as? String == ManifestFields.apiVersion)
        let kinds = [object(["$defs", "Team", "properties", "kind"]), object(["$defs", "Config", "properties", "kind"])]
        #expect(kinds.compactMap { $0["const"] as? String } == ManifestFields.kinds)
        let defaults = object(["$defs", "Config", "properties", "spec", "properties", "safety", "properties"])
        let safety = RosterConfig.Safety()
        #expect((defaults["maxRemovals"] as? [String: Any])?["default"] as? Int == safety.maxRemovals)
        #expect((defaults["minAdmins"] as? [String: Any])?["default"] as? Int == safety.minAdmins)
    }

    @Test func requiredFieldsMatchTheDecoder() {
        #expect(object(["$defs", "Team", "properties", "spec"])["required"] as? [String] == ["owner", "members"])
        #expect(object(["$defs", "Member"])["required"] as? [String]
            == Array(ManifestFields.member.prefix(ManifestFields.requiredMemberFields)))
    }
}

/// `docs/roster.schema.json` is the file the examples point editors at; it must be what
/// `roster schema` prints (regenerate with `roster schema > docs/roster.schema.json`).
@Suite struct PublishedSchemaTests {
    @Test func docsCopyIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let published = try String(contentsOf: root.appendingPathComponent("docs/roster.schema.json"), encoding: .utf8)
        #expect(published == ManifestSchema.json + "\n")
    }
}
