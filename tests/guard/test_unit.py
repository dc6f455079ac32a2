"""Normalisation / offsets, policy loading, fail-closed behaviour, bad input, context semantics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agent.errors import ConfigError, InputValidationError, PayloadTooLargeError
from agent.firm import Firm
from agent.guard import Guard, GuardContext, check
from agent.guard.base import Finding
from agent.guard.lang import detect_lang
from agent.guard.normalize import normalize
from agent.guard.policy import load_guard_policy
from tests.guard.conftest import POLICY_FILE, guard_for
from tests.guard.factories import build


@pytest.mark.parametrize("raw, needle, expected", [
    ("Notre H.U.I.S.S.I.E.R passera", "huissier", "H.U.I.S.S.I.E.R"),
    ("Avis de S A I S I E immédiate", "saisie", "S A I S I E"),
    ("<p>La&nbsp;<b>saisie</b> de vos biens</p>", "saisie", "saisie"),
    ("Œuvre de l’huissier « X »", "l'huissier", "l’huissier"),
    ("Un h0ssier et la p0lice", "police", "p0lice"),
    ("sai\u200bsie\u200b immédiate", "saisie", "sai\u200bsie"),
    ("FICHIER  DE   LA\nBANQUE", "fichier de la", "FICHIER  DE   LA"),
    ("Relance &eacute;crite &amp; saisie", "ecrite & saisie", "&eacute;crite &amp; saisie"),
    ("s-a-i-s-i-e de vos biens", "saisie", "s-a-i-s-i-e"),
])
def test_normalised_matches_map_back_to_original(raw: str, needle: str, expected: str) -> None:
    doc = normalize(raw)
    pos = doc.norm.find(needle)
    assert pos >= 0, doc.norm
    span = doc.span(pos, pos + len(needle))
    assert span.text == expected
    assert raw[span.start:span.end] == expected


def test_amounts_and_plain_text_stay_intact() -> None:
    assert normalize("120euros 1 234,56 € $500").norm == "120euros 1 234,56 € $500"


def test_lang_detection() -> None:
    assert detect_lang(normalize("Bonjour Madame, votre facture reste à régler.").norm) == "fr"
    assert detect_lang(normalize("Dear Sir, your invoice is still unpaid, please call us.").norm) == "en"


def test_spans_point_at_original_text(guard: Guard) -> None:
    text = "<div>Notre  H.U.I.S.S.I.E.R passera demain.</div>"
    report = guard.check(text)
    spans = [f.span for f in report.findings if f.rule_id == "FR-OFFICER.officer-claim"]
    assert spans and spans[0] is not None
    assert text[spans[0].start:spans[0].end] == spans[0].text
    assert "H.U.I.S.S.I.E.R" in spans[0].text


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "guard.yaml"
    p.write_text(body, encoding="utf-8")
    return p


def test_policy_file_loads() -> None:
    policy = load_guard_policy(POLICY_FILE)
    assert policy.jurisdiction == "FR" and "FR-THREAT" in policy.enabled_families


@pytest.mark.parametrize("body, fragment", [
    ("version: '1'\nenabled_families: [FR-THREAT\n", "not valid YAML"),
    ("version: '1'\nenabled_families: [FR-THREAT]\nunknown_key: 1\n", "unknown_key"),
    ("version: '1'\nenabled_families: []\n", "enabled_families"),
    ("version: '1'\nenabled_families: [FR-NOPE]\n", "FR-NOPE"),
    ("version: '1'\nenabled_families: [TONE]\nseverity_overrides: {TONE.insult: maybe}\n", "severity_overrides"),
    ("version: '1'\nenabled_families: [TONE]\ncall_windows: {ranges: [{start: '20:00', end: '10:00'}]}\n", "call_windows"),
    ("- just a list\n", "mapping"),
])
def test_broken_policy_is_a_precise_config_error(tmp_path: Path, body: str, fragment: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as exc:
        load_guard_policy(path)
    assert fragment in exc.value.message
    assert str(path) in exc.value.message


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_guard_policy(tmp_path / "absent.yaml")


class _Boom:
    family = "FR-BOOM"

    def check(self, doc: object, ctx: GuardContext) -> list[Finding]:
        raise RuntimeError("boom")


def test_rule_exception_blocks_with_internal_error(firm: Firm) -> None:
    g = Guard(load_guard_policy(POLICY_FILE), firm=firm, rules=[_Boom()])
    report = g.check("Bonjour, quel créneau vous convient ?")
    assert report.verdict == "block"
    assert report.findings[0].rule_id == "GUARD.internal-error"


def test_no_rules_is_refused(firm: Firm) -> None:
    with pytest.raises(ConfigError):
        Guard(load_guard_policy(POLICY_FILE), firm=firm, rules=[])


@pytest.mark.parametrize("text", ["", "   \n\t", "abc\x00def", "bad \udcff surrogate"])
def test_bad_input_is_an_error_never_a_pass(guard: Guard, text: str) -> None:
    with pytest.raises(InputValidationError):
        guard.check(text)


def test_too_long_is_refused_never_checked(guard: Guard) -> None:
    limit = guard.policy.max_chars
    assert limit == 100_000  # the shipped policy's HTTP / CLI maximum
    with pytest.raises(PayloadTooLargeError) as err:
        guard.check("x" * (limit + 1))
    assert err.value.http_status == 413 and err.value.exit_code == 2
    assert guard.check("Bonjour. " + "x" * (limit - 9)).verdict in ("pass", "warn")


def test_module_level_check_builds_guard_lazily(guard: Guard) -> None:
    assert check("Bonjour, quel créneau vous convient ?", guard=guard).verdict == "pass"
    assert check("Vous serez inscrit au fichier de la Banque de France.").verdict == "block"


def test_report_fields(guard: Guard) -> None:
    report = guard.check("Dernier avis avant saisie de vos biens.")
    assert report.policy_version == load_guard_policy(POLICY_FILE).version
    assert report.lang == "fr" and report.rules_run > 0 and report.timings_ms
    f = report.findings[0]
    assert f.legal_basis and f.explanation and f.rewording


def test_same_words_depend_on_context(guard: Guard) -> None:
    text = "À défaut d'accord, notre client pourra saisir le tribunal compétent."
    assert guard.check(text, GuardContext(debtor=build("consumer"))).verdict == "pass"
    assert guard.check(text, GuardContext(debtor=build("time_barred"))).verdict == "block"
    assert guard.check(text, GuardContext(debtor=build("disputed"))).verdict == "block"
    assert guard.check(text, GuardContext(debtor=build("over_indebted"))).verdict == "block"
    no_file = guard.check(text)
    assert no_file.verdict == "warn" and no_file.findings[0].missing_fact == "prescription_date"  # facts unknown: warn


def test_seizure_needs_title_and_commissaire(guard: Guard) -> None:
    text = "Maître Sophie Durand, commissaire de justice, pourra procéder à une saisie-attribution."
    assert guard.check(text, GuardContext(debtor=build("titled_commissaire"))).verdict == "pass"
    assert guard.check(text, GuardContext(debtor=build("consumer"))).verdict == "block"
    missing = guard.check(text).findings
    assert any(f.missing_fact == "enforceable_title" for f in missing)


def test_call_window_and_cap(guard: Guard) -> None:
    text = "Bonjour, appel de suivi de votre dossier."
    ok = GuardContext(channel="phone", debtor=build("calls_2"), scheduled_at=dt.datetime(2026, 11, 24, 11, 0))
    late = ok.model_copy(update={"scheduled_at": dt.datetime(2026, 11, 24, 21, 30)})
    fifth = ok.model_copy(update={"debtor": build("calls_4")})
    holiday = ok.model_copy(update={"scheduled_at": dt.datetime(2026, 11, 11, 11, 0)})
    assert guard.check(text, ok).verdict == "pass"
    assert guard.check(text, late).verdict == "block"
    assert guard.check(text, fifth).verdict == "block"
    assert guard.check(text, holiday).verdict == "block"


def test_first_letter_complete_passes(guard: Guard, firm: Firm) -> None:
    debtor = build("consumer")
    assert debtor is not None
    letter = (
        f"{firm.name}, {firm.address}. {firm.activity_fr.capitalize()}.\n"
        f"Nous intervenons pour le compte de {debtor.creditor.name}, {debtor.creditor.address}.\n"
        "Facture F-2026-001 : principal 1 445,00 €, intérêts 34,56 €, autres sommes 0,00 €, soit 1 479,56 €.\n"
        "Nous vous invitons à régler cette somme par virement ou par carte sur votre espace de paiement.\n"
        f"{firm.l111_8_paragraphs[0]}\n{firm.l111_8_paragraphs[1]}\n"
    )
    report = guard.check(letter, GuardContext(first_letter=True, channel="letter", debtor=debtor))
    assert report.verdict != "block", [(f.rule_id, f.explanation) for f in report.findings]
    cut = letter.replace(firm.l111_8_paragraphs[1], "")
    blocked = guard.check(cut, GuardContext(first_letter=True, channel="letter", debtor=debtor))
    assert [f.rule_id for f in blocked.findings] == ["FR-MENTIONS.l111-8"]


def test_l111_8_text_never_triggers_fees(guard: Guard, firm: Firm) -> None:
    text = "\n".join(firm.l111_8_paragraphs)
    assert guard.check(text, GuardContext(debtor=build("consumer"))).verdict == "pass"


def test_severity_override_and_off(firm: Firm) -> None:
    base = load_guard_policy(POLICY_FILE)
    warn = base.model_copy(update={"severity_overrides": {"FR-THREAT.banque-de-france": "warn"}})
    off = base.model_copy(update={"severity_overrides": {"FR-THREAT": "off"}})
    text = "Vous serez inscrit au fichier de la Banque de France."
    assert Guard(warn, firm=firm).check(text).verdict == "warn"
    assert Guard(off, firm=firm).check(text).verdict == "pass"


def test_us_jurisdiction_switches_families() -> None:
    report = guard_for("US").check("You could be arrested.", GuardContext(lang="en"))
    assert report.verdict == "block" and report.findings[0].family == "US-MISLEAD"
    fr_text = guard_for("US").check("Vous risquez la prison.", GuardContext(lang="fr"))
    assert fr_text.findings[0].family == "FR-THREAT"
