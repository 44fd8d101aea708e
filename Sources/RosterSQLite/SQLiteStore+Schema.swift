import GRDB

extension SQLiteStore {
    /// Every migration's name, in order.
    static var migrationNames: [String] { migrator.migrations }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO meta (key, value) VALUES ('state_version', 0);
                CREATE TABLE users (email TEXT PRIMARY KEY, created_at TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE teams (
                    slug TEXT PRIMARY KEY,
                    display_name TEXT NOT NULL,
                    owner TEXT NOT NULL REFERENCES users(email),
                    spend_limit_cents INTEGER NOT NULL CHECK (spend_limit_cents >= 0),
                    created_at TEXT NOT NULL
                ) WITHOUT ROWID;
                -- Approved spend-limit ceilings, raised by an operator; kept apart from teams so
                -- a ceiling can be approved before the team it is for is created.
                CREATE TABLE ceilings (
                    team TEXT PRIMARY KEY,
                    cents INTEGER NOT NULL CHECK (cents >= 0),
                    updated_by TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                ) WITHOUT ROWID;
                -- Role and status checks are written with OR, not IN (...): SQLite 3.40 builds a
                -- temporary b-tree for an IN list in a CHECK on every row it checks, which made
                -- inserting a million invitations take seconds longer.
                CREATE TABLE memberships (
                    team TEXT NOT NULL REFERENCES teams(slug) ON DELETE CASCADE,
                    email TEXT NOT NULL REFERENCES users(email),
                    role TEXT NOT NULL CHECK (role = 'basic' OR role = 'billing' OR role = 'dev' OR role = 'admin'),
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (team, email)
                ) WITHOUT ROWID;
                -- No foreign key on team: checking it costs every insert a lookup in teams (a fifth
                -- of the cost of inserting an invitation, which an apply does a million times).
                -- The store checks the team once per team instead (ChangeApplier), and the
                -- trigger below deletes a team's invitations with it, as ON DELETE CASCADE did.
                CREATE TABLE invitations (
                    id INTEGER PRIMARY KEY,
                    team TEXT NOT NULL,
                    email TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role = 'basic' OR role = 'billing' OR role = 'dev' OR role = 'admin'),
                    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'accepted' OR status = 'revoked'),
                    nonce TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    -- NULL until the invitation changes after it was created.
                    updated_at TEXT
                );
                CREATE UNIQUE INDEX invitations_pending ON invitations (team, email) WHERE status = 'pending';
                CREATE TRIGGER teams_delete_invitations AFTER DELETE ON teams
                    BEGIN DELETE FROM invitations WHERE team = old.slug; END;
                -- What the entries of one write share (its time, on whose behalf, the commit and
                -- the run), kept once per write rather than on each of its entries: an apply to
                -- an empty store writes a million entries. A write's entries are consecutive,
                -- first_seq to last_seq, which lets a query by time read just those entries
                -- without an index on the audit table (it would cost every insert).
                CREATE TABLE audit_batches (
                    id INTEGER PRIMARY KEY,
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL,
                    time TEXT NOT NULL,
                    on_behalf_of TEXT,
                    commit_id TEXT,
                    run_id TEXT
                );
                CREATE INDEX audit_batches_time ON audit_batches (time);
                -- hash: SHA-256 of the entry's canonical content (AuditChain), 32 bytes. The
                -- content includes the predecessor's hash, which is not stored again: it is the
                -- hash of the row before, and storing it would add nothing the chain does not
                -- already check.
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY,
                    batch INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    resource_type TEXT NOT NULL,
                    resource_id TEXT NOT NULL,
                    team TEXT,
                    before TEXT,
                    after TEXT,
                    hash BLOB NOT NULL
                );
                CREATE INDEX audit_team ON audit (team);
                CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_batches_append_only_update BEFORE UPDATE ON audit_batches
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_batches_append_only_delete BEFORE DELETE ON audit_batches
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY,
                    trigger TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT NOT NULL,
                    repository TEXT,
                    ref TEXT,
                    commit_id TEXT,
                    author TEXT,
                    result TEXT NOT NULL,
                    changes INTEGER NOT NULL,
                    message TEXT
                ) WITHOUT ROWID;
                CREATE INDEX runs_started ON runs (started_at);
                """)
        }
        registerServerMigration(&migrator)
        // The run history as the pages show it: a refused or failed run's reason in parts, each
        // with who may read it (RunReason, JSON); the state version a run found; repeated
        // no-change runs counted on one record.
        migrator.registerMigration("v4-run-history") { db in
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN reason TEXT;
                    ALTER TABLE runs ADD COLUMN state_version INTEGER;
                    ALTER TABLE runs ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE runs ADD COLUMN last_seen_at TEXT;
                    ALTER TABLE runs ADD COLUMN drift TEXT;
                    """)
        }
        // The plan cache (PlanCacheStore): what the last apply's tree declared per file, and
        // the teams changed since, marked by Roster's writes and by triggers for any other.
        // Created empty: the first plan after this migration is cold.
        migrator.registerMigration("v5-plan-cache") { db in
            try db.execute(
                sql: """
                    CREATE TABLE plan_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                    CREATE TABLE plan_cache_files (
                        path TEXT PRIMARY KEY,
                        content TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        teams TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE plan_marks (team TEXT PRIMARY KEY) WITHOUT ROWID;
                    """)
            for trigger in changeMarkTriggers { try db.execute(sql: trigger.sql) }
        }
        // Invitations that expire (spec.invitations.expireAfter): when the link stops working,
        // NULL for one valid until used or revoked. The index, by expiry, serves the state's
        // read of the few that expire and each plan's questions (which have expired, which
        // expires next) without scanning every pending invitation.
        migrator.registerMigration("v6-invitation-expiry") { db in
            try db.execute(
                sql: """
                    ALTER TABLE invitations ADD COLUMN expires_at TEXT;
                    CREATE INDEX invitations_expiring ON invitations (expires_at, team)
                        WHERE status = 'pending' AND expires_at IS NOT NULL;
                    """)
        }
        registerInvitationOrigins(&migrator)
        return migrator
    }

    /// Who made an invitation and when, kept once per write (`invitation_origins`) instead of
    /// on each of its rows: an apply to an empty store writes a million invitations, all made
    /// by the same person at the same time. On the reference corpus, whose commits' author has
    /// a 52-byte address, that was 76 of an invitation row's 155 bytes: the store 363 → 289 MB,
    /// its apply a few percent faster (× 0.92 to × 1.01 in four series of alternating runs).
    ///
    /// Existing rows move in one rebuild of the table (SQLite's way to drop columns that have
    /// triggers around them): the origins first, then the rows with theirs, then the indexes and
    /// triggers as they were. The change marks' triggers are made again after the copy, so
    /// moving the rows marks nothing and leaves the state version as it was.
    static func registerInvitationOrigins(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-invitation-origins") { db in
            let invitationTriggers = changeMarkTriggers.filter { $0.name.hasPrefix("invitations_") }
            try db.execute(
                sql: """
                    DROP TRIGGER teams_delete_invitations;
                    \(invitationTriggers.map { "DROP TRIGGER \($0.name);" }.joined(separator: "\n"))
                    CREATE TABLE invitation_origins (
                        id INTEGER PRIMARY KEY,
                        created_by TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        UNIQUE (created_by, created_at)
                    );
                    INSERT INTO invitation_origins (created_by, created_at)
                        SELECT DISTINCT created_by, created_at FROM invitations ORDER BY created_at, created_by;
                    CREATE TABLE invitations_v7 (
                        id INTEGER PRIMARY KEY,
                        team TEXT NOT NULL,
                        email TEXT NOT NULL,
                        role TEXT NOT NULL CHECK (role = 'basic' OR role = 'billing' OR role = 'dev' OR role = 'admin'),
                        status TEXT NOT NULL CHECK (status = 'pending' OR status = 'accepted' OR status = 'revoked'),
                        nonce TEXT NOT NULL,
                        -- invitation_origins.id: who made it, and when.
                        origin INTEGER NOT NULL,
                        -- NULL until the invitation changes after it was created.
                        updated_at TEXT,
                        expires_at TEXT
                    );
                    INSERT INTO invitations_v7 (id, team, email, role, status, nonce, origin, updated_at, expires_at)
                        SELECT i.id, i.team, i.email, i.role, i.status, i.nonce, o.id, i.updated_at, i.expires_at
                        FROM invitations i JOIN invitation_origins o ON o.created_by = i.created_by AND o.created_at = i.created_at;
                    DROP TABLE invitations;
                    ALTER TABLE invitations_v7 RENAME TO invitations;
                    CREATE UNIQUE INDEX invitations_pending ON invitations (team, email) WHERE status = 'pending';
                    CREATE INDEX invitations_expiring ON invitations (expires_at, team)
                        WHERE status = 'pending' AND expires_at IS NOT NULL;
                    CREATE TRIGGER teams_delete_invitations AFTER DELETE ON teams
                        BEGIN DELETE FROM invitations WHERE team = old.slug; END;
                    \(invitationTriggers.map { $0.sql + ";" }.joined(separator: "\n"))
                    """)
        }
    }

    /// The triggers that mark a team changed, and move the state version, on any write to the
    /// state's tables: what keeps a break-glass edit made outside Roster from being missed by
    /// an incremental plan (or a saved plan's staleness check). Applies drop them for their
    /// transaction (`SQLiteTransaction.suspendChangeMarks`) and mark what they change.
    static let changeMarkTriggers: [(name: String, sql: String)] = {
        // No conflict clause: the outer statement's (an upsert's, a bulk INSERT OR FAIL's)
        // would override it inside the trigger.
        let mark = { (row: String, key: String) in
            "INSERT INTO plan_marks (team) SELECT \(row).\(key) WHERE NOT EXISTS (SELECT 1 FROM plan_marks WHERE team = \(row).\(key));"
        }
        let bump = "UPDATE meta SET value = value + 1 WHERE key = 'state_version';"
        return [("teams", "slug"), ("memberships", "team"), ("invitations", "team"), ("ceilings", "team")].flatMap {
            table, key in
            [
                ("insert", mark("new", key)), ("update", mark("old", key) + " " + mark("new", key)),
                ("delete", mark("old", key)),
            ].map { event, body in
                let name = "\(table)_mark_\(event)"
                return (name, "CREATE TRIGGER \(name) AFTER \(event.uppercased()) ON \(table) BEGIN \(body) \(bump) END")
            }
        }
    }()
}
