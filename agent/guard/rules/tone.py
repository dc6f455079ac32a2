"""TONE (warn): insults, shaming, sarcasm, false urgency, invented scarcity, shouting; each with a rewording."""

from __future__ import annotations

import re

from agent.guard.base import Finding, GuardContext
from agent.guard.normalize import Doc
from agent.guard.registry import register
from agent.guard.rules._common import BaseRule, Meta, first_valid, negated, rx, search

BASIS = "Firm tone guidelines (positive, solution-focused language); C. consom. L121-6 when it turns to pressure"

INSULT_RX = rx(
    r"\b(?:idiot|imbecile|abruti|cretin|connard|conne|salaud|salope|minable|incapable|escroc|voleur|voleuse|menteur|menteuse|parasite|profiteur|profiteuse"
    r"|fainéant|faineant|bon a rien|pauvre type|loser|deadbeat|liar|thief|scammer|stupid|moron|pathetic|worthless|lazy|freeloader|scum|crook)\b"
)
SHAME_RX = rx(
    r"\b(?:vous devriez avoir honte|honte|honteux|honteuse|irresponsables?|mauvais payeurs?|mauvaise payeuse|malhonnete\w*|de mauvaise foi|tout le monde (?:arrive a|paie|paye|regle)"
    r"|vous nous avez menti|vous mentez|ce n'est pas mon probleme|shame on you|you should be ashamed|ashamed|irresponsible|bad payer|dishonest|everyone else (?:pays|manages)|you lied|in bad faith)\b"
)
SARCASM_RX = rx(
    r"\b(?:comme d'habitude|comme toujours,|quelle surprise|bien sur, (?:encore|comme)|bravo pour|felicitations pour (?:votre|ce) (?:retard|silence|oubli)|sans doute (?:trop )?occupee?"
    r"|vous avez sans doute mieux a faire|as usual|what a surprise|congratulations on|nice try|oh wait|surely you (?:can|have)|i'm sure you(?:'re| are) (?:very )?busy|no doubt too busy)"
)
URGENCY_RX = rx(
    r"\b(?:derniere chance|dernier (?:avis|rappel|delai|avertissement)|ultime (?:relance|rappel|avertissement)|offre valable (?:aujourd'hui|ce jour|24 ?h|48 ?h)(?: seulement| uniquement)?|aujourd'hui seulement|aujourd'hui uniquement"
    r"|avant (?:minuit|ce soir)|plus que quelques heures|agissez (?:maintenant|vite|immediatement)|le temps presse|last chance|final (?:notice|warning|reminder|demand)|act now|today only|expires (?:today|tonight|at midnight)"
    r"|time is running out|don't delay|do not delay|immediate action required|respond immediately)\b"
)
URGENT_NO_DATE_RX = rx(r"\b(?:urgent|urgence|immediatement|sans delai|immediately|right away|asap)\b")
DATE_RX = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b|\b\d{1,2}(?:er)? (?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\b"
    r"|\b(?:january|february|march|april|may|june|july|august|september|october|november|december) \d{1,2}\b|\b\d{4}-\d{2}-\d{2}\b"
)
SCARCITY_RX = rx(
    r"\b(?:places? limitees?|nombre limite|plus que \d+ (?:places?|jours?|offres?)|offre limitee|derniers? (?:jours|heures) pour (?:beneficier|profiter)|seulement \d+ (?:dossiers?|places?)"
    r"|stock limite|limited (?:offer|spots|places|time offer|availability)|only \d+ (?:left|spots|places)|offer ends (?:today|tonight|soon)|while (?:it|this) lasts|first come)"
)
VEILED_RX = rx(
    r"\b(?:consequences (?:juridiques|graves|facheuses|serieuses|lourdes|importantes)|de graves consequences|lourdes consequences|des mesures (?:seront prises|s'imposeront)|vous le regretterez"
    r"|(?:serious|legal|severe|unpleasant) consequences|you will regret|we will take (?:further )?(?:action|measures)|action will be taken)\b"
)
CAPS_WORD = re.compile(r"\b[A-ZÀ-ÖØ-Þ]{3,}\b")
# Same matches as CAPS_WORD, written to start with a character class (the regex engine then skips
# straight to capital letters): "\b" before a capital is "the previous character is not \w".
_CAPS_WORD_FAST = re.compile(r"[A-ZÀ-ÖØ-Þ](?<!\w[A-ZÀ-ÖØ-Þ])[A-ZÀ-ÖØ-Þ]{2,}\b")
_LETTERS = re.compile(r"[^\W\d_]")

INSULT = Meta("TONE.insult", "Insulting words: never acceptable, whatever the debtor's attitude.", BASIS,
              "Je comprends votre situation ; cherchons ensemble une solution.",
              "I understand your situation; let's look for a solution together.")
SHAME = Meta("TONE.shaming", "Shaming or moralising the debtor ('mauvais payeur', 'vous devriez avoir honte').", BASIS,
             "Nous n'avons pas encore reçu votre paiement ; pouvons-nous en parler ?",
             "We haven't received your payment yet; can we talk about it?")
SARCASM = Meta("TONE.sarcasm", "Sarcasm or irony: it humiliates and does not help the debtor act.", BASIS,
               "Le paiement annoncé n'est pas arrivé ; que s'est-il passé ?",
               "The payment you mentioned hasn't arrived; what happened?")
URGENCY = Meta("TONE.false-urgency", "False urgency ('dernière chance', 'offre valable aujourd'hui seulement', URGENT without a real date).",
               BASIS, "Nous souhaitons régler ce dossier à l'amiable avec vous ; quelle solution vous conviendrait ?",
               "We'd like to settle this amicably with you; what solution would work for you?")
SCARCITY = Meta("TONE.scarcity", "Invented scarcity ('places limitées', 'only 3 left') to pressure a decision.", BASIS,
                "Cette proposition reste ouverte ; prenez le temps d'en parler avec nous.",
                "This offer remains open; take the time to discuss it with us.")
VEILED = Meta("TONE.veiled-threat", "Vague threat of 'consequences': it frightens without informing.", BASIS,
              "Trouvons ensemble une solution pour régler cette situation.",
              "Let's find a way to settle this together.")
SHOUT = Meta("TONE.shouting", "Capital letters or repeated exclamation marks read as shouting.", BASIS,
             "Écrivez en minuscules, avec une ponctuation sobre.", "Write in sentence case with plain punctuation.")


@register(order=170, warn_only=True)
class ToneRule(BaseRule):
    family = "TONE"
    scope = "any"

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        out: list[Finding] = []
        for pattern, meta in ((INSULT_RX, INSULT), (SHAME_RX, SHAME), (SARCASM_RX, SARCASM), (URGENCY_RX, URGENCY),
                              (SCARCITY_RX, SCARCITY), (VEILED_RX, VEILED)):
            for m in first_valid(doc, pattern):
                if meta is not URGENCY and meta is not VEILED and negated(doc, m.start()):
                    continue
                out.append(self.make(doc, meta, m.start(), m.end(), severity="warn"))
                break
        if not any(f.rule_id == URGENCY.rule_id for f in out):
            u = search(doc, URGENT_NO_DATE_RX)
            if u and not DATE_RX.search(doc.norm):
                out.append(self.make(doc, URGENCY, u.start(), u.end(), severity="warn"))
        raw = doc.raw
        if "!!" in raw or raw.count("!") > 3:
            i = raw.find("!!") if "!!" in raw else raw.find("!")
            out.append(self._raw_finding(raw, i, i + (2 if "!!" in raw else 1), doc))
        else:
            caps = _CAPS_WORD_FAST.findall(raw, 0, 20000)
            if len(caps) >= 4:
                upper = sum(len(w) for w in caps)
                letters = len(_LETTERS.findall(raw, 0, 20000))
                if letters >= 20 and upper / letters > 0.5:
                    m2 = CAPS_WORD.search(raw)
                    if m2:
                        out.append(self._raw_finding(raw, m2.start(), m2.end(), doc))
        return out

    def _raw_finding(self, raw: str, a: int, b: int, doc: Doc) -> Finding:
        from agent.guard.base import Span

        return Finding(rule_id=SHOUT.rule_id, family="TONE", severity="warn", span=Span(start=a, end=b, text=raw[a:b]),
                       explanation=SHOUT.explanation, legal_basis=SHOUT.basis,
                       rewording=SHOUT.rewording_fr if doc.lang == "fr" else SHOUT.rewording_en)
