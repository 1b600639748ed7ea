"""Transform: validate legacy rows against strict pandera schemas and normalise them.

Pure: frames in, (accepted, quarantined, flags) out. No I/O here.
"""

__all__: list[str] = []
