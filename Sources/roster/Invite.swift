import ArgumentParser
import Foundation
import RosterCore
import RosterStore

extension Roster {
    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invitation links.", subcommands: [Link.self, Accept.self])

        struct Link: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
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
                        tokens.matches(token, invitation)
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
