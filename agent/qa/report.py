"""A self-contained HTML report in French and English (``report.html`` in French, ``report.en.html``): a summary,
inline SVG charts (no scripts, no CDN), filters by failed dimension, language and tag (pure CSS: radio buttons and
``:has()``, the report's CSP allows no script), failures with their reasons, highlighted spans and the guard's
rewording. Every label comes from the catalogue (``prompts/ui/report.yaml``); every piece of user text is
escaped; data values are marked ``data-value``. Readable at 360 px (no horizontal overflow)."""

from __future__ import annotations

import hashlib
import json
from html import escape
from pathlib import Path
from typing import Any

from agent.i18n import t
from agent.qa.results import MANIFEST, REPORT, RESULTS, read_results, summarize

MAIN_DIMS = ("compliance", "compliance_sendable", "tone", "readability", "grounding", "personalisation", "intent",
             "plan", "length", "expectations", "llm_judge", "overall")
TONE_DIMS = ("tone.politeness", "tone.empathy", "tone.firmness", "tone.positivity", "tone.clarity")

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2433;background:#f6f7fb}
main{max-width:1100px;margin:0 auto;padding:16px}
nav.top{position:sticky;top:0;background:#1f3a5f;padding:6px 12px;display:flex;flex-wrap:wrap;gap:4px 14px;z-index:2}
nav.top a{color:#fff} .meta,.failure,pre.text,td{overflow-wrap:anywhere} .tablewrap{overflow-x:auto}
fieldset{border:1px solid #dde2ee;border-radius:8px;background:#fff;margin:8px 0;padding:6px 10px}
fieldset label{display:inline-block;margin:2px 10px 2px 0;white-space:nowrap} legend{font-weight:600}
details.failure>summary{cursor:pointer;font-weight:600} .reason{color:#b42318} .empty-filter{display:none}
h1{font-size:1.6rem;margin:.2em 0} h2{font-size:1.25rem;margin-top:2em;border-bottom:2px solid #dde2ee;padding-bottom:4px}
.meta{color:#4a5568;font-size:.9rem} .cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #dde2ee;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:1.5rem} .ok{color:#1a7f37} .bad{color:#b42318}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(560px,100%),1fr));gap:16px}
figure svg{display:block;height:auto}
figure{background:#fff;border:1px solid #dde2ee;border-radius:8px;margin:0;padding:12px;overflow-x:auto;min-width:0}
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


def _label_width(labels: Any) -> int:
    """Room for the longest label at 12 px (about 7 px a character), so no label is clipped."""
    return max(90, 12 + 7 * max((len(str(x)) for x in labels), default=0))


def bar_chart(title: str, rows: list[tuple[str, float, str]], *, css_id: str) -> str:
    """Horizontal bars, values 0..1 (label, value, annotation)."""
    h_row, bar_w = 22, 230
    label_w = _label_width(r[0] for r in rows)
    note_w = _label_width(r[2] for r in rows)
    height = max(1, len(rows)) * h_row + 10
    parts = [f'<figure class="chart" id="{escape(css_id)}"><figcaption>{escape(title)}</figcaption>'
             f'<svg role="img" aria-label="{escape(title)}" width="{label_w + bar_w + note_w}" '
             f'viewBox="0 0 {label_w + bar_w + note_w} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value, note) in enumerate(rows):
        y = 5 + i * h_row
        w = max(0.0, min(1.0, value)) * bar_w
        color = "#1a7f37" if value >= 0.9 else "#3b6fd8" if value >= 0.7 else "#d97706" if value >= 0.5 else "#b42318"
        parts.append(f'<text data-value="" x="0" y="{y + 14}">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="14" fill="#eef1f8"/>'
                     f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="14" fill="{color}">'
                     f'<title>{escape(label)}: {value:.3f}</title></rect>'
                     f'<text data-value="" x="{label_w + bar_w + 6}" y="{y + 14}">{escape(note)}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


def grouped_chart(title: str, dims: list[str], groups: dict[str, dict[str, dict[str, float]]], *, css_id: str) -> str:
    """One bar per (dimension, group), e.g. fr and en side by side."""
    colors = ["#3b6fd8", "#d97706", "#1a7f37", "#8b5cf6", "#b42318"]
    names = list(groups)
    rows_h = 14 * max(1, len(names)) + 8
    label_w, bar_w = _label_width(dims), 230
    height = len(dims) * rows_h + 24
    parts = [f'<figure class="chart" id="{escape(css_id)}"><figcaption>{escape(title)}</figcaption>'
             f'<svg role="img" aria-label="{escape(title)}" width="{label_w + bar_w + 90}" '
             f'viewBox="0 0 {label_w + bar_w + 90} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for j, g in enumerate(names):
        parts.append(f'<rect x="{label_w + j * 70}" y="2" width="10" height="10" fill="{colors[j % len(colors)]}"/>'
                     f'<text data-value="" x="{label_w + j * 70 + 14}" y="11">{escape(g)}</text>')
    for i, d in enumerate(dims):
        y0 = 20 + i * rows_h
        parts.append(f'<text data-value="" x="0" y="{y0 + 12}">{escape(d)}</text>')
        for j, g in enumerate(names):
            stat = groups[g].get(d)
            if stat is None:
                continue
            v = float(stat["mean"])
            y = y0 + j * 14
            parts.append(f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{max(0.0, min(1.0, v)) * bar_w:.1f}" '
                         f'height="11" fill="{colors[j % len(colors)]}"><title>{escape(g)} {escape(d)}: {v:.3f}'
                         f'</title></rect><text data-value="" x="{label_w + bar_w + 6}" y="{y + 12}">{v:.2f}</text>')
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


def _css_id(kind: str, value: str) -> str:
    return f"{kind}-{hashlib.sha256(value.encode()).hexdigest()[:10]}"


def _v(text: object, tag: str = "span") -> str:
    """A data value (never translated; marked for the catalogue check)."""
    return f"<{tag} data-value>{escape(str(text))}</{tag}>"


def _m(key: str, lang: str, tag: str = "span", cls: str = "", **values: object) -> str:
    """A catalogue message; values escaped."""
    c = f' class="{cls}"' if cls else ""
    return f'<{tag} data-msg="{escape(key)}"{c}>{escape(t(key, lang, **values))}</{tag}>'


def _items(values: object) -> str:
    if isinstance(values, list | tuple):
        return ", ".join(str(x) for x in values) or "—"
    return str(values)


def reason_of(name: str, score: dict[str, Any]) -> tuple[str, dict[str, object]]:
    """Why an evaluator failed (catalogue key and values; never empty), from its details."""
    det = score.get("details") or {}
    value = f"{float(score.get('value', 0.0)):.2f}"
    subs = score.get("subscores") or {}
    if name == "compliance":
        rules = [f["rule_id"] for f in det.get("findings", []) if f.get("severity") == "block"]
        if rules:
            return ("report.reason.compliance", dict(rules=", ".join(rules)))
    elif name == "tone":
        counts = det.get("counts") or {}
        if counts.get("insults"):
            return ("report.reason.tone_insults", dict(count=counts["insults"]))
        low = {k: v for k, v in subs.items() if v < 0.4}
        shown = ", ".join(f"{k} {v:.2f}" for k, v in (low or subs).items())
        if low:
            return ("report.reason.tone_sub", dict(subs=shown))
        return ("report.reason.tone_mean", dict(value=value, subs=shown or "—"))
    elif name == "readability" and "score" in det:
        return ("report.reason.readability", dict(score=det["score"], formula=det.get("formula", "?"),
                 pass_at=det.get("pass_at", "?")))
    elif name == "grounding" and det.get("untraced"):
        return ("report.reason.grounding", dict(items=_items(det["untraced"])))
    elif name == "personalisation" and det.get("failed"):
        return ("report.reason.personalisation", dict(items=_items(det["failed"])))
    elif name == "intent":
        return ("report.reason.intent", dict(expected=_items(det.get("expected")), got=det.get("got")))
    elif name == "plan" and det.get("failed"):
        return ("report.reason.plan", dict(items=_items(det["failed"])))
    elif name == "length" and "chars" in det:
        return ("report.reason.length", dict(chars=det["chars"], min=det.get("min"), max=det.get("max"),
                 channel=det.get("channel")))
    elif name == "expectations" and det.get("failed"):
        return ("report.reason.expectations", dict(items=_items(det["failed"])))
    elif name == "llm_judge" and det.get("error"):
        return ("report.reason.judge_error", dict(error=det["error"]))
    return ("report.reason.generic", dict(value=value, name=name))


def failure_reason(name: str, score: dict[str, Any], lang: str) -> str:
    """Why an evaluator failed, in plain words in ``lang`` (never empty)."""
    key, values = reason_of(name, score)
    return t(key, lang, **values)


def _failed_dims(r: dict[str, Any]) -> list[str]:
    return [n for n, s in (r.get("scores") or {}).items() if s is not None and not s["passed"]]


def _failure(r: dict[str, Any], lang: str) -> str:
    scores = r.get("scores") or {}
    spans = [sp for s in scores.values() if s for sp in s.get("spans", [])]
    failed = [(n, scores[n]) for n in _failed_dims(r)]
    classes = ["failure", _css_id("lang", str(r.get("lang"))),
               *(_css_id("dim", n) for n, _ in failed), *(_css_id("tag", x) for x in r.get("tags", []))]
    if r.get("error"):
        classes.append(_css_id("dim", "error"))
    tags = "".join(_tag(x, lang) for x in r.get("tags", []))
    yes_no = t("report.yes" if r.get("sendable") else "report.no", lang)
    meta = _m("report.case.meta", lang, source=r.get("source", ""), language=r.get("lang"), channel=r.get("channel"),
              debtor=r.get("debtor_id"), intent=r.get("intent"), expected=r.get("expected_intent"),
              sendable=yes_no, template=r.get("template_id"))
    parts = [f'<details class="{" ".join(classes)}" id="case-{escape(r["case_id"])}"><summary>{_v(r["case_id"])} '
             f'<small>{_v(r.get("title") or "")}</small> · '
             f'{_m("report.case.failed", lang, dims=", ".join(n for n, _ in failed) or "error")}</summary>',
             f'<div class="meta">{meta} {tags}</div>']
    if r.get("incoming"):
        parts.append(f'<p class="incoming" data-value>« {escape(r["incoming"])} »</p>')
    if r.get("error"):
        parts.append(_m("report.case.error", lang, "p", "bad", error=r["error"]))
    parts.append(f'<pre class="text" data-value>{highlight(r.get("text") or "", spans)}</pre><ul>')
    for name, sc in failed:
        key, values = reason_of(name, sc)
        value = f"{sc['value']:.2f}"
        parts.append(f'<li><b data-value>{escape(name)}</b> {_v(value)} — {_m(key, lang, "span", "reason", **values)}</li>')
    parts.append("</ul>")
    comp = scores.get("compliance")
    for f in (comp or {}).get("details", {}).get("findings", []):
        expl = t(f"guard.rule.{f['rule_id']}", lang) if _has(f"guard.rule.{f['rule_id']}") else f["explanation"]
        parts.append(f'<div>{_m("guard.severity." + f["severity"], lang, "b")} {_v(f["rule_id"])}: '
                     f'<span data-value>{escape(expl)}</span> {_v("(" + (f.get("legal_basis") or "") + ")", "small")}')
        if f.get("span"):
            parts.append(f' — <mark data-value>«{escape(f["span"])}»</mark>')
        if f.get("rewording"):
            parts.append(_m("report.case.rewording", lang, "div", "rewording", text=f["rewording"]))
        parts.append("</div>")
    parts.append("</details>")
    return "".join(parts)


def _tag(tag: str, lang: str, cls: str = "tag") -> str:
    """A scenario tag, by its catalogue label (``report.tag.<tag>``) when it has one."""
    key = f"report.tag.{tag}"
    return _m(key, lang, "span", cls) if _has(key) else f'<span class="{cls}" data-value>{escape(tag)}</span>'


def _has(key: str) -> bool:
    from agent.i18n import get_catalogue

    return key in get_catalogue()


def _filters(failures: list[dict[str, Any]], lang: str) -> tuple[str, str]:
    """Radio groups (dimension, language, tag) and the CSS that hides failures not matching the checked ones."""
    groups = {"dim": sorted({d for r in failures for d in _failed_dims(r)} | ({"error"} if any(r.get("error") for r in failures) else set())),
              "lang": sorted({str(r.get("lang")) for r in failures}),
              "tag": sorted({x for r in failures for x in r.get("tags", [])})}
    titles = {"dim": "report.filter.dimension", "lang": "report.filter.lang", "tag": "report.filter.tag"}
    html, css = [f'<section id="filters" aria-label="{escape(t("report.filter.title", lang))}">'], []
    for kind, values in groups.items():
        html.append(f'<fieldset id="filter-{kind}"><legend>{_m(titles[kind], lang)}</legend>'
                    f'<label><input type="radio" name="f-{kind}" id="f-{kind}-all" checked> '
                    f'{_m("report.filter.all", lang)}</label>')
        for value in values:
            cid = _css_id(kind, value)
            shown = _tag(value, lang, "") if kind == "tag" else (
                _m("report.filter.error", lang) if kind == "dim" and value == "error" else _v(value))
            html.append(f'<label><input type="radio" name="f-{kind}" id="f-{cid}" value="{escape(value)}"> '
                        f'{shown}</label>')
            css.append(f"body:has(#f-{cid}:checked) details.failure:not(.{cid}){{display:none}}")
        html.append("</fieldset>")
    html.append("</section>")
    return "".join(html), "\n".join(css)


def render(manifest: dict[str, Any], results: list[dict[str, Any]], lang: str = "fr") -> str:
    summary = summarize(results)
    dims = summary["dimensions"]
    main = [d for d in MAIN_DIMS if d in dims]
    tone = [d for d in TONE_DIMS if d in dims]
    run_id = str(manifest.get("run_id", ""))
    th = manifest.get("thresholds")
    gate_html = ""
    if th:
        cls = "ok" if th["passed"] else "bad"
        items = "".join(f"<li data-value>{escape(v)}</li>" for v in th["violations"])
        gate_html = (_m("report.gate.passed" if th["passed"] else "report.gate.failed", lang, "p", cls,
                        file=th["file"]).replace("<p ", '<p id="gate" ', 1) + (f"<ul>{items}</ul>" if items else ""))
    timings = manifest.get("timings") or {}
    versions = manifest.get("versions") or {}
    snap = manifest.get("snapshot") or {}
    cards = [("report.card.cases", summary["cases"], ""), ("report.card.passed", summary["passed"], "ok"),
             ("report.card.sendable", summary["sendable"], ""),
             ("report.card.errors", summary["errors"], "bad" if summary["errors"] else "")]
    if "compliance_sendable" in dims:
        cards.append(("report.card.compliance", _pct(dims["compliance_sendable"]["pass_rate"]), "ok"))
    card_html = "".join(f'<div class="card"><b class="{c}" data-value>{escape(str(v))}</b>{_m(k, lang)}</div>'
                        for k, v, c in cards)
    note = lambda d: t("report.chart.note", lang, mean=f"{dims[d]['mean']:.2f}", rate=_pct(dims[d]["pass_rate"]))  # noqa: E731
    charts = [bar_chart(t("report.chart.dims", lang), [(d, dims[d]["mean"], note(d)) for d in main], css_id="chart-dims")]
    if tone:
        charts.append(bar_chart(t("report.chart.tone", lang), [(d.split(".", 1)[1], dims[d]["mean"], f"{dims[d]['mean']:.2f}")
                                                               for d in tone], css_id="chart-tone"))
    charts.append(bar_chart(t("report.chart.intent", lang), [
        (k, v["overall"]["mean"], f"{v['overall']['mean']:.2f} · n={v['overall']['n']}")
        for k, v in summary["by_intent"].items() if "overall" in v], css_id="chart-intent"))
    charts.append(grouped_chart(t("report.chart.lang", lang), [d for d in main if d != "compliance_sendable"],
                                summary["by_lang"], css_id="chart-lang"))
    charts.append(bar_chart(t("report.chart.channel", lang), [
        (k, v["overall"]["mean"], f"{v['overall']['mean']:.2f} · n={v['overall']['n']}")
        for k, v in summary["by_channel"].items() if "overall" in v], css_id="chart-channel"))
    rows = "".join(f"<tr><td data-value>{escape(d)}</td><td data-value>{dims[d]['n']}</td>"
                   f"<td data-value>{dims[d]['mean']:.3f}</td><td data-value>{_pct(dims[d]['pass_rate'])}</td></tr>"
                   for d in [*main, *tone])
    failures = [r for r in results if not r.get("passed")]
    filters_html, filters_css = _filters(failures, lang)
    fail_html = "".join(_failure(r, lang) for r in failures) or _m("report.failures.none", lang, "p", "ok")
    scored = {d: v for d, v in dims.items() if d in MAIN_DIMS and d != "overall"}
    if summary["cases"] and scored:
        worst = min(scored, key=lambda d: scored[d]["mean"])
        summary_html = _m("report.summary.text", lang, "p", cases=summary["cases"], passed=summary["passed"],
                          failed=len(failures), errors=summary["errors"], worst=worst,
                          mean=f"{scored[worst]['mean']:.2f}")
    else:
        summary_html = _m("report.summary.none", lang, "p")
    ev = ", ".join(f"{k}@{v}" for k, v in (manifest.get("evaluators") or {}).items())
    notices = "".join(f"<li data-value>{escape(n)}</li>" for n in manifest.get("notices") or [])
    other, other_file = ("en", "report.en.html") if lang == "fr" else ("fr", REPORT)
    replay = t("report.meta.replay", lang, run=manifest["replay_of"]) if manifest.get("replay_of") else ""
    meta = [_m("report.meta.run", lang, status=manifest.get("status"), backend=" ".join(
                str(x) for x in (manifest.get("backend"), manifest.get("model")) if x), as_of=manifest.get("as_of"),
               datasets=", ".join(Path(p).name for p in manifest.get("datasets", [])),
               sha=str(manifest.get("dataset_sha256", ""))[:12]),
            _m("report.meta.versions", lang, library=versions.get("library"), guard=versions.get("guard_policy"),
               plan=versions.get("plan_policy"), evaluators=ev),
            _m("report.meta.timing", lang, seconds=timings.get("seconds"), prepare=timings.get("prepare_seconds", 0),
               rate=timings.get("cases_per_s"), mean=timings.get("mean_case_ms"))]
    if snap:
        meta.insert(1, _m("report.meta.snapshot", lang, as_of=snap.get("as_of", ""),
                          sha=str(snap.get("sha256", ""))[:12], replay=replay))
    nav = "".join(f'<a href="#{a}">{_m(k, lang)}</a>' for a, k in (
        ("summary", "report.nav.summary"), ("scores", "report.nav.scores"), ("dimensions", "report.nav.dimensions"),
        ("failures", "report.nav.failures")))
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{escape(t("report.title", lang, run=run_id))}</title><style>{CSS}
{filters_css}</style></head>
<body><nav class="top">{nav}<a href="{other_file}" hreflang="{other}" id="other-lang">{_m("report.other_lang", lang)}</a></nav><main>
<h1>{_m("report.title", lang, run=run_id)}</h1>
<p class="meta">{"<br>".join(meta)}</p>
{gate_html}{f"<ul>{notices}</ul>" if notices else ""}
<h2 id="summary">{_m("report.summary.title", lang)}</h2>{summary_html}
<div class="cards">{card_html}</div>
<h2 id="scores">{_m("report.nav.scores", lang)}</h2><div class="charts">{"".join(charts)}</div>
<h2 id="dimensions">{_m("report.nav.dimensions", lang)}</h2><div class="tablewrap"><table id="dims"><thead><tr>
<th>{_m("report.table.dimension", lang)}</th><th>{_m("report.table.n", lang)}</th><th>{_m("report.table.mean", lang)}</th>
<th>{_m("report.table.pass_rate", lang)}</th></tr></thead><tbody>{rows}</tbody></table></div>
<h2 id="failures">{_m("report.failures.title", lang, n=len(failures))}</h2>
{_m("report.failures.hint", lang, "p", "meta")}
{filters_html if failures else ""}
{fail_html}
</main></body></html>
"""


def write_report(run_dir: Path) -> Path:
    """``report.html`` (French) and ``report.en.html`` (English); returns the French one's path."""
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    results = read_results(run_dir / RESULTS)
    path = run_dir / REPORT
    path.write_text(render(manifest, results, "fr"), encoding="utf-8")
    (run_dir / "report.en.html").write_text(render(manifest, results, "en"), encoding="utf-8")
    return path
