import Foundation
import RosterYAML

/// What one file declared, and what was wrong with it.
struct DecodedFile: Sendable {
    var teams: [TeamManifest] = []
    var config: RosterConfig?
    var diagnostics: [Diagnostic] = []
}

/// Decodes manifests straight from libyaml's events into the model, with no node tree in
/// between (a tree first costs about ten times as much on a large organisation).
///
/// Every problem becomes a `Diagnostic`; decoding goes on after a bad value so one run
/// reports as much as it can. A YAML syntax error ends the file: nothing after it can be
/// trusted. A document whose `spec` comes before its `kind` is captured and replayed once
/// the kind is known.
final class ManifestDecoder {
    /// Whether a file is `roster.yaml` at the root or an ordinary manifest file.
    enum FileRole { case manifests, config }

    private let reader: YAMLEventReader
    private let file: SourceFile
    private let role: FileRole
    private let minAdmins: Int
    private var result = DecodedFile()
    /// Errors in the document being decoded; its team is checked further only when none.
    private var documentErrors = 0
    /// Where each member of the team being read was written, and its address's
    /// `RolesDigest.hash(_:)`, for the checks (`check`); emptied for each team's members,
    /// their storage kept.
    private var positions: [MemberPositions] = []
    private var hashes: [Int] = []
    /// The team being checked's members by address (`check`), kept for the next team.
    private var addresses = AddressTable()
    /// How many members the last team read had.
    private var lastMemberCount = 64

    private static let stringTag = "tag:yaml.org,2002:str"
    private static let documentFields = Fields(ManifestFields.document)
    private static let metadataFields = Fields(ManifestFields.metadata)
    private static let teamSpecFields = Fields(ManifestFields.teamSpec)
    private static let spendLimitFields = Fields(ManifestFields.spendLimit)
    private static let memberFields = Fields(ManifestFields.member)
    private static let configSpecFields = Fields(ManifestFields.configSpec)
    private static let safetyFields = Fields(ManifestFields.safety)
    private static let reconcileFields = Fields(ManifestFields.reconcile)
    private static let invitationsFields = Fields(ManifestFields.invitations)
    private static let policyFields = Fields(ManifestFields.policy)

    private init(file: SourceFile, role: FileRole, minAdmins: Int, limits: YAMLLimits) {
        self.file = file
        self.role = role
        self.minAdmins = minAdmins
        reader = YAMLEventReader(bytes: file.bytes, limits: limits)
    }

    /// Decodes every document of `file`.
    static func decode(
        _ file: SourceFile, as role: FileRole, minAdmins: Int = 1, limits: YAMLLimits = YAMLLimits()
    ) -> DecodedFile {
        let decoder = ManifestDecoder(file: file, role: role, minAdmins: minAdmins, limits: limits)
        do {
            while let event = try decoder.reader.next() {
                if event.kind == .documentStart { try decoder.decodeDocument() }
            }
        } catch {
            decoder.result.diagnostics.append(
                Diagnostic(.error, file: file.path, line: error.mark.line, column: error.mark.column,
                           message: "invalid YAML: \(error.message)"))
        }
        return decoder.result
    }

    // MARK: Documents

    private func decodeDocument() throws(YAMLError) {
        documentErrors = 0
        let root = try nextEvent()
        switch root.kind {
        case .documentEnd:
            return
        case .scalar where root.isNull:
            _ = try nextEvent()  // an empty document: skipped
            return
        case .mappingStart:
            break
        default:
            error(
                at: root.mark, path: nil,
                "a manifest document must be a mapping with apiVersion, kind, metadata and spec, not \(root.describedType)")
            try reader.skipNode(startingWith: root)
            _ = try nextEvent()
            return
        }

        var apiVersion: YAMLEvent?
        var kind: String?
        var kindEvent: YAMLEvent?
        var metadata: [YAMLEvent]?
        var spec: [YAMLEvent]?
        var team = PartialTeam()
        var config = RosterConfig()

        let seen = try decodeMapping(Self.documentFields, path: "") { (index) throws(YAMLError) in
            let value = self.reader.event
            switch index {
            case 0:
                if try self.currentString(path: "apiVersion") != nil { apiVersion = value }
            case 1:
                if let text = try self.currentString(path: "kind") {
                    kindEvent = value
                    kind = ManifestFields.kinds.contains(text) ? text : nil
                    if kind == nil {
                        self.error(
                            at: value.mark, path: "kind", "unknown kind \"\(text)\"; Roster knows Team and Config",
                            suggestion: Suggestion.closest(to: text, among: ManifestFields.kinds))
                    }
                }
            case 2:
                if kind == nil {
                    metadata = try self.reader.captureNode(startingWith: value)
                } else {
                    try self.decodeMetadata(value, kind: kind, into: &team)
                }
            default:
                if kindEvent == nil {
                    spec = try self.reader.captureNode(startingWith: value)
                } else {
                    try self.decodeSpec(value, kind: kind, team: &team, config: &config)
                }
            }
        }
        _ = try nextEvent()  // document end

        if let apiVersion, apiVersion.value != ManifestFields.apiVersion {
            error(
                at: apiVersion.mark, path: "apiVersion",
                "unknown apiVersion \"\(apiVersion.value)\"; this Roster reads \(ManifestFields.apiVersion)",
                suggestion: ManifestFields.apiVersion)
        }
        for (index, field) in ManifestFields.document.enumerated() where seen & (1 << index) == 0 {
            if field == "metadata", kind == "Config" { continue }
            if field == "metadata" || field == "spec", kindEvent == nil || kind == nil { continue }
            error(at: root.mark, path: field, "missing required field \"\(field)\"")
        }
        guard let kind else { return }
        if let metadata {
            reader.replay(metadata)
            try decodeMetadata(try nextEvent(), kind: kind, into: &team)
        }
        if let spec {
            reader.replay(spec)
            try decodeSpec(try nextEvent(), kind: kind, team: &team, config: &config)
        }

        switch (kind, role) {
        case ("Team", .manifests):
            if let built = team.build(file: file) {
                check(built, specMark: team.membersMark ?? root.mark, complete: documentErrors == 0)
                result.teams.append(built)
            }
        case ("Config", .config):
            if result.config != nil {
                error(at: root.mark, path: nil, "\(RosterConfig.fileName) holds one Config document; this is a second")
            } else {
                result.config = config
            }
        case ("Config", .manifests):
            error(
                at: kindEvent?.mark ?? root.mark, path: "kind",
                "a Config document belongs in \(RosterConfig.fileName) at the repository root")
        default:
            error(
                at: kindEvent?.mark ?? root.mark, path: "kind",
                "\(RosterConfig.fileName) holds the Config only; declare teams in their own files")
        }
    }

    private func decodeMetadata(_ value: YAMLEvent, kind: String?, into team: inout PartialTeam) throws(YAMLError) {
        guard try expectMapping(value, path: "metadata") else { return }
        let seen = try decodeMapping(Self.metadataFields, path: "metadata") { (_) throws(YAMLError) in
            let value = self.reader.event
            guard let name = try self.currentString(path: "metadata.name"), kind == "Team" else { return }
            if TeamSlug.isValid(name) {
                team.slug = name
                team.namePosition = SourcePosition(value.mark)
            } else {
                self.error(
                    at: value.mark, path: "metadata.name",
                    "invalid team name \"\(name)\": use 1 to 63 lowercase letters, digits and inner hyphens",
                    suggestion: Self.slugSuggestion(name))
            }
        }
        if seen & 1 == 0, kind == "Team" {
            error(at: value.mark, path: "metadata.name", "missing required field \"name\"")
        }
    }

    private func decodeSpec(
        _ value: YAMLEvent, kind: String?, team: inout PartialTeam, config: inout RosterConfig
    ) throws(YAMLError) {
        guard let kind else { return try reader.skipNode(startingWith: value) }
        guard try expectMapping(value, path: "spec") else { return }
        if kind == "Config" { return try decodeConfigSpec(into: &config) }

        let seen = try decodeMapping(Self.teamSpecFields, path: "spec") { (index) throws(YAMLError) in
            let value = self.reader.event
            switch index {
            case 0:
                guard let name = try self.currentString(path: "spec.displayName") else { return }
                if let control = PrintableText.firstControl(in: name) {
                    self.error(
                        at: value.mark, path: "spec.displayName",
                        "the display name contains the control character \(Self.describe(control)); "
                            + "write it on one line without control characters")
                } else {
                    team.displayName = name
                }
            case 1:
                guard let text = try self.currentString(path: "spec.owner") else { return }
                team.ownerPosition = SourcePosition(value.mark)
                team.owner = self.email(text, at: value.mark, path: "spec.owner")
            case 2:
                try self.decodeSpendLimit(value, into: &team)
            default:
                team.membersMark = value.mark
                try self.decodeMembers(value, into: &team)
            }
        }
        for (index, field) in ManifestFields.teamSpec.enumerated() where seen & (1 << index) == 0 {
            if field == "owner" || field == "members" {
                error(at: value.mark, path: "spec.\(field)", "missing required field \"\(field)\"")
            }
        }
    }

    private func decodeSpendLimit(_ value: YAMLEvent, into team: inout PartialTeam) throws(YAMLError) {
        guard try expectMapping(value, path: "spec.spendLimit") else { return }
        let seen = try decodeMapping(Self.spendLimitFields, path: "spec.spendLimit") { (_) throws(YAMLError) in
            let value = self.reader.event
            let path = "spec.spendLimit.perHour"
            guard value.kind == .scalar, !value.isNull, value.style == .plain, value.tag == nil else {
                // A quoted number: suggest it unquoted (only when it is one).
                let unquoted = value.kind == .scalar && value.style != .plain && value.tag == nil
                    && (try? SpendLimit.parse(value.value).get()) != nil
                self.typeError(value, expected: "a number of US dollars per hour", path: path,
                               suggestion: unquoted ? value.value : nil)
                return try self.reader.skipNode(startingWith: value)
            }
            switch SpendLimit.parse(value.value) {
            case .success(let limit):
                team.spendLimit = limit
                team.spendLimitPosition = SourcePosition(value.mark)
            case .failure(.negative):
                self.error(at: value.mark, path: path, "the spend limit must not be negative")
            case .failure(.tooManyDecimals):
                self.error(at: value.mark, path: path, "the spend limit has more than two decimals (whole cents only)")
            case .failure(.tooLarge):
                self.error(at: value.mark, path: path, "the spend limit is too large")
            case .failure(.notANumber):
                self.error(at: value.mark, path: path,
                           "the spend limit must be a plain decimal number of US dollars per hour, such as 120 or 80.50, not \"\(value.value)\"")
            }
        }
        if seen & 1 == 0 { error(at: value.mark, path: "spec.spendLimit.perHour", "missing required field \"perHour\"") }
    }

    private func decodeMembers(_ value: YAMLEvent, into team: inout PartialTeam) throws(YAMLError) {
        guard value.kind == .sequenceStart else {
            typeError(value, expected: "a list of members", path: "spec.members")
            return try reader.skipNode(startingWith: value)
        }
        var index = 0
        // Teams in one organisation are often of a size: the last team's is the first guess.
        team.members.reserveCapacity(max(16, lastMemberCount))
        positions.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        // Read where libyaml has them: keys and roles are matched on their bytes, and the
        // address is the one `String` a member makes.
        while true {
            try advance()
            if reader.kind == .sequenceEnd {
                // Kept until the plan is made, a million members on a large organisation:
                // the growth's spare capacity (a quarter, typically) is handed back.
                if team.members.capacity - team.members.count > 8 {
                    team.members = team.members.withUnsafeBufferPointer { Array($0) }
                }
                lastMemberCount = team.members.count
                return
            }
            defer { index += 1 }
            let entryMark = reader.mark
            guard reader.kind == .mappingStart else {
                typeError(reader.event, expected: "a mapping with email and role", path: "spec.members[\(index)]")
                try reader.skipCurrent()
                continue
            }
            var email: Email?
            var emailMark = entryMark
            var role: Role?
            var roleMark = entryMark
            var expires: Date?
            var expiresMark: YAMLMark?
            let seen = try decodeMapping(Self.memberFields, path: "spec.members[\(index)]") { (field) throws(YAMLError) in
                switch field {
                case 0:
                    guard try self.isString(path: "spec.members[\(index)].email") else { return }
                    emailMark = self.reader.mark
                    email = Email(utf8: self.reader.scalar)
                        ?? self.badEmail(self.reader.text, at: emailMark, path: "spec.members[\(index)].email")
                case 1:
                    guard try self.isString(path: "spec.members[\(index)].role") else { return }
                    roleMark = self.reader.mark
                    role = Role.named(utf8: self.reader.scalar)
                    if role == nil {
                        let text = self.reader.text
                        self.error(
                            at: roleMark, path: "spec.members[\(index)].role",
                            "unknown role \"\(text)\"; the roles are \(Role.list)",
                            suggestion: Suggestion.closest(to: text, among: Role.allCases.map(\.rawValue)))
                    }
                default:
                    guard let text = try self.currentString(path: "spec.members[\(index)].expires") else { return }
                    expiresMark = self.reader.mark
                    expires = Expiry.parse(text)
                    if expires == nil {
                        self.error(
                            at: self.reader.mark, path: "spec.members[\(index)].expires",
                            "\"\(text.printable)\" is not a date; write a day (2027-01-31: access lasts through it, UTC) "
                                + "or an RFC 3339 time (2027-01-31T17:00:00Z)")
                    }
                }
            }
            for (field, name) in ManifestFields.member.prefix(ManifestFields.requiredMemberFields).enumerated()
            where seen & (1 << field) == 0 {
                error(at: entryMark, path: "spec.members[\(index)].\(name)", "missing required field \"\(name)\"")
            }
            if let email, let role {
                team.members.append(
                    MemberManifest(
                        email: email, role: role, expires: expires,
                        expiresPosition: expiresMark.map(SourcePosition.init) ?? SourcePosition(emailMark)))
                positions.append(MemberPositions(email: SourcePosition(emailMark), role: SourcePosition(roleMark)))
                let hash = RolesDigest.hash(email)
                hashes.append(hash)
                if expires == nil { team.digest.add(emailHash: hash, role) } else { team.temporary = true }
            }
        }
    }

    private func decodeConfigSpec(into config: inout RosterConfig) throws(YAMLError) {
        _ = try decodeMapping(Self.configSpecFields, path: "spec") { (index) throws(YAMLError) in
            let value = self.reader.event
            switch index {
            case 0:
                config.paths = try self.decodePaths(value)
            case 1:
                guard try self.expectMapping(value, path: "spec.safety") else { return }
                _ = try self.decodeMapping(Self.safetyFields, path: "spec.safety") { (field) throws(YAMLError) in
                    let value = self.reader.event
                    let path = "spec.safety." + ManifestFields.safety[field]
                    switch field {
                    case 0: if let n = try self.integer(value, path: path) { config.safety.maxRemovals = n }
                    case 1: if let n = try self.integer(value, path: path) { config.safety.minAdmins = n }
                    default: if let b = try self.boolean(value, path: path) { config.safety.allowTeamDeletion = b }
                    }
                }
            case 2:
                guard try self.expectMapping(value, path: "spec.reconcile") else { return }
                _ = try self.decodeMapping(Self.reconcileFields, path: "spec.reconcile") { (_) throws(YAMLError) in
                    let value = self.reader.event
                    if let b = try self.boolean(value, path: "spec.reconcile.selfHeal") { config.reconcile.selfHeal = b }
                }
            case 3:
                try self.decodeInvitations(value, into: &config.invitations)
            default:
                config.policy = try self.decodePolicy(value)
            }
        }
    }

    private func decodeInvitations(_ value: YAMLEvent, into invitations: inout RosterConfig.Invitations) throws(YAMLError) {
        guard try expectMapping(value, path: "spec.invitations") else { return }
        _ = try decodeMapping(Self.invitationsFields, path: "spec.invitations") { (field) throws(YAMLError) in
            let value = self.reader.event
            if field == 1 {
                if let b = try self.boolean(value, path: "spec.invitations.renew") { invitations.renew = b }
                return
            }
            guard let text = try self.currentString(path: "spec.invitations.expireAfter") else { return }
            if let seconds = Expiry.duration(text) {
                invitations.expireAfter = seconds
            } else {
                self.error(
                    at: value.mark, path: "spec.invitations.expireAfter",
                    "\"\(text.printable)\" is not a duration; write a whole number and a unit: 14d, 36h, 90m, 2w")
            }
        }
    }

    private func decodePaths(_ value: YAMLEvent) throws(YAMLError) -> [String]? {
        guard value.kind == .sequenceStart else {
            typeError(value, expected: "a list of folders", path: "spec.paths")
            try reader.skipNode(startingWith: value)
            return nil
        }
        var paths: [String] = []
        var index = 0
        while true {
            let entry = try nextEvent()
            if entry.kind == .sequenceEnd { break }
            defer { index += 1 }
            guard let text = try currentString(path: "spec.paths[\(index)]") else { continue }
            let parts = text.split(separator: "/").filter { $0 != "." }
            if text.hasPrefix("/") || parts.contains("..") || text.contains("\\") || parts.isEmpty && text != "." {
                error(
                    at: entry.mark, path: "spec.paths[\(index)]",
                    "\"\(text)\" is not a folder inside the repository; use a relative path without \"..\"")
                continue
            }
            paths.append(parts.joined(separator: "/"))
        }
        return paths
    }

    /// `spec.policy`: `teamCreators`, a list of emails.
    private func decodePolicy(_ value: YAMLEvent) throws(YAMLError) -> RosterConfig.Policy {
        var policy = RosterConfig.Policy()
        guard try expectMapping(value, path: "spec.policy") else { return policy }
        _ = try decodeMapping(Self.policyFields, path: "spec.policy") { (_) throws(YAMLError) in
            let value = self.reader.event
            guard value.kind == .sequenceStart else {
                self.typeError(value, expected: "a list of emails", path: "spec.policy.teamCreators")
                try self.reader.skipNode(startingWith: value)
                return
            }
            var index = 0
            while true {
                let entry = try self.nextEvent()
                if entry.kind == .sequenceEnd { break }
                defer { index += 1 }
                let path = "spec.policy.teamCreators[\(index)]"
                guard let text = try self.currentString(path: path), let email = self.email(text, at: entry.mark, path: path) else {
                    continue
                }
                if !policy.teamCreators.contains(email) { policy.teamCreators.append(email) }
            }
        }
        return policy
    }

    // MARK: Team rules

    /// The rules within one team: each email once, the owner an admin member, enough admins.
    /// The last two only when the document had no other error (`complete`): a member left
    /// out for a bad role would otherwise also be reported as a missing owner.
    private func check(_ team: TeamManifest, specMark: YAMLMark, complete: Bool) {
        addresses.reset(count: team.members.count)
        for (index, member) in team.members.enumerated() {
            if let first = addresses.insert(index, hashes: hashes, among: team.members) {
                let firstPosition = positions[first].email
                diagnose(
                    at: positions[index].email, path: "spec.members[\(index)].email",
                    "\(member.email) is listed twice in team \(team.slug); first at \(file.path):\(firstPosition.line):\(firstPosition.column)")
            }
        }
        guard complete else { return }
        if let index = addresses.firstIndex(
            of: team.owner, hash: RolesDigest.hash(team.owner), hashes: hashes, among: team.members) {
            let member = team.members[index]
            if member.expires != nil {
                // The owner leaving by expiry would leave the team without one: ownership
                // moves first, then the former owner may be given an end date.
                diagnose(
                    at: member.expiresPosition, path: "spec.members[\(index)].expires",
                    "the owner \(team.owner) cannot expire; move ownership (spec.owner) to another admin first")
            }
            if member.role != .admin {
                diagnose(
                    at: positions[index].role, path: "spec.members[\(index)].role",
                    "the owner \(team.owner) must be an admin member, not \(member.role.rawValue)",
                    suggestion: "admin")
                return
            }
        } else {
            diagnose(
                at: team.ownerPosition, path: "spec.owner",
                "the owner \(team.owner) must also be listed in spec.members with role admin",
                suggestion: "- email: \(team.owner)\n  role: admin")
            return
        }
        // The owner is an admin member (else we returned above): counting admin entries counts
        // admins, owner included (a duplicated email, reported above, may count twice).
        let admins = team.members.lazy.filter { $0.role == .admin }.count
        if admins < minAdmins {
            diagnose(
                at: SourcePosition(specMark), path: "spec.members",
                "team \(team.slug) declares \(admins) admin\(admins == 1 ? "" : "s"); "
                    + "\(RosterConfig.fileName) asks for at least \(minAdmins) (spec.safety.minAdmins)")
        }
    }

    // MARK: Values

    /// Reads the keys of a mapping whose start was just read, checking each against
    /// `fields`; for a known, first-seen key, `body` gets its index with the reader at its
    /// value, and must consume the value.
    /// Returns the set of fields seen, as a bit mask by index.
    @discardableResult
    private func decodeMapping(
        _ fields: Fields, path: @autoclosure () -> String, _ body: (Int) throws(YAMLError) -> Void
    ) throws(YAMLError) -> UInt32 {
        var seen: UInt32 = 0
        while true {
            try advance()
            if reader.kind == .mappingEnd { return seen }
            var index = reader.kind == .scalar ? fields.index(of: reader.scalar) : nil
            if let known = index, seen & (1 << known) != 0 { index = nil }
            // The key is made a value only to be reported.
            let rejected = index == nil ? reader.event : nil
            try reader.skipCurrent()
            try advance()
            if let index {
                seen |= 1 << index
                try body(index)
            } else if let rejected {
                // Paths are built only for messages: most keys never need one.
                reject(rejected, fields: fields.names, path: path())
                try reader.skipCurrent()
            }
        }
    }

    /// Reports a key `decodeMapping` does not take: not a string, unknown, or seen before.
    /// Apart from the loop, which runs for every key of every member.
    @inline(never)
    private func reject(_ key: YAMLEvent, fields: [String], path: String) {
        let parent = path.isEmpty ? nil : path
        guard key.kind == .scalar else {
            return error(at: key.mark, path: parent, "mapping keys must be plain strings")
        }
        let keyPath = parent.map { $0 + "." + key.value } ?? key.value
        guard fields.contains(key.value) else {
            if key.value == "<<", key.style == .plain {
                return error(at: key.mark, path: parent,
                             "merge keys (<<) are not supported (they are not YAML 1.2); write the fields out")
            }
            let known = fields.map { "\"\($0)\"" }.joined(separator: ", ")
            return error(at: key.mark, path: keyPath, "unknown field \"\(key.value)\"; the fields here are \(known)",
                         suggestion: Suggestion.closest(to: key.value, among: fields))
        }
        error(at: key.mark, path: keyPath, "duplicate key \"\(key.value)\" in this mapping")
    }

    private func expectMapping(_ value: YAMLEvent, path: String) throws(YAMLError) -> Bool {
        if value.kind == .mappingStart { return true }
        typeError(value, expected: "a mapping", path: path)
        try reader.skipNode(startingWith: value)
        return false
    }

    /// Whether the current event is a string scalar (its text is `reader.scalar`); reports
    /// and skips anything else. Plain scalars keep their text as written: `no`, `on`, `0755`
    /// are strings here (YAML 1.2).
    private func isString(path: @autoclosure () -> String) throws(YAMLError) -> Bool {
        guard reader.kind == .scalar else {
            typeError(reader.event, expected: "a string", path: path())
            try reader.skipCurrent()
            return false
        }
        if reader.isNull {
            error(at: reader.mark, path: path(), "a string is required here, not null")
            return false
        }
        if let tag = reader.tag, tag != Self.stringTag, tag != "!" {
            error(at: reader.mark, path: path(), "a string is required here, but the value is tagged \(tag)")
            return false
        }
        return true
    }

    /// The text of the current event when it is a string scalar (`isString`).
    private func currentString(path: @autoclosure () -> String) throws(YAMLError) -> String? {
        try isString(path: path()) ? reader.text : nil
    }

    private func integer(_ value: YAMLEvent, path: String) throws(YAMLError) -> Int? {
        if value.kind == .scalar, value.style == .plain, value.tag == nil, !value.isNull,
            value.value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let number = Int(value.value)
        {
            return number
        }
        typeError(value, expected: "a whole number, 0 or more", path: path)
        try reader.skipNode(startingWith: value)
        return nil
    }

    private func boolean(_ value: YAMLEvent, path: String) throws(YAMLError) -> Bool? {
        if value.kind == .scalar, value.style == .plain, value.tag == nil {
            switch value.value {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        typeError(value, expected: "true or false", path: path)
        try reader.skipNode(startingWith: value)
        return nil
    }

    private func email(_ text: String, at mark: YAMLMark, path: @autoclosure () -> String) -> Email? {
        Email(text) ?? badEmail(text, at: mark, path: path())
    }

    /// Reports `text`, which is not an address; nil.
    private func badEmail(_ text: String, at mark: YAMLMark, path: @autoclosure () -> String) -> Email? {
        if let control = PrintableText.firstControl(in: text) {
            error(at: mark, path: path(), "the email address contains the control character \(Self.describe(control))")
        } else {
            error(at: mark, path: path(), "\"\(text)\" is not a valid email address")
        }
        return nil
    }

    // MARK: Reporting

    private func nextEvent() throws(YAMLError) -> YAMLEvent {
        try advance()
        return reader.event
    }

    /// Moves the reader to the next event, which must exist: a mapping or a list being read
    /// has not ended.
    private func advance() throws(YAMLError) {
        guard try reader.advance() else { throw YAMLError("unexpected end of the YAML stream", at: .start) }
    }

    private func typeError(_ value: YAMLEvent, expected: String, path: String, suggestion: String? = nil) {
        let field = path.split(separator: ".").last.map(String.init) ?? path
        error(at: value.mark, path: path, "\(field) must be \(expected), not \(value.describedType)", suggestion: suggestion)
    }

    private func error(at mark: YAMLMark, path: String?, _ message: String, suggestion: String? = nil) {
        diagnose(at: SourcePosition(mark), path: path, message, suggestion: suggestion)
    }

    private func diagnose(at position: SourcePosition, path: String?, _ message: String, suggestion: String? = nil) {
        documentErrors += 1
        result.diagnostics.append(
            Diagnostic(.error, file: file.path, at: position, path: path, message: message, suggestion: suggestion))
    }

    /// `U+000A (\n)`: a control character named so a reader can find it.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + " (" + PrintableText.escape(scalar) + ")"
    }

    private static func slugSuggestion(_ name: String) -> String? {
        var slug = ""
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        slug = String(slug.prefix(63))
        while slug.hasSuffix("-") { slug.removeLast() }
        return TeamSlug.isValid(slug) && slug != name ? slug : nil
    }
}

/// The field names one mapping takes, with their UTF-8 bytes: keys are matched where
/// libyaml has them, without making a `String` of each.
private struct Fields {
    let names: [String]
    let bytes: [[UInt8]]

    init(_ names: [String]) {
        self.names = names
        bytes = names.map { Array($0.utf8) }
    }

    func index(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        bytes.firstIndex { name in name.count == key.count && name.withUnsafeBufferPointer { $0.bytesEqual(key) } }
    }
}

/// A team's members by address, for `check`: an open-addressing table of member indices
/// keyed by the hashes the decoder made as it read them (`RolesDigest.hash(_:)`), so no
/// address is hashed twice. A `Dictionary` would hash each address again.
private struct AddressTable {
    private var slots: [Int] = []
    private var mask = 0

    /// Empties the table, sized for `count` members at most half full.
    mutating func reset(count: Int) {
        let capacity = max(16, 1 << (Int.bitWidth - (2 * count - 1).leadingZeroBitCount))
        slots.removeAll(keepingCapacity: true)
        slots.append(contentsOf: repeatElement(-1, count: capacity))
        mask = capacity - 1
    }

    /// Adds member `index`; the index of an earlier member with the same address instead,
    /// which is not added.
    mutating func insert(_ index: Int, hashes: [Int], among members: [MemberManifest]) -> Int? {
        let hash = hashes[index]
        var slot = hash & mask
        while slots[slot] >= 0 {
            let other = slots[slot]
            if hashes[other] == hash, members[other].email == members[index].email { return other }
            slot = (slot + 1) & mask
        }
        slots[slot] = index
        return nil
    }

    /// The first member whose address is `email`.
    func firstIndex(of email: Email, hash: Int, hashes: [Int], among members: [MemberManifest]) -> Int? {
        var slot = hash & mask
        while slots[slot] >= 0 {
            let other = slots[slot]
            if hashes[other] == hash, members[other].email == email { return other }
            slot = (slot + 1) & mask
        }
        return nil
    }
}

/// Where one member's email and role were written.
private struct MemberPositions {
    var email: SourcePosition
    var role: SourcePosition
}

/// A team while its document is being read: fields arrive in any order, some may be bad.
private struct PartialTeam {
    var slug: String?
    var displayName: String?
    var owner: Email?
    var spendLimit = SpendLimit.default
    var members: [MemberManifest] = []
    /// The members' digest, made as each is read (while its address is in the cache), and
    /// whether any of them expires (then the team gets none: time changes what it means).
    var digest = RolesDigest()
    var temporary = false
    var namePosition = SourcePosition.start
    var ownerPosition = SourcePosition.start
    var spendLimitPosition: SourcePosition?
    var membersMark: YAMLMark?

    func build(file: SourceFile) -> TeamManifest? {
        guard let slug, let owner else { return nil }
        var team = TeamManifest(
            slug: slug, displayName: displayName ?? slug, owner: owner, spendLimit: spendLimit, members: members,
            file: file.path, blobID: file.blobID, namePosition: namePosition, ownerPosition: ownerPosition,
            spendLimitPosition: spendLimitPosition)
        if !temporary { team.rolesDigest = digest }
        return team
    }
}

extension SourcePosition {
    init(_ mark: YAMLMark) { self.init(line: mark.line, column: mark.column) }
}
