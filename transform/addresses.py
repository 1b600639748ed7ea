"""Addresses (S_ADDR_PER): Canadian postal codes, provinces, countries, no fixed address.

* Postal code (Canada, or no country: a BC system's addresses are Canadian unless
  they say otherwise): ``V8W 1G1`` ok; the same letters and digits spelled otherwise
  (``v8w1g1``, ``V8W-1G1``, ``v8w 1g1``) -> ``V8W 1G1`` + POSTAL_CODE_NORMALISED; not a
  valid Canadian code -> unchanged + INVALID_POSTAL_CODE. Other countries: unchanged.
* Province: the 2-letter Canada Post code. ``BC`` ok; ``B.C.``, `` bc``, ``British
  Columbia``, ``Colombie-Britannique``, old codes (``PQ``, ``NF``) -> code +
  PROVINCE_NORMALISED; unknown -> reason UNMAPPED_CODE. Other countries: unchanged.
* Country: ISO 3166 alpha-2. An upper-case alpha-2 code ok; an English name spelled
  exactly as in :data:`COUNTRY_NAMES` (the legacy display values, e.g. ``Canada``,
  ``USA``, ``United States``) -> its code, no flag (documented mapping); any other
  spelling (``CANADA``, ``Can.``, ``canada ``, ``ca``, alpha-3 ``CAN``) -> code +
  COUNTRY_NORMALISED; unknown -> reason UNMAPPED_CODE.

Province and country placeholders (``N/A``, ``NA``, ``UNKNOWN``, ``UNK``, ``-``, ``.``)
are None + PLACEHOLDER_VALUE; NULL, ``''`` and blanks are None.
"""

from __future__ import annotations

import re

from transform.outcome import Normalised, flagged, is_missing, ok, rejected

__all__ = [
    "COUNTRY_NAMES",
    "ISO_ALPHA2",
    "PROVINCES",
    "is_no_fixed_address",
    "normalise_country",
    "normalise_postal_code",
    "normalise_province",
]

_POSTAL = re.compile(r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d")
_POSTAL_SEPARATORS = re.compile(r"[\s-]+")

PROVINCES: dict[str, tuple[str, ...]] = {
    "AB": ("Alberta", "Alta"),
    "BC": ("British Columbia", "Colombie-Britannique", "Colombie Britannique"),
    "MB": ("Manitoba", "Man"),
    "NB": ("New Brunswick", "Nouveau-Brunswick"),
    "NL": (
        "Newfoundland and Labrador",
        "Newfoundland & Labrador",
        "Newfoundland",
        "Nfld",
        "NF",
        "Terre-Neuve-et-Labrador",
    ),
    "NS": ("Nova Scotia", "Nouvelle-Écosse"),
    "NT": ("Northwest Territories", "NWT", "Territoires du Nord-Ouest"),
    "NU": ("Nunavut",),
    "ON": ("Ontario", "Ont"),
    "PE": ("Prince Edward Island", "PEI", "Île-du-Prince-Édouard"),
    "QC": ("Quebec", "Québec", "Que", "PQ"),
    "SK": ("Saskatchewan", "Sask"),
    "YT": ("Yukon", "Yukon Territory", "YK"),
}
"""Canada Post code -> other spellings (names, old codes, abbreviations)."""

_ISO_ALPHA2_TEXT = """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN
    BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE
    DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN
    GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE
    KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA
    PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK
    SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
    UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"""
ISO_ALPHA2 = frozenset(_ISO_ALPHA2_TEXT.split())
"""Every ISO 3166-1 alpha-2 code (from the tz database's iso3166.tab)."""

COUNTRY_NAMES: dict[str, str] = {
    "Canada": "CA",
    "USA": "US",
    "United States": "US",
    "Mexico": "MX",
    "United Kingdom": "GB",
    "Ireland": "IE",
    "France": "FR",
    "Germany": "DE",
    "Netherlands": "NL",
    "Italy": "IT",
    "Spain": "ES",
    "Portugal": "PT",
    "Poland": "PL",
    "Ukraine": "UA",
    "Russia": "RU",
    "China": "CN",
    "Hong Kong": "HK",
    "Taiwan": "TW",
    "Japan": "JP",
    "South Korea": "KR",
    "Philippines": "PH",
    "Vietnam": "VN",
    "India": "IN",
    "Pakistan": "PK",
    "Bangladesh": "BD",
    "Sri Lanka": "LK",
    "Iran": "IR",
    "Iraq": "IQ",
    "Syria": "SY",
    "Afghanistan": "AF",
    "Australia": "AU",
    "New Zealand": "NZ",
    "Fiji": "FJ",
    "Jamaica": "JM",
    "Brazil": "BR",
    "Colombia": "CO",
    "Guatemala": "GT",
    "El Salvador": "SV",
    "Honduras": "HN",
    "Eritrea": "ER",
    "Ethiopia": "ET",
    "Somalia": "SO",
    "Sudan": "SD",
    "Nigeria": "NG",
    "South Africa": "ZA",
    "Namibia": "NA",
}
"""Legacy display names (exact spelling: no flag) -> ISO 3166 alpha-2."""

_COUNTRY_VARIANTS: dict[str, str] = {
    "can": "CA",
    "us": "US",
    "u s": "US",
    "us of a": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "republic of korea": "KR",
    "korea, south": "KR",
    "viet nam": "VN",
    "people's republic of china": "CN",
    "prc": "CN",
}
"""Other spellings (folded form) of countries; any of these is COUNTRY_NORMALISED."""

_PLACEHOLDERS = frozenset({"n/a", "na", "unknown", "unk", "none", "-", "?"})
_NFA = re.compile(r"\s*(?:n\W*f\W*a|no\W+fixed\W+(?:address|abode))(?![^\W_])", re.IGNORECASE)


def _key(value: str) -> str:
    """Comparison form: case-folded, blanks and dots removed ('B.C.', ' bc' -> 'bc')."""
    return re.sub(r"[\s.]+", "", value).casefold()


def _build_province_index() -> dict[str, str]:
    return {
        _key(spelling): code
        for code, spellings in PROVINCES.items()
        for spelling in (code, *spellings)
    }


def _build_country_index() -> dict[str, str]:
    index = {_key(code): code for code in ISO_ALPHA2 if code != "NA"}
    index.update({_key(name): code for name, code in COUNTRY_NAMES.items()})
    index.update({_key(name): code for name, code in _COUNTRY_VARIANTS.items()})
    return index


_PROVINCE_INDEX = _build_province_index()
_COUNTRY_INDEX = _build_country_index()


def _is_placeholder(value: str) -> bool:
    folded = " ".join(value.split()).casefold()
    return folded in _PLACEHOLDERS or folded.strip(".") == ""


def normalise_postal_code(value: str | None, country_code: str | None) -> Normalised[str]:
    """A Canadian postal code as ``A1A 1A1`` (see the module docstring)."""
    if value is None or is_missing(value) or not value.strip():
        return ok(None)
    if country_code not in (None, "CA"):
        return ok(value)
    if _POSTAL.fullmatch(value):
        return ok(value)
    compact = _POSTAL_SEPARATORS.sub("", value).upper()
    candidate = f"{compact[:3]} {compact[3:]}"
    if len(compact) == 6 and _POSTAL.fullmatch(candidate):
        return flagged(candidate, "POSTAL_CODE_NORMALISED", "reformatted to A1A 1A1")
    return flagged(value, "INVALID_POSTAL_CODE", "not a valid Canadian postal code")


def normalise_province(value: str | None, *, country_code: str | None = None) -> Normalised[str]:
    """A Canadian province or territory as its 2-letter code (see the module docstring).

    ``country_code`` other than None or 'CA' returns the value unchanged: foreign
    regions are not checked here.
    """
    if value is None or is_missing(value) or not value.strip():
        return ok(None)
    if country_code not in (None, "CA"):
        return ok(value)
    if value in PROVINCES:
        return ok(value)
    code = _PROVINCE_INDEX.get(_key(value))
    if code is not None:
        return flagged(code, "PROVINCE_NORMALISED", "spelled otherwise; stored as its code")
    if _is_placeholder(value):
        return flagged(None, "PLACEHOLDER_VALUE", "placeholder province loaded as NULL")
    return rejected("UNMAPPED_CODE", "not a Canadian province or territory")


def normalise_country(value: str | None) -> Normalised[str]:
    """A country as ISO 3166 alpha-2 (see the module docstring)."""
    if value is None or is_missing(value) or not value.strip():
        return ok(None)
    if value in ISO_ALPHA2 and value != "NA":
        return ok(value)
    exact = COUNTRY_NAMES.get(value)
    if exact is not None:
        return ok(exact)
    if _is_placeholder(value):
        return flagged(None, "PLACEHOLDER_VALUE", "placeholder country loaded as NULL")
    code = _COUNTRY_INDEX.get(_key(value))
    if code is not None:
        return flagged(code, "COUNTRY_NORMALISED", "spelled otherwise; stored as ISO alpha-2")
    return rejected("UNMAPPED_CODE", "not a known country")


def is_no_fixed_address(line1: str | None, nfa_flag: bool | None) -> bool:
    """True when the NFA flag is set, or address line 1 says no fixed address
    (``NFA``, ``N.F.A.``, ``No Fixed Address``, any case, possibly followed by a remark)."""
    if nfa_flag is True:
        return True
    if line1 is None or is_missing(line1):
        return False
    return _NFA.match(line1) is not None
