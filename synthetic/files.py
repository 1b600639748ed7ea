"""Attachment files in the Siebel file system: ``<ROW_ID>_<FILE_REV_NUM>.SAF``.

Each file holds a small real document (PDF, PNG, DOCX or plain text) padded to
exactly the wanted size, generated from the seed and the ROW_ID alone, so the
same seed writes the same bytes.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

__all__ = ["file_bytes", "saf_name", "write_file"]

_WORDS = (
    "report",
    "family",
    "plan",
    "school",
    "safety",
    "worker",
    "visit",
    "support",
    "review",
    "care",
)


def saf_name(row_id: str, revision: str) -> str:
    return f"{row_id}_{revision}.SAF"


def _text(rng: random.Random, size: int) -> bytes:
    out = bytearray()
    while len(out) < size:
        out += (
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 12))).capitalize() + ".\n"
        ).encode()
    return bytes(out[:size])


def _pdf(rng: random.Random, size: int) -> bytes:
    body = _text(rng, 120).decode().replace("\n", " ")
    stream = f"BT /F1 11 Tf 72 720 Td ({body}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return _pad(bytes(out), size, b"%")


def _png(rng: random.Random, size: int) -> bytes:
    width = height = 16
    raw = b"".join(
        b"\x00" + bytes(rng.randrange(256) for _ in range(width * 3)) for _ in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    head = b"\x89PNG\r\n\x1a\n" + chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    )
    tail = chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    spare = size - len(head) - len(tail) - 12 - len(b"Comment\x00")
    if spare < 0:
        return _pad(head + tail, size, b"\x00")
    return head + chunk(b"tEXt", b"Comment\x00" + b"x" * spare) + tail


def _docx(rng: random.Random, size: int) -> bytes:
    text = _text(rng, 300).decode().replace("\n", " ")
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2012, 4, 14, 0, 0, 0)), content)
    data = buffer.getvalue()
    spare = size - len(data)
    if 0 < spare < 65536:  # the zip comment pads the archive, which stays valid
        return data[:-2] + struct.pack("<H", spare) + b" " * spare
    return _pad(data, size, b"\x00")


def _pad(data: bytes, size: int, filler: bytes) -> bytes:
    return data[:size] if len(data) >= size else data + filler * (size - len(data))


def file_bytes(seed: int, row_id: str, ext: str, size: int) -> bytes:
    """The content of an attachment: a real ``ext`` document of exactly ``size`` bytes."""
    if size <= 0:
        return b""
    rng = random.Random(f"{seed}:file:{row_id}")
    maker = {"pdf": _pdf, "png": _png, "docx": _docx}.get(ext, _text)
    data = maker(rng, size)
    assert len(data) == size, (ext, len(data), size)
    return data


def write_file(directory: Path, name: str, content: bytes) -> None:
    (directory / name).write_bytes(content)
