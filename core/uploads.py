"""Limits on uploaded documents (bids, evidence): size, type, and stored names we choose."""

import os
import uuid

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Extension -> the bytes such a file starts with (None: a ZIP-based office document).
ALLOWED_DOCUMENTS = {
    ".pdf": b"%PDF-",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".odt": b"PK\x03\x04",
    ".ods": b"PK\x03\x04",
    ".csv": None,
    ".txt": None,
}


def validate_document(upload) -> None:
    extension = os.path.splitext(upload.name)[1].lower()
    if extension not in ALLOWED_DOCUMENTS:
        allowed = ", ".join(sorted(e.lstrip(".").upper() for e in ALLOWED_DOCUMENTS))
        raise ValidationError(f"The file must be one of: {allowed}.")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"The file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    signature = ALLOWED_DOCUMENTS[extension]
    if signature:
        head = upload.read(len(signature))
        upload.seek(0)
        if head != signature:
            raise ValidationError(f"The file is not a real {extension.lstrip('.').upper()} file.")


@deconstructible
class RandomName:
    """Store uploads under a random name in a fixed folder: a user never picks the path."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename):
        return f"{self.folder}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"
