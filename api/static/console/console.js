/* Amiable agent console: vanilla JS, no build. The API key lives in sessionStorage only. */
(function () {
  "use strict";
  var T = {
    fr: { subtitle: "console agent", logout: "Changer de clé", keyLabel: "Clé API (amk_…)", keySave: "Se connecter",
      keyHint: "La clé reste dans cet onglet (sessionStorage) et n'est jamais enregistrée ailleurs.",
      searchPh: "Nom, référence ou D001", search: "Chercher", queue: "File de travail", history: "Historique",
      messageLabel: "Ce que le débiteur a écrit", draft: "Proposer une réponse", shorter: "Plus court",
      inEnglish: "En anglais", inFrench: "En français", sixMonths: "Proposer 6 mois", kinder: "Plus empathique",
      instrPh: "Autre consigne…", revise: "Réviser", finalLabel: "Texte final (modifiable)", approve: "Approuver",
      send: "Envoyer", citations: "Sources (guides internes)", options: "Options d'échéancier",
      balance: "Solde", dpd: "jours de retard", next: "Prochain contact", escalation: "Suggestion interne",
      working: "Rédaction…", approved: "Approuvé.", sent: "Envoyé et enregistré dans l'historique.",
      blocked: "Refusé par le contrôle de conformité : reformulez le passage surligné.", badKey: "Clé refusée.",
      nextAction: "Action suivante", conflict: "Conflit : ", none: "Aucun résultat", rewording: "Reformulation : ",
      notes: "Notes internes" },
    en: { subtitle: "agent console", logout: "Change key", keyLabel: "API key (amk_…)", keySave: "Sign in",
      keyHint: "The key stays in this tab (sessionStorage) and is never stored elsewhere.",
      searchPh: "Name, reference or D001", search: "Search", queue: "Work queue", history: "History",
      messageLabel: "What the debtor wrote", draft: "Draft a reply", shorter: "Shorter", inEnglish: "In English",
      inFrench: "In French", sixMonths: "Offer 6 months", kinder: "More empathetic", instrPh: "Other instruction…",
      revise: "Revise", finalLabel: "Final text (editable)", approve: "Approve", send: "Send",
      citations: "Sources (internal guidelines)", options: "Plan options", balance: "Balance", dpd: "days past due",
      next: "Next contact", escalation: "Internal suggestion", working: "Drafting…", approved: "Approved.",
      sent: "Sent and recorded in the history.", blocked: "Refused by the compliance guard: reword the highlighted text.",
      badKey: "Key refused.", nextAction: "Next action", conflict: "Conflict: ", none: "No result",
      rewording: "Rewording: ", notes: "Internal notes" }
  };
  var lang = sessionStorage.getItem("amiable.lang") || "fr";
  var state = { debtor: null, conv: null, draft: null };
  var $ = function (id) { return document.getElementById(id); };
  function t(k) { return (T[lang] && T[lang][k]) || T.fr[k] || k; }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }
  function money(c) { return (c / 100).toLocaleString(lang === "fr" ? "fr-FR" : "en-GB", { style: "currency", currency: "EUR" }); }

  function applyLang() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (el) { el.placeholder = t(el.dataset.i18nPlaceholder); });
    $("lang-toggle").textContent = lang === "fr" ? "EN" : "FR";
  }

  function status(msg, kind) { var s = $("status"); s.textContent = msg || ""; s.className = kind || ""; }

  function api(method, path, body) {
    var opts = { method: method, headers: { "Authorization": "Bearer " + sessionStorage.getItem("amiable.key") } };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 401) { showLogin(t("badKey")); }
        if (!r.ok) { var e = new Error(data.detail || r.statusText); e.status = r.status; e.body = data; throw e; }
        return data;
      });
    });
  }

  // Sign-out, "change key" and a refused key wipe every debtor datum from the page and from memory.
  var CLEAR_TEXT = ["results", "file-title", "file-summary", "cadence", "history", "thread", "verdict", "draft-text",
                    "findings", "citations", "options", "next-action", "status"];
  var CLEAR_VALUE = ["final-text", "message", "instruction", "search", "api-key"];
  function clearAll() {
    state = { debtor: null, conv: null, draft: null };
    CLEAR_TEXT.forEach(function (id) { var el = $(id); if (el) { el.innerHTML = ""; } });
    CLEAR_VALUE.forEach(function (id) { var el = $(id); if (el) { el.value = ""; } });
    ["file-panel", "chat-panel", "draft-panel"].forEach(function (id) { var el = $(id); if (el) { el.hidden = true; } });
  }

  function showLogin(msg) {
    sessionStorage.removeItem("amiable.key");
    clearAll();
    $("app").hidden = true; $("login").hidden = false;
    if (msg) { $("key-form").querySelector(".hint").textContent = msg; }
  }
  function showApp() { $("login").hidden = true; $("app").hidden = false; search(""); }

  // ------------------------------------------------------------------ debtors
  function listItems(items) {
    var ul = $("results"); ul.innerHTML = "";
    if (!items.length) { ul.innerHTML = "<li>" + esc(t("none")) + "</li>"; return; }
    items.forEach(function (d) {
      var li = document.createElement("li"), b = document.createElement("button");
      b.type = "button"; b.dataset.debtor = d.id;
      b.innerHTML = "<strong>" + esc(d.id) + "</strong> " + esc(d.name) + "<small>" + esc(d.extra) + "</small>";
      b.addEventListener("click", function () { openDebtor(d.id); });
      li.appendChild(b); ul.appendChild(li);
    });
  }
  function search(q) {
    api("GET", "/v1/debtors?q=" + encodeURIComponent(q)).then(function (rows) {
      listItems(rows.map(function (d) { return { id: d.id, name: d.name, extra: money(d.balance_cents) + " · " +
        d.days_past_due + " " + t("dpd") + (d.flags.length ? " · " + d.flags.join(", ") : "") }; }));
    }).catch(function (e) { status(e.message, "error"); });
  }
  function queue() {
    api("GET", "/v1/queue").then(function (rows) {
      listItems(rows.map(function (i) { var r = i.recommendation; return { id: i.debtor_id, name: i.name,
        extra: (r.date || "") + " · " + r.message_type + (r.channel ? " · " + r.channel : "") }; }));
    }).catch(function (e) { status(e.message, "error"); });
  }

  function openDebtor(id) {
    state.debtor = id; state.draft = null; $("draft-panel").hidden = true; $("thread").innerHTML = ""; status("");
    Promise.all([api("GET", "/v1/debtors/" + encodeURIComponent(id)), api("GET", "/v1/debtors/" + encodeURIComponent(id) + "/history"),
                 api("GET", "/v1/debtors/" + encodeURIComponent(id) + "/cadence"),
                 api("POST", "/v1/conversations", { debtor_id: id })]).then(function (res) {
      var f = res[0], h = res[1], c = res[2];
      state.conv = res[3].id;
      $("file-panel").hidden = false; $("chat-panel").hidden = false;
      $("file-title").textContent = f.id + " — " + f.name;
      $("file-summary").innerHTML = "<p>" + esc(f.creditor.name) + " · " + esc(f.reference) + "</p><p><strong>" + esc(t("balance")) +
        " : " + money(f.signals.balance_cents) + "</strong> · " + f.signals.days_past_due + " " + esc(t("dpd")) + "</p><p>" +
        f.flags.map(function (x) { return "<span class='flag'>" + esc(x) + "</span>"; }).join("") + "</p>" +
        (f.notes ? "<p class='notes'><strong>" + esc(t("notes")) + " :</strong> " + esc(f.notes) + "</p>" : "");
      $("cadence").innerHTML = "<p><strong>" + esc(t("next")) + " :</strong> " + esc(c.date || "—") + " · " + esc(c.message_type) +
        (c.channel ? " · " + esc(c.channel) : "") + "</p><p class='hint'>" + esc(c.reasons.join(" ; ")) + "</p>" +
        (c.escalation && c.escalation.suggested ? "<p class='notes'>" + esc(t("escalation")) + " : " + esc(c.escalation.reason) + "</p>" : "");
      $("history").innerHTML = h.contacts.map(function (x) { return "<li>" + esc(x.at.slice(0, 10)) + " · " + esc(x.channel) + " · " +
        esc(x.direction) + " — " + esc(x.summary) + "</li>"; }).join("");
    }).catch(function (e) { status(e.message, "error"); });
  }

  // ------------------------------------------------------------------ drafts
  function highlight(text, findings) {
    var spans = (findings || []).filter(function (f) { return f.span; }).sort(function (a, b) { return a.span.start - b.span.start; });
    var out = "", pos = 0;
    spans.forEach(function (f, i) {
      if (f.span.start < pos || f.span.end > text.length) { return; }
      var tip = f.explanation + (f.rewording ? " — " + t("rewording") + f.rewording : "");
      out += esc(text.slice(pos, f.span.start)) + "<mark class='finding " + esc(f.severity) + "' data-rule='" + esc(f.rule_id) +
        "' title='" + esc(tip) + "'><a href='#finding-" + i + "'>" + esc(text.slice(f.span.start, f.span.end)) + "</a></mark>";
      pos = f.span.end;
    });
    return out + esc(text.slice(pos));
  }
  function renderFindings(findings) {
    $("findings").innerHTML = (findings || []).map(function (f, i) {
      return "<li id='finding-" + i + "'><span class='badge " + esc(f.severity) + "'>" + esc(f.severity) + "</span> <code>" +
        esc(f.rule_id) + "</code> " + esc(f.explanation) + " <em>(" + esc(f.legal_basis) + ")</em>" +
        (f.rewording ? "<div class='rewording'>" + esc(t("rewording")) + esc(f.rewording) + "</div>" : "") + "</li>";
    }).join("");
  }
  function renderGuard(text, guard) {
    $("verdict").textContent = guard.verdict; $("verdict").className = "badge " + guard.verdict;
    $("draft-text").innerHTML = highlight(text, guard.findings);
    renderFindings(guard.findings);
  }
  function renderDraft(d) {
    state.draft = d;
    $("draft-panel").hidden = false;
    renderGuard(d.text, d.guard);
    $("draft-meta").textContent = d.language + " · " + d.channel + " · " + d.intent + " · v" + d.version + " · " + d.status;
    $("final-text").value = d.text;
    $("citations").innerHTML = (d.citations || []).map(function (c) {
      return "<li id='cite-" + esc(c.id) + "'><details><summary><a href='#cite-" + esc(c.id) + "'>" + esc(c.title) + "</a> <small>(" +
        esc(c.lang) + "/" + esc(c.page) + ")</small></summary><blockquote>" + esc(c.excerpt) + "</blockquote></details></li>";
    }).join("");
    $("options").innerHTML = (d.plan_options || []).map(function (o) {
      return "<li" + (o.id === d.chosen_option_id ? " class='chosen'" : "") + ">" + esc(o.count) + " × " + money(o.instalment_cents) +
        " (" + esc(o.id) + ")</li>"; }).join("");
    $("next-action").textContent = d.next_action ? t("nextAction") + " : " + d.next_action.label : "";
    var m = document.createElement("div"); m.className = "msg assistant"; m.textContent = "✉ " + d.text.slice(0, 140) + "…";
    $("thread").appendChild(m);
  }
  function busy(on) { document.querySelectorAll("#chat-panel button").forEach(function (b) { b.disabled = on; }); }
  function addMsg(kind, text) { var m = document.createElement("div"); m.className = "msg " + kind; m.textContent = text; $("thread").appendChild(m); }

  function postMessage(text) {
    addMsg("debtor", text); busy(true); status(t("working"));
    api("POST", "/v1/conversations/" + state.conv + "/messages", { message: text })
      .then(function (d) { renderDraft(d); status(""); }).catch(onError).finally(function () { busy(false); });
  }
  function revise(instr) {
    if (!state.draft) { return; }
    addMsg("instruction", instr); busy(true); status(t("working"));
    api("POST", "/v1/drafts/" + state.draft.id + "/revise", { instruction: instr })
      .then(function (d) { renderDraft(d); status(""); }).catch(onError).finally(function () { busy(false); });
  }
  function decide(action) {
    if (!state.draft) { return; }
    var text = $("final-text").value; busy(true);
    api("POST", "/v1/drafts/" + state.draft.id + "/" + action, { version: state.draft.version, text: text })
      .then(function (d) {
        state.draft = d; renderGuard(d.text, d.guard);
        $("draft-meta").textContent = d.language + " · " + d.channel + " · v" + d.version + " · " + d.status;
        status(action === "send" ? t("sent") : t("approved"), "ok");
        if (action === "send") { openHistory(); }
      }).catch(function (e) {
        if (e.status === 422 && e.body && e.body.findings) {
          renderGuard(text, { verdict: e.body.verdict, findings: e.body.findings });
          status(t("blocked"), "error");
        } else { onError(e); }
      }).finally(function () { busy(false); });
  }
  function openHistory() {
    api("GET", "/v1/debtors/" + encodeURIComponent(state.debtor) + "/history").then(function (h) {
      $("history").innerHTML = h.contacts.map(function (x) { return "<li>" + esc(x.at.slice(0, 10)) + " · " + esc(x.channel) + " · " +
        esc(x.direction) + " — " + esc(x.summary.slice(0, 120)) + "</li>"; }).join("");
    });
  }
  function onError(e) { status((e.status === 409 ? t("conflict") : "") + e.message, "error"); }

  // ------------------------------------------------------------------ wiring
  document.addEventListener("DOMContentLoaded", function () {
    applyLang();
    $("lang-toggle").addEventListener("click", function () { lang = lang === "fr" ? "en" : "fr"; sessionStorage.setItem("amiable.lang", lang); applyLang(); });
    $("logout").addEventListener("click", function () { sessionStorage.removeItem("amiable.key"); showLogin(); });
    $("key-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); sessionStorage.setItem("amiable.key", $("api-key").value.trim()); $("api-key").value = ""; showApp();
    });
    $("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); search($("search").value); });
    $("queue-btn").addEventListener("click", queue);
    $("message-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); var v = $("message").value.trim(); if (v) { postMessage(v); $("message").value = ""; }
    });
    document.querySelectorAll(".quick").forEach(function (b) { b.addEventListener("click", function () { revise(b.dataset.instr); }); });
    $("revise-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); var v = $("instruction").value.trim(); if (v) { revise(v); $("instruction").value = ""; }
    });
    $("approve-btn").addEventListener("click", function () { decide("approve"); });
    $("send-btn").addEventListener("click", function () { decide("send"); });
    if (sessionStorage.getItem("amiable.key")) { showApp(); } else { showLogin(); }
  });
})();
