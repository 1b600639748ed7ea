"""S_ADDR_PER -> address; S_CON_ADDR -> person_address.

Address (D24): country as ISO alpha-2, province as its 2-letter code and a Canadian
postal code as ``A1A 1A1`` (each reformatting flagged; an unknown province or country is
UNMAPPED_CODE); 'NFA' in ADDR (or X_NFA_FLG) is no fixed address: the NFA line itself
is loaded as NULL with flag NO_FIXED_ADDRESS. PER_ID (the pre-7.7 owner, stale) is kept
as text in legacy_owner_row_id, not resolved.

Person address: both links required; END_DT before START_DT: CHRONOLOGY_VIOLATION.
"""

from __future__ import annotations

from transform.addresses import (
    is_no_fixed_address,
    normalise_country,
    normalise_postal_code,
    normalise_province,
)
from transform.dates import check_order, legacy_date
from transform.row import RowWork

__all__ = ["address_row", "person_address_row"]


def _no_fixed_address(work: RowWork, line1: str | None) -> tuple[str | None, bool | None]:
    """(line1 to load, no_fixed_address)."""
    flag = work.yes_no("X_NFA_FLG")
    if is_no_fixed_address(line1, None):
        work.flag("NO_FIXED_ADDRESS", "ADDR", work["ADDR"], None)
        return None, True
    if flag is True:
        return line1, True
    return line1, flag


def address_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("address", ident)
    line1, nfa = _no_fixed_address(work, work.text("ADDR"))
    country = work.take("COUNTRY", normalise_country(work["COUNTRY"]))
    province = work.take("STATE", normalise_province(work["STATE"], country_code=country))
    postal = work.take("ZIPCODE", normalise_postal_code(work["ZIPCODE"], country))
    work.upsert(
        "address",
        {
            "id": ident,
            "address_name": work.text("ADDR_NAME"),
            "line1": line1,
            "line2": work.text("ADDR_LINE_2"),
            "city": work.text("CITY"),
            "province_code": province,
            "postal_code": postal,
            "country_code": country,
            "no_fixed_address": nfa,
            "legacy_owner_row_id": work.verbatim("PER_ID"),
        },
    )


def person_address_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("person_address", ident)
    start = work.take("START_DT", legacy_date(work["START_DT"]))
    end = work.take("END_DT", legacy_date(work["END_DT"]))
    if not check_order(start, end):
        work.reject("CHRONOLOGY_VIOLATION", "END_DT", "address ends before it starts")
    work.upsert(
        "person_address",
        {
            "id": ident,
            "person_id": work.link("CONTACT_ID"),
            "address_id": work.link("ADDR_PER_ID"),
            "address_type_code": work.code("ADDR_TYPE_CD"),
            "start_date": start,
            "end_date": end,
            "is_active": work.yes_no("ACTIVE_FLG"),
            "is_primary": work.yes_no("MAIN_ADDR_FLG"),
        },
    )
