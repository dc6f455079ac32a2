/* Amiable agent console: vanilla JS, no build. The API key lives in sessionStorage only.
 *
 * Every text comes from the message catalogue (GET /v1/ui/messages?lang=fr|en, prompts/ui/*.yaml): an element
 * showing a catalogue message carries data-msg="<key>", an element showing data (names, amounts, dates, draft
 * text, guideline titles) carries data-value. tests/browser/catalogue_check.py relies on both marks.
 * Loaded content is kept in `state` and re-rendered when the language changes. */
(function () {
  "use strict";
  var bundles = {};
  var lang = sessionStorage.getItem("amiable.lang") === "en" ? "en" : "fr";
  var CODED = { channel: "cadence.channel.", fallback: "cadence.channel.", message_type: "cadence.type." };
  var HISTORY_CHARS = 120, PREVIEW_CHARS = 140;
  var state;
  function reset() {
    state = { debtor: null, conv: null, draft: null, revision: 0, results: null, file: null, history: null,
              cadence: null, thread: [], blocked: null, status: null, loginHint: "console.key_hint" };
  }
  reset();
  var $ = function (id) { return document.getElementById(id); };

  // ------------------------------------------------------------------ catalogue
  function has(key) { return !!(bundles[lang] && Object.prototype.hasOwnProperty.call(bundles[lang], key)); }
  function msg(key, vals) {
    var tpl = has(key) ? bundles[lang][key] : key;
    vals = vals || {};
    return tpl.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (m, name) {
      if (m === "{{") { return "{"; }
      if (m === "}}") { return "}"; }
      return Object.prototype.hasOwnProperty.call(vals, name) ? String(vals[name]) : m;
    });
  }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else if (k === "cls") { e.className = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function m(tag, key, vals, attrs) {  // an element showing one catalogue message
    var a = attrs || {}; a["data-msg"] = key; a.text = msg(key, vals); return el(tag, a);
  }
  function v(tag, text, attrs) {  // an element showing a data value
    var a = attrs || {}; a["data-value"] = ""; a.text = text == null ? "" : String(text); return el(tag, a);
  }
  function coded(prefix, code) { return m("span", has(prefix + code) ? prefix + code : "console.unknown"); }
  function fill(id, nodes) {
    var e = $(id); e.textContent = "";
    nodes.forEach(function (n) { e.appendChild(typeof n === "string" ? document.createTextNode(n) : n); });
    return e;
  }
  function money(c) { return (c / 100).toLocaleString(lang === "fr" ? "fr-FR" : "en-GB", { style: "currency", currency: "EUR" }); }
  function cut(text, n) { text = String(text || ""); return text.length > n ? text.slice(0, n).replace(/\s+$/, "") + "…" : text; }
  function reasonText(r) {
    var vals = {};
    Object.keys(r.values || {}).forEach(function (k) {
      vals[k] = CODED[k] && has(CODED[k] + r.values[k]) ? msg(CODED[k] + r.values[k]) : r.values[k];
    });
    return { key: "cadence.reason." + r.code, vals: vals };
  }

  function loadBundle(lg) {
    if (bundles[lg]) { return Promise.resolve(); }
    return fetch("/v1/ui/messages?lang=" + lg).then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (b) { bundles[lg] = b; }).catch(function () { bundles[lg] = {}; });
  }

  function applyLang() {
    document.documentElement.lang = lang;
    document.title = msg("console.title");
    document.querySelectorAll("[data-i18n]").forEach(function (e) { e.textContent = msg(e.dataset.i18n); e.dataset.msg = e.dataset.i18n; });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (e) { e.placeholder = msg(e.dataset.i18nPlaceholder); });
    $("lang-toggle").textContent = msg("console.lang_toggle");
    $("lang-toggle").setAttribute("aria-label", msg("console.lang_toggle_label"));
    fill("key-hint", [m("span", state.loginHint)]);
    renderAll();
  }
  function renderAll() { renderResults(); renderFile(); renderThread(); if (state.draft) { renderDraft(); } renderStatus(); }

  function setStatus(key, vals, kind) { state.status = key ? { key: key, vals: vals || {}, kind: kind || "" } : null; renderStatus(); }
  function renderStatus() {
    var s = $("status"), st = state.status;
    s.textContent = ""; s.className = st ? st.kind : "";
    if (st) { s.appendChild(m("span", st.key, st.vals)); }
  }

  function api(method, path, body) {
    var opts = { method: method, headers: { "Authorization": "Bearer " + sessionStorage.getItem("amiable.key") } };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 401) { showLogin("console.bad_key"); }
        if (!r.ok) { var e = new Error(data.detail || r.statusText); e.status = r.status; e.body = data; throw e; }
        return data;
      });
    });
  }
  function onError(e) {
    var st = e.status, b = e.body || {};
    if (!(e instanceof Error) || (st === undefined && !(e instanceof TypeError && /fetch/i.test(e.message)))) {
      setTimeout(function () { throw e; }, 0);  // a bug, not a network failure: report it as a page error
    }
    if (st === 401) { return; }
    if (st === 409) { setStatus("console.error.conflict", {}, "error"); }
    else if (st === 404) { setStatus("console.error.not_found", {}, "error"); }
    else if (st === 403) { setStatus("console.error.forbidden", {}, "error"); }
    else if ((st === 413 || st === 422) && b.limit) { setStatus("common.error.too_long", { limit: b.limit }, "error"); }
    else if (st === 413 || st === 422 || st === 400) { setStatus("console.error.invalid", {}, "error"); }
    else if (st === 429) { setStatus("console.error.rate", {}, "error"); }
    else if (!st) { setStatus("console.error.network", {}, "error"); }
    else { setStatus("common.error.generic", {}, "error"); }
  }

  // Sign-out, "change key" and a refused key wipe every debtor datum from the page and from memory.
  var CLEAR_TEXT = ["results", "file-title", "file-summary", "cadence", "history", "thread", "verdict", "draft-text",
                    "draft-meta", "findings", "citations", "options", "next-action", "status"];
  var CLEAR_VALUE = ["final-text", "message", "instruction", "search", "api-key"];
  function clearAll() {
    reset();
    CLEAR_TEXT.forEach(function (id) { var e = $(id); if (e) { e.textContent = ""; } });
    CLEAR_VALUE.forEach(function (id) { var e = $(id); if (e) { e.value = ""; } });
    ["file-panel", "chat-panel", "draft-panel"].forEach(function (id) { var e = $(id); if (e) { e.hidden = true; } });
  }
  function showLogin(hintKey) {
    sessionStorage.removeItem("amiable.key");
    clearAll();
    state.loginHint = hintKey || "console.key_hint";
    fill("key-hint", [m("span", state.loginHint)]);
    $("app").hidden = true; $("login").hidden = false;
  }
  function showApp() { $("login").hidden = true; $("app").hidden = false; search(""); }

  // ------------------------------------------------------------------ debtors
  function renderResults() {
    var r = state.results, ul = $("results");
    ul.textContent = "";
    if (!r) { return; }
    if (!r.rows.length) { ul.appendChild(el("li", {}, [m("span", "console.none")])); return; }
    r.rows.forEach(function (d) {
      var extra = el("small");
      if (r.mode === "queue") {
        var rec = d.recommendation;
        extra.appendChild(rec.date ? v("span", rec.date) : m("span", "console.no_date"));
        extra.appendChild(document.createTextNode(" · ")); extra.appendChild(coded("cadence.type.", rec.message_type));
        if (rec.channel) { extra.appendChild(document.createTextNode(" · ")); extra.appendChild(coded("cadence.channel.", rec.channel)); }
      } else {
        extra.appendChild(v("span", money(d.balance_cents)));
        extra.appendChild(document.createTextNode(" · ")); extra.appendChild(m("span", "console.dpd", { days: d.days_past_due }));
        d.flags.forEach(function (f) { extra.appendChild(document.createTextNode(" · ")); extra.appendChild(coded("console.flag.", f)); });
      }
      var id = r.mode === "queue" ? d.debtor_id : d.id;
      var b = el("button", { type: "button", "data-debtor": id }, [v("strong", id), " ", v("span", d.name), extra]);
      b.addEventListener("click", function () { openDebtor(id); });
      ul.appendChild(el("li", {}, [b]));
    });
  }
  function search(q) {
    api("GET", "/v1/debtors?q=" + encodeURIComponent(q)).then(function (rows) {
      state.results = { mode: "search", rows: rows }; renderResults();
    }).catch(onError);
  }
  function queue() {
    api("GET", "/v1/queue").then(function (rows) { state.results = { mode: "queue", rows: rows }; renderResults(); }).catch(onError);
  }

  function renderFile() {
    var f = state.file, c = state.cadence;
    if (!f) { return; }
    fill("file-title", [v("span", f.id + " — " + f.name)]);
    var flags = el("p", {}, f.flags.map(function (x) { return coded("console.flag.", x); }));
    flags.querySelectorAll("span").forEach(function (s) { s.className = "flag"; });
    var summary = [el("p", {}, [v("span", f.creditor.name), " · ", v("span", f.reference)]),
                   el("p", {}, [m("strong", "console.balance", { amount: money(f.signals.balance_cents) }), " · ",
                                m("span", "console.dpd", { days: f.signals.days_past_due })]), flags];
    if (f.notes) { summary.push(m("p", "console.notes", { notes: f.notes }, { cls: "notes" })); }
    fill("file-summary", summary);
    if (c) {
      var line = el("p", {}, [c.date ? m("strong", "console.next", { date: c.date }) : m("strong", "console.no_date"), " · ",
                              coded("cadence.type.", c.message_type)]);
      if (c.channel) { line.appendChild(document.createTextNode(" · ")); line.appendChild(coded("cadence.channel.", c.channel)); }
      var reasons = el("ul", { cls: "hint reasons" }, (c.reason_codes || []).map(function (r) {
        var x = reasonText(r); return m("li", x.key, x.vals); }));
      var nodes = [line, reasons];
      if (c.escalation && c.escalation.suggested && c.escalation.reason_code) {
        var e = reasonText(c.escalation.reason_code);
        nodes.push(m("p", "console.escalation", { reason: msg(e.key, e.vals) }, { cls: "notes" }));
      }
      fill("cadence", nodes);
    }
    renderHistory();
  }
  function renderHistory() {
    var h = state.history;
    if (!h) { return; }
    if (!h.contacts.length) { fill("history", [el("li", {}, [m("span", "console.history_empty")])]); return; }
    fill("history", h.contacts.map(function (x) {
      return el("li", {}, [v("span", x.at.slice(0, 10)), " · ", coded("cadence.channel.", x.channel), " · ",
                           coded("console.direction.", x.direction), " — ",
                           v("span", cut(x.summary, HISTORY_CHARS), { title: x.summary || "", cls: "summary" })]);
    }));
  }

  function openDebtor(id) {
    state.debtor = id; state.draft = null; state.revision = 0; state.thread = []; state.blocked = null;
    $("draft-panel").hidden = true; $("thread").textContent = ""; setStatus(null);
    var base = "/v1/debtors/" + encodeURIComponent(id);
    Promise.all([api("GET", base), api("GET", base + "/history"), api("GET", base + "/cadence"),
                 api("POST", "/v1/conversations", { debtor_id: id })]).then(function (res) {
      state.file = res[0]; state.history = res[1]; state.cadence = res[2]; state.conv = res[3].id;
      $("file-panel").hidden = false; $("chat-panel").hidden = false;
      renderFile();
    }).catch(onError);
  }
  function openHistory() {
    api("GET", "/v1/debtors/" + encodeURIComponent(state.debtor) + "/history").then(function (h) {
      state.history = h; renderHistory(); }).catch(onError);
  }

  // ------------------------------------------------------------------ drafts
  function ruleKey(f) { return has("guard.rule." + f.rule_id) ? "guard.rule." + f.rule_id : "guard.rule.unknown"; }
  function highlight(text, findings) {
    var box = el("div", { "data-value": "" });
    var spans = (findings || []).filter(function (f) { return f.span; }).sort(function (a, b) { return a.span.start - b.span.start; });
    var pos = 0;
    spans.forEach(function (f, i) {
      if (f.span.start < pos || f.span.end > text.length) { return; }
      var tip = msg(ruleKey(f)) + (f.rewording ? " — " + msg("console.rewording", { text: f.rewording }) : "");
      box.appendChild(document.createTextNode(text.slice(pos, f.span.start)));
      box.appendChild(el("mark", { cls: "finding " + f.severity, "data-rule": f.rule_id, title: tip },
                         [el("a", { href: "#finding-" + i, text: text.slice(f.span.start, f.span.end) })]));
      pos = f.span.end;
    });
    box.appendChild(document.createTextNode(text.slice(pos)));
    return box;
  }
  function renderGuard(text, guard) {
    var verdict = $("verdict");
    verdict.textContent = msg("guard.verdict." + guard.verdict); verdict.dataset.msg = "guard.verdict." + guard.verdict;
    verdict.className = "badge " + guard.verdict; verdict.dataset.verdict = guard.verdict;
    fill("draft-text", [highlight(text, guard.findings)]);
    fill("findings", (guard.findings || []).map(function (f, i) {
      var li = el("li", { id: "finding-" + i, "data-rule": f.rule_id },
                  [m("span", "guard.severity." + f.severity, {}, { cls: "badge " + f.severity }), " ", m("span", ruleKey(f)), " ",
                   v("em", "(" + (f.legal_basis || "") + ")")]);
      if (f.rewording) { li.appendChild(m("div", "console.rewording", { text: f.rewording }, { cls: "rewording" })); }
      return li;
    }));
  }
  function renderDraft() {
    var d = state.draft;
    $("draft-panel").hidden = false;
    if (state.blocked) { renderGuard(state.blocked.text, state.blocked.guard); } else { renderGuard(d.text, d.guard); }
    var meta = $("draft-meta");
    meta.dataset.lang = d.language; meta.dataset.status = d.status || ""; meta.dataset.revision = String(state.revision);
    var parts = [coded("common.lang.", d.language), " · ", coded("cadence.channel.", d.channel)];
    if (d.intent) { parts.push(" · ", coded("console.intent.", d.intent)); }
    parts.push(" · ", m("span", "console.version", { n: state.revision }));
    if (d.status) { parts.push(" · ", coded("console.status.", d.status)); }
    fill("draft-meta", parts);
    fill("citations", (d.citations || []).map(function (c) {
      return el("li", { id: "cite-" + c.id }, [el("details", {}, [
        el("summary", {}, [v("a", c.title, { href: "#cite-" + c.id }), " ", v("small", "(" + c.lang + "/" + c.page + ")")]),
        v("blockquote", c.excerpt)])]);
    }));
    var opts = d.plan_options || [];
    $("options-title").hidden = !opts.length; $("options").hidden = !opts.length;
    fill("options", opts.map(function (o) {
      var kind = has("console.plan.kind." + o.kind) ? msg("console.plan.kind." + o.kind) : msg("console.unknown");
      var li = el("li", { "data-option": o.id, cls: o.id === d.chosen_option_id ? "chosen" : "" }, [
        o.count > 1 ? m("span", "console.plan.option", { kind: kind, count: o.count, amount: money(o.instalment_cents) })
                    : m("span", "console.plan.option_once", { kind: kind, amount: money(o.total_cents) })]);
      if (o.discount_cents > 0) { li.appendChild(document.createTextNode(" · ")); li.appendChild(m("span", "console.plan.discount", { amount: money(o.discount_cents) })); }
      if (o.id === d.chosen_option_id) { li.appendChild(document.createTextNode(" · ")); li.appendChild(m("span", "console.plan.chosen")); }
      return li;
    }));
    var na = d.next_action, naKey = na && has("console.next_action." + na.code) ? "console.next_action." + na.code : null;
    fill("next-action", naKey ? [na.due_date ? m("span", "console.next_action_due", { label: msg(naKey), date: na.due_date })
                                             : m("span", "console.next_action", { label: msg(naKey) })] : []);
  }
  function renderThread() {
    fill("thread", state.thread.map(function (x) {
      if (x.kind === "debtor") { return v("div", x.text, { cls: "msg debtor" }); }
      if (x.kind === "instruction") {
        return m("div", "console.thread.instruction", { instruction: x.key ? msg(x.key) : x.text }, { cls: "msg instruction" });
      }
      return m("div", "console.thread.draft", { n: x.n, text: cut(x.text, PREVIEW_CHARS) }, { cls: "msg assistant" });
    }));
  }
  function showDraft(d, revision) {
    state.draft = d; state.revision = revision; state.blocked = null;
    $("final-text").value = d.text;
    state.thread.push({ kind: "draft", n: revision, text: d.text });
    renderThread(); renderDraft();
  }
  function busy(on) { document.querySelectorAll("#chat-panel button").forEach(function (b) { b.disabled = on; }); }

  function postMessage(text) {
    state.thread.push({ kind: "debtor", text: text }); renderThread(); busy(true); setStatus("console.working");
    api("POST", "/v1/conversations/" + state.conv + "/messages", { message: text })
      .then(function (d) { showDraft(d, 1); setStatus(null); }).catch(onError).finally(function () { busy(false); });
  }
  function revise(instr, key) {
    if (!state.draft) { return; }
    state.thread.push({ kind: "instruction", key: key || null, text: instr }); renderThread(); busy(true); setStatus("console.working");
    api("POST", "/v1/drafts/" + state.draft.id + "/revise", { instruction: instr })
      .then(function (d) {
        showDraft(d, state.revision + 1);
        if (d.instruction_understood === false) { setStatus("console.instruction_unknown", {}, "error"); } else { setStatus(null); }
      }).catch(onError).finally(function () { busy(false); });
  }
  function decide(action) {
    if (!state.draft) { return; }
    var text = $("final-text").value; busy(true);
    api("POST", "/v1/drafts/" + state.draft.id + "/" + action, { version: state.draft.version, text: text })
      .then(function (d) {
        var keep = { citations: state.draft.citations, plan_options: state.draft.plan_options, chosen_option_id: state.draft.chosen_option_id,
                     next_action: state.draft.next_action, intent: state.draft.intent };
        Object.keys(keep).forEach(function (k) { if (d[k] === undefined) { d[k] = keep[k]; } });
        state.draft = d; state.blocked = null; renderDraft();
        setStatus(action === "send" ? "console.sent" : "console.approved", {}, "ok");
        if (action === "send") { openHistory(); }
      }).catch(function (e) {
        if (e.status === 422 && e.body && e.body.findings) {
          state.blocked = { text: text, guard: { verdict: e.body.verdict, findings: e.body.findings } };
          renderDraft(); setStatus("console.blocked", {}, "error");
        } else { onError(e); }
      }).finally(function () { busy(false); });
  }

  // ------------------------------------------------------------------ wiring
  document.addEventListener("DOMContentLoaded", function () {
    loadBundle(lang).then(function () {
      loadBundle(lang === "fr" ? "en" : "fr");  // the other language ahead of a toggle
      applyLang();
      if (sessionStorage.getItem("amiable.key")) { showApp(); } else { showLogin(); }
    });
    $("lang-toggle").addEventListener("click", function () {
      var next = lang === "fr" ? "en" : "fr";
      loadBundle(next).then(function () { lang = next; sessionStorage.setItem("amiable.lang", lang); applyLang(); });
    });
    $("logout").addEventListener("click", function () { showLogin(); });
    $("key-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); sessionStorage.setItem("amiable.key", $("api-key").value.trim()); $("api-key").value = "";
      state.loginHint = "console.key_hint"; showApp();
    });
    $("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); search($("search").value); });
    $("queue-btn").addEventListener("click", queue);
    $("message-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); var x = $("message").value.trim(); if (x) { postMessage(x); $("message").value = ""; }
    });
    document.querySelectorAll(".quick").forEach(function (b) { b.addEventListener("click", function () { revise(b.dataset.instr, b.dataset.i18n); }); });
    $("revise-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); var x = $("instruction").value.trim(); if (x) { revise(x, null); $("instruction").value = ""; }
    });
    $("approve-btn").addEventListener("click", function () { decide("approve"); });
    $("send-btn").addEventListener("click", function () { decide("send"); });
  });
})();
