import RosterYAML

/// Writes the store's teams back as manifests that plan to zero changes: pending
/// invitations are declared members (that is how they came to be), with their roles.
public enum ManifestExporter {
    /// The manifest of one team, written with libyaml's emitter.
    public static func yaml(for team: TeamState) throws -> String {
        let writer = YAMLWriter()
        writer.beginDocument()
        writer.mapping {
            writer.pair("apiVersion", ManifestFields.apiVersion)
            writer.pair("kind", "Team")
            writer.scalar("metadata")
            writer.mapping { writer.pair("name", team.slug) }
            writer.scalar("spec")
            writer.mapping {
                writer.pair("displayName", team.displayName)
                writer.pair("owner", team.owner.value)
                writer.scalar("spendLimit")
                writer.mapping { writer.pair("perHour", team.spendLimit.jsonNumber, .plain) }
                writer.scalar("members")
                writer.sequence {
                    var declared = team.members
                    for (email, role) in team.invitations where declared[email] == nil { declared[email] = role }
                    // The owner first, then by email, so exports diff well.
                    let ordered = declared.keys.sorted { ($0 != team.owner ? 1 : 0, $0.value) < ($1 != team.owner ? 1 : 0, $1.value) }
                    for email in ordered {
                        writer.mapping {
                            writer.pair("email", email.value)
                            writer.pair("role", declared[email]!.rawValue)
                        }
                    }
                }
            }
        }
        writer.endDocument()
        do {
            return try writer.finish()
        } catch {
            throw SourceError("cannot write the manifest of \(team.slug): \(error.message)")
        }
    }
}
