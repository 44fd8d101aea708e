/// What a role may do in a team account.
public enum Permission: String, Sendable, CaseIterable {
    case accessTeamAccount
    case connectToPods
    case managePods
    case manageServerlessEndpoints
    case sendServerlessRequests
    case connectToInstantClusters
    case manageInstantClusters
    case manageNetworkVolumes
    case viewBilling
    case managePaymentMethods
    case inviteMembers
    case manageTeamPermissions
    case modifyTeamSettings
    case accessAuditLogs

    /// The permission matrix of the team-account model: the one place it is written down.
    public static let matrix: [Permission: Set<Role>] = [
        .accessTeamAccount: [.basic, .billing, .dev, .admin],
        .connectToPods: [.basic, .dev, .admin],
        .managePods: [.dev, .admin],
        .manageServerlessEndpoints: [.dev, .admin],
        .sendServerlessRequests: [.basic, .dev, .admin],
        .connectToInstantClusters: [.basic, .dev, .admin],
        .manageInstantClusters: [.admin],
        .manageNetworkVolumes: [.dev, .admin],
        .viewBilling: [.billing, .admin],
        .managePaymentMethods: [.billing, .admin],
        .inviteMembers: [.admin],
        .manageTeamPermissions: [.admin],
        .modifyTeamSettings: [.admin],
        .accessAuditLogs: [.admin],
    ]
}
