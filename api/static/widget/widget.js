/* Amiable debtor widget: vanilla JS, no build step. The token comes from the URL fragment (#t=...). */
(function () {
  "use strict";

  /* Every text comes from the message catalogue (prompts/ui/widget.yaml), served beside the page (GET /widget/texts.json?lang=). */
  var TEXTS = { fr: null, en: null };

  var state = { token: "", lang: "fr", file: null, options: [], selected: null, proposal: null, capacity: null,
                idemKey: null, missedRule: "", bounds: null, screen: "screen-loading", busy: false };

  function $(id) { return document.getElementById(id); }
  function t(key, vars) {
    var full = key.indexOf(".") >= 0 ? key : "widget.page." + key;
    var bundle = TEXTS[state.lang] || TEXTS.fr || {};
    var s = bundle[full];
    if (s === undefined) { return ""; }  // never show a raw key
    if (vars) { Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); }); }
    return s;
  }
  function loadTexts(lang) {
    if (TEXTS[lang]) { return Promise.resolve(); }
    return fetch("texts.json?lang=" + lang, { credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" })
      .then(function (r) { return r.json(); })
      .then(function (data) { TEXTS[lang] = data.messages || {}; });
  }
  function euros(cents) {
    var n = cents / 100; // display only: amounts are computed in integer cents by the server
    return new Intl.NumberFormat(state.lang === "en" ? "en-GB" : "fr-FR", { style: "currency", currency: "EUR" }).format(n);
  }
  function fdate(iso) {
    var p = iso.split("-");
    var d = new Date(Date.UTC(+p[0], +p[1] - 1, +p[2]));
    return new Intl.DateTimeFormat(state.lang === "en" ? "en-GB" : "fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(d);
  }
  function parseCents(text) {
    var s = String(text || "").trim().replace(/[\s\u202f\u00a0€]/g, "").replace(",", ".");
    if (!/^\d{1,9}(\.\d{1,2})?$/.test(s)) { return null; }
    var parts = s.split(".");
    var cents = parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
    return cents > 0 ? cents : null;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function applyI18n() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.getAttribute("data-i18n")); });
    document.title = t("file_title");
  }
  /* Every action starts from a clean page: no earlier banner, notice or field error stays behind. */
  function clearMessages() {
    setStatus("");
    document.querySelectorAll(".err").forEach(function (e) { e.hidden = true; e.textContent = ""; });
    document.querySelectorAll("[aria-invalid]").forEach(function (e) { e.removeAttribute("aria-invalid"); });
    $("proposal-result").hidden = true; $("proposal-msg").textContent = "";
  }

  function show(id, focus) {
    state.screen = id;
    document.querySelectorAll("[data-screen]").forEach(function (s) { s.hidden = s.id !== id; });
    setStatus("");
    var h = $(id).querySelector("h1");
    if (focus !== false && h) { h.setAttribute("tabindex", "-1"); h.focus(); }
  }
  function setStatus(msg) { $("status").textContent = msg || ""; }

  function clearErrors(form) {
    form.querySelectorAll(".err").forEach(function (e) { e.hidden = true; e.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (e) { e.removeAttribute("aria-invalid"); });
  }
  function fieldError(inputId, msg) {
    var input = $(inputId), err = $(inputId + "-err");
    if (input) { input.setAttribute("aria-invalid", "true"); }
    if (err) { err.textContent = msg; err.hidden = false; }
    return input;
  }

  function api(method, path, body, extraHeaders) {
    var headers = { "Authorization": "Bearer " + state.token, "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    Object.keys(extraHeaders || {}).forEach(function (k) { headers[k] = extraHeaders[k]; });
    var sep = path.indexOf("?") >= 0 ? "&" : "?";
    return fetch("../v1/widget/" + path + sep + "lang=" + state.lang, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer"
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    });
  }

  /* Map a 422 problem's field errors onto the inputs of the form (by the last element of loc). */
  function showServerErrors(res, map) {
    if (res.status === 401 || res.status === 403) { show("screen-error"); return; }
    if (res.status === 413) { setStatus(t("err_large")); return; }
    if (res.status === 429) { setStatus(t("err_busy")); return; }
    if (res.status === 409) { setStatus((res.data && res.data.detail) || t("err_conflict")); return; }
    if (res.status === 422 && res.data && Array.isArray(res.data.errors)) {
      var first = null;
      res.data.errors.forEach(function (e) {
        var loc = e.loc || [];
        var field = loc[loc.length - 1];
        var target = map && (map[field] || map["*"]);
        if (target) { var inp = fieldError(target, e.msg); first = first || inp; }
      });
      if (first) { first.focus(); return; }
      var e0 = res.data.errors[0];
      setStatus((e0 && e0.msg) || (res.data && res.data.detail) || t("err_generic"));
      return;
    }
    setStatus(t("err_generic"));
  }

  function busy(button, on) { state.busy = on; if (button) { button.disabled = on; button.setAttribute("aria-busy", on ? "true" : "false"); } }

  function scheduleTable(table, instalments) {
    table.textContent = "";
    var thead = el("thead"), tr = el("tr");
    [t("col_n"), t("col_date"), t("col_amount")].forEach(function (h) { tr.appendChild(el("th", { scope: "col" }, h)); });
    thead.appendChild(tr); table.appendChild(thead);
    var tbody = el("tbody");
    instalments.forEach(function (i) {
      var row = el("tr");
      row.appendChild(el("td", { "data-value": "" }, String(i.seq)));
      var d = el("td");
      d.appendChild(el("span", { "data-value": "" }, fdate(i.due_date)));
      if (i.status && i.status !== "due") { d.appendChild(el("span", { "class": "st" }, t("st_" + i.status))); }
      row.appendChild(d);
      row.appendChild(el("td", { "data-value": "" }, euros(i.amount_cents)));
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
  }

  function optionLabel(o) {
    if (o.count === 1) { return t("opt_full", { amount: euros(o.total_cents) }); }
    return t("opt_plan_" + o.frequency, { n: o.count, amount: euros(o.instalment_cents) });
  }
  /* One span per catalogue text (the separators are drawn by the style sheet). */
  function optionDetail(o, container) {
    var parts = [];
    if (o.count === 1) { parts.push(t("due_on", { date: fdate(o.first_due_date) })); }
    else { parts.push(t("first_last", { first: fdate(o.first_due_date), last: fdate(o.last_due_date) })); }
    if (o.discount_cents > 0) { parts.push(t("discount", { amount: euros(o.discount_cents) })); }
    parts.push(t("total_pay", { amount: euros(o.total_cents) }));
    parts.forEach(function (p) { container.appendChild(el("span", {}, p)); });
    return container;
  }
  function ledgerTable(table, head, rows) {
    table.textContent = "";
    var thead = el("thead"), tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", { scope: "col" }, h)); });
    thead.appendChild(tr); table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (cells) {
      var row = el("tr");
      cells.forEach(function (c) { row.appendChild(el("td", { "data-value": "" }, c)); });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
  }

  /* ---------------------------------------------------------------- file */
  function renderFile() {
    var f = state.file;
    $("brand").textContent = f.collector.name;
    $("file-ref").textContent = f.reference;
    $("amt-principal").textContent = euros(f.amounts.principal_cents);
    $("amt-interest").textContent = euros(f.amounts.interest_cents);
    $("amt-other").textContent = euros(f.amounts.other_cents);
    $("amt-total").textContent = euros(f.amounts.total_cents);
    $("creditor").textContent = t("widget.legal.creditor_line", { name: f.creditor.name, address: f.creditor.address });
    $("collector").textContent = t("widget.legal.collector_line", { name: f.collector.name, legal_form: f.collector.legal_form,
      address: f.collector.address, activity: f.collector.activity, phone: f.collector.phone, email: f.collector.email });
    ledgerTable($("invoices"), [t("col_invoice"), t("col_issued"), t("col_amount")], f.invoices.map(function (i) {
      return [i.number + (i.description ? " — " + i.description : ""), fdate(i.issue_date), euros(i.amount_cents)];
    }));
    $("no-payments").hidden = f.payments.length > 0;
    $("payments").hidden = f.payments.length === 0;
    ledgerTable($("payments"), [t("col_paid_on"), t("col_amount")], f.payments.map(function (p) {
      return [fdate(p.date), euros(p.amount_cents)];
    }));
    $("sum-invoiced").textContent = euros(f.amounts.invoiced_cents);
    $("sum-paid").textContent = euros(f.amounts.paid_cents);
    $("sum-total").textContent = euros(f.amounts.total_cents);
    var legal = $("legal"); legal.textContent = "";
    var L = f.legal;
    legal.appendChild(el("p", { "data-value": "" }, L.collector_statement));  // firm identity only
    legal.appendChild(el("p", {}, L.creditor_statement));
    if (L.first_letter) { legal.appendChild(el("p", {}, L.first_letter)); }
    legal.appendChild(el("h3", {}, L.l111_8_title));
    L.l111_8_paragraphs.forEach(function (p) { legal.appendChild(el("p", { lang: "fr", "data-value": "law" }, p)); });
    if (L.l111_8_explanation) { legal.appendChild(el("p", {}, L.l111_8_explanation)); }
    if (L.payment_methods.length) {  // none on a time-barred file: nothing is asked
      legal.appendChild(el("h3", {}, t("widget.legal.payment_title")));
      var ul = el("ul"); L.payment_methods.forEach(function (m) { ul.appendChild(el("li", {}, m)); }); legal.appendChild(ul);
    }
    legal.appendChild(el("p", {}, L.free_advice));
    var barred = f.status === "time_barred";  // a prescribed debt is shown, never claimed
    $("amount-title").textContent = t(barred ? "amount_title_time_barred" : "amount_title");
    $("amt-total-label").textContent = t(barred ? "total_time_barred" : "total");
    $("sum-total-label").textContent = t(barred ? "total_time_barred" : "total");
    var msg = $("file-status-msg");
    msg.hidden = f.status === "open";
    msg.textContent = f.status === "open" ? "" : t("widget.status." + f.status);
    $("go-options").hidden = !f.can_choose_plan;
    var cp = $("current-plan");
    cp.hidden = !f.plan;
    if (f.plan) {
      $("current-plan-ref").textContent = f.plan.reference;
      scheduleTable($("current-plan-table"), f.plan.instalments);
    }
  }

  function loadFile(focus, stay) {
    return api("GET", "file").then(function (res) {
      if (res.status !== 200) { show("screen-error"); return; }
      if (!state.langChosen && res.data.language !== state.lang) {
        state.lang = res.data.language === "en" ? "en" : "fr";
        return loadTexts(state.lang).then(function () { applyI18n(); return loadFile(focus, stay); });
      }
      state.file = res.data;
      renderFile();
      if (!stay) { show("screen-file", focus); }
    }).catch(function () { show("screen-error"); });
  }

  /* ---------------------------------------------------------------- options */
  function renderOptions(list, extraMsg) {
    var box = $("options-list"); box.textContent = "";
    state.options = list;
    list.forEach(function (o, idx) {
      var id = "opt-" + o.id;
      var wrap = el("div", { "class": "opt" });
      var input = el("input", { type: "radio", name: "option", id: id, value: o.id, "aria-describedby": id + "-d" });
      if (state.selected && state.selected.id === o.id) { input.checked = true; }
      var label = el("label", { "for": id });
      label.appendChild(el("span", { "class": "title" }, optionLabel(o)));
      label.appendChild(optionDetail(o, el("span", { "class": "detail", id: id + "-d" })));
      wrap.appendChild(input); wrap.appendChild(label);
      box.appendChild(wrap);
      input.addEventListener("change", function () { setStatus(""); selectOption(o); });
      if (idx === 0 && !state.selected) { input.setAttribute("data-first", "1"); }
    });
    var msg = $("options-msg");
    msg.hidden = !extraMsg; msg.textContent = extraMsg || "";
    if (state.selected) { selectOption(state.selected); } else { $("schedule-box").hidden = true; }
  }
  function selectOption(o) {
    state.selected = o;
    $("schedule-box").hidden = false;
    scheduleTable($("schedule-table"), o.instalments);
  }

  function loadOptions() {
    var q = "options";
    if (state.capacity) { q += "?monthly_amount_cents=" + state.capacity; }
    return api("GET", q).then(function (res) {
      if (res.status !== 200) { showServerErrors(res, { monthly_amount_cents: "capacity-amount" }); return; }
      state.missedRule = res.data.missed_rule || state.missedRule;
      state.bounds = res.data.bounds || state.bounds;
      state.proposal = null; state.selected = null;
      renderOptions(res.data.options, res.data.available ? "" : res.data.message);
      $("to-consent").hidden = !res.data.available;
    });
  }

  /* ---------------------------------------------------------------- wiring */
  function monthsError() {
    var b = state.bounds || { min_months: 2, max_months: 24 };
    return t("widget.error.months", { min: b.min_months, max: b.max_months });
  }
  function amountError() {
    var b = state.bounds || { min_instalment_cents: 3000 };
    return t("widget.error.amount", { min_amount: euros(b.min_instalment_cents) });
  }
  function newKey() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() :
      String(Date.now()) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function wire() {
    $("lang-switch").addEventListener("click", function () {
      clearMessages();
      state.lang = state.lang === "fr" ? "en" : "fr"; state.langChosen = true;
      loadTexts(state.lang).then(function () {
        applyI18n();
        if (!state.file) { return; }
        // the server's texts (collector description, legal mentions, messages) come again in the new language
        loadFile(false, true).then(function () {
          if (state.screen === "screen-options") { loadOptions(); }
          // a screen holding a server message in the other language goes back to the file
          else if (["screen-ack", "screen-done", "screen-consent"].indexOf(state.screen) >= 0) { show("screen-file", false); }
        });
      });
    });
    $("go-options").addEventListener("click", function () {
      clearMessages();
      loadOptions().then(function () { show("screen-options"); });
    });
    $("go-dispute").addEventListener("click", function () { clearMessages(); show("screen-dispute"); });
    $("go-hardship").addEventListener("click", function () { clearMessages(); show("screen-hardship"); });
    $("go-contact").addEventListener("click", function () { clearMessages(); show("screen-contact"); });
    $("options-back").addEventListener("click", function () { clearMessages(); show("screen-file"); });
    $("consent-back").addEventListener("click", function () { clearMessages(); show("screen-options"); });
    document.querySelectorAll("[data-back]").forEach(function (b) {
      b.addEventListener("click", function () { clearMessages(); loadFile(); });
    });
    document.querySelectorAll("input[name=ptype]").forEach(function (r) {
      r.addEventListener("change", function () {
        clearMessages();
        var byAmount = document.querySelector("input[name=ptype]:checked").value === "amount";
        $("field-amount").hidden = !byAmount; $("field-months").hidden = byAmount;
      });
    });

    $("capacity-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); clearMessages();
      var cents = parseCents($("capacity-amount").value);
      if (cents === null) { fieldError("capacity-amount", t("widget.error.capacity")).focus(); return; }
      state.capacity = cents;
      loadOptions();
    });

    $("proposal-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); clearMessages();
      if (state.busy) { return; }
      var byAmount = document.querySelector("input[name=ptype]:checked").value === "amount";
      var body = { frequency: $("p-frequency").value };
      if (byAmount) {
        var cents = parseCents($("p-amount").value);
        if (cents === null) { fieldError("p-amount", amountError()).focus(); return; }
        body.amount_cents = cents;
      } else {
        var m = $("p-months").value.trim();
        var b = state.bounds || { min_months: 2, max_months: 24 };
        if (!/^\d{1,3}$/.test(m) || +m < b.min_months || +m > b.max_months) { fieldError("p-months", monthsError()).focus(); return; }
        body.months = parseInt(m, 10);
      }
      if ($("p-start").value) { body.start_date = $("p-start").value; }
      var btn = $("p-submit"); busy(btn, true);
      api("POST", "proposal", body).then(function (res) {
        busy(btn, false);
        if (res.status !== 200) {
          showServerErrors(res, { amount_cents: "p-amount", months: "p-months", start_date: "p-start", frequency: "p-amount", body: byAmount ? "p-amount" : "p-months" });
          return;
        }
        var r = res.data;
        state.proposal = body;
        var list = r.accepted ? [r.option] : r.alternatives;
        state.selected = r.accepted ? r.option : null;
        renderOptions(list, r.accepted || !list.length ? "" : t("alternatives"));
        $("to-consent").hidden = !list.length;
        $("proposal-result").hidden = false;
        $("proposal-msg").textContent = r.message;
        $("proposal-msg").focus();
      }).catch(function () { busy(btn, false); setStatus(t("err_generic")); });
    });

    $("options-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); clearMessages();
      var checked = document.querySelector("input[name=option]:checked");
      if (!checked || !state.selected) {
        setStatus(t("err_choose"));
        var first = document.querySelector("input[name=option]"); if (first) { first.focus(); }
        return;
      }
      var o = state.selected;
      state.idemKey = newKey();
      $("consent-summary").textContent = t("summary", { label: optionLabel(o), total: euros(o.total_cents) });
      scheduleTable($("consent-table"), o.instalments);
      $("consent-missed").textContent = state.missedRule ? t("consent_missed", { rule: state.missedRule }) : "";
      $("consent").checked = false;
      show("screen-consent");
    });

    $("consent-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); clearMessages();
      if (state.busy) { return; }
      if (!$("consent").checked) { fieldError("consent", t("err_consent")).focus(); return; }
      var body = { option_id: state.selected.id, consent: true };
      if (state.proposal) { body.proposal = state.proposal; }
      if (state.capacity && !state.proposal) { body.capacity = { monthly_amount_cents: state.capacity }; }
      var btn = $("confirm"); busy(btn, true);
      api("POST", "accept", body, { "Idempotency-Key": state.idemKey }).then(function (res) {
        busy(btn, false);
        if (res.status !== 200) { showServerErrors(res, { consent: "consent", option_id: "consent" }); return; }
        $("done-msg").textContent = res.data.message;
        $("done-ref").textContent = res.data.reference;
        scheduleTable($("done-table"), res.data.option.instalments);
        $("done-missed").textContent = t("consent_missed", { rule: res.data.missed_rule });
        show("screen-done");
      }).catch(function () { busy(btn, false); setStatus(t("err_generic")); });
    });

    function ackForm(formId, path, collect, map, btnId) {
      $(formId).addEventListener("submit", function (ev) {
        ev.preventDefault(); clearMessages();
        if (state.busy) { return; }
        var body = collect();
        if (!body) { return; }
        var btn = $(btnId); busy(btn, true);
        api("POST", path, body).then(function (res) {
          busy(btn, false);
          if (res.status !== 200) { showServerErrors(res, map); return; }
          $("ack-msg").textContent = res.data.message;
          $("ack-ref").textContent = res.data.reference;
          var notes = $("ack-notices"); notes.textContent = "";
          (res.data.notices || []).forEach(function (n) { notes.appendChild(el("p", { "class": "notice" }, n)); });
          show("screen-ack");
        }).catch(function () { busy(btn, false); setStatus(t("err_generic")); });
      });
    }
    ackForm("dispute-form", "dispute", function () {
      var msg = $("d-message").value.trim();
      if (!msg) { fieldError("d-message", t("widget.error.message_required", { limit: 2000 })).focus(); return null; }
      return { reason: $("d-reason").value, message: msg };
    }, { message: "d-message", reason: "d-message", "*": "d-message" }, "d-submit");
    ackForm("hardship-form", "hardship", function () {
      return { situation: $("h-situation").value, message: $("h-message").value.trim() };
    }, { "*": "h-message" }, "h-submit");
    ackForm("contact-form", "contact-request", function () {
      var when = $("c-when").value;
      if (!when) { fieldError("c-when", t("err_date")).focus(); return null; }
      var body = { channel: $("c-channel").value, preferred_at: when.length === 16 ? when + ":00" : when };
      var phone = $("c-phone").value.trim();
      if (phone) { body.phone = phone; }
      var note = $("c-note").value.trim();
      if (note) { body.note = note; }
      return body;
    }, { preferred_at: "c-when", phone: "c-phone", note: "c-note", channel: "c-when", "*": "c-when" }, "c-submit");
  }

  function start() {
    var hash = window.location.hash.replace(/^#/, "");
    var params = new URLSearchParams(hash);
    var token = params.get("t");
    try {
      if (token) { sessionStorage.setItem("amiable-widget-token", token); }
      else { token = sessionStorage.getItem("amiable-widget-token"); }
    } catch (e) { /* storage disabled: keep the token in memory only */ }
    if (params.get("lang") === "en" || params.get("lang") === "fr") { state.lang = params.get("lang"); state.langChosen = true; }
    if (hash && window.history && history.replaceState) { history.replaceState(null, "", window.location.pathname); }
    wire();
    loadTexts(state.lang).then(function () {
      applyI18n();
      if (!token) { show("screen-error"); return; }
      state.token = token;
      loadFile(false);
    }).catch(function () { show("screen-error"); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
