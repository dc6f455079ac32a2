"""``produce``: compose, guard, render (text, HTML, PDF) and record one letter for a debtor file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from agent.db.repo import load_file
from agent.letters.compose import Letter, compose, plain_text, record, to_html
from agent.letters.pdf import qr_svg, render_pdf
from agent.letters.templates import LetterKind, load_letter_template
from agent.runtime import Runtime


@dataclass(frozen=True)
class Produced:
    letter: Letter
    pdf_path: Path
    html_path: Path
    text_path: Path
    html: str
    email_text: str


def produce(rt: Runtime, debtor_id: str, kind: LetterKind, *, now: dt.datetime, out_dir: Path | None = None,
            actor: str = "cli") -> Produced:
    """One guarded letter; files written only when the guard passed; a first letter is recorded on the file."""
    s = rt.settings
    today = now.date()
    with rt.session() as session:
        file = load_file(session, debtor_id, today)
    template = load_letter_template(s.prompts_dir, kind, "fr")
    letter = compose(file, template=template, firm=rt.firm, plans=rt.plan_policy, guard=rt.guard, settings=s,
                     today=today, now_ts=now.timestamp())
    pdf = render_pdf(letter, font=s.letter_font_file, font_bold=s.letter_font_bold_file)
    html = to_html(letter, qr_svg(letter.widget_url))
    folder = out_dir or s.data_dir / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    paths = tuple(folder / f"{letter.reference}.{ext}" for ext in ("pdf", "html", "txt"))
    with rt.session() as session:
        record(session, letter, actor=actor, at=now)
        paths[0].write_bytes(pdf)
        paths[1].write_text(html, encoding="utf-8")
        paths[2].write_text(letter.text, encoding="utf-8")
    return Produced(letter, paths[0], paths[1], paths[2], html, plain_text(letter.text))
