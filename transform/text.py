"""Free text and names: encoding repair, truncation and personal data typed into notes.

:func:`repair_text` applies, in order:

1. NUL characters removed (PostgreSQL text cannot hold them): NUL_REMOVED;
2. reversible mojibake repaired with ftfy (double-encoded UTF-8 like ``CÃ©line``, CP1252
   residue like ``Donâ€™t`` or a stray C1 control ``\\x92``): MOJIBAKE_REPAIRED. ftfy runs
   with encoding fixes only (:data:`FTFY_CONFIG`): no quote uncurling, no width, ligature,
   line-break or HTML changes, no Unicode normalisation, and lossy sequences are left
   alone, so clean text in any script comes back byte-identical. ftfy declines some
   short strings (``Ã…sa``); a whole-string CP1252-to-UTF-8 reversal that must decode
   exactly catches those;
3. characters lost in an earlier conversion (a ``?`` between letters as in ``Ren?e``, or
   U+FFFD anywhere): LOSSY_CHARSET, text left unchanged (the lost letter is unknowable).

When several apply, :func:`repair_text` reports the most important one (LOSSY_CHARSET,
then MOJIBAKE_REPAIRED, then NUL_REMOVED) and :func:`repair_text_all` reports all; each
flag carries the value as given and the repaired value.
"""

from __future__ import annotations

import re

import ftfy
from stdnum.ca import bc_phn

from transform.outcome import Normalised, flagged, is_missing, ok

__all__ = [
    "FTFY_CONFIG",
    "PII_KINDS",
    "TextFlag",
    "find_pii",
    "is_truncation_suspect",
    "repair_text",
    "repair_text_all",
]

TextFlag = tuple[str, str | None, str | None]
"""(flag code, original value, normalised value)."""

FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=False,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

_SEVERITY = ("LOSSY_CHARSET", "MOJIBAKE_REPAIRED", "NUL_REMOVED")
_NOTES = {
    "LOSSY_CHARSET": "characters lost to '?' in an earlier conversion; not repairable",
    "MOJIBAKE_REPAIRED": "mis-decoded characters repaired",
    "NUL_REMOVED": "NUL characters removed",
}
_LETTER = r"[^\W\d_]"
_LOST = re.compile(rf"{_LETTER}\?+{_LETTER}|\ufffd")

PII_KINDS = ("PHN", "PHONE")
_PHN_GROUPED = re.compile(r"(?<![\d-])9\d{3}[ -]\d{3}[ -]\d{3}(?![\d-])")
_TEN_DIGITS = re.compile(r"(?<![\d-])\d{10}(?![\d-])")
_PHONE = re.compile(r"(?<![\d-])(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\d-])")
_PII_MIN_DIGITS = 10
"""Each pattern above matches ten digits at least."""
_PII_NECESSARY = re.compile(r"\d{3}\D{0,2}\d{3}")
"""Found in every match of the patterns above (three digits, at most two other characters,
three digits): one search that rules the three out on most text."""
_ASCII_DIGITS = "0123456789"
_ASCII_DIGIT_BYTES = _ASCII_DIGITS.encode("ascii")
_ASCII_BYTES = bytes(range(0x80))


def _non_ascii(text: str) -> str:
    """The non-ASCII characters of ``text``, in order (ASCII ones dropped, in C: in UTF-8
    an ASCII byte is never part of another character's bytes)."""
    data = text.encode("utf-8", "surrogatepass")
    return data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")


def _decimal_count(text: str) -> int:
    """How many characters of ``text`` regex ``\\d`` matches (Unicode category Nd, as
    ``str.isdecimal``): the ASCII digits, counted on the UTF-8 bytes, plus the others."""
    data = text.encode("utf-8", "surrogatepass")
    count = len(data) - len(data.translate(None, _ASCII_DIGIT_BYTES))
    if len(data) != len(text):  # some characters are not ASCII
        others = data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
        count += sum(map(str.isdecimal, others))
    return count


def _sloppy_cp1252_table() -> dict[str, int]:
    """Character -> byte for CP1252, with Latin-1 for its undefined bytes and C1 controls."""
    table = {chr(byte): byte for byte in range(256)}
    for byte in range(0x80, 0xA0):
        char = bytes([byte]).decode("cp1252", errors="ignore")
        if char:
            table[char] = byte
    return table


_CP1252_BYTES = _sloppy_cp1252_table()


def _undouble(text: str) -> str:
    """Reverse one whole-string double encoding that ftfy declines on short text
    (``Ã…sa`` -> ``Åsa``, ``Nguyá»…n`` -> ``Nguyễn``): every character must be a CP1252
    byte and the bytes must be valid UTF-8, which clean text with an accented letter
    next to an ASCII letter never is. Returns ``text`` unchanged when it does not apply.
    """
    try:
        data = bytes(_CP1252_BYTES[char] for char in text)
        return data.decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return text


# UTF-8 read as CP1252 always shows a lead byte C2-F4 (Latin-1 letters) followed by a
# continuation byte 80-BF (CP1252's punctuation block or Latin-1 80-BF): text without
# such a pair (nor a C1 control, CP1252 punctuation read as Latin-1) cannot be
# mojibake, and skips the (slow) repair attempt.
_MOJIBAKE_PAIR = re.compile(
    "[\u0080-\u009f]|[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]"
)


def _fix_encoding(text: str) -> str:
    """ftfy with :data:`FTFY_CONFIG`, then :func:`_undouble` when ftfy changed nothing."""
    # A pair is two adjacent non-ASCII characters (or one C1 control), adjacent still
    # among the non-ASCII characters alone: a short search rules most text out first.
    if text.isascii() or not _MOJIBAKE_PAIR.search(_non_ascii(text)):
        return text
    if not _MOJIBAKE_PAIR.search(text):
        return text
    fixed = ftfy.fix_text(text, FTFY_CONFIG)
    return fixed if fixed != text else _undouble(text)


def repair_text_all(value: str | None) -> tuple[str | None, list[TextFlag]]:
    """The repaired text and every flag that applies, as (code, original, normalised)."""
    if type(value) is str and value.isascii() and "\x00" not in value and "?" not in value:
        return value, []  # plain ASCII: no NUL, no mojibake (ASCII never is), no lost letter
    if value is None or is_missing(value):
        return None, []
    codes: list[str] = []
    text = value
    if "\x00" in text:
        text = text.replace("\x00", "")
        codes.append("NUL_REMOVED")
    fixed = _fix_encoding(text)
    if fixed != text:
        text = fixed
        codes.append("MOJIBAKE_REPAIRED")
    if ("?" in text or "\ufffd" in text) and _LOST.search(text):
        codes.append("LOSSY_CHARSET")
    codes.sort(key=_SEVERITY.index)
    return text, [(code, value, text) for code in codes]


def repair_text(value: str | None) -> Normalised[str]:
    """The repaired text with its most important flag (see the module docstring)."""
    text, flags = repair_text_all(value)
    if not flags:
        return ok(text)
    code = flags[0][0]
    others = [other for other, _, _ in flags[1:]]
    note = _NOTES[code] + (f"; also {', '.join(others)}" if others else "")
    return flagged(text, code, note)


def is_truncation_suspect(value: str | None, limit: int) -> bool:
    """True when ``value`` fills its column's ``limit`` exactly and ends mid-word
    (its last character is a letter or digit)."""
    if value is None or is_missing(value) or limit <= 0:
        return False
    return len(value) == limit and value[-1].isalnum()


def find_pii(value: str | None) -> list[str]:
    """The kinds of personal data typed into free text: 'PHN' and/or 'PHONE', in that order.

    PHN: ten digits starting with 9, grouped 4-3-3 (``9698 658 215``) or run together
    when the check digit is valid; PHONE: ``NNN-NNN-NNNN``, ``(NNN) NNN-NNNN``,
    ``NNN NNN NNNN``, ``NNN.NNN.NNNN`` or ten digits run together that are not a valid
    PHN. Digits that are part of a longer number do not count. The matched text is never
    returned.
    """
    if value is None or is_missing(value):
        return []
    if isinstance(value, str) and (
        _decimal_count(value) < _PII_MIN_DIGITS or not _PII_NECESSARY.search(value)
    ):
        return []  # no pattern can match: skip the three (slow, on long notes) searches
    kinds: set[str] = set()
    if _PHN_GROUPED.search(value):
        kinds.add("PHN")
    for match in _TEN_DIGITS.finditer(value):
        kinds.add("PHN" if bc_phn.is_valid(match.group()) else "PHONE")
    if _PHONE.search(value):
        kinds.add("PHONE")
    return [kind for kind in PII_KINDS if kind in kinds]
