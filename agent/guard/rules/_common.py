"""Shared machinery of the rule modules: base class, finding builder, clause-level context tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

from agent.firm import Firm
from agent.guard.base import Finding, GuardContext
from agent.guard.lexicon import LEXICON_DIR, CompiledEntry, lexicon_matcher, load_lexicon
from agent.guard.normalize import Doc
from agent.guard.policy import GuardPolicy


def rx(pattern: str) -> re.Pattern[str]:
    """Compile a pattern written for the normalised text; a literal space means any whitespace."""
    return re.compile(pattern.replace(" ", r"\s"))


@dataclass(frozen=True)
class Meta:
    """Everything a finding says besides its span: explanation, legal basis, rewordings."""

    rule_id: str
    explanation: str
    basis: str
    rewording_fr: str | None = None
    rewording_en: str | None = None


class BaseRule:
    """A rule family. Subclasses set ``family``, ``scope`` and ``triggers`` and implement ``run``."""

    family: str = ""
    scope: ClassVar[str] = "fr"  # "fr", "us", "uk" or "any"
    triggers: ClassVar[frozenset[str]] = frozenset()  # empty: always run
    needs_context: ClassVar[bool] = False  # runs even without trigger words when a context matters

    def __init__(self, policy: GuardPolicy, firm: Firm) -> None:
        self.policy = policy
        self.firm = firm
        # knowledge/policy/lexicons/<family>.yaml, when the family has one: phrase entries run with the rule
        self.lexicon: tuple[CompiledEntry, ...] = lexicon_of(self.family) if self.family else ()

    def applies(self, doc: Doc) -> bool:
        """fr families judge every text except English text under US or UK rules; us / uk families judge
        English text under their jurisdiction only; any: always."""
        if self.scope == "any":
            return True
        frame = doc.jurisdiction if doc.lang == "en" and doc.jurisdiction in ("US", "UK") else "FR"
        return frame == self.scope.upper()

    def check(self, doc: object, ctx: GuardContext) -> list[Finding]:
        assert isinstance(doc, Doc)
        if not self.applies(doc):
            return []
        if self.triggers and not self.needs_context and not doc.has_any(self.triggers):
            out: list[Finding] = []
        else:
            out = self.run(doc, ctx)
        if self.lexicon:
            seen = {f.rule_id for f in out}
            out.extend(f for f in lexicon_findings(self, doc, ctx, self.lexicon) if f.rule_id not in seen)
        return out

    def run(self, doc: Doc, ctx: GuardContext) -> list[Finding]:
        raise NotImplementedError

    # -- builders ------------------------------------------------------------------------
    def make(self, doc: Doc, meta: Meta, start: int | None = None, end: int | None = None, *,
             severity: Literal["block", "warn"] = "block", missing_fact: str | None = None,
             explanation: str | None = None, family: str | None = None) -> Finding:
        rewording = meta.rewording_fr if doc.lang == "fr" else (meta.rewording_en or meta.rewording_fr)
        text = explanation or meta.explanation
        if missing_fact:
            text += f" No debtor file was given, so the fact '{missing_fact}' could not be checked."
        return Finding(
            rule_id=meta.rule_id,
            family=family or meta.rule_id.split(".", 1)[0],
            severity=severity,
            span=doc.span(start, end) if start is not None and end is not None else None,
            explanation=text,
            legal_basis=meta.basis,
            rewording=rewording,
            missing_fact=missing_fact,
        )


# --- clause-level context -------------------------------------------------------------------

_FAKE_NEG = rx(
    r"si vous ne \w+(?: \w+)? (?:pas|plus|rien)|if you (?:do not|don't|did not|didn't|fail|cannot|can't|won't|will not)"
    r"|(?:n'|ne )(?:aurons|avons|aurez|aura|avez|aurions|laisserez|laissez)(?: \w+)? (?:pas|plus) d'autres? (?:choix|solution|option|alternative|issue)"
    r"|pas d'autres? (?:choix|solution|issue|alternative|option)|no (?:other )?(?:choice|option|alternative)"
    r"|n'hesit\w* (?:pas|plus)|ne (?:manquer\w*|tarder\w*) pas|(?:will|would|shall) not hesitate|won't hesitate"
    r"|ne (?:tardez|attendez|laissez|negligez|ignorez) pas|n'(?:attendez|ignorez) pas|(?:don't|do not) (?:wait|delay|ignore|let)"
    r"|(?:n'|ne )(?:avez|avons|a|ont|est|sont|etes)(?: toujours| encore)? (?:pas|jamais)(?: encore| toujours)?(?: ete)?(?: \w+)? (?:regle|payee?|recue?|repondu|donne|honore|acquittee?|versee?|soldee?|effectue)"
    r"|(?:have|has)(?: still)? (?:not|never)(?: yet)?(?: been)? (?:paid|received|responded|settled|replied)"
    r"|no (?:payment|response|reply)|aucune? (?:reponse|nouvelle|paiement|reglement|suite|versement|retour|contact|signe)"
    r"|ne (?:pouvons|pourrons|saurions|pouvez) (?:plus|pas) (?:attendre|patienter|tolerer|accepter|rester)"
    r"|(?:cannot|can't|can no longer) (?:wait|tolerate|accept)|not (?:only|just)|ne \w+ que\b|ne plus \w+ (?:de )?delai"
    r"|(?:is|are|was|remains?|has|have)(?: still)? not(?: yet)?(?: been)? (?:paid|settled|received|resolved)|\bnot (?:paid|settled|received)|n'(?:est|a) (?:toujours )?pas(?: ete)? (?:reglee?|payee?|soldee?)"
)
_NEG = rx(
    r"\b(?:ne|n')(?: ?\w+){0,4}? (?:pas|jamais|aucune?|rien|point|nullement)\b|\baucune?\b|\bjamais\b|\bnullement\b"
    r"|\bnot\b|n't\b|\bnever\b|\bno (?:one|legal|court|action|seizure|bailiff|lawsuit|fee|fees|charge|charges)\b|\bcannot\b"
    r"|\bsans (?:titre|decision|jugement|autorisation|l'autorisation|frais)|\bwithout (?:a |any )?(?:court|judgment|title|fee|charge)"
)
_INFO = rx(
    r"qu'est-ce|qu'est ce|c'est quoi|what is|what's an?\b|who (?:is|are)|que fait|que peut|a quoi sert|comment (?:fonctionne|se deroule)"
    r"|est (?:un|une) (?:officier|professionnel|acte|decision|procedure)|is an? (?:public |court |legal )?(?:officer|official|court order|legal document)"
    r"|anciennement|autrefois appele|aujourd'hui (?:appele )?commissaire|formerly|now called"
    r"|\bdesigne\b|c'est-a-dire|a ne pas confondre|not to be confused|\bseule?s? (?:un|une|le|la|les)\b|\bonly (?:a|an|the)\b"
    r"|est signifie|est delivre|ne peut etre (?:delivre|signifie|ordonne|engagee?|pratiquee?)|can only be|peut seul|\bfaq\b|questions frequentes"
    r"|sur (?:decision|autorisation) (?:d'un|du) juge|on a court order|par exemple|for example|vous (?:recevez|recevrez|receviez|avez recu) (?:un|une)"
)
_RIGHTS = rx(
    r"vous (?:avez|disposez) (?:le|du|d'un) droit|vous (?:pouvez|pourrez|pourriez) (?:contester|saisir|demander|vous adresser|consulter|solliciter|former|exercer|obtenir|vous renseigner|vous faire)"
    r"|you (?:have|retain) the right|you (?:can|may|could) (?:dispute|contest|ask|request|apply|contact|seek|challenge|get|obtain)|a votre demande|at your request"
)


def clause(doc: Doc, start: int) -> str:
    """The sentence (or clause, split on ; : and line breaks) around a match."""
    return doc.sentence_text(start)


def _clause_search(doc: Doc, pattern: re.Pattern[str], start: int) -> bool:
    return pattern.search(doc.sentence_text(start)) is not None


def negated(doc: Doc, start: int) -> bool:
    """True when the clause holding the match denies it ("nous ne procéderons à aucune saisie")."""
    flags = doc.clause_flags(start)
    got = flags.get("neg")
    if got is None:
        got = flags["neg"] = _NEG.search(_FAKE_NEG.sub(" ", clause(doc, start))) is not None
    return got


def informational(doc: Doc, start: int) -> bool:
    """True when the clause explains (FAQ, definition) rather than announces."""
    flags = doc.clause_flags(start)
    got = flags.get("info")
    if got is None:
        got = flags["info"] = _clause_search(doc, _INFO, start)
    return got


def debtor_rights(doc: Doc, start: int) -> bool:
    flags = doc.clause_flags(start)
    got = flags.get("rights")
    if got is None:
        got = flags["rights"] = _clause_search(doc, _RIGHTS, start)
    return got


def allowed_context(doc: Doc, start: int) -> bool:
    return negated(doc, start) or informational(doc, start) or debtor_rights(doc, start)


_ESCAPE = re.compile(r"\\[a-zA-Z]|\[[a-z]+\]\?|[a-z]\?")
_LITERAL = re.compile(r"[a-z]{2,}")
_STOP = frozenset(
    "de du des la le les un une et ou en au aux vous votre vos nous notre nos the to of an and or you your we our is are "
    "be on in at by for with que qui ne pas se sa son ses ce cette il elle sur par pour it this that will est".split()
)
_ANCHORS: dict[int, frozenset[str]] = {}


def anchors_of(pattern: re.Pattern[str]) -> frozenset[str]:
    """Word stems (<= 5 letters) of a pattern's literals: every match holds at least one of them."""
    key = id(pattern)
    found = _ANCHORS.get(key)
    if found is None:
        src = _ESCAPE.sub(" ", pattern.pattern)
        found = frozenset(w[:5] for w in _LITERAL.findall(src) if w not in _STOP)
        _ANCHORS[key] = found
    return found


def first_valid(doc: Doc, pattern: re.Pattern[str], anchored: bool = True) -> list[re.Match[str]]:
    """Matches of ``pattern`` outside protected spans (the L111-8 text).

    With ``anchored`` (default) the pattern only runs in the sentence windows holding one of its literal
    word stems (``anchors_of``), so a pattern whose stems are absent costs a set lookup and big
    alternations stay cheap on long texts. Patterns with a branch made only of digits or symbols must pass
    ``anchored=False``. Plain ``re`` only: no private ``re._parser`` / ``re._compiler``."""
    norm = doc.norm
    ranges = doc.windows(anchors_of(pattern)) if anchored else [(0, len(norm))]
    out = []
    for a, b in ranges:
        for m in pattern.finditer(norm, a, b):
            if doc.protected and doc.in_protected(m.start(), m.end()):
                continue
            out.append(m)
    return out


def search(doc: Doc, pattern: re.Pattern[str]) -> re.Match[str] | None:
    return pattern.search(doc.norm)


AGENCY_RX = rx(r"\b(?:nous|notre|nos|nous-memes|notre (?:cabinet|societe|agence|service)|nos (?:services|agents|equipes)|we|our|us)\b")
DEADLINE_RX = rx(
    r"\b(?:sous|dans les|dans un delai de|d'ici|within|in the next|in) \d+ ?(?:h\b|heures?|hours?|jours?|days?|j\b)"
    r"|\b\d+ ?h(?:eures)?\b(?! ?\d)|\bimmediate\w*|\bsans (?:delai|plus attendre|preavis)|\bdes (?:demain|aujourd'hui|reception|maintenant)"
    r"|\bwithout (?:further )?(?:notice|delay)|\bright away|\bdemain|\btomorrow|\btoday|\baujourd'hui|\bdernier (?:avis|delai|rappel|avertissement)"
    r"|\bfinal (?:notice|warning|demand)|\blast (?:notice|warning|chance)|\bavant (?:saisie|poursuites|execution)"
)


# --- lexicon entries ------------------------------------------------------------------------------

def lexicon_of(family: str) -> tuple[CompiledEntry, ...]:
    """The compiled entries of ``knowledge/policy/lexicons/<family>.yaml`` (empty when there is none)."""
    if not (LEXICON_DIR / f"{family.lower()}.yaml").is_file():
        return ()
    return load_lexicon(family)[1]


def _has_fact(ctx: GuardContext, fact: str) -> bool:
    debtor = ctx.debtor
    if debtor is None:
        return False
    if fact == "court_title":
        return debtor.title is not None and bool(debtor.title.court)
    if fact == "enforceable_title":
        return debtor.title is not None
    if fact == "mandate_to_sue":
        return debtor.creditor.mandate_to_sue
    if fact == "business_debtor":
        return debtor.kind == "business"
    raise ValueError(f"unknown lexicon fact {fact!r}")


def _lexicon_matches(doc: Doc, c: CompiledEntry) -> Iterator[re.Match[str]]:
    """The entry's matches, in text order, starting in the windows the one lexicon matcher found (one scan of
    the text for every lexicon; see ``lexicon.LexiconMatcher``), outside protected spans."""
    norm = doc.norm
    last = -1
    matcher = lexicon_matcher()
    windows = matcher.candidates(doc) if (c.entry.id, c.pattern.pattern) in matcher.members else [(0, len(norm))]  # an entry from elsewhere
    for a, b in windows:
        for m in c.pattern.finditer(norm, max(a, last)):
            if m.start() >= b:
                break
            last = m.end() if m.end() > m.start() else m.start() + 1
            if doc.protected and doc.in_protected(m.start(), m.end()):
                continue
            yield m


def lexicon_findings(rule: BaseRule, doc: Doc, ctx: GuardContext, entries: tuple[CompiledEntry, ...]) -> list[Finding]:
    """One finding per entry at most: its first match in a clause that is not informational and holds none
    of the entry's lawful look-alikes. Without ``needs`` it blocks; with it: warn (missing_fact) without a
    file, nothing when the file holds the fact, block when the file lacks it."""
    out: list[Finding] = []
    for c in entries:
        entry = c.entry
        if entry.lang != doc.lang:
            continue
        for m in _lexicon_matches(doc, c):
            if informational(doc, m.start()):
                continue
            a, b = doc.sentence(m.start())
            if c.lawful is not None and c.lawful.search(doc.norm, a, b):
                continue
            meta = Meta(entry.id, entry.explanation, entry.basis, entry.rewording, entry.rewording)
            need = entry.needs
            if need is None:
                out.append(rule.make(doc, meta, m.start(), m.end()))
            elif ctx.debtor is None:
                out.append(rule.make(doc, meta, m.start(), m.end(), severity="warn", missing_fact=need))
            elif not _has_fact(ctx, need):
                out.append(rule.make(doc, meta, m.start(), m.end()))
            break
    return out
