"""PDF rendering of a letter with ReportLab (TTF fonts so French accents render) and the widget
link as a QR code (segno's matrix painted as one vector path: no raster image library needed)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from agent.errors import ConfigError
from agent.letters.compose import Letter, blocks

FONT, FONT_BOLD = "AmiableSans", "AmiableSans-Bold"


@lru_cache(maxsize=2)
def register_fonts(regular: Path, bold: Path) -> None:
    for name, path in ((FONT, regular), (FONT_BOLD, bold)):
        if not path.is_file():
            raise ConfigError(f"letter font not found: {path} (install fonts-dejavu-core: make setup-test)")
        pdfmetrics.registerFont(TTFont(name, str(path)))


class QrCode(Flowable):
    """The QR code of ``url`` (quiet zone included) painted as one vector path of dark runs."""

    def __init__(self, url: str, size_mm: float = 30.0) -> None:
        super().__init__()
        self.matrix = [list(row) for row in segno.make(url, error="m").matrix_iter(border=4)]
        self.side = size_mm * mm

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.side, self.side

    def draw(self) -> None:
        n = len(self.matrix)
        cell = self.side / n
        path = self.canv.beginPath()
        for y, row in enumerate(self.matrix):
            x = 0
            while x < n:
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    path.rect(start * cell, self.side - (y + 1) * cell, (x - start) * cell, cell)
                else:
                    x += 1
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_pdf(letter: Letter, *, font: Path, font_bold: Path) -> bytes:
    register_fonts(font, font_bold)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=5)
    head = ParagraphStyle("head", parent=body, fontName=FONT_BOLD, fontSize=13, leading=16, spaceBefore=4,
                          spaceAfter=8)
    quote = ParagraphStyle("quote", parent=body, fontSize=8.5, leading=11, leftIndent=8 * mm,
                           textColor=colors.HexColor("#333333"))
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=6 * mm, bulletIndent=2 * mm, spaceAfter=2)
    story: list[Flowable] = []
    for kind, lines in blocks(letter.text):
        if kind == "heading":
            story.append(Paragraph(_esc(lines[0]), head))
        elif kind == "quote":
            story.extend(Paragraph(f"« {_esc(ln)} »", quote) for ln in lines)
        elif kind == "table":
            rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines]
            table = Table(rows, colWidths=[70 * mm, 35 * mm], hAlign="LEFT")
            table.setStyle(TableStyle([
                ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ("GRID", (0, 0), (-1, -2), 0.25, colors.HexColor("#999999")),
            ]))
            story.extend([table, Spacer(1, 4 * mm)])
        else:
            group: list[Flowable] = []
            for ln in lines:
                if ln.startswith("- "):
                    group.append(Paragraph(_esc(ln[2:]), bullet, bulletText="•"))
                else:
                    group.append(Paragraph(_esc(ln), body))
            if any(letter.widget_url in ln for ln in lines):
                group.append(QrCode(letter.widget_url))
            story.append(KeepTogether(group) if len(group) > 1 else group[0])
            story.append(Spacer(1, 1.5 * mm))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=letter.subject, author=letter.reference,
                            subject=letter.reference, creator="Amiable")

    def _footer(c: Canvas, _doc: object) -> None:
        c.saveState()
        c.setFont(FONT, 7.5)
        c.drawString(20 * mm, 10 * mm, f"{letter.reference} · page {c.getPageNumber()}")
        c.restoreState()

    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buf.getvalue()
