"""Personal data: the retention policy (strict, start-up stops on a broken file), the access export,
erasure (identity pseudonymised, texts gone from every table and the history index, audit texts
replaced by digests while the chain still verifies, accounting kept), and the retention purge."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from agent import audit, gdpr
from agent.db import models as m
from agent.db.base import Base
from agent.db.repo import load_file
from agent.errors import ConfigError
from agent.settings import REPO_ROOT
from tests.conftest import TODAY
from tests.service.conftest import Keys, auth, build_data_dir, make_keys

POLICY_FILE = REPO_ROOT / "knowledge" / "policy" / "retention.yaml"
SECRET_MESSAGE = "Je suis Zéphyrine, mon voisin Anatole Quillebeuf peut témoigner que je ne dois rien."
SUMMARY = "Appel : Mme dit que son employeur Quillebeuf-Bâtiment paie le 5 du mois."


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path) -> Iterator[tuple[Any, Any, Keys, TestClient]]:
    from api.app import create_app

    s, rt = build_data_dir(tmp_path_factory.mktemp("gdpr"), ingested_template)
    keys = make_keys(rt)
    with TestClient(create_app(s, rt)) as c:
        yield s, rt, keys, c


def _msg(debtor: str) -> str:
    return f"{SECRET_MESSAGE} Dossier {debtor}."


def _summary(debtor: str) -> str:
    return f"{SUMMARY} Dossier {debtor}."


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)
    elif value is not None:
        yield str(value)


def _dump(rt: Any) -> str:
    """Every value of every row of every table (JSON columns walked to their strings), one per line."""
    with rt.session() as s:
        return "\n".join(leaf for table in Base.metadata.sorted_tables for row in s.execute(select(table))
                         for leaf in _leaves(list(row)))


def _raw(rt: Any) -> bytes:
    """The database file and its WAL, as bytes on disk."""
    db = Path(rt.settings.effective_database_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.is_file())


def _work_on(client: TestClient, keys: Keys, rt: Any, debtor: str) -> str:
    """Conversation + draft + payment + a contact with a summary on ``debtor`` (texts marked with the
    debtor id: :func:`_msg`, :func:`_summary`); returns the draft text."""
    r = client.post("/v1/conversations", json={"debtor_id": debtor}, headers=auth(keys.agent))
    assert r.status_code == 201, r.text
    r = client.post(f"/v1/conversations/{r.json()['id']}/messages", json={"message": _msg(debtor)},
                    headers=auth(keys.agent))
    assert r.status_code == 201, r.text
    draft = r.json()
    r = client.post(f"/v1/drafts/{draft['id']}/send", json={"version": draft["version"]}, headers=auth(keys.agent))
    assert r.status_code == 200, r.text
    assert client.post(f"/v1/debtors/{debtor}/payments", json={"amount_cents": 1234},
                       headers=auth(keys.agent)).status_code == 201
    with rt.session() as s:
        s.add(m.Contact(debtor_id=debtor, at=rt.clock.utcnow(), channel="phone", direction="in", kind="message",
                        agent="test", summary=_summary(debtor), outcome="promise"))
        audit.append(s, "contact.logged", actor="agent:test", debtor_id=debtor, payload={"summary": _summary(debtor)})
    return str(draft["text"])


# ------------------------------------------------------------------ policy
def test_shipped_policy_loads_with_a_legal_basis_per_kind() -> None:
    p = gdpr.load_retention_policy(POLICY_FILE)
    for name in ("identity", "correspondence", "audit_texts", "accounting"):
        kind = getattr(p.kinds, name)
        assert kind.days > 0 and len(kind.legal_basis) > 20
    assert p.kinds.accounting.on_erase == "keep" and p.kinds.accounting.days == 3650


@pytest.mark.parametrize(("edit", "needle"), [
    (lambda d: d["kinds"].pop("identity"), "kinds.identity"),
    (lambda d: d["kinds"]["accounting"].update(on_erase="erase"), "not possible for this kind"),
    (lambda d: d["kinds"]["correspondence"].update(days=0), "kinds.correspondence.days"),
    (lambda d: d["kinds"]["identity"].update(retain="forever"), "retain"),
    (lambda d: d.update(version=2), "version"),
])
def test_broken_policy_stops_start_up(tmp_path: Path, edit: Any, needle: str) -> None:
    from agent.runtime import Runtime
    from tests.conftest import make_settings

    data = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    edit(data)
    bad = tmp_path / "retention.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        Runtime.start(make_settings(tmp_path / "d", retention_policy_file=bad))
    assert str(bad) in exc.value.message and needle in exc.value.message
    bad.write_text("kinds: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read"):
        gdpr.load_retention_policy(bad)


# ------------------------------------------------------------------ export and erase
def test_export_holds_everything_about_the_person(env: Any) -> None:
    _, rt, keys, client = env
    draft_text = _work_on(client, keys, rt, "D002")
    with rt.session() as s:
        before = audit.count(s)
        data = gdpr.export_person(s, "D002", actor="cli:test")
    with rt.session() as s:
        row = s.get(m.Debtor, "D002")
        assert row is not None
        email = row.email
        assert audit.count(s) == before + 1
        last = list(audit.iter_events(s, kind="gdpr.exported"))[-1]
        assert last.debtor_id == "D002" and last.payload["counts"]["drafts"] >= 1
    text = json.dumps(data, ensure_ascii=False, default=str)
    assert data["debtor"]["id"] == "D002" and data["debtor"]["email"] == email and email
    assert _msg("D002") in text and _summary("D002") in text
    assert any(d["text"] == draft_text for d in data["drafts"])
    assert any(p["amount_cents"] == 1234 for p in data["payments"])
    assert data["invoices"] and data["audit_events"] and data["conversations"][0]["messages"]
    assert all(e["debtor_id"] == "D002" for e in data["audit_events"])
    assert "D003" not in {e["debtor_id"] for e in data["audit_events"]}


def test_erase_removes_personal_data_keeps_accounting_and_the_chain_verifies(env: Any) -> None:
    _, rt, keys, client = env
    debtor = "D004"
    draft_text = _work_on(client, keys, rt, debtor)
    with rt.session() as s:
        row = s.get(m.Debtor, debtor)
        assert row is not None
        identity = {f: getattr(row, f) for f in ("email", "phone", "address", "last_name") if getattr(row, f)}
        file = load_file(s, debtor, TODAY)
        balance, invoices, paid = (file.signals.balance_cents, [i.model_dump() for i in file.invoices],
                                   [p.model_dump() for p in file.payments])
    rt.index.ingest_history([file])
    assert any(_summary(debtor) in h.text for h in rt.index.search_history(debtor, _summary(debtor), k=5))
    dump = _dump(rt)
    for value in (_msg(debtor), _summary(debtor), draft_text, *identity.values()):
        assert value in dump, value  # the search below can fail
    assert identity["email"].encode() in _raw(rt)

    with rt.session() as s:  # dry run: reports, changes nothing
        dry = gdpr.erase_person(s, debtor, rt.retention, actor="cli:test", dry_run=True)
    assert dry.texts.get("conversation_messages", 0) >= 1 and dry.audit_texts_hashed >= 3
    assert _dump(rt) == dump

    with rt.session() as s:
        rep = gdpr.erase_person(s, debtor, rt.retention, actor="cli:test")
    gdpr.after_commit(rt, rep)
    assert rep.texts["conversation_messages"] >= 1 and rep.texts["drafts"] >= 1
    assert rep.texts["contact_summaries"] >= 1 and rep.audit_texts_hashed >= 3 and rep.audit_events_legacy == 0
    assert set(identity) <= set(rep.identity_fields) and "accounting" in rep.kept
    assert (rep.texts, rep.audit_texts_hashed, rep.identity_fields) == (dry.texts, dry.audit_texts_hashed,
                                                                        dry.identity_fields)  # dry run was exact

    dump = _dump(rt)
    for value in (_msg(debtor), _summary(debtor), draft_text, *identity.values()):
        assert value not in dump, value
    assert identity["email"].encode() not in _raw(rt)  # not in free pages or the WAL either (VACUUM)
    assert not any(SUMMARY in h.text for h in rt.index.search_history(debtor, _summary(debtor), k=5))
    with rt.session() as s:
        assert audit.verify(s).ok, audit.verify(s)
        after = load_file(s, debtor, TODAY)
        assert after.status == "closed" and after.last_name == gdpr.ERASED_NAME and after.email == ""
        assert after.signals.balance_cents == balance  # accounting kept
        assert [i.model_dump() for i in after.invoices] == invoices
        assert [p.model_dump() for p in after.payments] == paid
        ev = list(audit.iter_events(s, kind="gdpr.erased"))[-1]
        key = audit.text_key(s)
        assert ev.payload["identity_digests"]["email"] == audit.text_digest(key, identity["email"])
        # the erased events keep their structure (kind, date, actor, ids), not their texts
        sent = list(audit.iter_events(s, kind="draft.sent", debtor_id=debtor))[-1]
        assert sent.payload["text"] == {audit.ERASED: audit.text_digest(key, draft_text)}
        assert sent.payload["draft_id"]
        # a digest swapped for another text's digest is still detected
        s.execute(update(m.AuditEvent).where(m.AuditEvent.seq == sent.seq).values(
            payload={**sent.payload, "text": {audit.ERASED: audit.text_digest(key, "autre texte")}}))
        broken = audit.verify(s)
        assert not broken.ok and broken.first_bad_seq == sent.seq
        s.rollback()
    with rt.session() as s:
        assert audit.verify(s).ok
    # the file left the queue and no agent can draft on it any more
    assert debtor not in {q["debtor_id"] for q in client.get("/v1/queue?limit=500", headers=auth(keys.agent)).json()}


def test_a_resync_does_not_bring_an_erased_person_back(env: Any) -> None:
    from agent.portfolio import DebtorRecord
    from agent.sync import sync_records

    _, rt, _, _ = env
    with rt.session() as s:
        rep = gdpr.erase_person(s, "D005", rt.retention, actor="cli:test")
    gdpr.after_commit(rt, rep)
    line = next(json.loads(x) for x in (REPO_ROOT / "knowledge" / "portfolio" / "sample_portfolio.jsonl")
                .read_text(encoding="utf-8").splitlines() if '"D005"' in x and '"debtor"' in x)
    rec = DebtorRecord.model_validate(line)
    with rt.session() as s:
        sync_records(s, [], [rec], source="daily.jsonl", close_absent=False)
    with rt.session() as s:
        row = s.get(m.Debtor, "D005")
        assert row is not None and gdpr.is_pseudonymised(row) and row.status == "closed"
        assert rec.email and row.email == ""
        assert audit.verify(s).ok


def test_purge_applies_the_retention_by_age(env: Any) -> None:
    _, rt, keys, client = env
    _work_on(client, keys, rt, "D006")
    later = rt.clock.utcnow() + dt.timedelta(days=800)  # past correspondence/audit texts (730 d), not identity
    with rt.session() as s:
        n_events = audit.count(s)
        dry = gdpr.purge(s, rt.retention, now=later, actor="cli:test", dry_run=True)
    counts = {k.kind: k.counts for k in dry.kinds}
    assert counts["correspondence"]["conversation_messages"] >= 1 and counts["audit_texts"]["texts"] >= 1
    assert counts["identity"] == {"files": 0}
    with rt.session() as s:
        assert audit.count(s) == n_events  # dry run: not even audited
    assert _msg("D006") in _dump(rt)
    with rt.session() as s:
        rep = gdpr.purge(s, rt.retention, now=later, actor="cli:test")
    gdpr.after_commit(rt, rep)
    dump = _dump(rt)
    assert SECRET_MESSAGE not in dump and SUMMARY not in dump  # every debtor's, all older than 730 days by then
    with rt.session() as s:
        assert audit.verify(s).ok
        assert list(audit.iter_events(s, kind="gdpr.purged"))
        row = s.get(m.Debtor, "D006")
        assert row is not None and row.email  # identity is kept 5 years after the last activity
    # a purge that finds nothing more changes nothing
    with rt.session() as s:
        again = gdpr.purge(s, rt.retention, now=later, actor="cli:test", dry_run=True)
    assert all(not v for k in again.kinds if k.kind != "identity" for v in k.counts.values())


def test_purge_pseudonymises_only_closed_files_past_the_identity_retention(env: Any) -> None:
    _, rt, _, _ = env
    with rt.session() as s:
        s.execute(update(m.Debtor).where(m.Debtor.id == "D003").values(status="closed", hold_reason="paid"))
        due = sorted(r.id for r in s.execute(select(m.Debtor).where(m.Debtor.status == "closed")).scalars()
                     if not gdpr.is_pseudonymised(r))
    assert "D003" in due and "D004" not in due  # D004 was erased above
    much_later = rt.clock.utcnow() + dt.timedelta(days=1900)
    with rt.session() as s:
        rep = gdpr.purge(s, rt.retention, now=much_later, actor="cli:test")
    with rt.session() as s:
        closed = s.get(m.Debtor, "D003")
        active = s.get(m.Debtor, "D001")
        assert closed is not None and active is not None
        assert gdpr.is_pseudonymised(closed) and not gdpr.is_pseudonymised(active) and active.email
        assert sorted(str(e.debtor_id) for e in audit.iter_events(s, kind="gdpr.pseudonymised")) == due
        assert audit.verify(s).ok
    assert next(k for k in rep.kinds if k.kind == "identity").counts["files"] == len(due)


def test_gdpr_cli(env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from agent.cli.main import app
    from agent.settings import get_settings

    s, rt, _, _ = env
    monkeypatch.setenv("AMIABLE_DATA_DIR", str(s.data_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        out = tmp_path / "d007.json"
        r = runner.invoke(app, ["gdpr", "export", "--debtor", "d007", "--out", str(out)])
        assert r.exit_code == 0, r.output
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["debtor"]["id"] == "D007" and data["invoices"]
        r = runner.invoke(app, ["gdpr", "erase", "--debtor", "D007", "--dry-run", "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)["dry_run"] is True
        with rt.session() as ses:
            row = ses.get(m.Debtor, "D007")
            assert row is not None and not gdpr.is_pseudonymised(row)
        r = runner.invoke(app, ["gdpr", "purge", "--dry-run"])
        assert r.exit_code == 0 and "dry run" in r.output and "accounting" in r.output, r.output
        r = runner.invoke(app, ["gdpr", "erase", "--debtor", "D999"])
        assert r.exit_code != 0 and "unknown debtor" in str(r.exception)
    finally:
        get_settings.cache_clear()
