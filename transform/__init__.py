"""Transform: turn batches of extracted legacy rows into target rows, flags and quarantine.

Pure: frames in, :class:`TransformResult` out. No I/O here. Public API (import from
``transform``, not from its modules):

* the driver: :func:`transform_batch`, :func:`parent_keys`, :data:`TABLE_LOAD_ORDER`,
  :data:`TARGET_TABLES_OF`;
* facts for ``BatchContext.facts``: the ``build_*`` functions, :func:`is_irregular_key`,
  :func:`is_untrimmed_key`, :data:`FACTS_NEEDED`, :data:`FACT_SOURCES`,
  :data:`RELATIONSHIP_COLUMNS` (see ``transform.facts``);
* duplicate persons: :func:`find_match_candidates` and its pieces (:func:`match_person`, :func:`block_keys`, :func:`match_pair`, :func:`candidates_frame`), :data:`MATCH_COLUMNS`;
* schemas: :data:`TARGET_SCHEMAS`, :func:`schema_of`;
* the contract: :class:`BatchContext`, :class:`TransformResult`, the vocabulary,
  :func:`target_id`, and the value normalisers.
"""

from transform.addresses import (
    is_no_fixed_address,
    normalise_country,
    normalise_postal_code,
    normalise_province,
)
from transform.batch import (
    COLUMNS_SET_BY_UPDATES,
    TABLE_LOAD_ORDER,
    TARGET_TABLES_OF,
    parent_keys,
    transform_batch,
)
from transform.codes import CodeLookup, fold_code_value
from transform.contract import LINKS, PICK_LISTS, code_set_of
from transform.dates import birth_date, check_order, legacy_date, parse_text_date
from transform.errors import (
    InputContractError,
    MissingFactError,
    OutputContractError,
    TerminalTransformError,
    TransformError,
    UnknownTableError,
)
from transform.facts import (
    CODE_SET_HEADER_COLUMNS,
    FACT_SOURCES,
    FACTS_NEEDED,
    LOV_TYPE,
    RELATIONSHIP_COLUMNS,
    build_birth_dates,
    build_case_ids_with_participants,
    build_code_set_headers,
    build_extension_groups,
    build_placements_of_children,
    build_relationships,
    is_irregular_key,
    is_untrimmed_key,
)
from transform.flags import parse_flag
from transform.identifiers import is_valid_phn, normalise_phn
from transform.identity import target_id
from transform.keys import key_variants, resolve_key, resolve_person_key
from transform.local_time import local_to_utc, utc
from transform.matching import (
    MATCH_COLUMNS,
    MATCH_RESULT_COLUMNS,
    MatchPerson,
    block_keys,
    candidates_frame,
    find_match_candidates,
    match_pair,
    match_person,
)
from transform.names import clean_name, is_soft_deleted_name
from transform.outcome import Normalised
from transform.phones import normalise_phone
from transform.result import (
    LEDGER_COLUMNS,
    BatchContext,
    CodeEntry,
    Flag,
    QuarantineRecord,
    Reason,
    TransformResult,
)
from transform.schemas import TARGET_SCHEMAS, UPDATE_SCHEMAS, schema_of
from transform.text import find_pii, is_truncation_suspect, repair_text, repair_text_all
from transform.vocabulary import (
    DEFECTS,
    EXCLUSION_RULES,
    FLAG_CODES,
    MATCH_CODES,
    REASON_CODES,
    DefectExpectation,
)

__all__ = [
    "CODE_SET_HEADER_COLUMNS",
    "COLUMNS_SET_BY_UPDATES",
    "DEFECTS",
    "EXCLUSION_RULES",
    "FACTS_NEEDED",
    "FACT_SOURCES",
    "FLAG_CODES",
    "LEDGER_COLUMNS",
    "LINKS",
    "LOV_TYPE",
    "MATCH_CODES",
    "MATCH_COLUMNS",
    "MATCH_RESULT_COLUMNS",
    "PICK_LISTS",
    "REASON_CODES",
    "RELATIONSHIP_COLUMNS",
    "TABLE_LOAD_ORDER",
    "TARGET_SCHEMAS",
    "TARGET_TABLES_OF",
    "UPDATE_SCHEMAS",
    "BatchContext",
    "CodeEntry",
    "CodeLookup",
    "DefectExpectation",
    "Flag",
    "InputContractError",
    "MatchPerson",
    "MissingFactError",
    "Normalised",
    "OutputContractError",
    "QuarantineRecord",
    "Reason",
    "TerminalTransformError",
    "TransformError",
    "TransformResult",
    "UnknownTableError",
    "birth_date",
    "block_keys",
    "build_birth_dates",
    "build_case_ids_with_participants",
    "build_code_set_headers",
    "build_extension_groups",
    "build_placements_of_children",
    "build_relationships",
    "candidates_frame",
    "check_order",
    "clean_name",
    "code_set_of",
    "find_match_candidates",
    "find_pii",
    "fold_code_value",
    "is_irregular_key",
    "is_no_fixed_address",
    "is_soft_deleted_name",
    "is_truncation_suspect",
    "is_untrimmed_key",
    "is_valid_phn",
    "key_variants",
    "legacy_date",
    "local_to_utc",
    "match_pair",
    "match_person",
    "normalise_country",
    "normalise_phn",
    "normalise_phone",
    "normalise_postal_code",
    "normalise_province",
    "parent_keys",
    "parse_flag",
    "parse_text_date",
    "repair_text",
    "repair_text_all",
    "resolve_key",
    "resolve_person_key",
    "schema_of",
    "target_id",
    "transform_batch",
    "utc",
]
