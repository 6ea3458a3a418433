"""An assembled PDF written as compactly as WeasyPrint writes a single pass.

pypdf writes every object on its own, uncompressed; a tagged paper has thousands of small
ones (its structure tree), which WeasyPrint packs into compressed object streams. qpdf
(through pikepdf) rewrites the assembled file so, and leaves out any object nothing uses
(such as a font program fonts.py made redundant).
"""

from __future__ import annotations

import io


def packed(pdf: bytes) -> bytes:
    """The same PDF, its objects in compressed object streams and nothing unused kept."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        out = io.BytesIO()
        document.save(
            out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True, deterministic_id=True
        )
    return out.getvalue()
