import Crypto

/// The pages' one stylesheet, served at `/static/briefing.css` with a content hash for its
/// version: pages link `?v=HASH`, so the file may be cached for a year and still change with
/// the binary.
enum Stylesheet {
    /// `"HASH"`: the strong ETag of the stylesheet (the first 16 hex digits of its SHA-256).
    static let etag = "\"" + version + "\""
    /// The first 16 hex digits of the stylesheet's SHA-256.
    static let version: String = SHA256.hash(data: Array(text.utf8)).prefix(8).map { byte in
        let hex = String(byte, radix: 16)
        return hex.count == 1 ? "0" + hex : hex
    }.joined()
    /// The URL the pages link.
    static let url = "/static/briefing.css?v=" + version

    static let text = #"""
:root {
  --ink: #1d2430; --muted: #5b6577; --line: #dde2ea; --paper: #f6f7f9; --card: #ffffff;
  --accent: #2357c5; --high: #0f7a4a; --high-bg: #e3f4ea; --watch: #a66300; --watch-bg: #fdf0dc;
  --ignore: #6b7380; --ignore-bg: #eceef2; --danger: #b3261e;
  --m: #2357c5; --c: #7b4fc9; --p: #c2410c; --g: #0e7490;
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--paper); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
header.top { display: flex; align-items: center; gap: 24px; padding: 10px 28px; background: var(--ink); color: #fff; }
header.top .brand { color: #fff; font-weight: 700; font-size: 17px; letter-spacing: .02em; }
header.top .brand span { font-weight: 400; opacity: .7; }
.main-nav { display: flex; gap: 18px; flex: 1; }
.main-nav a { color: #cfd6e4; padding: 4px 2px; border-bottom: 2px solid transparent; }
.main-nav a[aria-current="page"] { color: #fff; border-bottom-color: #fff; }
.logout button { background: transparent; color: #cfd6e4; border: 1px solid #4a5568; border-radius: 4px; padding: 3px 10px; cursor: pointer; }
main { max-width: 1120px; margin: 0 auto; padding: 20px 28px 40px; }
footer { max-width: 1120px; margin: 0 auto; padding: 0 28px 30px; color: var(--muted); font-size: 12px; }
h1 { font-size: 26px; margin: 6px 0 4px; }
h2 { font-size: 18px; margin: 26px 0 10px; }
.sub { color: var(--muted); margin: 0 0 10px; }
.why { color: var(--muted); font-size: 13px; border-left: 3px solid var(--line); padding-left: 10px; }
.empty { color: var(--muted); font-style: italic; }
.controls { display: flex; flex-wrap: wrap; gap: 14px; align-items: end; margin: 12px 0; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
.controls input, .controls select { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
.controls input[type=number] { width: 90px; }
button { font: inherit; }
.controls button, .login button { background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: 6px 16px; cursor: pointer; }
.cards { list-style: none; padding: 0; margin: 16px 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--ignore); border-radius: 6px; padding: 12px 14px; display: flex; flex-direction: column; gap: 8px; }
.card.band-high { border-left-color: var(--high); }
.card.band-watch { border-left-color: var(--watch); }
.card-head { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; }
.card h2 { margin: 0; font-size: 17px; overflow-wrap: anywhere; }
.domain { color: var(--muted); font-size: 13px; }
.score { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.composite { font-size: 30px; font-weight: 700; line-height: 1; }
.score.big .composite { font-size: 44px; }
.band { font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 10px; background: var(--ignore-bg); color: var(--ignore); }
.band-high .band { background: var(--high-bg); color: var(--high); }
.band-watch .band { background: var(--watch-bg); color: var(--watch); }
.band-high .composite { color: var(--high); }
.band-watch .composite { color: var(--watch); }
.outreach, .delta, .asof { color: var(--muted); font-size: 13px; }
.dims { display: block; }
.dims .track { fill: var(--line); }
.dims .bar { fill: var(--m); }
.dims .dim-C { fill: var(--c); } .dims .dim-P { fill: var(--p); } .dims .dim-G { fill: var(--g); }
.dims text { font-size: 10px; fill: var(--muted); }
.chips { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 5px; }
.chip { font-size: 12px; background: #eef2fb; color: #2c3e66; border-radius: 12px; padding: 2px 9px; }
.chip.none { background: transparent; color: var(--muted); }
.facts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px 14px; margin: 0; font-size: 13px; }
.facts div { display: flex; gap: 6px; }
.facts dt { color: var(--muted); }
.profile { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 10px; }
.profile dt { color: var(--muted); }
.profile dd { margin: 0; }
.facts dd { margin: 0; }
.esl { font-weight: 600; }
.paging { display: flex; gap: 16px; justify-content: center; color: var(--muted); }
.scores { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 16px; }
.scores .score { flex-direction: column; align-items: flex-start; }
.esl-facts { flex: 1; min-width: 280px; }
.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
.score-chart { width: 100%; height: auto; display: block; }
.score-chart .grid { stroke: var(--line); stroke-width: 1; }
.score-chart .axis { font-size: 11px; fill: var(--muted); }
.series polyline { fill: none; stroke-width: 1.6; }
.series circle { r: 2.5; }
.series-composite polyline { stroke: var(--ink); stroke-width: 3; }
.series-composite circle { fill: var(--ink); }
.series-momentum polyline { stroke: var(--m); } .series-momentum circle { fill: var(--m); }
.series-complexity polyline { stroke: var(--c); } .series-complexity circle { fill: var(--c); }
.series-pressure polyline { stroke: var(--p); } .series-pressure circle { fill: var(--p); }
.series-leadership-gap polyline { stroke: var(--g); } .series-leadership-gap circle { fill: var(--g); }
.legend { list-style: none; display: flex; gap: 16px; padding: 0; margin: 6px 0 0; font-size: 12px; color: var(--muted); }
.legend li::before { content: ""; display: inline-block; width: 14px; height: 3px; margin-right: 5px; vertical-align: middle; background: var(--ink); }
.legend-momentum::before { background: var(--m) !important; } .legend-complexity::before { background: var(--c) !important; }
.legend-pressure::before { background: var(--p) !important; } .legend-leadership-gap::before { background: var(--g) !important; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); font-size: 13px; }
th, td { text-align: left; padding: 6px 9px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td { overflow-wrap: break-word; }
.jobs td, .timeline td:nth-child(-n+3), .events td:first-child, .outreach td:first-child { white-space: nowrap; }
.jobs td.error { white-space: normal; overflow-wrap: anywhere; min-width: 260px; font-size: 12px; }
.timeline td:nth-child(4) { overflow-wrap: anywhere; }
td.composite { font-size: 20px; line-height: 1.2; }
.ranked td { vertical-align: middle; }
.jobs tr.child td { background: #fafbfc; }
.jobs tr.child td:first-child { padding-left: 22px; }
.status-failed .status, .error { color: var(--danger); }
.status-completed .status { color: var(--high); }
.status-running .status { color: var(--watch); }
.note { color: var(--watch); }
.login { max-width: 420px; margin: 40px auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 20px 24px; }
.login label { display: flex; flex-direction: column; gap: 4px; margin: 12px 0; font-size: 13px; color: var(--muted); }
.login input { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; }
.error-page { margin: 40px auto; max-width: 640px; }
.error-page .detail { color: var(--danger); }

"""#
}
