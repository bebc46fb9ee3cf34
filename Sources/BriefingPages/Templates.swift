import Mustache

/// The pages' mustache templates, compiled once. Kept in the source (not bundled resources) so
/// the `siglog-serve` binary carries them wherever it is copied. Every `{{value}}` is HTML-escaped
/// by the library; the only unescaped insertion is `{{{body}}}` of the layout, which is itself the
/// output of an escaping template.
enum Templates {
    /// The library with every page and partial, parsed at startup (a malformed template is a
    /// programming error caught by the first test).
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let sources: [String: String] = [
            "layout": layout, "briefing": briefing, "company": company, "ranked": ranked, "jobs": jobs,
            "queue": queue, "login": login, "error": error, "dimensions": dimensions, "chart": chart,
        ]
        for (name, text) in sources {
            do { try library.register(text, named: name) } catch { preconditionFailure("template \(name): \(error)") }
        }
        return library
    }()

    static let layout = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · siglog</title>
<link rel="stylesheet" href="{{stylesheet}}">
</head>
<body class="page-{{pageName}}">
<header class="top">
<a class="brand" href="/{{scopeQuery}}">siglog <span>briefing</span></a>
{{#signedIn}}
<nav class="main-nav">
<a href="/{{scopeQuery}}"{{#navBriefing}} aria-current="page"{{/navBriefing}}>Briefing</a>
<a href="/ranked{{scopeQuery}}"{{#navRanked}} aria-current="page"{{/navRanked}}>Ranked</a>
<a href="/jobs{{scopeQuery}}"{{#navJobs}} aria-current="page"{{/navJobs}}>Job runs</a>
<a href="/queue{{scopeQuery}}"{{#navQueue}} aria-current="page"{{/navQueue}}>Queue</a>
</nav>
<form method="post" action="/logout" class="logout"><button type="submit">Sign out</button></form>
{{/signedIn}}
</header>
<main>
{{{body}}}
</main>
<footer>Rendered by siglog-serve at {{renderedAt}} UTC.</footer>
</body>
</html>

"""#

    static let dimensions = #"""
<svg class="dims" viewBox="0 0 146 58" width="146" height="58" role="img" aria-label="Readiness dimensions">
{{#bars}}<text class="dim-letter" x="0" y="{{textY}}">{{letter}}</text><rect class="track" x="14" y="{{y}}" width="100" height="10"/><rect class="bar dim-{{letter}}" x="14" y="{{y}}" width="{{width}}" height="10"><title>{{name}} {{value}}</title></rect><text class="dim-value" x="120" y="{{textY}}">{{value}}</text>
{{/bars}}</svg>
"""#

    static let briefing = #"""
<section class="page-head">
<h1>Today's briefing</h1>
<p class="sub">Lead cards of workspace <strong>{{workspace}}</strong>, pack <strong>{{pack}}</strong>, as of <strong>{{asOf}}</strong>.</p>
<form method="get" action="/" class="controls">
{{#workspaceID}}<input type="hidden" name="workspace_id" value="{{workspaceID}}">{{/workspaceID}}
{{#packID}}<input type="hidden" name="pack_id" value="{{packID}}">{{/packID}}
<label>As of <input type="date" name="as_of" value="{{asOf}}"></label>
<label>Threshold <input type="number" name="threshold" min="0" max="1000" value="{{threshold}}"></label>
<label>Sort <select name="sort"><option value="composite_score"{{#sortComposite}} selected{{/sortComposite}}>Composite</option><option value="last_seen"{{#sortLastSeen}} selected{{/sortLastSeen}}>Last seen</option></select></label>
<button type="submit">Show</button>
</form>
<p class="why" id="threshold-note">{{thresholdNote}}</p>
</section>
{{#hasCards}}
<ol class="cards" start="{{firstRank}}">
{{#cards}}
<li class="card band-{{bandClass}}" id="company-{{id}}">
<div class="card-head">
<h2 class="company-name"><a href="/companies/{{id}}{{scopeQuery}}">{{name}}</a></h2>
{{#domain}}<span class="domain">{{.}}</span>{{/domain}}
</div>
<div class="score">
<span class="composite" title="Readiness composite">{{composite}}</span>
<span class="band">{{bandLabel}}</span>
<span class="outreach" title="Outreach score">outreach {{outreach}}</span>
</div>
{{#dimensions}}{{>dimensions}}{{/dimensions}}
<ul class="chips">{{#signals}}<li class="chip" title="{{id}}">{{label}}</li>{{/signals}}{{^signals}}<li class="chip none">no signals</li>{{/signals}}</ul>
<dl class="facts">
<div><dt>ESL</dt><dd class="esl">{{eslDecision}}</dd></div>
<div><dt>Sensitivity</dt><dd>{{sensitivity}}</dd></div>
<div><dt>Last seen</dt><dd>{{lastSeen}}</dd></div>
<div><dt>Last outreach</dt><dd>{{lastOutreach}}</dd></div>
</dl>
</li>
{{/cards}}
</ol>
{{/hasCards}}
{{^hasCards}}<p class="empty">{{emptyReason}}</p>{{/hasCards}}
<nav class="paging">{{#previousPage}}<a rel="prev" href="{{.}}">← Previous</a>{{/previousPage}}<span>Page {{page}}</span>{{#nextPage}}<a rel="next" href="{{.}}">Next →</a>{{/nextPage}}</nav>

"""#

    static let chart = #"""
<figure class="chart">
<svg class="score-chart" viewBox="0 0 {{width}} {{height}}" role="img" aria-labelledby="chart-title">
<title id="chart-title">Composite and readiness dimensions from {{firstDay}} to {{lastDay}} ({{snapshotCount}} snapshots)</title>
{{#grid}}<line class="grid" x1="{{plotLeft}}" x2="{{plotRight}}" y1="{{y}}" y2="{{y}}"/><text class="axis" x="34" y="{{y}}" dy="4" text-anchor="end">{{label}}</text>
{{/grid}}{{#days}}<text class="axis" x="{{x}}" y="{{height}}" dy="-8" text-anchor="{{anchor}}">{{label}}</text>
{{/days}}{{#series}}<g class="series series-{{key}}"><polyline points="{{points}}"/>{{#dots}}<circle cx="{{x}}" cy="{{y}}" r="3"><title>{{title}}</title></circle>{{/dots}}</g>
{{/series}}</svg>
<figcaption><ul class="legend">{{#series}}<li class="legend-{{key}}">{{label}}</li>{{/series}}</ul></figcaption>
</figure>
"""#

    static let company = #"""
<section class="page-head company-head band-{{bandClass}}">
<h1 class="company-name">{{name}}</h1>
<p class="sub">Company {{id}}{{#domain}} · <span class="domain">{{.}}</span>{{/domain}}{{#website}} · {{.}}{{/website}} · source {{source}}{{#status}} · status {{.}}{{/status}}{{#alignment}} · ok to contact: {{.}}{{/alignment}}</p>
{{#hasProfile}}<dl class="profile">{{#profile}}<dt>{{label}}</dt><dd>{{#link}}<a href="{{.}}" rel="noopener noreferrer nofollow">{{value}}</a>{{/link}}{{^link}}{{value}}{{/link}}</dd>{{/profile}}</dl>{{/hasProfile}}
</section>
{{#scores}}
<section class="scores">
<div class="score big">
<span class="composite" title="Readiness composite">{{composite}}</span>
<span class="band">{{bandLabel}}</span>
{{#delta}}<span class="delta">{{.}} since the day before</span>{{/delta}}
<span class="asof">as of {{asOf}}</span>
</div>
{{#dimensions}}{{>dimensions}}{{/dimensions}}
{{#engagement}}
<dl class="facts esl-facts">
<div><dt>ESL decision</dt><dd class="esl">{{decision}}</dd></div>
<div><dt>Reason</dt><dd>{{reason}}</dd></div>
<div><dt>ESL score</dt><dd>{{eslScore}} → {{engagementType}}</dd></div>
<div><dt>Outreach score</dt><dd>{{outreachScore}}</dd></div>
<div><dt>Sensitivity</dt><dd>{{sensitivity}}</dd></div>
<div><dt>Cadence</dt><dd class="cadence">{{cadence}}</dd></div>
{{#tone}}<div><dt>Tone</dt><dd>capped at {{.}}</dd></div>{{/tone}}
</dl>
{{/engagement}}
{{^engagement}}<p class="empty">No engagement snapshot for this day.</p>{{/engagement}}
</section>
{{/scores}}
{{^scores}}<p class="empty">{{noScores}}</p>{{/scores}}
<section>
<h2>Scores over time</h2>
{{#chart}}{{>chart}}{{/chart}}
{{^chart}}<p class="empty">No readiness snapshots yet: the chart appears once the company is scored.</p>{{/chart}}
</section>
{{#scores}}
<section class="explain">
<h2>Why this score</h2>
<table class="points">
<thead><tr><th>Event</th><th>Time</th><th class="num">Points</th><th class="num">Confidence</th><th>Source</th></tr></thead>
<tbody>
{{#topEvents}}<tr><td>{{label}}</td><td>{{time}}</td><td class="num">{{points}}</td><td class="num">{{confidence}}</td><td>{{#link}}<a href="{{.}}" rel="noopener noreferrer nofollow">{{source}}</a>{{/link}}{{^link}}{{source}}{{/link}}</td></tr>
{{/topEvents}}
{{^topEvents}}<tr><td colspan="5" class="empty">No event gave points.</td></tr>{{/topEvents}}
</tbody>
</table>
<dl class="facts">
<div><dt>Suppressors</dt><dd>{{suppressors}}</dd></div>
<div><dt>Disqualifiers</dt><dd>{{disqualifiers}}</dd></div>
<div><dt>Quiet-signal amplification</dt><dd>{{amplification}}</dd></div>
{{#minimumThreshold}}<div><dt>Minimum threshold</dt><dd>{{.}}</dd></div>{{/minimumThreshold}}
</dl>
{{#engagement}}
<table class="components">
<thead><tr><th>ESL component</th><th class="num">Value</th></tr></thead>
<tbody>{{#components}}<tr><td>{{name}}</td><td class="num">{{value}}</td></tr>{{/components}}</tbody>
</table>
{{#stabilityCap}}<p class="note">The stability cap lowered the recommendation.</p>{{/stabilityCap}}
{{/engagement}}
</section>
{{/scores}}
<section>
<h2>Events</h2>
<table class="events">
<thead><tr><th>Time</th><th>Type</th><th>Title</th><th>Source</th><th class="num">Confidence</th></tr></thead>
<tbody>
{{#events}}<tr><td>{{time}}</td><td>{{type}}</td><td>{{#link}}<a href="{{.}}" rel="noopener noreferrer nofollow">{{title}}</a>{{/link}}{{^link}}{{title}}{{/link}}</td><td>{{source}}</td><td class="num">{{confidence}}</td></tr>
{{/events}}
{{^events}}<tr><td colspan="5" class="empty">No events of this company in the workspace.</td></tr>{{/events}}
</tbody>
</table>
</section>
<section>
<h2>Outreach</h2>
<table class="outreach">
<thead><tr><th>Sent</th><th>Type</th><th>Outcome</th><th>Message</th></tr></thead>
<tbody>
{{#outreach}}<tr><td>{{sentAt}}</td><td>{{type}}</td><td>{{outcome}}</td><td>{{message}}</td></tr>
{{/outreach}}
{{^outreach}}<tr><td colspan="4" class="empty">No outreach recorded in this workspace.</td></tr>{{/outreach}}
</tbody>
</table>
</section>
<section>
<h2>Timeline</h2>
<p class="sub">{{timelineNote}}</p>
<table class="timeline">
<thead><tr><th class="num">#</th><th>At</th><th>What</th><th>Detail</th><th>Job run</th></tr></thead>
<tbody>
{{#timeline}}<tr><td class="num">{{sequence}}</td><td>{{at}}</td><td>{{kind}}</td><td>{{detail}}</td><td>{{#jobRun}}<a href="/jobs{{scopeQuery}}#run-{{.}}">run {{.}}</a>{{/jobRun}}</td></tr>
{{/timeline}}
</tbody>
</table>
</section>

"""#

    static let ranked = #"""
<section class="page-head">
<h1>Emerging companies</h1>
<p class="sub">Ranking of workspace <strong>{{workspace}}</strong>, pack <strong>{{pack}}</strong>, as of <strong>{{asOf}}</strong> ({{path}}).</p>
<form method="get" action="/ranked" class="controls">
{{#workspaceID}}<input type="hidden" name="workspace_id" value="{{workspaceID}}">{{/workspaceID}}
{{#packID}}<input type="hidden" name="pack_id" value="{{packID}}">{{/packID}}
<label>As of <input type="date" name="as_of" value="{{asOf}}"></label>
<label>Threshold <input type="number" name="threshold" min="0" max="1000" value="{{threshold}}"></label>
<label>Show <input type="number" name="limit" min="1" max="100" value="{{limit}}"></label>
<button type="submit">Show</button>
</form>
</section>
{{#hasCompanies}}
<table class="ranked">
<thead><tr><th class="num">#</th><th>Company</th><th>Domain</th><th class="num">Composite</th><th>Band</th><th class="num">Outreach</th><th>ESL</th><th>Dimensions</th></tr></thead>
<tbody>
{{#companies}}<tr class="band-{{bandClass}}"><td class="num">{{rank}}</td><td class="company-name"><a href="/companies/{{id}}{{scopeQuery}}">{{name}}</a></td><td>{{domain}}</td><td class="num composite">{{composite}}</td><td><span class="band">{{bandLabel}}</span></td><td class="num">{{outreach}}</td><td>{{esl}}</td><td>{{#dimensions}}{{>dimensions}}{{/dimensions}}</td></tr>
{{/companies}}
</tbody>
</table>
{{/hasCompanies}}
{{^hasCompanies}}<p class="empty">No company reaches the threshold of {{threshold}} on {{asOf}}.</p>{{/hasCompanies}}

"""#

    static let jobs = #"""
<section class="page-head">
<h1>Job runs</h1>
<p class="sub">The latest {{shown}} runs of workspace <strong>{{workspace}}</strong> ({{total}} in all), newest first, each with the runs it started.</p>
</section>
{{#hasRuns}}
<table class="jobs">
<thead><tr><th class="num">Run</th><th>Type</th><th>Status</th><th>As of</th><th>Started</th><th>Finished</th><th class="num">Companies</th><th>Error</th></tr></thead>
{{#runs}}<tbody class="batch status-{{batchStatus}}" id="run-{{id}}">
<tr class="parent status-{{status}}"><td class="num">{{id}}</td><td>{{type}}</td><td class="status">{{status}}{{#batchDiffers}} (batch {{batchStatus}}){{/batchDiffers}}</td><td>{{asOf}}</td><td>{{started}}</td><td>{{finished}}</td><td class="num">{{companies}}</td><td class="error">{{error}}</td></tr>
{{#children}}<tr class="child status-{{status}}" id="run-{{id}}"><td class="num">↳ {{id}}</td><td>{{type}}</td><td class="status">{{status}}</td><td>{{asOf}}</td><td>{{started}}</td><td>{{finished}}</td><td class="num">{{companies}}</td><td class="error">{{error}}</td></tr>
{{/children}}</tbody>
{{/runs}}
</table>
{{/hasRuns}}
{{^hasRuns}}<p class="empty">No job runs in this workspace yet.</p>{{/hasRuns}}

"""#

    static let queue = #"""
<section class="page-head">
<h1>Stage queue</h1>
<p class="sub">Depth per stage in workspace <strong>{{workspace}}</strong> at {{now}} UTC ({{source}}).</p>
</section>
{{#hasStages}}
<table class="queue">
<thead><tr><th>Stage</th><th class="num">Pending</th><th class="num">Queued</th><th class="num">Started</th><th class="num">Completed</th><th class="num">Failed</th><th>Oldest queued</th><th class="num">Waiting</th></tr></thead>
<tbody>
{{#stages}}<tr><td>{{stage}}</td><td class="num">{{pending}}</td><td class="num">{{queued}}</td><td class="num">{{started}}</td><td class="num">{{completed}}</td><td class="num">{{failed}}</td><td>{{oldest}}</td><td class="num">{{waiting}}</td></tr>
{{/stages}}
</tbody>
</table>
{{/hasStages}}
{{^hasStages}}<p class="empty">No stage chain is loaded and no company has a stage state in this workspace.</p>{{/hasStages}}

"""#

    static let login = #"""
<section class="login">
<h1>Sign in</h1>
<p>{{message}}</p>
<form method="post" action="/login">
<input type="hidden" name="next" value="{{next}}">
<label>API token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<p class="sub">The token is the one of <code>/api/*</code> (<code>SIGLOG_API_TOKEN</code> or a line of <code>SIGLOG_API_TOKENS_FILE</code>). Signing in sets a session cookie for this browser.</p>
</section>

"""#

    static let error = #"""
<section class="error-page">
<h1>{{status}} {{reason}}</h1>
<p class="detail">{{detail}}</p>
<p><a href="/">Back to the briefing</a></p>
</section>

"""#
}
