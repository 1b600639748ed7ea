"""Flows: the composition root. Builds engines, reads settings, wires the stages, runs Prefect flows."""

__all__: list[str] = []
