"""Cheap French / English detection by stopword counts on the normalised text (context.lang wins)."""

from __future__ import annotations

import re

from agent.domain import Lang

_FR = frozenset(
    "le la les de des du un une et est vous votre vos nous notre nos pour que qui dans sur avec au aux "
    "ce cette ces pas ne sont sera par en il elle merci madame monsieur bonjour cordialement somme "
    "paiement facture".split()
)
_EN = frozenset(
    "the a an and is are you your we our us for that this with will be to of in on not please "
    "dear regards thank thanks payment invoice balance account it".split()
)
_TOKEN = re.compile(r"[a-z]+")


def detect_lang(norm: str, default: Lang = "fr") -> Lang:
    """'fr' or 'en' from the first 3,000 normalised characters; ``default`` on a tie."""
    fr = en = 0
    for tok in _TOKEN.findall(norm, 0, 3000):
        if tok in _FR:
            fr += 1
        elif tok in _EN:
            en += 1
    if fr == en:
        return default
    return "fr" if fr > en else "en"
