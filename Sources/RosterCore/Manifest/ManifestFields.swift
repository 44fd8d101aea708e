/// The field names each manifest object accepts: the decoder checks keys against these
/// and the JSON Schema is tested against them, so the two cannot drift apart.
public enum ManifestFields {
    public static let apiVersion = "roster/v1"
    public static let kinds = ["Team", "Config"]

    public static let document = ["apiVersion", "kind", "metadata", "spec"]
    public static let metadata = ["name"]
    public static let teamSpec = ["displayName", "owner", "spendLimit", "members"]
    public static let spendLimit = ["perHour"]
    public static let member = ["email", "role", "expires"]
    /// The leading fields of `member` every entry must have.
    public static let requiredMemberFields = 2
    public static let configSpec = ["paths", "safety", "reconcile", "invitations", "policy"]
    public static let safety = ["maxRemovals", "minAdmins", "allowTeamDeletion"]
    public static let reconcile = ["selfHeal"]
    public static let invitations = ["expireAfter", "renew"]
    public static let policy = ["teamCreators"]
}
