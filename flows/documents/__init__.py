"""Extract: one reader per format turns a document's bytes into a Document (paragraphs and tables)."""

from flows.documents.model import Block, Document, ExtractError, Paragraph, Table
from flows.documents.read import MAX_BYTES, read_document
from flows.documents.sniff import sniff_format

__all__ = [
    "MAX_BYTES",
    "Block",
    "Document",
    "ExtractError",
    "Paragraph",
    "Table",
    "read_document",
    "sniff_format",
]
