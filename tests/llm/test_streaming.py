"""Streaming drafts: unchecked tokens first, then exactly one guarded draft (or an error)."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from agent import audit
from agent.drafting.models import DraftRequest
from agent.drafting.streaming import DraftEvent, ErrorEvent, ReplacedEvent, TokenEvent, stream_draft
from agent.llm.structured import TextFieldStream
from tests.llm.support import StreamingToolFake
from tests.llm.test_injection import GOOD_D001

REQ = DraftRequest(debtor_id="D001", message="Je peux payer en plusieurs fois ?")


def audit_count(service, debtor_id: str) -> int:  # type: ignore[no-untyped-def]
    with service.rt.session() as s:
        return sum(1 for _ in audit.iter_events(s, kind="draft.generated", debtor_id=debtor_id))


def check_shape(events: list[object]) -> None:
    assert isinstance(events[-1], (DraftEvent, ErrorEvent))
    assert sum(isinstance(e, (DraftEvent, ErrorEvent)) for e in events) == 1
    assert sum(isinstance(e, ReplacedEvent) for e in events) <= 1
    if any(isinstance(e, ReplacedEvent) for e in events):
        assert isinstance(events[-2], ReplacedEvent)


def test_llm_tokens_stream_unchecked_then_the_guarded_draft(service, with_llm) -> None:  # type: ignore[no-untyped-def]
    before = audit_count(service, "D001")
    with with_llm(StreamingToolFake(text=GOOD_D001)):
        events = list(stream_draft(service, REQ, actor="agent:alice"))
    check_shape(events)
    tokens = [e for e in events if isinstance(e, TokenEvent)]
    assert len(tokens) > 5 and all(not t.checked for t in tokens)
    assert "".join(t.text for t in tokens) == GOOD_D001
    final = events[-1]
    assert isinstance(final, DraftEvent) and not any(isinstance(e, ReplacedEvent) for e in events)
    assert final.draft.text == GOOD_D001 and final.draft.backend == "llm:test-model" and final.draft.sendable
    assert audit_count(service, "D001") == before + 1


def test_a_blocked_stream_is_replaced_before_the_final_draft(service, with_llm) -> None:  # type: ignore[no-untyped-def]
    threat = "Sans paiement sous 48 h, notre huissier procédera à la saisie de vos biens."
    with with_llm(StreamingToolFake(text=threat)):
        events = list(stream_draft(service, REQ))
    check_shape(events)
    streamed = "".join(e.text for e in events if isinstance(e, TokenEvent))
    assert streamed == threat  # the agent saw it, marked unchecked ...
    replaced = events[-2]
    assert isinstance(replaced, ReplacedEvent) and "FR-THREAT" in replaced.reason
    final = events[-1]
    assert isinstance(final, DraftEvent)
    assert "saisie" not in final.draft.text and final.draft.backend == "offline"  # ... the debtor never will


def test_a_stream_cut_mid_way_falls_back_to_the_offline_draft(service, with_llm) -> None:  # type: ignore[no-untyped-def]
    with with_llm(StreamingToolFake(text=GOOD_D001, fail_after=4)):
        events = list(stream_draft(service, REQ))
    check_shape(events)
    replaced = events[-2]
    assert isinstance(replaced, ReplacedEvent) and "interrupted" in replaced.reason
    final = events[-1]
    assert isinstance(final, DraftEvent) and final.draft.backend == "offline"


def test_text_mode_streams_content_tokens(service, with_llm) -> None:  # type: ignore[no-untyped-def]
    with with_llm(FakeListChatModel(responses=[GOOD_D001])) as composer:
        composer.modes.set(composer.cfg.endpoint_key, "text")
        events = list(stream_draft(service, REQ))
    check_shape(events)
    tokens = [e for e in events if isinstance(e, TokenEvent)]
    assert len(tokens) == len(GOOD_D001)  # the fake streams one character at a time
    final = events[-1]
    assert isinstance(final, DraftEvent) and final.draft.text == GOOD_D001


def test_offline_composer_streams_the_checked_text_in_words(service) -> None:  # type: ignore[no-untyped-def]
    events = list(stream_draft(service, REQ))
    check_shape(events)
    tokens = [e for e in events if isinstance(e, TokenEvent)]
    final = events[-1]
    assert isinstance(final, DraftEvent) and final.draft.backend == "offline"
    assert tokens and all(t.checked for t in tokens)
    assert "".join(t.text for t in tokens) == final.draft.text


def test_bad_requests_give_one_error_event(service) -> None:  # type: ignore[no-untyped-def]
    for req, status in ((DraftRequest(debtor_id="NOPE", message="Bonjour"), 404),
                        (DraftRequest(debtor_id="D001", message="   "), 422),
                        (DraftRequest(debtor_id="D001", message="x" * 2_000_000), 422)):
        events = list(stream_draft(service, req))
        assert len(events) == 1 and isinstance(events[0], ErrorEvent) and events[0].status == status


def test_text_field_stream_decodes_split_escapes() -> None:
    raw = '{"cited_ids": [], "text": "Bonjour \\"Mme\\"\\n\\u00e9t\\u00e9 \\\\ fin", "plan_option_id": null}'
    ex = TextFieldStream()
    out = "".join(ex.feed(raw[i:i + 3]) for i in range(0, len(raw), 3))
    assert out == 'Bonjour "Mme"\nété \\ fin'
