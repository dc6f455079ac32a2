"""What an agent's free-text file notes say about contacting the debtor, as structured data.

The wordings live in ``prompts/points/notes_flags.yaml`` (matched on the folded note: lower case, no
accents, apostrophes as spaces):

* ``flags``: phrase lists naming a flag (``no_phone``, ``email_only``, ``letter_only``, ``no_reminder``...)
  that drafting and the contact windows use to exclude channels ("Ne plus appeler le domicile");
* ``restrictions``: regular expressions for time-of-day restrictions ("pas avant 18h", "jamais le
  matin", "pas au travail") turned into a :class:`ContactRestrictions` that
  :class:`agent.calendar.ContactWindows` applies to calls and texts.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from agent.lang import fold
from agent.yamlio import Strict, load_yaml_model

ContactChannel = Literal["phone", "sms", "email", "letter"]
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _hhmm(value: str) -> dt.time:
    m = _HHMM.match(value)
    if not m:
        raise ValueError(f"{value!r} is not an HH:MM time")
    return dt.time(int(m.group(1)), int(m.group(2)))


class Span(Strict):
    start: str  # "HH:MM", inclusive
    end: str  # "HH:MM", exclusive

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if _hhmm(self.start) >= _hhmm(self.end):
            raise ValueError(f"span {self.start}-{self.end} is empty")
        return self


class RestrictionRule(Strict):
    """One family of wordings and the restriction it means.

    ``not_before`` / ``not_after`` are "HH:MM", or "{h}:{m}" filled from the pattern's named groups
    ``h`` (hour, 0-23; ``pm`` group present adds 12) and ``m`` (minutes, default 00)."""

    id: str = Field(min_length=1)
    patterns: tuple[str, ...] = Field(min_length=1)
    not_before: str | None = None
    not_after: str | None = None
    avoid: Span | None = None  # e.g. working hours for "pas au travail"
    avoid_weekdays_only: bool = True  # the avoided span applies Monday to Friday
    channels: tuple[ContactChannel, ...] = ("phone", "sms")

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r}: {exc}") from exc
        return v

    @model_validator(mode="after")
    def _one_effect(self) -> RestrictionRule:
        if sum(x is not None for x in (self.not_before, self.not_after, self.avoid)) != 1:
            raise ValueError(f"restriction {self.id}: exactly one of not_before, not_after, avoid")
        for value in (self.not_before, self.not_after):
            if value is not None and "{" not in value:
                _hhmm(value)
        return self


class NoteFlags(Strict):
    version: int
    flags: dict[str, list[str]]
    restrictions: tuple[RestrictionRule, ...] = ()
    # flags that remove a channel for every automatic contact (drafting, cadence)
    channel_flags: dict[str, tuple[ContactChannel, ...]] = Field(default_factory=dict)
    only_flags: dict[str, ContactChannel] = Field(default_factory=dict)


@lru_cache(maxsize=4)
def load_note_flags(path: Path) -> NoteFlags:
    return load_yaml_model(path, NoteFlags, "note flags")


def _folded(notes: str) -> str:
    return re.sub(r"['\u2019]", " ", fold(notes))


def note_flags(notes: str, table: NoteFlags) -> set[str]:
    """Structured flags from the common wordings of a file's notes ("Ne plus appeler le domicile").

    A time restriction's wording is taken out first: "ne pas appeler avant 18h" restricts the hours,
    it does not forbid calls."""
    folded = _folded(notes)
    for rule in table.restrictions:
        for p in rule.patterns:
            folded = re.sub(p, " ", folded)
    return {flag for flag, phrases in table.flags.items() if any(p in folded for p in phrases)}


class ContactRestrictions(Strict):
    """What a file's notes restrict: earliest / latest time of day, avoided spans, excluded channels."""

    not_before: dt.time | None = None
    not_after: dt.time | None = None
    avoid: tuple[tuple[dt.time, dt.time, bool], ...] = ()  # (start, end, weekdays only)
    channels: tuple[ContactChannel, ...] = ("phone", "sms")  # channels the time restrictions apply to
    excluded_channels: frozenset[ContactChannel] = frozenset()
    only_channel: ContactChannel | None = None
    sources: tuple[str, ...] = ()  # ids of the rules / flags that matched

    @property
    def empty(self) -> bool:
        return not (self.not_before or self.not_after or self.avoid or self.excluded_channels or self.only_channel)

    def channel_allowed(self, channel: str) -> bool:
        if self.only_channel is not None:
            return channel == self.only_channel
        return channel not in self.excluded_channels

    def time_allowed(self, local: dt.datetime, channel: str) -> bool:
        """Whether a contact at this local time respects the notes (channels outside ``channels`` always do)."""
        if channel not in self.channels:
            return True
        t = local.time().replace(tzinfo=None)
        if self.not_before is not None and t < self.not_before:
            return False
        if self.not_after is not None and t >= self.not_after:
            return False
        return not any(a <= t < b and (not weekdays or local.weekday() < 5) for a, b, weekdays in self.avoid)


def _fill(template: str, m: re.Match[str]) -> dt.time:
    if "{" not in template:
        return _hhmm(template)
    groups = m.groupdict()
    hour = int(groups.get("h") or 0)
    if groups.get("pm") and hour < 12:
        hour += 12
    minute = int(groups.get("m") or 0)
    return _hhmm(template.format(h=f"{min(hour, 23):02d}", m=f"{min(minute, 59):02d}"))


def restrictions_from_notes(notes: str, table: NoteFlags) -> ContactRestrictions:
    """The contact restrictions written in a file's notes (empty when the notes say nothing)."""
    if not notes:
        return ContactRestrictions()
    folded = _folded(notes)
    not_before: dt.time | None = None
    not_after: dt.time | None = None
    avoid: list[tuple[dt.time, dt.time, bool]] = []
    channels: set[ContactChannel] = set()
    sources: list[str] = []
    for rule in table.restrictions:
        m = next((hit for p in rule.patterns if (hit := re.search(p, folded))), None)
        if m is None:
            continue
        sources.append(rule.id)
        channels |= set(rule.channels)
        if rule.not_before is not None:
            t = _fill(rule.not_before, m)
            not_before = t if not_before is None else max(not_before, t)
        if rule.not_after is not None:
            t = _fill(rule.not_after, m)
            not_after = t if not_after is None else min(not_after, t)
        if rule.avoid is not None:
            avoid.append((_hhmm(rule.avoid.start), _hhmm(rule.avoid.end), rule.avoid_weekdays_only))
    flags = note_flags(notes, table)
    excluded: set[ContactChannel] = set()
    only: ContactChannel | None = None
    for flag in sorted(flags):
        if flag in table.channel_flags:
            excluded |= set(table.channel_flags[flag])
            sources.append(flag)
        if flag in table.only_flags and only is None:
            only = table.only_flags[flag]
            sources.append(flag)
    return ContactRestrictions(not_before=not_before, not_after=not_after, avoid=tuple(avoid),
                               channels=tuple(sorted(channels)) or ("phone", "sms"),
                               excluded_channels=frozenset(excluded), only_channel=only, sources=tuple(sources))
