"""A deterministic synthetic legacy ICM database, with every known defect injected."""

__all__: list[str] = []
