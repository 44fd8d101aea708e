/// What a role may do in a team account.
public enum Permission: String, Sendable, CaseIterable, Codable {
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

    /// The permission as the team-account model's table names it, for people.
    public var title: String {
        switch self {
        case .accessTeamAccount: "Access team account"
        case .connectToPods: "Connect to existing Pods"
        case .managePods: "Create/delete/start/stop Pods"
        case .manageServerlessEndpoints: "Create/delete Serverless endpoints"
        case .sendServerlessRequests: "Send requests to Serverless endpoints"
        case .connectToInstantClusters: "Connect to existing Instant Clusters"
        case .manageInstantClusters: "Create/delete/start/stop Instant Clusters"
        case .manageNetworkVolumes: "Create/update/delete network volumes"
        case .viewBilling: "View billing information"
        case .managePaymentMethods: "Manage payment methods"
        case .inviteMembers: "Invite team members"
        case .manageTeamPermissions: "Manage team permissions"
        case .modifyTeamSettings: "Modify team account settings"
        case .accessAuditLogs: "Access audit logs"
        }
    }
}
