/// A CODEOWNERS file (GitHub, GitLab, Gitea) that asks each team's admins to review a change
/// to the file that declares it: the host-side half of `roster diff --require-authorized`.
public enum CodeOwners {
    /// Where `roster codeowners` writes, from the repository root.
    public static let defaultPath = ".github/CODEOWNERS"

    /// The file for `teams`: one line per manifest file, owned by the union of the admins of
    /// the teams it declares, sorted. A team whose only admin is its owner also lists the
    /// team creators, since a host never lets the author of a pull request approve it. With
    /// team creators, a first `*` line gives them every other file (new teams' files, which
    /// the base's CODEOWNERS cannot name yet, and `roster.yaml`); later lines win.
    public static func file(for teams: [TeamManifest], teamCreators: [Email]) -> String {
        var owners: [String: Set<Email>] = [:]
        for team in teams {
            let admins = team.members.lazy.filter { $0.role.allows(.manageTeamPermissions) }.map(\.email)
            var teamOwners = Set(admins)
            teamOwners.insert(team.owner)
            if teamOwners.count == 1 { teamOwners.formUnion(teamCreators) }
            owners[team.file, default: []].formUnion(teamOwners)
        }
        var out = """
            # Written by `roster codeowners` from the team manifests: regenerate it rather than edit it.
            # Each manifest file belongs to the admins of the teams it declares, so with "Require review
            # from Code Owners" a change to a team needs one of its admins' approval.

            """
        if !teamCreators.isEmpty {
            out += "* " + teamCreators.map(\.value).sorted().joined(separator: " ") + "\n"
        }
        for file in owners.keys.sorted() {
            // A line break in a file name would start a line of the name's choosing.
            guard PrintableText.firstControl(in: file) == nil else {
                out += "# no line for \(file.printable): rename it (control characters in the name)\n"
                continue
            }
            out += pattern(file) + " " + owners[file]!.map(\.value).sorted().joined(separator: " ") + "\n"
        }
        return out
    }

    /// `teams/ml research.yaml` → `/teams/ml\ research.yaml`: anchored at the root, with the
    /// characters CODEOWNERS (gitignore) patterns give a meaning escaped.
    public static func pattern(_ path: String) -> String {
        var out = "/"
        for character in path {
            if " #*?[]!\\".contains(character) { out += "\\" }
            out.append(character)
        }
        return out
    }
}
