"""Alembic revisions of the new store (``NNNN_name.py``, applied in ``down_revision`` order)."""

__all__: list[str] = []
