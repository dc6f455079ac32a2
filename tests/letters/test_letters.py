"""First letters and formal notices: guarded text, PDF (page 1 rendered to PNG), HTML, the record on the file."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agent import audit
from agent.db.repo import load_file
from agent.errors import ConflictError, GuardBlockedError, UserError
from agent.legal import read_official
from agent.letters.service import produce
from agent.letters.templates import LetterTemplate, load_letter_template
from agent.llm.prompts import PromptError
from tests.conftest import REPO, TODAY
from tests.letters.conftest import NOW, fresh_runtime

POPPLER = shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils missing: run make setup-test")


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())


def test_first_letter_text_has_every_r124_4_mention(rt: Any) -> None:
    done = produce(rt, "D001", "first", now=NOW)
    text, firm = done.letter.text, rt.firm
    assert done.letter.guard.verdict == "pass"
    for needed in (firm.name, firm.address, "recouvrement amiable", "Hélioval Énergie SAS",
                   "27 rue de la Villette, 69003 Lyon", "| Principal | 508,88 € |", "| Intérêts | 0,00 € |",
                   "| Autres sommes (accessoires) | 0,00 € |", "Nous vous demandons de régler", "virement",
                   "HEL-FA-2026-0483921", "/widget/#t=v1."):
        assert needed in text, needed
    _, official = read_official(REPO / "knowledge" / "legal" / "official" / "l111_8.txt")
    assert official[1] in text and official[2] in text and official[0] not in text
    assert "3 mensualités" in text  # the plan engine's quote
    assert done.letter.reference == f"CCR-2026-0001-PL-{TODAY:%Y%m%d}"


def test_first_letter_is_recorded_and_cited_later(rt: Any) -> None:
    done = produce(rt, "D001", "first", now=NOW)
    with rt.session() as s:
        file = load_file(s, "D001", TODAY)
        events = list(audit.iter_events(s, kind="letter.first", debtor_id="D001"))
    assert (file.first_letter_ref, file.first_letter_date) == (done.letter.reference, TODAY)
    from agent.drafting.facts import build_values, situation

    values, source = build_values(file, rt.firm, "fr", [], None)  # what later drafts cite
    assert values["first_letter_ref"] == done.letter.reference and situation(file)["first_letter_sent"]
    assert events and events[0].payload["sha256"] == done.letter.sha256
    with pytest.raises(ConflictError):
        produce(rt, "D001", "first", now=NOW)
    notice = produce(rt, "D001", "notice", now=NOW + dt.timedelta(days=20))
    assert f"référence {done.letter.reference}" in notice.letter.text
    assert "Mise en demeure de payer" in notice.letter.text
    assert notice.letter.guard.verdict != "block"


def test_notice_needs_a_first_letter(rt: Any) -> None:
    with pytest.raises(UserError, match="no first letter"):
        produce(rt, "D029", "notice", now=NOW)


def test_blocked_letter_is_not_produced(tmp_path: Path) -> None:
    """A template whose body drops L111-8 paragraph 3 (moved to the subject, which is not the letter):
    the guard blocks, no file is written, nothing is recorded."""
    prompts = tmp_path / "prompts"
    (prompts / "letters").mkdir(parents=True)
    src = (REPO / "prompts" / "letters" / "first_letter_fr.v1.yaml").read_text(encoding="utf-8")
    broken = src.replace("  > {{l111_8_para3}}\n", "").replace('subject: "Votre dossier', 'subject: "{{l111_8_para3}} Votre dossier')
    assert broken != src
    (prompts / "letters" / "first_letter_fr.v1.yaml").write_text(broken, encoding="utf-8")
    rt = fresh_runtime(tmp_path / "data", prompts_dir=prompts)
    out = tmp_path / "out"
    with pytest.raises(GuardBlockedError, match="FR-MENTIONS.l111-8"):
        produce(rt, "D001", "first", now=NOW, out_dir=out)
    assert not out.exists() or not list(out.iterdir())
    with rt.session() as s:
        assert load_file(s, "D001", TODAY).first_letter_ref is None


def test_templates_are_strict() -> None:
    tpl = load_letter_template(REPO / "prompts", "first", "fr")
    values = dict.fromkeys(tpl.variables, "x")
    tpl.render(values)
    with pytest.raises(PromptError, match="missing"):
        tpl.render({k: v for k, v in values.items() if k != "balance"})
    with pytest.raises(PromptError, match="unknown"):
        tpl.render(values | {"extra": "y"})
    with pytest.raises(ValueError, match="undeclared"):
        LetterTemplate(id="t", version=1, kind="first", lang="fr", variables=(), subject="s", body="{{a}}")


def test_html_has_link_and_qr(rt: Any) -> None:
    done = produce(rt, "D001", "first", now=NOW)
    assert f'<a href="{done.letter.widget_url}">' in done.html
    assert "<svg" in done.html and "<table>" in done.html and "<blockquote>" in done.html
    assert "| Principal |" not in done.email_text and "Principal : 508,88 €" in done.email_text


@needs_poppler
def test_pdf_page_one_rendered(rt: Any, artifacts_dir: Path) -> None:
    done = produce(rt, "D001", "first", now=NOW)
    assert done.pdf_path.read_bytes().startswith(b"%PDF-")
    words = pdf_text(done.pdf_path)
    assert "Hélioval Énergie SAS" in words and "Saint-Étienne" in words  # accents in the embedded font
    assert "508,88 €" in words and "restent à la charge du créancier" in words
    out = artifacts_dir / "letters"
    out.mkdir(parents=True, exist_ok=True)
    base = out / "first_letter_D001_page1"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(done.pdf_path),
                    str(base)], check=True)
    png = base.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    notice = produce(rt, "D001", "notice", now=NOW + dt.timedelta(days=20))
    words = pdf_text(notice.pdf_path)
    assert "Mise en demeure de payer" in words and done.letter.reference in words
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(notice.pdf_path),
                    str(out / "formal_notice_D001_page1")], check=True)
