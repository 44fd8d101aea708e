/// The text of a Team manifest as tests write it: `members` in order, as email and role.
/// The test targets' own builders choose the addresses.
public func teamManifestText(
    _ slug: String, displayName: String, owner: String, members: [(email: String, role: String)]
) -> String {
    var text = """
        apiVersion: roster/v1
        kind: Team
        metadata:
          name: \(slug)
        spec:
          displayName: \(displayName)
          owner: \(owner)
          members:

        """
    for member in members { text += "    - email: \(member.email)\n      role: \(member.role)\n" }
    return text
}
