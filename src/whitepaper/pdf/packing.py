"""An assembled PDF written as compactly as WeasyPrint writes a single pass.

A tagged paper has thousands of small objects (its structure tree), which WeasyPrint packs
into compressed object streams; qpdf (through pikepdf) writes the assembled file so, and
leaves out any object nothing uses (such as a font program fonts.py made redundant).
"""

from __future__ import annotations

import io
from typing import Any

from pikepdf import ObjectStreamMode, Pdf


def packed(pdf: Pdf, metadata: dict[str, Any], version: str = "1.7") -> bytes:
    """The PDF with this document information, its objects in compressed object streams, of
    at least this PDF version (the parts': WeasyPrint's tagged PDFs say 1.7)."""
    for key, value in metadata.items():
        pdf.docinfo[key] = value
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=ObjectStreamMode.generate, compress_streams=True, deterministic_id=True, min_version=version)
    return out.getvalue()
