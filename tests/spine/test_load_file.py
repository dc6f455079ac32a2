"""load_file reads a debtor file in one SQL statement and gives exactly what the ORM path gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from agent.db import models as m
from agent.db.repo import get_debtor_row, list_debtor_ids, load_file, to_file
from agent.db.session import session_scope
from agent.errors import NotFoundError
from tests.conftest import TODAY, copy_template, make_settings


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory, ingested_template: Path) -> str:
    s = make_settings(copy_template(ingested_template, tmp_path_factory.mktemp("loadfile")))
    return str(s.effective_database_url)


def _count_statements(session: Any) -> list[str]:
    seen: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement))
    return seen


def test_every_sample_file_matches_the_orm_path_in_one_statement(db_url: str) -> None:
    with session_scope(db_url) as s:
        ids = list_debtor_ids(s)
        orm = {i: to_file(get_debtor_row(s, i), TODAY) for i in ids}
    assert len(ids) >= 30
    assert any(f.plans and f.plans[0].instalments for f in orm.values())  # the sample exercises every child
    assert any(f.payments for f in orm.values()) and any(f.disputes for f in orm.values())
    assert any(f.promises for f in orm.values()) and any(f.contacts for f in orm.values())
    with session_scope(db_url) as s:
        seen = _count_statements(s)
        fast = {i: load_file(s, i, TODAY) for i in ids}
        assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == len(ids)
    for i in ids:
        assert fast[i] == orm[i], i


def test_a_debtor_without_child_rows_and_tied_dates_keep_insertion_order(db_url: str) -> None:
    with session_scope(db_url) as s:
        creditor = s.query(m.Creditor).first()
        assert creditor is not None
        s.add(m.Debtor(id="ZNOKIDS", reference="REF-ZNOKIDS", creditor_id=creditor.id, kind="consumer",
                       last_name="Vide"))
        s.add(m.Debtor(id="ZTIES", reference="REF-ZTIES", creditor_id=creditor.id, kind="consumer",
                       last_name="Egal"))
        s.flush()
        at = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
        for n, text in enumerate(("premier", "deuxième", "troisième")):
            s.add(m.Contact(debtor_id="ZTIES", at=at, channel="phone", direction="in", summary=text))
            s.add(m.Invoice(debtor_id="ZTIES", number=f"F{3 - n}", issue_date=dt.date(2026, 9, 1),
                            due_date=dt.date(2026, 10, 1), principal_cents=1000 * (n + 1)))
    with session_scope(db_url) as s:
        empty = load_file(s, "ZNOKIDS", TODAY)
        assert (empty.invoices, empty.contacts, empty.plans) == ((), (), ())
        assert empty == to_file(get_debtor_row(s, "ZNOKIDS"), TODAY)
        ties = load_file(s, "ZTIES", TODAY)
        assert [c.summary for c in ties.contacts] == ["premier", "deuxième", "troisième"]
        assert [i.number for i in ties.invoices] == ["F3", "F2", "F1"]
        assert ties.contacts[0].at == at  # timezone-aware, as stored
        assert ties.signals.balance_cents == 6000
        with pytest.raises(NotFoundError, match="unknown debtor"):
            load_file(s, "NOPE", TODAY)
