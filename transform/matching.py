"""Probable duplicate persons (D01) and persons sharing a PHN (D23), for a steward to decide.

Never merges: it only proposes pairs. Names are compared in a folded form (encoding
repaired, a 'DO NOT USE' prefix removed, accents and punctuation dropped, case-folded);
given names through a small nickname table (Bill = William).

Blocking (a pair is only considered when the two persons share a block):

* family name + birth date;
* family name + the birth date with day and month swapped;
* given name (canonical) + birth date;
* the same valid PHN.

Memory: :func:`find_match_candidates` holds every person it is given. A caller with many
persons uses the pieces it is made of instead (:func:`match_person`, :func:`block_keys`,
:func:`match_pair`, :func:`candidates_frame`) and keeps the persons and their blocks
elsewhere (``flows.matching_step`` keeps them on disk).

A pair in a name block is proposed (DUPLICATE_PERSON) only when the given names are
compatible (same, nickname, initial, or one missing), the family names are the same or
very close, and the birth dates agree (possibly swapped); twins (same family name and
birth date, different given names) are not proposed. A pair sharing a valid PHN is
always proposed: DUPLICATE_PERSON when names and birth date also agree, else SHARED_PHN.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import pandas as pd

from transform.dates import PLACEHOLDER
from transform.facts import Rows, plain_records
from transform.identifiers import is_valid_phn, normalise_phn
from transform.names import is_placeholder_name
from transform.outcome import is_missing
from transform.text import repair_text

__all__ = [
    "MATCH_COLUMNS",
    "MATCH_RESULT_COLUMNS",
    "NICKNAMES",
    "MatchPerson",
    "block_keys",
    "candidates_frame",
    "find_match_candidates",
    "match_pair",
    "match_person",
]

MATCH_COLUMNS: tuple[str, ...] = (
    "ROW_ID",
    "FST_NAME",
    "MID_NAME",
    "LAST_NAME",
    "NICK_NAME",
    "BIRTH_DT",
    "X_PHN",
)
"""The S_CONTACT columns :func:`find_match_candidates` reads."""

MATCH_RESULT_COLUMNS: tuple[str, ...] = (
    "person_a_row_id",
    "person_b_row_id",
    "score",
    "evidence",
    "code",
)

_NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("william", "bill", "billy", "will", "willy", "liam"),
    ("robert", "bob", "bobby", "rob", "robbie", "bert"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby", "lisa"),
    ("katherine", "kate", "katie", "kathy", "kat", "catherine", "kathryn", "cathy"),
    ("margaret", "maggie", "meg", "peggy", "marg"),
    ("richard", "rick", "ricky", "dick", "rich"),
    ("james", "jim", "jimmy", "jamie"),
    ("john", "johnny", "jack"),
    ("joseph", "joe", "joey"),
    ("michael", "mike", "mikey", "mick"),
    ("thomas", "tom", "tommy"),
    ("charles", "charlie", "chuck"),
    ("christopher", "chris", "topher"),
    ("daniel", "dan", "danny"),
    ("david", "dave", "davey"),
    ("edward", "ed", "eddie", "ted", "ned"),
    ("anthony", "tony"),
    ("alexander", "alex", "sasha", "xander"),
    ("alexandra", "alex", "lexi", "sandra"),
    ("benjamin", "ben", "benny"),
    ("samuel", "sam", "sammy"),
    ("samantha", "sam", "sammie"),
    ("matthew", "matt", "matty"),
    ("nicholas", "nick", "nicky"),
    ("jonathan", "jon", "jonny"),
    ("joshua", "josh"),
    ("andrew", "andy", "drew"),
    ("steven", "steve", "stephen"),
    ("patricia", "pat", "patty", "trish"),
    ("jennifer", "jen", "jenny"),
    ("jessica", "jess", "jessie"),
    ("rebecca", "becky", "becca"),
    ("susan", "sue", "susie"),
    ("deborah", "debbie", "deb"),
    ("victoria", "vicky", "tori"),
    ("abigail", "abby", "abbie"),
    ("gabriel", "gabe"),
    ("gabrielle", "gabby"),
    ("nathaniel", "nate", "nathan"),
    ("zachary", "zach", "zack"),
    ("timothy", "tim", "timmy"),
    ("kenneth", "ken", "kenny"),
    ("ronald", "ron", "ronnie"),
    ("donald", "don", "donnie"),
    ("theodore", "theo", "ted", "teddy"),
    ("frederick", "fred", "freddie"),
    ("madeline", "maddie", "maddy"),
    ("isabella", "bella", "izzy"),
    ("olivia", "liv", "livvy"),
    ("emily", "em", "emmy"),
    ("amanda", "mandy"),
    ("christina", "chris", "tina"),
    ("dorothy", "dot", "dottie"),
    ("kimberly", "kim", "kimmy"),
    ("nathan", "nate"),
)
"""Given names that can stand for one another (all folded)."""

NICKNAMES: dict[str, frozenset[str]] = {}
"""Folded given name -> every name it can stand for (itself included)."""
_CANONICAL: dict[str, frozenset[str]] = {}
"""Folded given name -> the canonical (first) names of the groups it belongs to."""
for _group in _NICKNAME_GROUPS:
    for _name in _group:
        NICKNAMES[_name] = NICKNAMES.get(_name, frozenset({_name})) | frozenset(_group)
        _CANONICAL[_name] = _CANONICAL.get(_name, frozenset()) | {_group[0]}

_DO_NOT_USE = re.compile(r"^[\W_]*do[\W_]*not[\W_]*use\b[\W_]*", re.IGNORECASE)
_FAMILY_SIMILARITY = 0.85


def fold_name(value: Any, *, first_name: bool = False) -> str | None:
    """The comparison form of a name: repaired, no 'DO NOT USE', no accents, letters only."""
    if value is None or is_missing(value) or not isinstance(value, str):
        return None
    repaired = repair_text(value).value or ""
    repaired = _DO_NOT_USE.sub("", repaired)
    if not repaired.strip() or is_placeholder_name(repaired, first_name=first_name):
        return None
    decomposed = unicodedata.normalize("NFKD", repaired)
    letters = "".join(ch for ch in decomposed if ch.isalpha() or ch == " ")
    folded = " ".join(letters.casefold().split())
    return folded or None


@dataclass(frozen=True)
class _Person:
    row_id: str
    given: str | None
    middle: str | None
    family: str | None
    nick: str | None
    born: dt.date | None
    phn: str | None  # valid PHNs only

    @property
    def given_names(self) -> set[str]:
        names = {n for n in (self.given, self.nick) if n}
        return {alias for n in names for alias in NICKNAMES.get(n, frozenset({n}))} | names


def _birth(value: Any) -> dt.date | None:
    if value is None or is_missing(value):
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    return None if not isinstance(day, dt.date) or day == PLACEHOLDER else day


def _swap(day: dt.date) -> dt.date | None:
    if day.day > 12 or day.day == day.month:
        return None
    try:
        return dt.date(day.year, day.day, day.month)
    except ValueError:
        return None


def _person(record: dict[str, Any]) -> _Person:
    phn = normalise_phn(record.get("X_PHN")).value
    return _Person(
        row_id=str(record["ROW_ID"]),
        given=fold_name(record.get("FST_NAME"), first_name=True),
        middle=fold_name(record.get("MID_NAME")),
        family=fold_name(record.get("LAST_NAME")),
        nick=fold_name(record.get("NICK_NAME"), first_name=True),
        born=_birth(record.get("BIRTH_DT")),
        phn=phn if phn is not None and is_valid_phn(phn) else None,
    )


def _blocks(person: _Person) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    if person.born is not None:
        iso = person.born.isoformat()
        if person.family:
            keys.append(("family_dob", person.family, iso))
            swapped = _swap(person.born)
            if swapped is not None:
                keys.append(("family_dob", person.family, swapped.isoformat()))
        for name in (person.given, person.nick):
            if name:
                keys.extend(("given_dob", canon, iso) for canon in _CANONICAL.get(name, {name}))
    if person.phn:
        keys.append(("phn", person.phn))
    return keys


def _given_agreement(a: _Person, b: _Person) -> tuple[float, str] | None:
    if a.given is None or b.given is None:
        return 0.5, "given_name:missing"
    if a.given == b.given:
        return 1.0, "given_name"
    if a.given_names & b.given_names:
        return 0.9, "given_name:nickname"
    if a.given[0] == b.given[0] and (len(a.given) == 1 or len(b.given) == 1):
        return 0.6, "given_name:initial"
    return None


def _family_agreement(a: _Person, b: _Person) -> tuple[float, str] | None:
    if not a.family or not b.family:
        return None
    if a.family == b.family:
        return 1.0, "family_name"
    if difflib.SequenceMatcher(None, a.family, b.family).ratio() >= _FAMILY_SIMILARITY:
        return 0.8, "family_name:similar"
    return None


def _birth_agreement(a: _Person, b: _Person) -> tuple[float, str] | None:
    if a.born is None or b.born is None:
        return None
    if a.born == b.born:
        return 1.0, "birth_date"
    if _swap(a.born) == b.born:
        return 0.8, "birth_date:day_month_swapped"
    return None


def _compare(a: _Person, b: _Person) -> dict[str, Any] | None:
    """Score and evidence of a pair, or None when it is not a probable duplicate."""
    family, given, born = _family_agreement(a, b), _given_agreement(a, b), _birth_agreement(a, b)
    same_phn = a.phn is not None and a.phn == b.phn
    same_middle = a.middle is not None and a.middle == b.middle
    duplicate = family is not None and given is not None and born is not None
    if not duplicate and not same_phn:
        return None
    evidence = [
        part[1]
        for part in (family, given, born)
        if part is not None and part[1] != "given_name:missing"
    ]
    evidence += ["middle_name"] * same_middle + ["phn"] * same_phn
    score = sum(
        weight * part[0] for weight, part in ((0.3, family), (0.25, given), (0.3, born)) if part
    )
    score += 0.15 * same_phn + 0.05 * same_middle
    return {
        "score": round(min(score, 1.0), 3),
        "evidence": json.dumps(evidence),
        "code": "DUPLICATE_PERSON" if duplicate else "SHARED_PHN",
    }


MatchPerson = _Person
"""A person as matching sees it (folded names, birth date, valid PHN): what
:func:`match_person` makes of a row and :func:`block_keys` and :func:`match_pair` read."""


def match_person(record: Mapping[str, Any]) -> MatchPerson:
    """The matching view of one S_CONTACT row (:data:`MATCH_COLUMNS`)."""
    return _person(dict(record))


def block_keys(person: MatchPerson) -> set[tuple[str, ...]]:
    """The distinct blocks of ``person``: a pair is only considered within a block."""
    return set(_blocks(person))


def match_pair(first: MatchPerson, second: MatchPerson) -> dict[str, Any] | None:
    """The result row of a pair sharing a block (:data:`MATCH_RESULT_COLUMNS`), or None when
    it is not a probable duplicate. ``person_a_row_id`` is the smaller ROW_ID."""
    a, b = sorted((first, second), key=lambda p: p.row_id)
    if a.row_id == b.row_id:
        return None
    found = _compare(a, b)
    if found is None:
        return None
    return {"person_a_row_id": a.row_id, "person_b_row_id": b.row_id, **found}


def candidates_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """The rows of :func:`match_pair` as the object-dtype frame :func:`find_match_candidates`
    returns: sorted by the two ROW_IDs, one row per pair."""
    ordered = sorted(rows, key=lambda r: (r["person_a_row_id"], r["person_b_row_id"]))
    return pd.DataFrame(
        {c: pd.Series([r[c] for r in ordered], dtype=object) for c in MATCH_RESULT_COLUMNS}
    )


def find_match_candidates(persons: Rows) -> pd.DataFrame:
    """Probable duplicate pairs among S_CONTACT rows (:data:`MATCH_COLUMNS`; a DataFrame or
    an iterable of mappings, as ``extract.read_columns`` gives), every person held at once.

    Returns an object-dtype frame with :data:`MATCH_RESULT_COLUMNS`: ``person_a_row_id`` <
    ``person_b_row_id`` (legacy ROW_IDs), ``score`` in 0..1, ``evidence`` (JSON list of
    the agreeing fields), ``code`` (DUPLICATE_PERSON or SHARED_PHN); one row per pair.
    """
    people = [match_person(r) for r in plain_records(persons)]
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, person in enumerate(people):
        for key in block_keys(person):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        pairs.update(combinations(sorted(members), 2))
    found = (match_pair(people[i], people[j]) for i, j in sorted(pairs))
    return candidates_frame(row for row in found if row is not None)
