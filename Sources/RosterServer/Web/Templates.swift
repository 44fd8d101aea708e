/// The pages' Mustache templates and stylesheet. They are compiled into the binary rather
/// than read from a resources folder at run time, so `roster serve` is one file to deploy
/// and a template can never be missing.
enum Templates {
    static let all: [String: String] = [
        "header": header, "footer": footer, "invite": invite, "joined": joined, "invalid": invalid,
        "signin": signin, "status": status, "audit": audit, "message": message,
    ].merging(console) { first, _ in first }

    static let header = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{{title}} · Roster</title>
        <link rel="stylesheet" href="/assets/roster.css">
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="bar">
        <nav aria-label="Main">
        <a class="brand" href="/">Roster</a>
        {{#viewer}}
        <a href="/">Status</a>
        <a href="/teams">Teams</a>
        <a href="/runs">Runs</a>
        <a href="/audit">Audit log</a>
        <form method="post" action="/signout" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="link">Sign out <span class="who">{{email}}</span></button>
        </form>
        {{/viewer}}
        {{^viewer}}<a href="/signin">Sign in</a>{{/viewer}}
        </nav>
        </header>
        <main id="main">

        """

    static let footer = """

        </main>
        <script src="/assets/copy.js" defer></script>
        </body>
        </html>

        """

    static let invite = """
        {{> header}}
        <h1>Join {{teamName}}</h1>
        <p>{{inviter}} invited you to the team account <strong>{{teamName}}</strong> (<code>{{team}}</code>)
        as <strong>{{role}}</strong>.</p>
        <section aria-labelledby="can">
        <h2 id="can">As {{role}} you can</h2>
        <ul>{{#permissions}}<li>{{.}}</li>{{/permissions}}</ul>
        </section>
        {{#error}}<p class="error" role="alert" id="form-error">{{error}}</p>{{/error}}
        <form method="post" action="/invite/{{token}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="email">Your email address, the one this invitation was sent to</label>
        <input id="email" name="email" type="email" autocomplete="email" required inputmode="email"{{#typed}} value="{{typed}}"{{/typed}}{{#error}} aria-describedby="form-error" aria-invalid="true"{{/error}}>
        <button type="submit">Join team</button>
        </form>
        {{> footer}}
        """

    static let joined = """
        {{> header}}
        <h1>You joined {{teamName}}</h1>
        <p role="status"><strong>{{email}}</strong> is now a member of <strong>{{teamName}}</strong> (<code>{{team}}</code>) as <strong>{{role}}</strong>.</p>
        <section aria-labelledby="can">
        <h2 id="can">As {{role}} you can now</h2>
        <ul>{{#permissions}}<li>{{.}}</li>{{/permissions}}</ul>
        </section>
        <section aria-labelledby="next">
        <h2 id="next">Next</h2>
        <p><a href="/teams/{{team}}">Open the team page of {{teamName}}</a>. It needs you to sign in with an API key:
        ask an operator for one (<code>roster apikey create --email {{email}}</code>).</p>
        </section>
        {{> footer}}
        """

    static let invalid = """
        {{> header}}
        <h1>This invitation link is not valid</h1>
        <p>It may have been used already, revoked, or mistyped. Ask a team admin for a new link.</p>
        {{> footer}}
        """

    static let signin = """
        {{> header}}
        <h1>Sign in</h1>
        <p>Sign in with an API key. An operator makes one with <code>roster apikey create --email you@example.com</code>.</p>
        {{#error}}<p class="error" role="alert" id="form-error">{{error}}</p>{{/error}}
        <form method="post" action="/signin">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="next" value="{{next}}">
        <label for="key">API key</label>
        <input id="key" name="key" type="password" autocomplete="off" required spellcheck="false"{{#error}} aria-describedby="form-error" aria-invalid="true"{{/error}}>
        <button type="submit">Sign in</button>
        </form>
        {{> footer}}
        """

    static let status = """
        {{> header}}
        <h1>Status</h1>
        <section aria-labelledby="reconciler">
        <h2 id="reconciler">Reconciler</h2>
        <dl class="facts">
        <dt>Lease held by</dt><dd>{{#leaseHolder}}<code>{{leaseHolder}}</code>{{/leaseHolder}}{{^leaseHolder}}nobody{{/leaseHolder}}{{#isLeader}} (this server){{/isLeader}}</dd>
        <dt>Last success</dt><dd>{{#lastSuccess}}{{lastSuccess}}{{/lastSuccess}}{{^lastSuccess}}none yet{{/lastSuccess}}</dd>
        <dt>Drift</dt><dd>{{drift}}{{#driftRun}} (<a href="/runs/{{driftRun}}">each change, on the run's page</a>){{/driftRun}}</dd>
        <dt>Next run</dt><dd>{{#nextRun}}{{nextRun}}{{/nextRun}}{{^nextRun}}when this server holds the lease{{/nextRun}}</dd>
        </dl>
        </section>
        <section aria-labelledby="runs">
        <h2 id="runs">Recent runs</h2>
        {{> runTable}}
        <p><a href="/runs">All runs</a></p>
        </section>
        <section aria-labelledby="teams">
        <h2 id="teams">Your teams ({{teamsTotal}})</h2>
        <ul>{{#teams}}<li><a class="slug" href="/teams/{{team}}">{{team}}</a>: {{role}}</li>{{/teams}}{{^teams}}<li>You are not a member of any team.</li>{{/teams}}</ul>
        {{#moreTeams}}<p><a href="/teams">All {{teamsTotal}} teams</a></p>{{/moreTeams}}
        {{#canInvite}}<p>Pending invitations in the teams you may invite to: <strong>{{pending}}</strong>. Their links are on each team's page.</p>{{/canInvite}}
        </section>
        {{> footer}}
        """

    static let audit = """
        {{> header}}
        <h1>Audit log</h1>
        <form method="get" action="/audit" class="filters" aria-label="Filters">
        <label>From <input name="since" type="date" value="{{since}}"></label>
        <label>Until (not included) <input name="until" type="date" value="{{until}}"></label>
        <label>User <input name="user" value="{{user}}" type="email" autocomplete="off"></label>
        <label>Resource type <select name="resourceType"><option value="">any</option>{{#resourceTypes}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/resourceTypes}}</select></label>
        <label>Resource id <input name="resourceId" value="{{resourceId}}" placeholder="team or team/email"></label>
        <label>Action <select name="action"><option value="">any</option>{{#actions}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/actions}}</select></label>
        <label>Team <input name="team" value="{{team}}" list="audit-teams" autocomplete="off" placeholder="all you administer"></label>
        <datalist id="audit-teams">{{#teams}}<option value="{{name}}">{{/teams}}</datalist>
        <label>Run <input name="run" value="{{run}}" placeholder="a run id"></label>
        <label>Per page <input name="limit" value="{{limit}}" type="number" min="1" max="10000" placeholder="100"></label>
        <button type="submit">Filter</button>
        </form>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <table class="stack">
        <caption class="sr-only">Audit entries, oldest first</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">By</th><th scope="col">Action</th><th scope="col">Resource</th><th scope="col">Change</th><th scope="col">Commit</th><th scope="col">Run</th></tr></thead>
        <tbody>
        {{#entries}}<tr><td data-label="#">{{seq}}</td><td data-label="Time">{{time}}</td><td data-label="By">{{actor}}{{#onBehalfOf}} for {{onBehalfOf}}{{/onBehalfOf}}</td><td data-label="Action">{{action}}</td><td data-label="Resource">{{resourceType}} <span class="slug">{{resourceID}}</span></td><td data-label="Change">{{change}}</td><td data-label="Commit">{{#commitURL}}<a href="{{commitURL}}">{{/commitURL}}<code>{{shortCommit}}</code>{{#commitURL}}</a>{{/commitURL}}</td><td data-label="Run">{{#runID}}<a href="/runs/{{runID}}"><code>{{shortRunID}}</code></a>{{/runID}}</td></tr>
        {{/entries}}
        {{^entries}}<tr><td colspan="8">No entries match.</td></tr>{{/entries}}
        </tbody>
        </table>
        {{#older}}<nav class="pager" aria-label="Pages"><a href="{{older}}" rel="next">Older entries</a></nav>{{/older}}
        {{> footer}}
        """

    static let message = """
        {{> header}}
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        {{> footer}}
        """

    /// Plain, readable on a phone, high contrast, visible focus; tables stack into labelled
    /// rows below 40rem; slugs never break mid-word.
    static let stylesheet = """
        :root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fff; --muted: #555; --accent: #0b57d0; --bad: #b3261e; --line: #ccc; }
        @media (prefers-color-scheme: dark) { :root { --fg: #eee; --bg: #121212; --muted: #bbb; --accent: #8ab4f8; --bad: #f2b8b5; --line: #444; } }
        * { box-sizing: border-box; }
        body { margin: 0; font: 1rem/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        .bar { border-bottom: 1px solid var(--line); padding: .5rem 1rem; }
        .bar nav { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
        .brand { font-weight: 700; }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; }
        .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        form { display: grid; gap: .5rem; max-width: 32rem; margin: 1rem 0; }
        form.inline { display: inline; margin: 0; }
        form.filters { max-width: none; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); align-items: end; }
        label { font-weight: 600; }
        form.filters label { display: grid; font-weight: 400; }
        input, select, button { font: inherit; padding: .6rem; min-height: 2.75rem; border: 1px solid var(--line); border-radius: .3rem; background: var(--bg); color: var(--fg); }
        button { background: var(--accent); color: var(--bg); border: 0; font-weight: 600; cursor: pointer; }
        button.link { background: none; color: var(--accent); padding: 0; min-height: 0; text-decoration: underline; }
        .error { color: var(--bad); font-weight: 600; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        code { overflow-wrap: anywhere; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
        .facts dt { font-weight: 600; }
        .facts dd { margin: 0; }
        .result-failed, .result-refused { color: var(--bad); font-weight: 600; }
        .link-field { width: 100%; min-width: 16rem; }
        .slug { white-space: nowrap; }
        .muted { color: var(--muted); }
        .copyable { display: flex; gap: .5rem; align-items: center; }
        button.copy { white-space: nowrap; }
        .pager { margin: 1rem 0; }
        pre { overflow-x: auto; background: color-mix(in srgb, var(--fg) 6%, var(--bg)); padding: .75rem; border-radius: .3rem; }
        details { margin: 1rem 0; }
        @media (max-width: 40rem) {
          table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
          table.stack tr { display: block; border-bottom: 2px solid var(--line); padding: .4rem 0; }
          table.stack td { display: grid; grid-template-columns: 7.5rem 1fr; gap: .5rem; border: 0; padding: .2rem .4rem; }
          table.stack td::before { content: attr(data-label); font-weight: 600; }
          table.stack td[colspan]::before { content: none; }
          .link-field { min-width: 0; }
        }

        """
}
