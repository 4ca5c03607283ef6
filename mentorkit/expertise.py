"""Expertise as mentors write it, matched to the competencies of a framework.

A mentor roster says "Leadership", "negotiations", "Public-Speaking" or "presenting" where
the framework has the area `leadership`, the competency `negotiation` and the competency
`public-speaking`. `ExpertiseVocabulary` turns such a term into competency ids:

- competency ids and names, area ids and names, and the synonyms of
  data/expertise_synonyms.yaml all match, in that order of precedence;
- case, spaces, punctuation and accents do not matter, `&` reads as "and", each word may
  carry a plural "s", "es" or "ies", and a trailing "skills" is optional ("Negotiation
  skills");
- an area (by id, name or synonym) means every competency in it, in framework order.

A term that matches nothing gives no ids: the roster keeps it as a tag. Pure: no I/O.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping

from mentorkit.models import Framework

#: Terms that say "nothing" rather than name a topic; a cell of only these is blank.
BLANK_TERMS = frozenset({"", "na", "none", "nil", "tbd", "tbc"})

_WORD = re.compile(r"[^\W_]+")
#: Word endings that are not plurals ("business", "status", "analysis").
_NOT_PLURAL = ("ss", "us", "is")


def _singular(word: str) -> str:
    """`word` without a plural ending, by simple English rules ("ies" → "y", "es", "s")."""
    if len(word) <= 3 or not word.isascii():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith(_NOT_PLURAL) or not word.endswith("s"):
        return word
    return word[:-1]


def term_words(text: str) -> list[str]:
    """The words of `text` as compared: accents dropped, case folded, each word singular."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return [_singular(word) for word in _WORD.findall(plain.casefold().replace("&", " and "))]


def term_key(text: str) -> str:
    """`text` reduced for comparison: "Public-Speaking" and "public speakings" are equal."""
    return "".join(term_words(text))


def is_blank_term(text: str) -> bool:
    """Whether `text` says nothing ("-", "n/a", "none", "TBD")."""
    return term_key(text) in BLANK_TERMS


class ExpertiseVocabulary:
    """Every way of writing the competencies of one framework, with the synonyms given."""

    def __init__(self, framework: Framework, synonyms: Mapping[str, str] | None = None) -> None:
        self.framework = framework
        self._ids: dict[str, tuple[str, ...]] = {}
        for area in framework.areas:
            for competency in area.competencies:
                self._ids[competency.id] = (competency.id,)
        for area in framework.areas:
            self._ids.setdefault(area.id, tuple(c.id for c in area.competencies))
        self._lookup: dict[str, tuple[str, ...]] = {}
        for area in framework.areas:
            for competency in area.competencies:
                self._add(competency.id, competency.id)
                self._add(competency.name, competency.id)
        for area in framework.areas:
            self._add(area.id, area.id)
            self._add(area.name, area.id)
        for term, target in (synonyms or {}).items():
            if target in self._ids:  # a synonym of something this framework lacks is skipped
                self._add(term, target)

    def _add(self, term: str, target: str) -> None:
        key = term_key(term)
        if key and key not in BLANK_TERMS:
            self._lookup.setdefault(key, self._ids[target])

    def match(self, term: str) -> tuple[str, ...]:
        """The competency ids `term` means, in framework order; () when it means none."""
        words = term_words(term)
        found = self._lookup.get("".join(words))
        if found is None and len(words) > 1 and words[-1] == "skill":
            found = self._lookup.get("".join(words[:-1]))
        return found or ()

    def accepted_names(self) -> list[str]:
        """The names a roster may use, each area ("… (area)") before its competencies."""
        names: list[str] = []
        for area in self.framework.areas:
            names.append(f"{area.name} (area)")
            names.extend(competency.name for competency in area.competencies)
        return names

    def suggestion(self, term: str) -> str | None:
        """The area or competency name closest to a term that matched nothing, if close."""
        if len(term) > 200:
            return None
        by_key: dict[str, str] = {}
        for area in self.framework.areas:
            by_key.setdefault(term_key(area.name), area.name)
            for competency in area.competencies:
                by_key.setdefault(term_key(competency.name), competency.name)
        close = difflib.get_close_matches(term_key(term), list(by_key), n=1, cutoff=0.8)
        return by_key[close[0]] if close else None
