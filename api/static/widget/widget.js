/* Amiable debtor widget: vanilla JS, no build step. The token comes from the URL fragment (#t=...). */
(function () {
  "use strict";

  var I18N = {
    fr: {
      skip: "Aller au contenu", switch: "English", switch_hint: "Change language to English",
      loading: "Chargement de votre dossier…", error_title: "Lien non valide",
      error_text: "Ce lien n'est pas valide ou a expiré. Pour obtenir un nouveau lien, contactez le cabinet qui vous a écrit.",
      file_title: "Votre dossier", reference: "Référence", amount_title: "Montant dû", principal: "Principal",
      interest: "Intérêts", other: "Autres sommes", total: "Total restant dû", parties_title: "Qui vous écrit",
      creditor: "Créancier", collector: "Cabinet de recouvrement amiable", invoices_title: "Détail des factures",
      current_plan: "Votre échéancier", choose_plan: "Choisir une solution de paiement",
      hardship_btn: "Je rencontre des difficultés", dispute_btn: "Je conteste cette somme", contact_btn: "Être recontacté",
      legal_title: "Mentions légales", options_title: "Choisissez votre solution", options_legend: "Solutions proposées",
      schedule_title: "Échéancier", continue: "Continuer", back: "Retour", back_file: "Retour au dossier",
      capacity_title: "Adapter à ce que je peux payer chaque mois", capacity_label: "Montant mensuel possible (€)",
      update_options: "Mettre à jour les solutions", propose_title: "Proposer un autre échéancier", propose_by: "Je propose",
      by_amount: "un montant par échéance", by_months: "un nombre de mois", p_amount: "Montant par échéance (€)",
      p_months: "Nombre de mois", p_frequency: "Fréquence", monthly: "Mensuelle", biweekly: "Toutes les deux semaines",
      weekly: "Hebdomadaire", p_start: "Date du premier paiement (facultatif)", p_submit: "Envoyer ma proposition",
      consent_title: "Vérifiez et confirmez",
      consent_label: "J'accepte cet échéancier et je m'engage à payer chaque échéance à sa date.",
      confirm: "Confirmer mon échéancier", done_title: "C'est confirmé", dispute_title: "Contester la somme réclamée",
      d_reason: "Motif", r_not_owed: "Je ne dois pas cette somme", r_wrong_amount: "Le montant est inexact",
      r_already_paid: "J'ai déjà payé", r_not_received: "Je n'ai pas reçu le bien ou le service", r_other: "Autre motif",
      d_message: "Expliquez-nous (obligatoire)", send: "Envoyer", hardship_title: "Signaler des difficultés",
      h_situation: "Votre situation", s_job_loss: "Perte d'emploi", s_illness: "Maladie", s_income_drop: "Baisse de revenus",
      s_separation: "Séparation", s_over: "Dossier de surendettement", s_other: "Autre", h_message: "Précisions (facultatif)",
      contact_title: "Être recontacté", c_channel: "Par", ch_phone: "Téléphone", ch_email: "E-mail", ch_sms: "SMS",
      ch_letter: "Courrier", c_when: "Date et heure souhaitées",
      c_when_hint: "Appels du lundi au vendredi (hors jours fériés), 10 h-13 h et 14 h-20 h.",
      c_phone: "Numéro de téléphone (facultatif)", ack_title: "Demande enregistrée",
      // dynamic
      opt_full: "Payer en une fois", opt_plan: "{n} échéances de {amount}", opt_weekly: "par semaine",
      opt_biweekly: "toutes les deux semaines", opt_monthly: "par mois", discount: "remise de {amount}",
      first_last: "du {first} au {last}", due_on: "le {date}", total_pay: "Total à payer : {amount}",
      col_n: "N°", col_date: "Date", col_amount: "Montant", st_due: "à venir", st_paid: "payée", st_missed: "impayée",
      summary: "{label} — total {total}.", alternatives: "Solutions les plus proches :",
      err_required: "Ce champ est obligatoire.", err_amount: "Indiquez un montant en euros, par exemple 50 ou 49,90.",
      err_months: "Indiquez un nombre entier de mois entre 1 et 120.", err_consent: "Cochez la case pour confirmer votre accord.",
      err_choose: "Choisissez une solution.", err_generic: "Une erreur est survenue. Réessayez dans un instant.",
      err_date: "Indiquez une date valide.", err_conflict: "Cette action n'est pas possible pour le moment.",
      err_large: "Votre message est trop long.",
      status_on_hold: "Votre dossier est suspendu : un conseiller reviendra vers vous.",
      status_plan: "Un échéancier est en place.", status_settled: "Aucune somme ne reste due. Merci.",
      status_time_barred: "Au vu des dates de ce dossier, le délai pour en demander le paiement est écoulé : aucun échéancier ni paiement ne vous est demandé.",
      consent_missed: "En cas d'impayé : {rule}"
    },
    en: {
      skip: "Skip to content", switch: "Français", switch_hint: "Passer en français",
      loading: "Loading your file…", error_title: "Invalid link",
      error_text: "This link is invalid or has expired. To get a new link, contact the firm that wrote to you.",
      file_title: "Your file", reference: "Reference", amount_title: "Amount due", principal: "Principal",
      interest: "Interest", other: "Other sums", total: "Total still due", parties_title: "Who is writing to you",
      creditor: "Creditor", collector: "Amicable debt collector", invoices_title: "Invoice details",
      current_plan: "Your payment plan", choose_plan: "Choose a way to pay",
      hardship_btn: "I am having difficulties", dispute_btn: "I dispute this amount", contact_btn: "Ask to be contacted",
      legal_title: "Legal information", options_title: "Choose your option", options_legend: "Options offered",
      schedule_title: "Schedule", continue: "Continue", back: "Back", back_file: "Back to my file",
      capacity_title: "Fit what I can pay each month", capacity_label: "Monthly amount I can pay (€)",
      update_options: "Update the options", propose_title: "Propose another plan", propose_by: "I propose",
      by_amount: "an amount per instalment", by_months: "a number of months", p_amount: "Amount per instalment (€)",
      p_months: "Number of months", p_frequency: "Frequency", monthly: "Monthly", biweekly: "Every two weeks",
      weekly: "Weekly", p_start: "First payment date (optional)", p_submit: "Send my proposal",
      consent_title: "Check and confirm",
      consent_label: "I accept this payment plan and commit to paying each instalment on its date.",
      confirm: "Confirm my plan", done_title: "Confirmed", dispute_title: "Dispute the amount claimed",
      d_reason: "Reason", r_not_owed: "I do not owe this amount", r_wrong_amount: "The amount is wrong",
      r_already_paid: "I have already paid", r_not_received: "I did not receive the goods or service", r_other: "Other reason",
      d_message: "Tell us more (required)", send: "Send", hardship_title: "Report difficulties",
      h_situation: "Your situation", s_job_loss: "Job loss", s_illness: "Illness", s_income_drop: "Lower income",
      s_separation: "Separation", s_over: "Over-indebtedness file", s_other: "Other", h_message: "Details (optional)",
      contact_title: "Ask to be contacted", c_channel: "By", ch_phone: "Phone", ch_email: "Email", ch_sms: "Text message",
      ch_letter: "Letter", c_when: "Preferred date and time",
      c_when_hint: "Calls Monday to Friday (except public holidays), 10:00-13:00 and 14:00-20:00.",
      c_phone: "Phone number (optional)", ack_title: "Request recorded",
      opt_full: "Pay in one go", opt_plan: "{n} instalments of {amount}", opt_weekly: "per week",
      opt_biweekly: "every two weeks", opt_monthly: "per month", discount: "discount of {amount}",
      first_last: "from {first} to {last}", due_on: "on {date}", total_pay: "Total to pay: {amount}",
      col_n: "No.", col_date: "Date", col_amount: "Amount", st_due: "upcoming", st_paid: "paid", st_missed: "missed",
      summary: "{label} — total {total}.", alternatives: "Nearest options:",
      err_required: "This field is required.", err_amount: "Enter an amount in euros, for example 50 or 49.90.",
      err_months: "Enter a whole number of months between 1 and 120.", err_consent: "Tick the box to confirm your agreement.",
      err_choose: "Choose an option.", err_generic: "Something went wrong. Please try again in a moment.",
      err_date: "Enter a valid date.", err_conflict: "This action is not possible at the moment.",
      err_large: "Your message is too long.",
      status_on_hold: "Your file is on hold: an adviser will get back to you.",
      status_plan: "A payment plan is in place.", status_settled: "Nothing remains due. Thank you.",
      status_time_barred: "Given the dates on this file, the time limit to claim payment has passed: no plan or payment is asked of you.",
      consent_missed: "If a payment is missed: {rule}"
    }
  };

  var state = { token: "", lang: "fr", file: null, options: [], selected: null, proposal: null, capacity: null,
                idemKey: null, missedRule: "", previous: "screen-file", busy: false };

  function $(id) { return document.getElementById(id); }
  function t(key, vars) {
    var s = (I18N[state.lang] && I18N[state.lang][key]) || I18N.fr[key] || key;
    if (vars) { Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(vars[k]); }); }
    return s;
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

  function show(id, focus) {
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
      setStatus((res.data && res.data.detail) || t("err_generic"));
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
      row.appendChild(el("td", {}, String(i.seq)));
      row.appendChild(el("td", {}, fdate(i.due_date) + (i.status && i.status !== "due" ? " (" + t("st_" + i.status) + ")" : "")));
      row.appendChild(el("td", {}, euros(i.amount_cents)));
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
  }

  function optionLabel(o) {
    if (o.count === 1) { return t("opt_full") + " (" + euros(o.total_cents) + ")"; }
    return t("opt_plan", { n: o.count, amount: euros(o.instalment_cents) }) + " " + t("opt_" + o.frequency);
  }
  function optionDetail(o) {
    var parts = [];
    if (o.count === 1) { parts.push(t("due_on", { date: fdate(o.first_due_date) })); }
    else { parts.push(t("first_last", { first: fdate(o.first_due_date), last: fdate(o.last_due_date) })); }
    if (o.discount_cents > 0) { parts.push(t("discount", { amount: euros(o.discount_cents) })); }
    parts.push(t("total_pay", { amount: euros(o.total_cents) }));
    return parts.join(" · ");
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
    $("creditor").textContent = f.creditor.name + ", " + f.creditor.address;
    $("collector").textContent = f.collector.name + " (" + f.collector.legal_form + "), " + f.collector.address + " — " +
      f.collector.activity + " · " + f.collector.phone + " · " + f.collector.email;
    var inv = $("invoices"); inv.textContent = "";
    f.invoices.forEach(function (i) {
      inv.appendChild(el("li", {}, i.number + " — " + fdate(i.issue_date) + " — " + euros(i.amount_cents) +
        (i.description ? " — " + i.description : "")));
    });
    var legal = $("legal"); legal.textContent = "";
    var L = f.legal;
    legal.appendChild(el("p", {}, L.collector_statement));
    legal.appendChild(el("p", {}, L.creditor_statement));
    if (L.first_letter) { legal.appendChild(el("p", {}, L.first_letter)); }
    legal.appendChild(el("h3", {}, L.l111_8_title));
    L.l111_8_paragraphs.forEach(function (p) { legal.appendChild(el("p", { lang: "fr" }, p)); });
    if (L.l111_8_explanation) { legal.appendChild(el("p", { lang: "en" }, L.l111_8_explanation)); }
    var ul = el("ul"); L.payment_methods.forEach(function (m) { ul.appendChild(el("li", {}, m)); }); legal.appendChild(ul);
    legal.appendChild(el("p", {}, L.free_advice));
    var msg = $("file-status-msg");
    msg.hidden = f.status === "open";
    msg.textContent = f.status === "open" ? "" : t("status_" + f.status);
    $("go-options").hidden = !f.can_choose_plan;
    var cp = $("current-plan");
    cp.hidden = !f.plan;
    if (f.plan) {
      $("current-plan-ref").textContent = t("reference") + " : " + f.plan.reference;
      scheduleTable($("current-plan-table"), f.plan.instalments);
    }
  }

  function loadFile(focus) {
    return api("GET", "file").then(function (res) {
      if (res.status !== 200) { show("screen-error"); return; }
      state.file = res.data;
      if (!state.langChosen) { state.lang = res.data.language === "en" ? "en" : "fr"; applyI18n(); }
      renderFile();
      show("screen-file", focus);
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
      label.appendChild(el("span", { "class": "detail", id: id + "-d" }, optionDetail(o)));
      wrap.appendChild(input); wrap.appendChild(label);
      box.appendChild(wrap);
      input.addEventListener("change", function () { selectOption(o); });
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
      state.proposal = null; state.selected = null;
      renderOptions(res.data.options, res.data.available ? "" : res.data.message);
      $("to-consent").hidden = !res.data.available;
    });
  }

  /* ---------------------------------------------------------------- wiring */
  function wire() {
    $("lang-switch").addEventListener("click", function () {
      state.lang = state.lang === "fr" ? "en" : "fr"; state.langChosen = true;
      applyI18n();
      if (state.file) { renderFile(); }
      if (state.options.length) { renderOptions(state.options, $("options-msg").textContent); }
    });
    $("go-options").addEventListener("click", function () {
      loadOptions().then(function () { show("screen-options"); });
    });
    $("go-dispute").addEventListener("click", function () { show("screen-dispute"); });
    $("go-hardship").addEventListener("click", function () { show("screen-hardship"); });
    $("go-contact").addEventListener("click", function () { show("screen-contact"); });
    $("options-back").addEventListener("click", function () { show("screen-file"); });
    $("consent-back").addEventListener("click", function () { show("screen-options"); });
    document.querySelectorAll("[data-back]").forEach(function (b) {
      b.addEventListener("click", function () { loadFile(); });
    });
    document.querySelectorAll("input[name=ptype]").forEach(function (r) {
      r.addEventListener("change", function () {
        var byAmount = document.querySelector("input[name=ptype]:checked").value === "amount";
        $("field-amount").hidden = !byAmount; $("field-months").hidden = byAmount;
      });
    });

    $("capacity-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); clearErrors(this);
      var cents = parseCents($("capacity-amount").value);
      if (cents === null) { fieldError("capacity-amount", t("err_amount")).focus(); return; }
      state.capacity = cents;
      loadOptions();
    });

    $("proposal-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); clearErrors(this);
      if (state.busy) { return; }
      var byAmount = document.querySelector("input[name=ptype]:checked").value === "amount";
      var body = { frequency: $("p-frequency").value };
      if (byAmount) {
        var cents = parseCents($("p-amount").value);
        if (cents === null) { fieldError("p-amount", t("err_amount")).focus(); return; }
        body.amount_cents = cents;
      } else {
        var m = $("p-months").value.trim();
        if (!/^\d{1,3}$/.test(m) || +m < 1 || +m > 120) { fieldError("p-months", t("err_months")).focus(); return; }
        body.months = parseInt(m, 10);
      }
      if ($("p-start").value) { body.start_date = $("p-start").value; }
      var btn = $("p-submit"); busy(btn, true);
      api("POST", "proposal", body).then(function (res) {
        busy(btn, false);
        if (res.status !== 200) {
          showServerErrors(res, { amount_cents: "p-amount", months: "p-months", start_date: "p-start", body: "p-amount" });
          return;
        }
        var r = res.data;
        state.proposal = body;
        $("proposal-result").hidden = false;
        $("proposal-msg").textContent = r.message;
        var list = r.accepted ? [r.option] : r.alternatives;
        state.selected = r.accepted ? r.option : null;
        renderOptions(list, r.accepted ? r.message : r.message + " " + t("alternatives"));
        $("options-msg").focus && $("options-msg").setAttribute("tabindex", "-1");
        $("options-msg").focus();
      }).catch(function () { busy(btn, false); setStatus(t("err_generic")); });
    });

    $("options-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var checked = document.querySelector("input[name=option]:checked");
      if (!checked || !state.selected) {
        setStatus(t("err_choose"));
        var first = document.querySelector("input[name=option]"); if (first) { first.focus(); }
        return;
      }
      var o = state.selected;
      state.idemKey = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() :
        String(Date.now()) + "-" + Math.random().toString(36).slice(2, 12);
      $("consent-summary").textContent = t("summary", { label: optionLabel(o), total: euros(o.total_cents) }) + " " + optionDetail(o);
      scheduleTable($("consent-table"), o.instalments);
      $("consent-missed").textContent = state.missedRule ? t("consent_missed", { rule: state.missedRule }) : "";
      $("consent").checked = false;
      clearErrors($("consent-form"));
      show("screen-consent");
    });

    $("consent-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); clearErrors(this);
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
        ev.preventDefault(); clearErrors(this);
        if (state.busy) { return; }
        var body = collect();
        if (!body) { return; }
        var btn = $(btnId); busy(btn, true);
        api("POST", path, body).then(function (res) {
          busy(btn, false);
          if (res.status !== 200) { showServerErrors(res, map); return; }
          $("ack-msg").textContent = res.data.message;
          $("ack-ref").textContent = res.data.reference;
          show("screen-ack");
        }).catch(function () { busy(btn, false); setStatus(t("err_generic")); });
      });
    }
    ackForm("dispute-form", "dispute", function () {
      var msg = $("d-message").value.trim();
      if (!msg) { fieldError("d-message", t("err_required")).focus(); return null; }
      return { reason: $("d-reason").value, message: msg };
    }, { message: "d-message", "*": "d-message" }, "d-submit");
    ackForm("hardship-form", "hardship", function () {
      return { situation: $("h-situation").value, message: $("h-message").value.trim() };
    }, { "*": "h-message" }, "h-submit");
    ackForm("contact-form", "contact-request", function () {
      var when = $("c-when").value;
      if (!when) { fieldError("c-when", t("err_date")).focus(); return null; }
      var body = { channel: $("c-channel").value, preferred_at: when.length === 16 ? when + ":00" : when };
      var phone = $("c-phone").value.trim();
      if (phone) { body.phone = phone; }
      return body;
    }, { preferred_at: "c-when", phone: "c-phone", "*": "c-when" }, "c-submit");
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
    applyI18n();
    wire();
    if (!token) { show("screen-error"); return; }
    state.token = token;
    loadFile(false);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
