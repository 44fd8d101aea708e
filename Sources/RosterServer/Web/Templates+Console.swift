/// The console's pages: teams, a team, the run history and a run. Tables become stacked
/// rows on a phone (each cell labelled by `data-label`); values are shown as people read
/// them; the copy buttons are progressive (the link fields work without JavaScript).
extension Templates {
    static let console: [String: String] = ["teams": teams, "team": team, "runs": runs, "run": run, "runTable": runTable]

    /// Runs as the status page and the history list them, newest first.
    static let runTable = """
        <table class="stack">
        <caption class="sr-only">Runs, newest first</caption>
        <thead><tr><th scope="col">Run</th><th scope="col">Started</th><th scope="col">Trigger</th><th scope="col">Commit</th><th scope="col">Author</th><th scope="col">Result</th><th scope="col">Changes</th><th scope="col">Message</th></tr></thead>
        <tbody>
        {{#runs}}<tr><td data-label="Run"><a href="/runs/{{id}}"><code>{{shortID}}</code></a></td><td data-label="Started">{{startedAt}}{{#repeats}}<br><span class="muted">×{{count}}, last {{lastSeenAt}}</span>{{/repeats}}</td><td data-label="Trigger">{{trigger}}</td><td data-label="Commit">{{#commitURL}}<a href="{{commitURL}}">{{/commitURL}}<code>{{shortCommit}}</code>{{#commitURL}}</a>{{/commitURL}}</td><td data-label="Author">{{author}}</td><td data-label="Result" class="result-{{result}}">{{result}}</td><td data-label="Changes">{{changes}}</td><td data-label="Message">{{message}}</td></tr>
        {{/runs}}
        {{^runs}}<tr><td colspan="8">No runs.</td></tr>{{/runs}}
        </tbody>
        </table>
        """

    static let teams = """
        {{> header}}
        <h1>Your teams</h1>
        <p>{{total}} team{{^one}}s{{/one}}. Changes to a team go through its manifest in git.</p>
        <table class="stack">
        <caption class="sr-only">Your teams and your role in each</caption>
        <thead><tr><th scope="col">Team</th><th scope="col">Name</th><th scope="col">Your role</th><th scope="col">Members</th><th scope="col">Pending invitations</th></tr></thead>
        <tbody>
        {{#teams}}<tr><td data-label="Team"><a class="slug" href="/teams/{{slug}}">{{slug}}</a></td><td data-label="Name">{{displayName}}</td><td data-label="Your role">{{role}}</td><td data-label="Members">{{members}}</td><td data-label="Pending">{{pending}}</td></tr>
        {{/teams}}
        {{^teams}}<tr><td colspan="5">You are not a member of any team.</td></tr>{{/teams}}
        </tbody>
        </table>
        {{#next}}<nav class="pager" aria-label="Pages"><a href="{{next}}" rel="next">Next teams</a></nav>{{/next}}
        {{> footer}}
        """

    static let team = """
        {{> header}}
        <h1>{{displayName}} <span class="slug muted">{{slug}}</span></h1>
        <dl class="facts">
        <dt>Owner</dt><dd>{{owner}}</dd>
        <dt>Your role</dt><dd>{{role}}</dd>
        {{#billing}}<dt>Spend limit</dt><dd>${{spendLimit}}/h</dd><dt>Approved ceiling</dt><dd>${{ceiling}}/h</dd>{{/billing}}
        {{#declared}}<dt>Declared in</dt><dd>{{#url}}<a href="{{url}}">{{/url}}<code>{{file}}:{{line}}</code>{{#url}}</a>{{/url}}{{#shortCommit}} at <code>{{shortCommit}}</code>{{/shortCommit}}</dd>{{/declared}}
        </dl>
        <section aria-labelledby="members">
        <h2 id="members">Members ({{membersTotal}})</h2>
        <table class="stack">
        <caption class="sr-only">Members and their roles</caption>
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th></tr></thead>
        <tbody>
        {{#members}}<tr><td data-label="Email">{{email}}</td><td data-label="Role">{{role}}{{#expiry}} <small><time datetime="{{at}}">{{phrase}}</time></small>{{/expiry}}</td></tr>
        {{/members}}
        </tbody>
        </table>
        {{#membersNext}}<nav class="pager" aria-label="Member pages"><a href="{{membersNext}}" rel="next">Next members</a></nav>{{/membersNext}}
        <details>
        <summary>Add a member</summary>
        <p>Members change through git: add this under <code>spec.members</code>{{#declared}} in <code>{{file}}</code>{{/declared}} and open a pull request.</p>
        <pre><code>{{newMemberYAML}}</code></pre>
        </details>
        </section>
        {{#mayInvite}}
        <section aria-labelledby="pending">
        <h2 id="pending">Pending invitations</h2>
        <table class="stack">
        <caption class="sr-only">Pending invitations and their links</caption>
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Invited</th><th scope="col">Link</th></tr></thead>
        <tbody>
        {{#invitations}}<tr><td data-label="Email">{{email}}</td><td data-label="Role">{{role}}</td><td data-label="Invited"><time datetime="{{createdAt}}">{{age}} ago</time>{{#expiry}}; <time datetime="{{at}}">{{phrase}}</time>{{/expiry}}</td><td data-label="Link"><span class="copyable"><input class="link-field" readonly value="{{link}}" aria-label="Invitation link for {{email}}"><button type="button" class="copy" hidden>Copy link</button></span></td></tr>
        {{/invitations}}
        {{^invitations}}<tr><td colspan="4">None pending.</td></tr>{{/invitations}}
        </tbody>
        </table>
        </section>
        {{/mayInvite}}
        <section aria-labelledby="can">
        <h2 id="can">What {{role}} may do</h2>
        <table class="stack">
        <caption class="sr-only">Your role's column of the permission matrix</caption>
        <thead><tr><th scope="col">Permission</th><th scope="col">{{role}}</th></tr></thead>
        <tbody>
        {{#permissions}}<tr><td data-label="Permission">{{title}}</td><td data-label="Allowed">{{#allowed}}Yes{{/allowed}}{{^allowed}}No{{/allowed}}</td></tr>
        {{/permissions}}
        </tbody>
        </table>
        </section>
        {{#audit}}
        <section aria-labelledby="recent">
        <h2 id="recent">Recent changes</h2>
        <table class="stack">
        <caption class="sr-only">The team's newest audit entries</caption>
        <thead><tr><th scope="col">Time</th><th scope="col">By</th><th scope="col">Action</th><th scope="col">Resource</th><th scope="col">Change</th><th scope="col">Commit</th></tr></thead>
        <tbody>
        {{#entries}}<tr><td data-label="Time">{{time}}</td><td data-label="By">{{actor}}{{#onBehalfOf}} for {{onBehalfOf}}{{/onBehalfOf}}</td><td data-label="Action">{{action}}</td><td data-label="Resource"><span class="slug">{{resourceID}}</span></td><td data-label="Change">{{change}}</td><td data-label="Commit">{{#commitURL}}<a href="{{commitURL}}">{{/commitURL}}<code>{{shortCommit}}</code>{{#commitURL}}</a>{{/commitURL}}</td></tr>
        {{/entries}}
        {{^entries}}<tr><td colspan="6">No entries yet.</td></tr>{{/entries}}
        </tbody>
        </table>
        <p><a href="/audit?team={{slug}}">The team's whole audit log</a></p>
        </section>
        {{/audit}}
        {{> footer}}
        """

    static let runs = """
        {{> header}}
        <h1>Runs</h1>
        <form method="get" action="/runs" class="filters" aria-label="Filter runs">
        <label>Result <select name="result"><option value="">any</option>{{#results}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/results}}</select></label>
        <button type="submit">Filter</button>
        </form>
        <p>{{total}} record{{^one}}s{{/one}}, newest first. Runs that changed nothing are one row until the commit or the store changes.</p>
        {{> runTable}}
        {{#next}}<nav class="pager" aria-label="Pages"><a href="{{next}}" rel="next">Older runs</a></nav>{{/next}}
        {{> footer}}
        """

    static let run = """
        {{> header}}
        {{#run}}
        <h1>Run <code>{{shortID}}</code></h1>
        <dl class="facts">
        <dt>Result</dt><dd class="result-{{result}}">{{result}}</dd>
        <dt>Trigger</dt><dd>{{trigger}}</dd>
        <dt>Started</dt><dd>{{startedAt}}</dd>
        <dt>Finished</dt><dd>{{finishedAt}}</dd>
        {{#repeats}}<dt>Repeated</dt><dd>{{count}} runs, the last at {{lastSeenAt}}</dd>{{/repeats}}
        <dt>Commit</dt><dd>{{#commitURL}}<a href="{{commitURL}}">{{/commitURL}}<code>{{shortCommit}}</code>{{#commitURL}}</a>{{/commitURL}}</dd>
        <dt>Author</dt><dd>{{author}}</dd>
        <dt>Changes</dt><dd>{{changes}}</dd>
        {{#message}}<dt>Message</dt><dd>{{message}}</dd>{{/message}}
        <dt>Id</dt><dd><code>{{id}}</code></dd>
        </dl>
        {{#drift}}
        <section aria-labelledby="drift">
        <h2 id="drift">Drift: {{count}} change(s) made outside git</h2>
        <table class="stack">
        <caption class="sr-only">What the store held and what git declares</caption>
        <thead><tr><th scope="col">Team</th><th scope="col">Change</th><th scope="col">Subject</th><th scope="col">The store held</th><th scope="col">Git declares</th></tr></thead>
        <tbody>
        {{#items}}<tr><td data-label="Team"><span class="slug">{{team}}</span></td><td data-label="Change">{{action}}</td><td data-label="Subject">{{subject}}</td><td data-label="The store held">{{store}}</td><td data-label="Git declares">{{git}}</td></tr>
        {{/items}}
        </tbody>
        </table>
        {{#notShown}}<p class="muted">{{notShown}} more in teams or settings you may not see.</p>{{/notShown}}
        </section>
        {{/drift}}
        {{/run}}
        <section aria-labelledby="changes">
        <h2 id="changes">Changes applied</h2>
        <table class="stack">
        <caption class="sr-only">The run's audit entries in the teams whose audit log you may read</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Action</th><th scope="col">Resource</th><th scope="col">Change</th></tr></thead>
        <tbody>
        {{#changes}}<tr><td data-label="#">{{seq}}</td><td data-label="Action">{{action}}</td><td data-label="Resource"><span class="slug">{{resourceID}}</span></td><td data-label="Change">{{change}}</td></tr>
        {{/changes}}
        {{^changes}}<tr><td colspan="4">None you may read.</td></tr>{{/changes}}
        </tbody>
        </table>
        {{#notShown}}<p class="muted">{{notShown}} more change(s) of this run are in teams whose audit log you may not read, or beyond this page.</p>{{/notShown}}
        </section>
        {{> footer}}
        """

    /// The copy buttons' one script, served from `/assets/` (the CSP allows `script-src
    /// 'self'` and nothing inline): it shows each button and copies its link field.
    static let copyScript = """
        "use strict";
        document.querySelectorAll("span.copyable").forEach(function (box) {
          var field = box.querySelector("input"), button = box.querySelector("button.copy");
          if (!field || !button || !navigator.clipboard) return;
          button.hidden = false;
          button.addEventListener("click", function () {
            navigator.clipboard.writeText(field.value).then(function () {
              button.textContent = "Copied";
              setTimeout(function () { button.textContent = "Copy link"; }, 2000);
            });
          });
        });

        """
}
