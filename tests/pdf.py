import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """The text of a PDF, pages joined, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
