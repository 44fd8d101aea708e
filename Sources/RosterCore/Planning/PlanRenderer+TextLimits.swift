extension PlanRenderer {
    /// How much of a large plan the text shows: the first changes of each of the first
    /// teams, each cut marked with how much is left out, then the full summary line.
    public struct TextLimits: Sendable, Equatable {
        public var changesPerTeam: Int
        public var teams: Int
        /// Says how to see everything, after each "… N more".
        public var hint: String

        public init(changesPerTeam: Int, teams: Int, hint: String) {
            self.changesPerTeam = changesPerTeam
            self.teams = teams
            self.hint = hint
        }

        /// What `roster plan` and `roster apply` show without `--verbose`.
        public static let standard = TextLimits(changesPerTeam: 20, teams: 50, hint: "--verbose shows all")
    }
}
