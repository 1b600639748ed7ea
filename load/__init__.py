"""Load: write transformed rows into the new store, idempotently, with lineage and a ledger.

Public API (import from ``load``, not from its modules).
"""

from load.attachments import FILE_FLAG_CODES, store_attachments
from load.batch import BatchCounts, forget_legacy_rows, sweep_unloaded, write_batch
from load.checkpoint import Checkpoint, mark_table_complete, read_checkpoint, reset_checkpoints
from load.crosswalk import seed_crosswalk
from load.disclosures import record_disclosure
from load.errors import (
    LoadError,
    TerminalLoadError,
    TransientLoadError,
    UnredactedSourceError,
    classify_db_error,
)
from load.ledger import has_earlier_runs, ledger_outcomes, ledger_row_ids, outcome_counts
from load.match_review import MATCH_DECISIONS, decide_matches, ordered_pair
from load.matches import MATCH_COLUMNS, CandidateWrite, candidate_pairs, write_match_candidates
from load.quarantine_review import (
    REVIEW_STATUSES,
    ReviewOutcome,
    ReviewRefused,
    reopen_unloaded_replays,
    review_quarantine,
)
from load.runs import (
    finish_run,
    latest_unfinished_run,
    run_as_of,
    run_prunes_deleted,
    start_run,
)
from load.schema_setup import (
    UnsupportedTargetError,
    head_revision,
    init_target,
    present_target_tables,
    schema_differences,
    target_revision,
)
from load.store_lock import StoreBusyError, held_exclusively, store_lock
from load.store_status import RunSummary, StoreStatus, TableProgress, store_status
from load.target_schema import (
    SCHEMAS,
    SQLITE_SCHEMA_MAP,
    Base,
    schema_translate_map,
    target_id,
    target_metadata,
    target_table,
)
from load.transaction import store_now, write_transaction

__all__ = [
    "FILE_FLAG_CODES",
    "MATCH_COLUMNS",
    "MATCH_DECISIONS",
    "REVIEW_STATUSES",
    "SCHEMAS",
    "SQLITE_SCHEMA_MAP",
    "Base",
    "BatchCounts",
    "CandidateWrite",
    "Checkpoint",
    "LoadError",
    "ReviewOutcome",
    "ReviewRefused",
    "RunSummary",
    "StoreBusyError",
    "StoreStatus",
    "TableProgress",
    "TerminalLoadError",
    "TransientLoadError",
    "UnredactedSourceError",
    "UnsupportedTargetError",
    "candidate_pairs",
    "classify_db_error",
    "decide_matches",
    "finish_run",
    "forget_legacy_rows",
    "has_earlier_runs",
    "head_revision",
    "held_exclusively",
    "init_target",
    "latest_unfinished_run",
    "ledger_outcomes",
    "ledger_row_ids",
    "mark_table_complete",
    "ordered_pair",
    "outcome_counts",
    "present_target_tables",
    "read_checkpoint",
    "record_disclosure",
    "reopen_unloaded_replays",
    "reset_checkpoints",
    "review_quarantine",
    "run_as_of",
    "run_prunes_deleted",
    "schema_differences",
    "schema_translate_map",
    "seed_crosswalk",
    "start_run",
    "store_attachments",
    "store_lock",
    "store_now",
    "store_status",
    "sweep_unloaded",
    "target_id",
    "target_metadata",
    "target_revision",
    "target_table",
    "write_batch",
    "write_match_candidates",
    "write_transaction",
]
