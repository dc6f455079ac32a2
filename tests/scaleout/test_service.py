"""Scale-out mode for real: `amiable init` into PostgreSQL and a Chroma server, then the API in uvicorn with
two workers on 127.0.0.1: a draft, a widget acceptance, and 60 concurrent requests with 0 errors, after
which the HMAC audit chain still verifies."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from agent.db.migrate import head_revision, schema_diff
from tests.conftest import now_ts
from tests.scaleout.conftest import SECRET, Live, ScaleEnv, amiable

MESSAGES = [
    "Bonjour, j'ai perdu mon emploi, est-il possible d'étaler le paiement ?",
    "Je conteste cette facture, je n'ai jamais reçu la marchandise.",
    "Hello, I can pay 50 euros a month starting next month, is that OK?",
    "J'ai déjà payé la semaine dernière par virement, merci de vérifier.",
    "Could you send me the details of the invoices, please?",
]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _widget(debtor_id: str) -> dict[str, str]:
    from agent.plans.links import make_token

    return _auth(make_token(debtor_id, secret=SECRET, ttl_hours=2, now=now_ts()))


def _debtor_ids(scale_env: ScaleEnv) -> list[str]:
    with create_engine(scale_env.database_url).connect() as c:
        return [str(r[0]) for r in c.execute(text("SELECT id FROM debtors ORDER BY id"))]


@pytest.fixture(scope="module")
def plan_ready(live: Live, scale_env: ScaleEnv) -> list[tuple[str, str]]:
    """(debtor, option id) of every file the widget lets choose a plan (live, undisputed, not time-barred)."""
    out: list[tuple[str, str]] = []
    with httpx.Client(base_url=live.url, timeout=120) as c:
        for debtor in _debtor_ids(scale_env):
            f = c.get("/v1/widget/file", headers=_widget(debtor))
            assert f.status_code == 200, f.text
            if not f.json()["can_choose_plan"]:
                continue
            opts = c.get("/v1/widget/options", headers=_widget(debtor)).json()
            if opts["available"] and opts["options"]:
                out.append((debtor, str(opts["options"][0]["id"])))
    return out


def test_init_migrates_postgres_and_indexes_into_the_chroma_server(scale_env: ScaleEnv) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    assert "imported 36 debtors" in scale_env.init_stdout
    engine = create_engine(scale_env.database_url)
    assert engine.dialect.name == "postgresql"
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        assert c.execute(text("SELECT count(*) FROM debtors")).scalar_one() == 36
    assert schema_diff(engine) == []
    client = chromadb.HttpClient(host=scale_env.chroma.host, port=scale_env.chroma.port,
                                 settings=ChromaSettings(anonymized_telemetry=False))
    counts = {col.name: client.get_collection(col.name).count() for col in client.list_collections()}
    assert any(name.startswith("guidelines_") for name in counts) and all(n > 0 for n in counts.values()), counts
    assert not (scale_env.data_dir / "chroma").exists()  # nothing went to an on-disk Chroma
    from agent.kb.history import HistoryStore  # the per-debtor history store, in the data dir

    store = HistoryStore(scale_env.data_dir / "history" / "history_use.sqlite3")
    try:
        assert store.debtors() == 36 and store.count() > 36
    finally:
        store.close()
    again = amiable(scale_env.env, "init")  # idempotent: migrations at head, every chunk unchanged
    assert again.returncode == 0, again.stderr[-2000:]
    assert "0 added" in again.stdout and "36 unchanged" in again.stdout


def test_draft_over_http(live: Live, agent_key: str) -> None:
    with httpx.Client(base_url=live.url, timeout=300, headers=_auth(agent_key)) as c:
        conv = c.post("/v1/conversations", json={"debtor_id": "D001"})
        assert conv.status_code == 201, conv.text
        r = c.post(f"/v1/conversations/{conv.json()['id']}/messages", json={"message": MESSAGES[0]})
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["text"] and d["intent"] == "hardship" and d["guard"]["verdict"] in ("pass", "warn")
    assert d["citations"] and all(c["excerpt"] for c in d["citations"])  # retrieved from the Chroma server


def test_widget_accept_over_http(live: Live, scale_env: ScaleEnv, plan_ready: list[tuple[str, str]]) -> None:
    assert len(plan_ready) >= 12, plan_ready
    debtor, option = plan_ready[0]
    h = {**_widget(debtor), "Idempotency-Key": f"scaleout-{debtor}-1"}
    with httpx.Client(base_url=live.url, timeout=300) as c:
        r = c.post("/v1/widget/accept", headers=h, json={"option_id": option, "consent": True})
        assert r.status_code == 200, r.text
        again = c.post("/v1/widget/accept", headers=h, json={"option_id": option, "consent": True})
    assert r.json()["status"] == "accepted" and again.json()["replayed"]
    assert again.json()["reference"] == r.json()["reference"]
    with create_engine(scale_env.database_url).connect() as conn:
        rows = conn.execute(text("SELECT debtor_id, status FROM plans WHERE reference = :r"),
                            {"r": r.json()["reference"]}).all()
    assert rows == [(debtor, "accepted")]


def test_sixty_concurrent_requests_zero_errors(live: Live, scale_env: ScaleEnv, agent_key: str, qa_key: str,
                                               plan_ready: list[tuple[str, str]]) -> None:
    """60 requests released at once on both workers: 25 drafts, 10 widget acceptances, 5 payments, 10 guard
    checks, 10 reads. Every one answers 2xx, and the audit chain verifies with one event per write."""
    from agent.db.models import AuditEvent

    debtors = _debtor_ids(scale_env)
    engine = create_engine(scale_env.database_url)
    client = httpx.Client(base_url=live.url, timeout=600, limits=httpx.Limits(max_connections=80))
    agent = _auth(agent_key)
    convs = []
    for i in range(25):
        r = client.post("/v1/conversations", json={"debtor_id": debtors[i % len(debtors)]}, headers=agent)
        assert r.status_code == 201, r.text
        convs.append(r.json()["id"])
    with engine.connect() as c:
        events_before = c.execute(select(func.count()).select_from(AuditEvent)).scalar_one()

    jobs: list[tuple[str, Callable[[], httpx.Response]]] = []
    for i, cid in enumerate(convs):
        jobs.append(("draft", lambda cid=cid, i=i: client.post(  # type: ignore[misc]
            f"/v1/conversations/{cid}/messages", json={"message": MESSAGES[i % len(MESSAGES)]}, headers=agent)))
    for debtor, option in plan_ready[1:11]:
        jobs.append(("accept", lambda d=debtor, o=option: client.post(  # type: ignore[misc]
            "/v1/widget/accept", headers={**_widget(d), "Idempotency-Key": f"burst-{d}"},
            json={"option_id": o, "consent": True})))
    for i in range(5):
        jobs.append(("payment", lambda i=i: client.post(  # type: ignore[misc]
            f"/v1/debtors/{debtors[-1 - i]}/payments", json={"amount_cents": 1000 + i, "reference": f"burst-{i}"},
            headers=agent)))
    for i in range(10):
        jobs.append(("guard", lambda i=i: client.post(  # type: ignore[misc]
            "/v1/guard/check", json={"text": MESSAGES[i % len(MESSAGES)], "debtor_id": debtors[i]},
            headers=agent)))
    for i in range(10):
        jobs.append(("read", lambda i=i: client.get(f"/v1/debtors/{debtors[i]}", headers=agent)))  # type: ignore[misc]
    assert len(jobs) == 60

    results: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs))

    def run(kind: str, call: Callable[[], httpx.Response]) -> None:
        barrier.wait()
        try:
            r = call()
            outcome = (kind, r.status_code, r.text[:300] if r.status_code >= 300 else "")
        except httpx.HTTPError as exc:
            outcome = (kind, 0, repr(exc))
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    client.close()
    errors = [r for r in results if not 200 <= r[1] < 300]
    assert len(results) == 60 and errors == [], errors
    assert Counter(kind for kind, _, _ in results) == {"draft": 25, "accept": 10, "payment": 5, "guard": 10,
                                                       "read": 10}

    with httpx.Client(base_url=live.url, timeout=300) as c:
        verify = c.get("/v1/audit/verify", headers=_auth(qa_key))
    assert verify.status_code == 200, verify.text
    assert verify.json()["ok"] is True, verify.json()
    with engine.connect() as c:
        seqs = [s for (s,) in c.execute(select(AuditEvent.seq).order_by(AuditEvent.seq))]
        kinds = Counter(k for (k,) in c.execute(select(AuditEvent.kind).where(AuditEvent.seq > events_before)))
    assert seqs == list(range(1, len(seqs) + 1))
    # one audit event per draft, acceptance and payment, all on one chain
    assert kinds["draft.generated"] == 25 and kinds["plan.accepted"] == 10 and kinds["payment.recorded"] == 5, kinds
    assert verify.json()["events"] == len(seqs)


