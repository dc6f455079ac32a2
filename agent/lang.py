"""Cheap, deterministic language identification for short debtor messages."""

from __future__ import annotations

import re
import unicodedata

from agent.errors import UserError

_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæß']+", re.IGNORECASE)
_STOP: dict[str, frozenset[str]] = {
    "fr": frozenset("le la les un une des je j' vous nous il elle est suis pas ne et ou mais que qui pour avec "
                    "sur dans mon ma mes votre vos ce cette c'est au aux du de payer paye payé facture merci "
                    "bonjour oui non peux veux dette mois déjà".split()),
    "en": frozenset("the a an i you we he she it is am are not and or but that who for with on in my your this "
                    "to of pay paid invoice thanks thank hello yes no can can't want debt month already "
                    "please have has".split()),
    "de": frozenset("der die das und ich nicht ist sie wir mit für auf ein eine zu den bitte zahlen schon".split()),
    "es": frozenset("el la los las y yo no es usted nosotros con para en un una por favor pagar ya deuda que".split()),
    "it": frozenset("il lo la gli e io non è lei noi con per su un una di che pagare già debito grazie".split()),
}
SUPPORTED = ("fr", "en")


def detect(text: str, default: str | None = None) -> tuple[str | None, float]:
    """Return (language, confidence). Unknown or too short text -> (default, 0.0)."""
    words = [w.lower() for w in _WORD.findall(text[:5000])]
    if not words:
        return default, 0.0
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOP.items()}
    # French apostrophe forms ("j'ai", "c'est", "n'ai") are strong French evidence.
    scores["fr"] += sum(1 for w in words if re.match(r"^(j|c|n|l|d|qu|m|s)'", w))
    best = max(scores, key=lambda k: scores[k])
    total = sum(scores.values())
    if scores[best] == 0:
        return default, 0.0
    return best, scores[best] / total


def resolve(text: str, fallback: str) -> str:
    """Language to answer in: the message's language if recognised; an unsupported one is an error."""
    lang, conf = detect(text)
    if lang is None or conf < 0.5 or len(text.split()) < 3:
        return fallback if lang not in SUPPORTED or conf < 0.5 else lang
    if lang not in SUPPORTED:
        raise UserError(f"unsupported language ({lang}): Amiable answers in French or English")
    return lang


def fold(text: str) -> str:
    """Lower-case, accents and ligatures removed, typographic apostrophes straightened (for matching)."""
    nfkd = unicodedata.normalize("NFKD", text.replace("’", "'").replace("œ", "oe").replace("Œ", "OE"))
    return "".join(c for c in nfkd if not unicodedata.combining(c)).lower()
