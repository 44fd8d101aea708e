import Foundation
import RosterTestSupport

/// A valid Team manifest. With `admins` the team has that many admins (the owner first),
/// enough for any `minAdmins` the tests use.
func teamYAML(_ slug: String, displayName: String? = nil, admins: Int = 2) -> String {
    let others = (1..<max(admins, 1)).map { (email: "admin\($0)-\(slug)@example.com", role: "admin") }
    let owner = "owner-\(slug)@example.com"
    return teamManifestText(slug, displayName: displayName ?? slug, owner: owner, members: [(owner, "admin")] + others)
}

/// A `roster.yaml` that limits reading to `paths`.
func configYAML(paths: [String], minAdmins: Int = 1) -> String {
    """
    apiVersion: roster/v1
    kind: Config
    spec:
      paths: [\(paths.joined(separator: ", "))]
      safety:
        minAdmins: \(minAdmins)

    """
}

/// Text that is not YAML a decoder could accept.
let garbageYAML = "this: is: not [valid yaml\n  - ::: {\n"

extension Collection {
    /// The single element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
