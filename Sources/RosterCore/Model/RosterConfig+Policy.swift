extension RosterConfig {
    /// `spec.policy`: who may make changes the permission matrix does not cover.
    public struct Policy: Sendable, Equatable {
        /// Who may create a team besides its declared owner (`spec.policy.teamCreators`).
        public var teamCreators: [Email] = []
        public init(teamCreators: [Email] = []) { self.teamCreators = teamCreators }
    }
}
