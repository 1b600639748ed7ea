"""Reconcile: independently re-read both sides and report what is lost, unexpected or changed."""

__all__: list[str] = []
