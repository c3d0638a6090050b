"""The text of a license document in the forms publishers ship it.

Plain text arrives as UTF-8 (with or without a byte-order mark), UTF-16 (Windows editors, with or
without a mark) or GBK/GB 18030 (Chinese licenses); markup (HTML, markdown) is left to the identifier's
normaliser. Some publishers ship their license only as PDF (Baichuan 2, BlueLM): its text is extracted
with pypdf, an optional dependency (`pip install 'model-license-audit[pdf]'`), bounded in pages and
bytes, and never anything else of the file is interpreted.
"""

from __future__ import annotations

from dataclasses import dataclass

from license_audit.safeio import decode_text

MAX_PDF_BYTES = 16 * 1024 * 1024  # a license PDF larger than this is not read
MAX_PDF_PAGES = 60  # license agreements run to a few dozen pages; a larger document is read in part
MAX_PDF_CHARS = 2 * 1024 * 1024


@dataclass
class Document:
    """Text read from a file, or why there is none (`problem`, one sentence)."""

    text: str | None
    problem: str | None = None
    partial: bool = False  # only the first pages were read


def is_pdf(name: str, data: bytes = b"") -> bool:
    return name.lower().endswith(".pdf") or data[:5] == b"%PDF-"


def read_document(name: str, data: bytes) -> Document:
    """The text of the file `name` holding `data` (already capped by the caller)."""
    if is_pdf(name, data):
        return pdf_text(data)
    return Document(decode_text(data))


def pdf_text(data: bytes) -> Document:
    if len(data) > MAX_PDF_BYTES:
        return Document(None, f"is a PDF larger than {MAX_PDF_BYTES // (1024 * 1024)} MiB; not read")
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        return Document(
            None,
            "is a PDF, which needs the optional pypdf package to be read "
            "(pip install 'model-license-audit[pdf]'); its license is unknown until then",
        )
    import io
    import logging

    # pypdf logs every malformed object it recovers from; a report is no place for that.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                return Document(None, "is an encrypted PDF; its text cannot be read")
        pages = reader.pages
        total = len(pages)
        parts: list[str] = []
        size = 0
        for i in range(min(total, MAX_PDF_PAGES)):
            page = pages[i].extract_text() or ""
            parts.append(page)
            size += len(page)
            if size > MAX_PDF_CHARS:
                break
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError, OSError):
        return Document(None, "is a PDF that cannot be parsed; its text cannot be read")
    text = "\n".join(parts)
    if not text.strip():
        return Document(None, "is a PDF without a text layer (a scan?); its text cannot be read")
    return Document(text[:MAX_PDF_CHARS], partial=total > MAX_PDF_PAGES or size > MAX_PDF_CHARS)
