#!/usr/bin/env python
"""Generate knowledge/portfolio/sample_portfolio.jsonl from the data in sample_portfolio.yaml.

The data (6 creditors, 36 debtors covering the scenarios of knowledge/portfolio/README.md; "today" is
2026-11-23, a Monday; everything fictional) lives in ``knowledge/portfolio/sample_portfolio.yaml``.
This script derives what must stay consistent instead of typing it twice, with the product's own code:

  * a kept promise books its ``payment``; a paid plan instalment books its payment;
  * a plan's total is the balance invoiced-and-unpaid on its creation date, split by the plan engine
    (``agent.plans.engine.split_amounts``: equal integer cents, remainder on the last) with due dates
    from ``agent.plans.engine.due_dates`` on the product's business calendar (``agent.calendar``:
    weekends and French public holidays skipped);
  * the first letter (R124-4 CPCE) is both the ``first_letter`` field and the first outbound contact;
  * outbound contacts fall inside the guard's call windows (``agent.calendar.ContactWindows``), except
    the ones flagged ``offhours`` (deliberate historic mistakes, before 2025).

It then checks coherence (dates vs. 2026-11-23, contact hours, promise/plan statuses,
first-letter-before-any-contact) and writes the JSONL. Run:

    .venv/bin/python scripts/make_sample_portfolio.py [--check]

``--check`` validates and compares with the committed file without writing it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.calendar import ContactWindows, get_calendar  # noqa: E402 - the product's calendar, after sys.path
from agent.guard.policy import load_guard_policy  # noqa: E402
from agent.plans.engine import due_dates, split_amounts  # noqa: E402
from agent.yamlio import load_yaml  # noqa: E402

DATA = ROOT / "knowledge" / "portfolio" / "sample_portfolio.yaml"
OUT = ROOT / "knowledge" / "portfolio" / "sample_portfolio.jsonl"
TODAY = dt.date(2026, 11, 23)
PARIS = ZoneInfo("Europe/Paris")
CALENDAR = get_calendar("FR")  # weekends and metropolitan public holidays, as the plan engine
WINDOWS = ContactWindows.from_policy(load_guard_policy(ROOT / "knowledge" / "policy" / "guard.yaml"))
SYSTEM = "system"

CREDITORS: list[dict[str, Any]] = []
DEBTORS: list[dict[str, Any]] = []
_OFFHOURS: list[tuple[str, str]] = []  # (debtor id, at) of deliberately out-of-hours historic contacts

_RECORD = {  # a debtor line's fields, in the published order, with their defaults
    "civility": "", "first_name": "", "last_name": "", "company_name": "", "language": "fr",
    "register": "vous", "email": "", "phone": "", "address": "", "preferred_channel": "email",
    "opt_outs": [], "timezone": "Europe/Paris", "first_letter": None, "hardship": False,
    "over_indebtedness": False, "vulnerable": False, "enforceable_title": None, "commissaire": None,
    "prescription_date": None, "status": "active", "hold_reason": "", "notes": "",
}
_LISTS = ("invoices", "payments", "promises", "plans", "contacts", "disputes")


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def in_call_hours(when: dt.datetime) -> bool:
    """An outbound contact at ``when`` is inside the policy call windows (ContactWindows, as the guard)."""
    return WINDOWS.call_allowed(when.astimezone(PARIS))


def _plan(p: dict[str, Any], invoices: list[dict[str, Any]], pays: list[dict[str, Any]]) -> dict[str, Any]:
    created = d(p["created_on"])
    invoiced = sum(i["principal_cents"] + i["interest_cents"] + i["other_cents"]
                   for i in invoices if d(i["issue_date"]) <= created)
    total = invoiced - sum(x["amount_cents"] for x in pays if d(x["date"]) < created)
    marks: list[str] = p["marks"]
    nominal = d(p["first_due"])
    dates = due_dates(len(marks), p["frequency"], nominal, CALENDAR.next_business_day(nominal), CALENDAR)
    insts = []
    for k, (mark, amount, due) in enumerate(zip(marks, split_amounts(total, len(marks)), dates, strict=True)):
        inst: dict[str, Any] = {"due_date": due.isoformat(), "amount_cents": amount, "status": "due", "paid_on": None}
        if mark.startswith("paid"):
            paid_on = due + dt.timedelta(days=int(mark.split("+")[1]) if "+" in mark else 0)
            inst.update(status="paid", paid_on=paid_on.isoformat())
            pays.append({"date": paid_on.isoformat(), "amount_cents": amount, "method": "direct_debit",
                         "reference": f"{p['reference']}-E{k + 1:02d}"})
        else:
            assert mark in ("missed", "due"), mark
            inst["status"] = mark
        insts.append(inst)
    return {"reference": p["reference"], "created_on": p["created_on"], "status": p["status"],
            "frequency": p["frequency"], "instalments": insts}


def debtor(spec: dict[str, Any], first_letter_summary: dict[str, str]) -> dict[str, Any]:
    """One debtor line from its data entry."""
    spec = dict(spec)
    did, reference, agent = spec.pop("id"), spec.pop("reference"), spec.pop("agent", SYSTEM)
    rec: dict[str, Any] = {"type": "debtor", "id": did, "reference": reference,
                           "creditor_id": spec.pop("creditor_id"), "kind": spec.pop("kind"), **_RECORD}
    lists = {k: list(spec.pop(k, None) or []) for k in _LISTS}
    first_letter = spec.pop("first_letter", None)
    unknown = set(spec) - set(_RECORD)
    assert not unknown, (did, unknown)
    rec.update(spec)
    contacts = [dict(c) for c in lists["contacts"]]
    if first_letter:
        ref = f"{reference}/L1"
        rec["first_letter"] = {"reference": ref, "date": first_letter}
        text = first_letter_summary["en" if rec["language"] == "en" else "fr"].format(ref=ref)
        at = dt.datetime.combine(d(first_letter), dt.time(10), tzinfo=PARIS).isoformat(timespec="seconds")
        contacts.append({"at": at, "channel": "letter", "direction": "out", "kind": "letter", "agent": agent,
                         "summary": text, "outcome": "sent"})
    pays = [dict(x) for x in lists["payments"]]
    proms = []
    for p in lists["promises"]:
        p = dict(p)
        if "payment" in p:
            pays.append(p.pop("payment"))
        proms.append(p)
    plans = [_plan(p, lists["invoices"], pays) for p in sorted(lists["plans"], key=lambda p: p["created_on"])]
    for c in contacts:
        if c.pop("offhours", False):
            _OFFHOURS.append((did, c["at"]))
    rec["invoices"] = lists["invoices"]
    rec["payments"] = sorted(pays, key=lambda x: x["date"])
    rec["promises"] = sorted(proms, key=lambda x: x["made_on"])
    rec["plans"] = plans
    rec["contacts"] = sorted(contacts, key=lambda c: dt.datetime.fromisoformat(c["at"]))
    rec["disputes"] = lists["disputes"]
    return rec


def load(path: Path = DATA) -> None:
    """Read the data file into CREDITORS and DEBTORS (in the data's order)."""
    data = load_yaml(path)
    assert data.get("version") == 1 and d(str(data["today"])) == TODAY, "unexpected sample portfolio data"
    CREDITORS[:] = [{"type": "creditor", **c} for c in data["creditors"]]
    _OFFHOURS.clear()
    DEBTORS[:] = [debtor(spec, data["first_letter_summary"]) for spec in data["debtors"]]


def _check() -> list[str]:
    problems: list[str] = []
    cred_ids = {c["id"] for c in CREDITORS}
    all_numbers: set[str] = set()
    for r in DEBTORS:
        i = r["id"]
        owed = sum(x["principal_cents"] + x["interest_cents"] + x["other_cents"] for x in r["invoices"])
        paid = sum(p["amount_cents"] for p in r["payments"])
        if r["creditor_id"] not in cred_ids:
            problems.append(f"{i}: unknown creditor")
        for x in r["invoices"]:
            if x["number"] in all_numbers:
                problems.append(f"{i}: invoice number {x['number']} reused")
            all_numbers.add(x["number"])
            if r["kind"] == "consumer" and x["other_cents"]:
                problems.append(f"{i}: other_cents on a consumer invoice")
            if r["kind"] == "business" and x["other_cents"] not in (0, 4000):
                problems.append(f"{i}: business other_cents must be 0 or the 40 EUR indemnity")
        if paid > owed:
            problems.append(f"{i}: paid > owed")
        if (owed - paid == 0) != (r["status"] == "closed"):
            problems.append(f"{i}: zero balance iff closed")
        if r["email"] and not r["email"].endswith(("@example.com", "@example.fr", ".example.fr", ".example.com")):
            problems.append(f"{i}: e-mail outside example domains")
        for p in r["payments"]:
            if d(p["date"]) > TODAY:
                problems.append(f"{i}: payment in the future")
        for p in r["promises"]:
            if d(p["made_on"]) > TODAY or d(p["due_date"]) < d(p["made_on"]):
                problems.append(f"{i}: promise dates")
            if p["status"] == "pending" and d(p["due_date"]) < TODAY:
                problems.append(f"{i}: pending promise already due")
            if p["status"] != "pending" and d(p["due_date"]) >= TODAY:
                problems.append(f"{i}: {p['status']} promise not yet due")
        for pl in r["plans"]:
            sts = [x["status"] for x in pl["instalments"]]
            for x in pl["instalments"]:
                due = d(x["due_date"])
                if x["status"] in ("paid", "missed") and due >= TODAY:
                    problems.append(f"{i}: {pl['reference']} {x['status']} instalment in the future")
                if x["status"] == "due" and due < TODAY:
                    problems.append(f"{i}: {pl['reference']} 'due' instalment in the past")
            ok = {"active": "due" in sts and "missed" not in sts, "completed": set(sts) == {"paid"},
                  "broken": "missed" in sts, "cancelled": True}[pl["status"]]
            if not ok:
                problems.append(f"{i}: plan {pl['reference']} status {pl['status']} vs instalments {sts}")
        for x in r["disputes"]:
            if d(x["opened_on"]) > TODAY:
                problems.append(f"{i}: dispute in the future")
        fl = r["first_letter"]
        outs = [c for c in r["contacts"] if c["direction"] == "out"]
        if fl is None and outs:
            problems.append(f"{i}: outbound contacts without a first letter")
        if fl is not None:
            first = min(dt.datetime.fromisoformat(c["at"]) for c in outs)
            if first.date() != d(fl["date"]) or outs[0]["channel"] != "letter":
                problems.append(f"{i}: first outbound contact is not the first letter")
        offhours = {a for (dd, a) in _OFFHOURS if dd == i}
        for c in r["contacts"]:
            when = dt.datetime.fromisoformat(c["at"])
            if when.date() > TODAY:
                problems.append(f"{i}: contact in the future")
            if c["direction"] != "out":
                continue
            # the guard's and the cadence's call windows (a window's end, 20:00, is outside)
            local = when.astimezone(PARIS)
            inside = in_call_hours(when)
            if c["at"] in offhours:
                if inside or local.year >= 2025:
                    problems.append(f"{i}: contact flagged off-hours is not ({c['at']})")
            elif not inside:
                problems.append(f"{i}: outbound contact outside hours / weekend / holiday: {c['at']}")
    return problems


def render() -> str:
    lines = []  # no "//" comment line: every line is a JSON object, for readers other than the importer
    for rec in CREDITORS + sorted(DEBTORS, key=lambda r: r["id"]):
        lines.append(json.dumps(rec, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    load()
    problems = _check()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    text = render()
    from agent.portfolio import parse_lines

    creditors, debtors = parse_lines(text.splitlines(), "generated")
    if "--check" in argv:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print(f"{len(creditors)} creditors, {len(debtors)} debtors; {OUT.name} is "
              f"{'up to date' if same else 'OUT OF DATE'}")
        return 0 if same else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(creditors)} creditors, {len(debtors)} debtors, "
          f"{sum(len(x.contacts) for x in debtors)} contacts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
