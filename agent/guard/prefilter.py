"""Exact trigger prefilter: the words and phrases without which a compiled pattern cannot match.

``gate_of(pattern)`` walks the parsed pattern (``re._parser``) and collects, for each top-level
alternative, the *clauses* it requires. A clause is a set of *phrases* such that every match of the
alternative contains one of them at a word start; a phrase is a run of literal letters / digits the
pattern itself places at a word start (after ``\\b``, a space, an apostrophe or any other character
that cannot be a letter or a digit), possibly continued across single non-alphanumeric characters
(``jusqu'a`` -> "jusqu a", ``tous\\sles`` -> "tous les"). The text side (``Doc``) keeps a copy of
the normalised text where every character but [a-z0-9] is a space, so "the text holds this phrase at a
word start" is one substring search, and the set of 2- to 5-letter word prefixes gives a quicker,
coarser test (the phrase's first word's prefix).

Everything is derived from the compiled patterns, never written by hand, and every test is a
*necessary* condition of a match, so the prefilter cannot lose a match: an alternative whose clauses
do not all hold cannot match anywhere in the text, nor in any part of it that starts at a word
boundary, and is dropped from the pattern (the remaining alternatives keep their order, so the
matches are the same). An alternative where nothing can be proved always stays.

``literal_first`` then rewrites what remains so that the regex engine can skip ahead to a literal
character instead of trying every position (``\\bfoo`` -> ``foo(?<=\\bfoo)``).
"""

from __future__ import annotations

import re
import threading
from re import _compiler as _compiler  # type: ignore[attr-defined]
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _p  # type: ignore[attr-defined]
from typing import Any, Protocol

from agent.guard.normalize import LONG_PREFIX_MAX

_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ALNUM_CODES = frozenset(ord(c) for c in _ALNUM)

# Words found in almost every letter: a clause keyed on them is a poor quick test.
_COMMON = frozenset(w[:5] for w in (
    "de du des la le les un une et ou en au aux vous votre vos nous notre nos the to of an and or you your we our "
    "is are be on in at by for with que qui ne pas se sa son ses ce cette il elle sur par pour it this that will est "
    "a l d s n j y plus tout tous toute avec dans sans sera sont etre avoir avons avez faire fait peut pouvez pourra "
    "pourrons merci madame monsieur bonjour client clients cabinet dossier facture factures somme montant paiement "
    "payer regler reglement solde delai jour jours date service services solution situation contact contacter "
    "rappel demande mise mettre compte comptes can may not no any all if as from have has was were been please "
    "pay payment paid account balance invoice call contact team our us me my i he she they them his her its "
    "si lui leur leurs mon ma mes ton ta tes cela ceci ca ici apres avant entre chez vers lors afin ainsi comme "
    "bien tres encore deja".split()
))



class Clause:
    """Phrases one of which every match holds, grouped by the word prefix each of them implies."""

    __slots__ = ("phrases", "stems", "by_stem", "loose")

    def __init__(self, phrases: frozenset[str]) -> None:
        self.phrases = tuple(sorted(phrases))
        by_stem: dict[str, list[str]] = {}
        loose: list[str] = []
        for phrase in self.phrases:
            stem = stem_of(phrase)
            if stem is None:
                loose.append(phrase)
            else:
                by_stem.setdefault(stem, []).append(phrase)
        self.by_stem = {k: tuple(v) for k, v in by_stem.items()}
        self.stems = frozenset(by_stem)
        self.loose = tuple(loose)  # phrases with no usable prefix (a one-letter first word)

    def holds(self, text: TextView) -> bool:
        has = text.has_phrase
        for stem in self.stems.intersection(text.prefixes):
            for phrase in self.by_stem[stem]:
                if has(phrase):
                    return True
        return any(has(phrase) for phrase in self.loose)


class TextView(Protocol):
    """What a gate needs to know about a text (implemented by ``Doc``)."""

    @property
    def prefixes(self) -> frozenset[str]: ...

    @property
    def long_prefixes(self) -> frozenset[str]: ...

    def has_phrase(self, phrase: str) -> bool: ...

    def present_phrases(self, items: tuple[tuple[str, frozenset[str], str, str], ...]) -> list[str]: ...

    gate_state: object  # per-text slot of the prefilter (``_present_in``)


def _phrase_item(phrase: str) -> tuple[str, frozenset[str], str, str]:
    """(phrase, its whole words, the first five letters of its last word, " " + phrase): what
    ``TextView.present_phrases`` needs to test it (as ``has_phrase`` does)."""
    parts = phrase.split(" ")
    return phrase, frozenset(p for p in parts[:-1] if p), parts[-1][:5], " " + phrase


def stem_of(phrase: str) -> str | None:
    """A word prefix (as in ``Doc.prefixes``) every text holding ``phrase`` has, or None: the prefix of
    its least common usable word (a whole word, or the start of the last one, of 2+ letters, or a
    one-letter whole word)."""
    parts = phrase.split(" ")
    usable = [p for p in parts[:-1] if p] + ([parts[-1]] if len(parts[-1]) >= 2 else [])
    if not usable:
        return None
    best = min(usable, key=lambda w: (w[:5] in _COMMON, len(w) < 2, -len(w)))
    return best[:5]


def _score(clause: frozenset[str]) -> tuple[int, int, int, int]:
    stems = [stem_of(a) for a in clause]
    unindexed = sum(1 for st in stems if st is None)
    common = sum(1 for st in stems if st in _COMMON)
    return (unindexed, common, len(clause), -min(len(a) for a in clause))


def _best(clauses: list[frozenset[str]]) -> frozenset[str] | None:
    return min(clauses, key=_score) if clauses else None


def _nonword_set(items: Any) -> bool:
    """True when a character class can only match characters that are not [a-z0-9]."""
    if not items:
        return False
    for op, av in items:
        if op is _c.NEGATE:
            return False
        if op is _c.LITERAL:
            if av in _ALNUM_CODES:
                return False
        elif op is _c.RANGE:
            lo, hi = av
            if any(lo <= code <= hi for code in _ALNUM_CODES):
                return False
        elif op is _c.CATEGORY:
            if av not in (_c.CATEGORY_SPACE, _c.CATEGORY_NOT_WORD, _c.CATEGORY_LINEBREAK):
                return False
        else:
            return False
    return True


def _assert_prev_nonword(av: Any) -> bool:
    """``(?<![...])`` whose class holds every [a-z0-9]: the previous character is not a letter/digit."""
    direction, sub = av
    if direction != -1 or len(sub.data) != 1:
        return False
    op, items = sub.data[0]
    if op is _c.IN:
        if any(o is _c.NEGATE for o, _ in items):
            return False
        covered: set[int] = set()
        for o, a in items:
            if o is _c.LITERAL:
                covered.add(a)
            elif o is _c.RANGE:
                covered.update(range(a[0], a[1] + 1))
            elif o is _c.CATEGORY and a is _c.CATEGORY_WORD:
                covered.update(_ALNUM_CODES)
        return _ALNUM_CODES <= covered
    return False


class _Analyser:
    """Required clauses of a parsed sequence, given whether the previous character is a non-word."""

    def seq(self, items: Any, ws: bool, run: str = "", run_ok: bool = False) -> tuple[list[frozenset[str]], bool]:
        """``run`` / ``run_ok``: a phrase in progress just before ``items`` (the parser factors common
        prefixes out of alternations, e.g. ``\\bs(?:ommation|ummons)``)."""
        clauses: list[frozenset[str]] = []

        def flush() -> None:
            nonlocal run, run_ok
            if run_ok and len(run.rstrip()) >= 2 and (len(run.split(" ", 1)[0]) >= 2 or " " in run):
                clauses.append(frozenset({run}))
            run, run_ok = "", False

        for op, av in items:
            if op is _c.LITERAL:
                ch = chr(av)
                if ch in _ALNUM:
                    if not run:
                        run_ok = ws
                    run += ch
                    ws = False
                else:
                    if run:
                        run += " "  # one character that is not [a-z0-9]: a space in the flat text
                    ws = True
                continue
            if op is _c.IN and _nonword_set(av):
                if run:
                    run += " "
                ws = True
                continue
            if op is _c.SUBPATTERN and run:
                got, ws = self.seq(av[-1].data, ws, run, run_ok)
                clauses.extend(got)
                run, run_ok = "", False
                continue
            if op is _c.BRANCH and run:
                ws = self._branch(av, ws, run, run_ok, clauses)
                run, run_ok = "", False
                continue
            flush()
            if op is _c.IN:
                ws = False
            elif op is _c.AT:
                if av in (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING):
                    ws = True
                elif av is _c.AT_NON_BOUNDARY:
                    ws = False
            elif op is _c.ASSERT_NOT:
                if _assert_prev_nonword(av):
                    ws = True
            elif op is _c.ASSERT:
                pass  # zero-width: the previous character is unchanged
            elif op is _c.SUBPATTERN:
                got, ws = self.seq(av[-1].data, ws)
                clauses.extend(got)
            elif op is _c.BRANCH:
                ws = self._branch(av, ws, "", False, clauses)
            elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
                lo, _hi, sub = av
                got, after1 = self.seq(sub.data, ws)
                _, after2 = self.seq(sub.data, after1)
                if lo >= 1:
                    clauses.extend(got)
                    ws = after1 and after2
                else:
                    ws = ws and after1 and after2
            else:  # ANY, NOT_LITERAL, GROUPREF, ATOMIC_GROUP...: an unknown character was consumed
                ws = False
        flush()
        return clauses, ws

    def _branch(self, av: Any, ws: bool, run: str, run_ok: bool, clauses: list[frozenset[str]]) -> bool:
        """Append the branch's clause (union of each alternative's best one); return ``ws`` after it."""
        alt_best: list[frozenset[str]] = []
        out_ws = True
        complete = True
        for alt in av[1]:
            got, alt_ws = self.seq(alt.data, ws, run, run_ok)
            out_ws = out_ws and alt_ws
            best = _best(got)
            if best is None:
                complete = False
            else:
                alt_best.append(best)
        if complete and alt_best:
            clauses.append(frozenset().union(*alt_best))
        return out_ws


def split_alternatives(src: str) -> list[str]:
    """The top-level alternatives of a pattern's source (``a|(b|c)|[|]`` -> ``a``, ``(b|c)``, ``[|]``)."""
    pieces: list[str] = []
    depth = 0
    in_class = False
    start = 0
    i = 0
    n = len(src)
    while i < n:
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            # a "]" right after "[" or "[^" is a literal
            j = i + 1
            if j < n and src[j] == "^":
                j += 1
            if j < n and src[j] == "]":
                i = j
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            pieces.append(src[start:i])
            start = i + 1
        i += 1
    pieces.append(src[start:])
    return pieces


def _clauses_of(piece: str, flags: int) -> tuple[Clause, ...] | None:
    """Clauses every match of one alternative needs, the best quick test first (None: none proved)."""
    parsed = _p.parse(piece, flags)
    clauses, _ = _Analyser().seq(list(parsed.data), False)
    if not clauses:
        return None
    return tuple(Clause(c) for c in sorted(set(clauses), key=_score))


def _alternatives(items: list[Any]) -> list[list[Any]] | None:
    """The alternatives of a sequence that starts with a branch, each followed by the rest."""
    if items and items[0][0] is _c.BRANCH:
        rest = items[1:]
        return [list(alt.data) + rest for alt in items[0][1][1]]
    return None


def _expand(items: list[Any], budget: list[int], state: Any) -> list[list[Any]]:
    """Equivalent alternatives of ``items`` (same order of preference) that start with a literal
    where possible: ``(?:a|b)c`` -> ``ac|bc`` and ``\\bab`` -> ``ab(?<=\\bab)``."""
    if budget[0] <= 0 or not items:
        return [items]
    op, av = items[0]
    if op is _c.AT and av is _c.AT_BOUNDARY and len(items) > 1:
        nop = items[1][0]
        if nop is _c.LITERAL:
            k = 1
            while k < len(items) and items[k][0] is _c.LITERAL:
                k += 1
            run = items[1:k]
            look = _p.SubPattern(state, [(_c.AT, _c.AT_BOUNDARY), *run])
            return [[*run, (_c.ASSERT, (-1, look)), *items[k:]]]
        alts = _alternatives(items[1:]) or _optional(items[1:])
        if alts is not None:
            budget[0] -= len(alts)
            out: list[list[Any]] = []
            for alt in alts:
                out.extend(_expand([items[0], *alt], budget, state))
            return out
        return [items]
    alts = _alternatives(items) or _optional(items)
    if alts is not None:
        budget[0] -= len(alts)
        out = []
        for alt in alts:
            out.extend(_expand(alt, budget, state))
        return out
    return [items]


def _optional(items: list[Any]) -> list[list[Any]] | None:
    """``(?:a)?b`` -> ``ab``, ``b`` (greedy: with first); ``(?:a)??b`` -> ``b``, ``ab`` (lazy)."""
    if items:
        op, av = items[0]
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            sub = list(av[2].data)
            if av[2].getwidth()[0] == 0:
                return None  # an optional that can match empty: keep the engine's own handling
            rest = items[1:]
            return [sub + rest, rest] if op is _c.MAX_REPEAT else [rest, sub + rest]
    return None



def literal_first(src: str, flags: int) -> re.Pattern[str]:
    """``re.compile(src, flags)`` rewritten so that the regex engine can skip ahead to a literal
    character (its fast prefix / charset search) instead of trying every position.

    The rewrite keeps the matches: a branch at the head of a sequence is distributed over what follows
    (alternatives are still tried in the same order), and ``\\bL`` becomes ``L(?<=\\bL)`` (the
    look-behind sees the real text, as ``\\b`` does). Only for patterns without capturing groups."""
    pattern = re.compile(src, flags)
    if pattern.groups or flags & (re.IGNORECASE | re.VERBOSE):
        return pattern
    parsed = _p.parse(src, flags)
    budget = [64]
    alts = _expand(list(parsed.data), budget, parsed.state)
    if budget[0] <= 0:
        return pattern
    if len(alts) == 1:
        data = alts[0]
    else:
        data = [(_c.BRANCH, (None, [_p.SubPattern(parsed.state, a) for a in alts]))]
    fast: re.Pattern[str] = _compiler.compile(_p.SubPattern(parsed.state, data), flags)
    return fast


class Gate:
    """The prefilter of one compiled pattern.

    ``pieces``: source of each top-level alternative; ``clauses[i]``: what alternative ``i`` needs,
    best quick test first (None: nothing proved, always open); ``keys[i]``: the word prefixes of
    that first clause, when every phrase of it has one (a text without any of them cannot hold the
    alternative); ``any_stem``: the union of the keys.
    """

    __slots__ = ("pattern", "pieces", "clauses", "keys", "any_stem", "trivial", "always", "unkeyed", "all_pieces",
                 "_extra", "_by_stem", "_reduced", "_reducible", "_short", "_long", "_multi_stems", "_multi_by_stem",
                 "_loose", "_piece_sets", "_memo", "_all_phrases")

    def __init__(self, pattern: re.Pattern[str], pieces: list[str], clauses: list[tuple[Clause, ...] | None]) -> None:
        self.pattern = pattern
        self.pieces = tuple(pieces)
        self.clauses = tuple(clauses)
        keys: list[frozenset[str] | None] = []
        for c in clauses:
            keys.append(c[0].stems if c is not None and not c[0].loose else None)
        self.keys = tuple(keys)
        self.any_stem = frozenset().union(*(k for k in keys if k is not None))
        self.trivial = all(c is None for c in clauses)  # nothing can be skipped: the pattern always runs
        self.always = tuple(i for i, c in enumerate(clauses) if c is None)  # open whatever the text
        self.unkeyed = tuple(i for i, c in enumerate(clauses) if c is not None and keys[i] is None)
        self._extra = self.always + self.unkeyed  # candidates whatever the text
        self.all_pieces = tuple(range(len(pieces)))
        by_stem: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            for stem in k or ():
                by_stem.setdefault(stem, []).append(i)
        self._by_stem = {k: tuple(v) for k, v in by_stem.items()}
        # a pattern minus alternatives that cannot match has the same matches (the leftmost alternative
        # still wins at each position); only when group numbers cannot move
        self._reducible = pattern.groups == 0
        self._reduced: dict[tuple[int, ...], re.Pattern[str]] = {}
        # set form of the clauses, for ``open_pieces``: a clause holds when one of its phrases is in the text.
        # One-word phrases are word prefixes (set lookups); the others are tested one by one (``has_phrase``).
        short: set[str] = set()
        long: set[str] = set()
        multi: dict[str, set[str]] = {}
        loose: set[str] = set()
        piece_sets: list[tuple[frozenset[str], ...] | None] = []
        for cl in clauses:
            if cl is None:
                piece_sets.append(None)
                continue
            piece_sets.append(tuple(frozenset(cla.phrases) for cla in cl))
            for cla in cl:
                for phrase in cla.phrases:
                    ph_stem = stem_of(phrase)
                    if " " not in phrase and 2 <= len(phrase) <= LONG_PREFIX_MAX:
                        (short if len(phrase) <= 5 else long).add(phrase)
                    elif " " not in phrase and len(phrase) > LONG_PREFIX_MAX:
                        loose.add(phrase)  # longer than the text's indexed prefixes: substring test
                    elif ph_stem is None:
                        loose.add(phrase)
                    else:
                        multi.setdefault(ph_stem, set()).add(phrase)
        self._short = frozenset(short)
        self._long = frozenset(long)
        self._multi_stems = frozenset(multi)
        self._multi_by_stem = {k: tuple(_phrase_item(p) for p in sorted(v)) for k, v in multi.items()}
        self._loose = tuple(_phrase_item(p) for p in sorted(loose))
        self._piece_sets = tuple(piece_sets)
        self._all_phrases = frozenset().union(short, long, loose, *multi.values())
        # phrases of the gate present in a text -> open alternatives (a pure function of that set)
        self._memo: dict[frozenset[str], tuple[int, ...]] = {}

    def candidates(self, prefixes: frozenset[str]) -> set[int]:
        """Alternatives worth confirming: key present, no key, or nothing proved."""
        cand = {*self.always, *self.unkeyed}
        by_stem = self._by_stem
        for stem in self.any_stem.intersection(prefixes):
            cand.update(by_stem[stem])
        return cand

    def confirm(self, cand: set[int], text: TextView) -> tuple[int, ...]:
        """The candidates (ascending) all of whose clauses hold in the text."""
        clauses = self.clauses
        out: list[int] = []
        for i in sorted(cand):
            cl = clauses[i]
            if cl is None or all(c.holds(text) for c in cl):
                out.append(i)
        return tuple(out)

    def open_pieces(self, text: TextView) -> tuple[int, ...]:
        """Indices (ascending) of the alternatives that may match the text.

        Same result as ``open_pieces_reference``: an alternative is open when each of its clauses has a
        phrase in the text. The phrases of every gate that the text holds are collected once per text
        (``_present_in``: one-word phrases are word prefixes, set intersections; the others are tested
        once each), and the open alternatives of a gate are memoised on the subset of its own phrases,
        so a gate costs one set intersection and a dict lookup."""
        prefixes = text.prefixes
        if not self._extra and self.any_stem.isdisjoint(prefixes):
            return ()  # the common case: not one key of the pattern in the text
        state = _present_in(text)
        if self in state[0].gates:  # the phrases of every gate were collected at once for this text
            present = self._all_phrases.intersection(state[1])
        else:
            present = self.present_phrases(text)
        got = self._memo.get(present)
        if got is None:
            got = tuple(i for i, sets in enumerate(self._piece_sets)
                        if sets is None or all(not s.isdisjoint(present) for s in sets))
            if len(self._memo) >= 4096:
                self._memo.clear()
            self._memo[present] = got
        return got

    def present_phrases(self, text: TextView) -> frozenset[str]:
        """The phrases of this gate's clauses that the text holds."""
        prefixes = text.prefixes
        present = self._short.intersection(prefixes)
        if self._long:
            present |= self._long.intersection(text.long_prefixes)
        items = [it for stem in self._multi_stems.intersection(prefixes) for it in self._multi_by_stem[stem]]
        items.extend(self._loose)
        if items:
            found = text.present_phrases(tuple(items))
            if found:
                present = present.union(found)
        return present

    def open_pieces_reference(self, text: TextView) -> tuple[int, ...]:
        """Reference form of ``open_pieces``: candidates by key, then every clause confirmed."""
        prefixes = text.prefixes
        if not self._extra and self.any_stem.isdisjoint(prefixes):
            return ()
        return self.confirm(self.candidates(prefixes), text)

    def reduced(self, open_idx: tuple[int, ...]) -> re.Pattern[str]:
        """The pattern restricted to the alternatives ``open_idx``, in its literal-first form (compiled
        once, then cached); the pattern itself when it has capturing groups."""
        if not self._reducible:
            return self.pattern
        # Never compile on the hot path: a first-seen text would pay a regex compilation per new subset of
        # open alternatives. The whole pattern (its literal-first form, compiled once when the gate is
        # built) has the same matches as any reduction to the alternatives that can match.
        key = self.all_pieces if REDUCE_TO_ALL else open_idx
        got = self._reduced.get(key)
        if got is None:
            if len(self._reduced) >= 1024:
                self._reduced.clear()
            src = "|".join(self.pieces[i] for i in key)
            got = self._reduced[key] = literal_first(src, self.pattern.flags)
        return got


# True: ``reduced`` always returns the whole pattern's compiled form (no compilation per text).
REDUCE_TO_ALL = True

_GATES: dict[int, Gate] = {}


class _Index:
    """The phrases of every gate known when it was built, for one pass per text (``_present_in``)."""

    __slots__ = ("gates", "short", "long", "multi_stems", "multi_by_stem", "loose")

    def __init__(self, gates: list[Gate]) -> None:
        self.gates = frozenset(gates)
        multi: dict[str, dict[str, tuple[str, frozenset[str], str, str]]] = {}
        loose: dict[str, tuple[str, frozenset[str], str, str]] = {}
        for g in gates:
            for stem, items in g._multi_by_stem.items():
                multi.setdefault(stem, {}).update((it[0], it) for it in items)
            loose.update((it[0], it) for it in g._loose)
        self.short = frozenset().union(*(g._short for g in gates))
        self.long = frozenset().union(*(g._long for g in gates))
        self.multi_stems = frozenset(multi)
        self.multi_by_stem = {k: tuple(v[p] for p in sorted(v)) for k, v in multi.items()}
        self.loose = tuple(loose[p] for p in sorted(loose))

    def present(self, text: TextView) -> frozenset[str]:
        prefixes = text.prefixes
        present = self.short.intersection(prefixes) | self.long.intersection(text.long_prefixes)
        by_stem = self.multi_by_stem
        items = [it for stem in self.multi_stems.intersection(prefixes) for it in by_stem[stem]]
        items.extend(self.loose)
        if items:
            found = text.present_phrases(tuple(items))
            if found:
                present = present.union(found)
        return present


_INDEX: list[_Index | None] = [None]  # rebuilt (lazily) when a new gate is derived


def _present_in(text: TextView) -> tuple[_Index, frozenset[str]]:
    """(index, the phrases of all its gates that the text holds), computed once per text and index."""
    idx = _INDEX[0]
    if idx is None:
        with _LOCK:
            idx = _INDEX[0] = _Index(list(_GATES.values()))
    got: Any = text.gate_state
    if got is None or got[0] is not idx:
        got = text.gate_state = (idx, idx.present(text))
    return got


def _derive(pattern: re.Pattern[str]) -> Gate:
    src = pattern.pattern
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return Gate(pattern, [src], [None])
    pieces = split_alternatives(src)
    try:
        clauses = [_clauses_of(piece, pattern.flags & ~re.UNICODE) for piece in pieces]
        for piece in pieces:
            re.compile(piece, pattern.flags)
    except (re.error, ValueError, TypeError, OverflowError):  # e.g. a backreference across alternatives
        pieces = [src]
        clauses = [_clauses_of(src, pattern.flags & ~re.UNICODE)]
    return Gate(pattern, pieces, clauses)


_LOCK = threading.Lock()


def gate_of(pattern: re.Pattern[str]) -> Gate:
    """The (cached) gate of a compiled pattern."""
    got = _GATES.get(id(pattern))
    if got is None or got.pattern is not pattern:
        got = _derive(pattern)
        with _LOCK:
            _GATES[id(pattern)] = got
            _INDEX[0] = None
    return got
