"""S_USER -> staff_user; S_LST_OF_VAL -> ref.code_value (values) and ref.code_set (headers)."""

from __future__ import annotations

from transform.facts import LOV_TYPE
from transform.row import RowWork
from transform.tables.person_names import read_name

__all__ = ["LOV_TYPE", "code_list_row", "user_row"]


def user_row(work: RowWork) -> None:
    """A staff account. Names: placeholders NULL + PLACEHOLDER_VALUE, encodings repaired."""
    ident = work.own_id()
    work.set_main("staff_user", ident)
    work.upsert(
        "staff_user",
        {
            "id": ident,
            "login": work.text("LOGIN"),
            "given_name": read_name(work, "FST_NAME"),
            "family_name": read_name(work, "LAST_NAME"),
            "office_code": work.code("X_OFFICE_CD"),
            "is_active": work.yes_no("ACTIVE_FLG"),
        },
    )


def code_list_row(work: RowWork) -> None:
    """A header row (TYPE='LOV_TYPE') is a code set; any other row a code value.

    A list has one code set: a header whose list already has one with a lower ROW_ID
    (fact ``code_set_headers``) is quarantined with DUPLICATE_CODE_SET.

    A value's code set is its TYPE and its code its NAME (both required); the display
    value VAL is kept as given (it is what business columns hold).
    """
    if work["TYPE"] == LOV_TYPE:
        name = work["NAME"]
        if name is None:
            work.reject("MISSING_REQUIRED", "NAME", "code set header without a NAME")
        elif work.fact("code_set_headers").get(name, work.row_id) != work.row_id:
            work.reject(
                "DUPLICATE_CODE_SET", "NAME", "a header of this list with a lower ROW_ID is loaded"
            )
        work.set_main("code_set", None)  # keyed by its name: no id column
        work.upsert("code_set", {"code_set": name, "description": work.text("DESC_TEXT")})
        return
    for column in ("TYPE", "NAME"):
        if work[column] is None:
            work.reject("MISSING_REQUIRED", column, "list value without a list type or code")
    ident = work.own_id()
    work.set_main("code_value", ident)
    work.upsert(
        "code_value",
        {
            "id": ident,
            "code_set": work["TYPE"],
            "code": work["NAME"],
            "display_name": work.verbatim("VAL"),
            "language": work["LANG_ID"],
            "is_active": work.yes_no("ACTIVE_FLG"),
            "sort_order": work.number("ORDER_BY"),
            "parent_row_id": work["PAR_ROW_ID"],
            "description": work.text("DESC_TEXT"),
        },
    )
