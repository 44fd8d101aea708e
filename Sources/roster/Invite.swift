import ArgumentParser
import Foundation
import RosterCore
import RosterStore

extension Roster {
    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "invite",
            abstract: "Invitation links.", subcommands: [List.self, Link.self, Accept.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "List pending invitations with their age, expiry and link.",
                discussion: """
                    Examples:
                      roster invite list --team ml-research
                      roster invite list --expired
                      roster invite list --older-than 30d
                    """)

            @Option(help: "Only this team's invitations.")
            var team: String?

            @Flag(help: "Only invitations whose link has expired (spec.invitations.expireAfter).")
            var expired = false

            @Option(help: ArgumentHelp("Only invitations made longer ago than this (30d, 12h, 2w).", valueName: "duration"))
            var olderThan: String?

            @OptionGroup var global: GlobalOptions
            @OptionGroup(title: HelpLayout.linkTitle) var links: LinkOptions

            func validate() throws {
                if let olderThan, Expiry.duration(olderThan) == nil {
                    throw ValidationError("--older-than takes a duration such as 30d, 12h or 2w, not \(olderThan).")
                }
            }

            func run() async throws {
                try await Output.reportingFailures {
                    let store = try await global.openStore()
                    let tokens = try links.invitationTokens(store: global)
                    let now = Date()
                    let minimumAge = olderThan.flatMap(Expiry.duration) ?? 0
                    let baseURL = links.linkBaseURL
                    var listed = 0
                    // A page at a time, printed as it comes: a million invitations are never all
                    // in memory, and the first lines show at once.
                    func list(_ page: [Invitation]) {
                        var out = ""
                        for invitation in page
                        where (!expired || invitation.hasExpired(at: now)) && now.timeIntervalSince(invitation.createdAt) > minimumAge {
                            out += "\(invitation.team) \(invitation.email) \(invitation.role.rawValue) (\(InviteListing.ageAndExpiry(invitation, now: now)))".printable
                                + " " + tokens.link(for: invitation, baseURL: baseURL) + "\n"
                            listed += 1
                        }
                        Output.out(out)
                    }
                    if let team {
                        list(try await store.pendingInvitations(teams: [team]))
                    } else {
                        try await store.forEachPendingInvitationPage { list($0) }
                    }
                    if listed == 0 && !global.quiet { Output.err("No pending invitations match.\n") }
                }
            }
        }

        struct Link: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "link",
                abstract: "Print the link of a pending invitation (the same link each time until it ends).",
                discussion: """
                    Example:
                      roster invite link --team ml-research --email bob@example.com
                    """)

            @Option(help: "The team's slug.")
            var team: String

            @Option(help: "The invitee's email.")
            var email: String

            @OptionGroup var global: GlobalOptions
            @OptionGroup(title: HelpLayout.linkTitle) var links: LinkOptions

            func run() async throws {
                try await Output.reportingFailures {
                    guard let address = Email(email) else { throw ValidationError("--email \(email) is not an email address.") }
                    let store = try await global.openStore()
                    guard let invitation = try await store.pendingInvitation(team: team, email: address) else {
                        throw StoreError(.notFound, "no pending invitation for \(address) in team \(team)")
                    }
                    Output.out(try links.invitationTokens(store: global).link(for: invitation, baseURL: links.linkBaseURL) + "\n")
                }
            }
        }

        struct Accept: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "accept",
                abstract: "Accept an invitation (what the invitation page's Join button does).",
                discussion: """
                    Example:
                      roster invite accept http://127.0.0.1:8080/invite/TOKEN --email bob@example.com
                    """)

            @Argument(help: "The token, or the whole link.")
            var token: String

            @Option(help: "Your email; it must be the one invited.")
            var email: String

            @OptionGroup var lock: LockOptions
            @OptionGroup var global: GlobalOptions
            @OptionGroup(title: HelpLayout.linkTitle) var links: LinkOptions

            func run() async throws {
                try await Output.reportingFailures {
                    guard let address = Email(email) else { throw ValidationError("--email \(email) is not an email address.") }
                    let token = token.split(separator: "/").last.map(String.init) ?? token
                    let store = try await global.openStore()
                    let tokens = try links.invitationTokens(store: global)
                    // Unknown, revoked, accepted and mismatched tokens get the same answer.
                    guard let id = InvitationTokens.invitationID(in: token), let invitation = try await store.invitation(id: id),
                        invitation.isUsable(at: Date()), tokens.matches(token, invitation)
                    else { throw StoreError(.notFound, InvitationTokens.notValid) }
                    try await store.acceptInvitation(id: id, email: address, at: Date(), lockTimeout: lock.duration)
                    if !global.quiet {
                        Output.out("\(address) joined \(invitation.team) as \(invitation.role.rawValue).".printable + "\n")
                    }
                }
            }
        }
    }
}

/// How `roster status` and `roster invite list` describe an invitation's age and expiry.
enum InviteListing {
    /// `made 3d ago, expires in 11 days (2027-01-29T12:00:00Z)`, `made 20d ago, expired …`,
    /// `made 2h ago, does not expire`.
    static func ageAndExpiry(_ invitation: Invitation, now: Date) -> String {
        let age = "made \(Expiry.shortDuration(now.timeIntervalSince(invitation.createdAt))) ago"
        guard let expires = invitation.expiresAt else { return age + ", does not expire" }
        return age + ", " + Expiry.phrase(expires, now: now) + " (\(Expiry.text(expires)))"
    }
}
