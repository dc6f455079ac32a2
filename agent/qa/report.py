"""A self-contained HTML report: inline SVG charts (no scripts, no CDN), failures with highlighted spans
and the guard's rewording. Every piece of user text is escaped."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from agent.qa.runner import MANIFEST, REPORT, RESULTS, read_results, summarize

MAIN_DIMS = ("compliance", "compliance_sendable", "tone", "readability", "grounding", "personalisation", "intent",
             "plan", "length", "expectations", "llm_judge", "overall")
TONE_DIMS = ("tone.politeness", "tone.empathy", "tone.firmness", "tone.positivity", "tone.clarity")

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2433;background:#f6f7fb}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6rem;margin:.2em 0} h2{font-size:1.25rem;margin-top:2em;border-bottom:2px solid #dde2ee;padding-bottom:4px}
.meta{color:#4a5568;font-size:.9rem} .cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #dde2ee;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:1.5rem} .ok{color:#1a7f37} .bad{color:#b42318}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}
figure{background:#fff;border:1px solid #dde2ee;border-radius:8px;margin:0;padding:12px}
figcaption{font-weight:600;margin-bottom:6px} svg text{font-size:12px;fill:#1d2433}
table{border-collapse:collapse;background:#fff;width:100%;font-size:.9rem} th,td{border:1px solid #dde2ee;padding:4px 8px;text-align:left}
.failure{background:#fff;border:1px solid #e8c4c0;border-left:5px solid #b42318;border-radius:6px;padding:12px;margin:14px 0}
.failure h3{margin:0 0 6px;font-size:1.05rem} pre.text{white-space:pre-wrap;background:#fbfbfd;border:1px solid #e5e8f0;padding:10px;border-radius:4px;font:13px/1.5 ui-monospace,Menlo,monospace}
mark{background:#ffe08a;padding:0 1px;border-radius:2px} mark.block{background:#ffc2bd}
.rewording{background:#e8f6ec;border-left:3px solid #1a7f37;padding:4px 8px;margin:4px 0}
.incoming{color:#4a5568;font-style:italic} .tag{display:inline-block;background:#eef1f8;border-radius:10px;padding:0 8px;margin-right:4px;font-size:.8rem}
"""


def _pct(v: float) -> str:
    return f"{v * 100:.0f} %"


def bar_chart(title: str, rows: list[tuple[str, float, str]], *, css_id: str) -> str:
    """Horizontal bars, values 0..1 (label, value, annotation)."""
    h_row, label_w, bar_w = 22, 170, 230
    height = max(1, len(rows)) * h_row + 10
    parts = [f'<figure class="chart" id="{escape(css_id)}"><figcaption>{escape(title)}</figcaption>'
             f'<svg role="img" aria-label="{escape(title)}" width="100%" viewBox="0 0 {label_w + bar_w + 90} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value, note) in enumerate(rows):
        y = 5 + i * h_row
        w = max(0.0, min(1.0, value)) * bar_w
        color = "#1a7f37" if value >= 0.9 else "#3b6fd8" if value >= 0.7 else "#d97706" if value >= 0.5 else "#b42318"
        parts.append(f'<text x="0" y="{y + 14}">{escape(label[:26])}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="14" fill="#eef1f8"/>'
                     f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="14" fill="{color}">'
                     f'<title>{escape(label)}: {value:.3f}</title></rect>'
                     f'<text x="{label_w + bar_w + 6}" y="{y + 14}">{escape(note)}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


def grouped_chart(title: str, dims: list[str], groups: dict[str, dict[str, dict[str, float]]], *, css_id: str) -> str:
    """One bar per (dimension, group), e.g. fr and en side by side."""
    colors = ["#3b6fd8", "#d97706", "#1a7f37", "#8b5cf6", "#b42318"]
    names = list(groups)
    rows_h = 14 * max(1, len(names)) + 8
    label_w, bar_w = 170, 230
    height = len(dims) * rows_h + 24
    parts = [f'<figure class="chart" id="{escape(css_id)}"><figcaption>{escape(title)}</figcaption>'
             f'<svg role="img" aria-label="{escape(title)}" width="100%" viewBox="0 0 {label_w + bar_w + 90} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for j, g in enumerate(names):
        parts.append(f'<rect x="{label_w + j * 70}" y="2" width="10" height="10" fill="{colors[j % len(colors)]}"/>'
                     f'<text x="{label_w + j * 70 + 14}" y="11">{escape(g)}</text>')
    for i, d in enumerate(dims):
        y0 = 20 + i * rows_h
        parts.append(f'<text x="0" y="{y0 + 12}">{escape(d)}</text>')
        for j, g in enumerate(names):
            stat = groups[g].get(d)
            if stat is None:
                continue
            v = float(stat["mean"])
            y = y0 + j * 14
            parts.append(f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{max(0.0, min(1.0, v)) * bar_w:.1f}" '
                         f'height="11" fill="{colors[j % len(colors)]}"><title>{escape(g)} {escape(d)}: {v:.3f}'
                         f'</title></rect><text x="{label_w + bar_w + 6}" y="{y + 12}">{v:.2f}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


def highlight(text: str, spans: list[dict[str, Any]]) -> str:
    """Escape ``text`` and wrap each span in <mark> (overlaps: the earliest span wins)."""
    clean = sorted((s for s in spans if 0 <= s["start"] < s["end"] <= len(text)), key=lambda s: (s["start"], -s["end"]))
    out, pos = [], 0
    for s in clean:
        if s["start"] < pos:
            continue
        out.append(escape(text[pos:s["start"]]))
        cls = ' class="block"' if str(s.get("note", "")).startswith("block") else ""
        out.append(f'<mark{cls} title="{escape(str(s.get("note", "")))}">{escape(text[s["start"]:s["end"]])}</mark>')
        pos = s["end"]
    out.append(escape(text[pos:]))
    return "".join(out)


def _failure(r: dict[str, Any]) -> str:
    scores = r.get("scores") or {}
    spans = [sp for s in scores.values() if s for sp in s.get("spans", [])]
    failed = [(n, s) for n, s in scores.items() if s is not None and not s["passed"]]
    tags = "".join(f'<span class="tag">{escape(t)}</span>' for t in r.get("tags", []))
    parts = [f'<section class="failure" id="case-{escape(r["case_id"])}"><h3>{escape(r["case_id"])} '
             f'<small>{escape(r.get("title") or "")}</small></h3>',
             f'<div class="meta">{escape(r.get("source", ""))} · {escape(str(r.get("lang")))} · '
             f'{escape(str(r.get("channel")))} · debtor {escape(str(r.get("debtor_id")))} · intent '
             f'{escape(str(r.get("intent")))} (expected {escape(str(r.get("expected_intent")))}) · '
             f'sendable {escape(str(r.get("sendable")))} · template {escape(str(r.get("template_id")))} {tags}</div>']
    if r.get("incoming"):
        parts.append(f'<p class="incoming">« {escape(r["incoming"])} »</p>')
    if r.get("error"):
        parts.append(f'<p class="bad">error: {escape(str(r["error"]))}</p>')
    parts.append(f'<pre class="text">{highlight(r.get("text") or "", spans)}</pre><ul>')
    for name, s in failed:
        det = s.get("details", {})
        why = det.get("failed") or det.get("untraced") or det.get("problems") or ""
        parts.append(f'<li><b>{escape(name)}</b> {s["value"]:.2f} — {escape(json.dumps(why, ensure_ascii=False))}</li>')
    parts.append("</ul>")
    comp = scores.get("compliance")
    for f in (comp or {}).get("details", {}).get("findings", []):
        parts.append(f'<div><b>{escape(f["severity"])}</b> {escape(f["rule_id"])}: {escape(f["explanation"])} '
                     f'<small>({escape(f.get("legal_basis") or "")})</small>')
        if f.get("span"):
            parts.append(f' — «<mark>{escape(f["span"])}</mark>»')
        if f.get("rewording"):
            parts.append(f'<div class="rewording">Rewording: {escape(f["rewording"])}</div>')
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def render(manifest: dict[str, Any], results: list[dict[str, Any]]) -> str:
    summary = summarize(results)
    dims = summary["dimensions"]
    main = [d for d in MAIN_DIMS if d in dims]
    tone = [d for d in TONE_DIMS if d in dims]
    th = manifest.get("thresholds")
    gate_html = ""
    if th:
        cls = "ok" if th["passed"] else "bad"
        items = "".join(f"<li>{escape(v)}</li>" for v in th["violations"])
        gate_html = (f'<p class="{cls}" id="gate">Threshold gate ({escape(str(th["file"]))}): '
                     f'{"PASSED" if th["passed"] else "FAILED"}</p>' + (f"<ul>{items}</ul>" if items else ""))
    timings = manifest.get("timings") or {}
    versions = manifest.get("versions") or {}
    cards = [("cases", summary["cases"], ""), ("passed all", summary["passed"], "ok"),
             ("sendable", summary["sendable"], ""), ("errors", summary["errors"], "bad" if summary["errors"] else "")]
    if "compliance_sendable" in dims:
        cards.append(("compliance (sendable)", _pct(dims["compliance_sendable"]["pass_rate"]), "ok"))
    card_html = "".join(f'<div class="card"><b class="{c}">{escape(str(v))}</b>{escape(k)}</div>' for k, v, c in cards)
    charts = [bar_chart("Mean score per dimension", [(d, dims[d]["mean"], f"{dims[d]['mean']:.2f} · pass "
                                                      f"{_pct(dims[d]['pass_rate'])}") for d in main], css_id="chart-dims")]
    if tone:
        charts.append(bar_chart("Tone sub-dimensions", [(d.split(".", 1)[1], dims[d]["mean"], f"{dims[d]['mean']:.2f}")
                                                        for d in tone], css_id="chart-tone"))
    by_intent = summary["by_intent"]
    charts.append(bar_chart("Overall score per intent", [
        (k, v["overall"]["mean"], f"{v['overall']['mean']:.2f} · n={v['overall']['n']}")
        for k, v in by_intent.items() if "overall" in v], css_id="chart-intent"))
    charts.append(grouped_chart("Scores per language", [d for d in main if d != "compliance_sendable"],
                                summary["by_lang"], css_id="chart-lang"))
    charts.append(bar_chart("Overall score per channel", [
        (k, v["overall"]["mean"], f"{v['overall']['mean']:.2f} · n={v['overall']['n']}")
        for k, v in summary["by_channel"].items() if "overall" in v], css_id="chart-channel"))
    rows = "".join(f"<tr><td>{escape(d)}</td><td>{dims[d]['n']}</td><td>{dims[d]['mean']:.3f}</td>"
                   f"<td>{_pct(dims[d]['pass_rate'])}</td></tr>" for d in [*main, *tone])
    failures = [r for r in results if not r.get("passed")]
    fail_html = "".join(_failure(r) for r in failures) or "<p class=\"ok\">No failing case.</p>"
    ev = ", ".join(f"{k}@{v}" for k, v in (manifest.get("evaluators") or {}).items())
    notices = "".join(f"<li>{escape(n)}</li>" for n in manifest.get("notices") or [])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Amiable QA evaluation — {escape(str(manifest.get("run_id", "")))}</title><style>{CSS}</style></head>
<body><main>
<h1>QA tone evaluation — run {escape(str(manifest.get("run_id", "")))}</h1>
<p class="meta">status {escape(str(manifest.get("status")))} · backend {escape(str(manifest.get("backend")))}
{escape(str(manifest.get("model") or ""))} · as of {escape(str(manifest.get("as_of")))} ·
datasets {escape(", ".join(Path(p).name for p in manifest.get("datasets", [])))} (sha256 {escape(str(manifest.get("dataset_sha256", ""))[:12])})<br>
versions: library {escape(str(versions.get("library")))} · guard policy {escape(str(versions.get("guard_policy")))} ·
plan policy {escape(str(versions.get("plan_policy")))} · evaluators {escape(ev)}<br>
time {escape(str(timings.get("seconds")))} s (+ {escape(str(timings.get("prepare_seconds", 0)))} s preparation) · {escape(str(timings.get("cases_per_s")))} cases/s ·
mean {escape(str(timings.get("mean_case_ms")))} ms/case</p>
{gate_html}{f"<ul>{notices}</ul>" if notices else ""}
<div class="cards">{card_html}</div>
<h2>Scores</h2><div class="charts">{"".join(charts)}</div>
<h2>Dimensions</h2><table id="dims"><thead><tr><th>dimension</th><th>n</th><th>mean</th><th>pass rate</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2 id="failures">Failures ({len(failures)})</h2>
<p class="meta">Highlighted: guard findings (red), tone, grounding, personalisation and forbidden-phrase spans (yellow);
hover a mark for the reason. The guard's rewording is shown in green.</p>
{fail_html}
</main></body></html>
"""


def write_report(run_dir: Path) -> Path:
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    results = read_results(run_dir / RESULTS)
    path = run_dir / REPORT
    path.write_text(render(manifest, results), encoding="utf-8")
    return path
