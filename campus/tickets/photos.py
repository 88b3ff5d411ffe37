"""Photo uploads: checked by their content, stored outside static/ under random names."""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from campus.exceptions import InvalidInput

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 10 * 1024 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


@dataclass
class Upload:
    """An uploaded file as the service sees it: its name as sent, and its bytes."""

    filename: str
    data: bytes


def sniff_image_type(data: bytes) -> str | None:
    """The image type from the file's first bytes, whatever its name says."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_upload(filename: str, stream: BinaryIO) -> Upload:
    """Read at most one byte past the limit, so an oversized file is refused cheaply."""
    return Upload(filename or "", stream.read(MAX_PHOTO_BYTES + 1))


def check_photos(uploads: list[Upload]) -> list[tuple[Upload, str]]:
    """Each upload with its content type; refuse too many, too large or non-images."""
    uploads = [u for u in uploads if u.data]
    if len(uploads) > MAX_PHOTOS:
        raise InvalidInput(_l("At most %(n)d photos per report.", n=MAX_PHOTOS), "photos")
    checked = []
    for upload in uploads:
        if len(upload.data) > MAX_PHOTO_BYTES:
            raise InvalidInput(
                _l("“%(name)s” is larger than 10 MB.", name=upload.filename), "photos"
            )
        content_type = sniff_image_type(upload.data)
        if content_type is None:
            raise InvalidInput(
                _l(
                    "“%(name)s” is not a JPEG, PNG or WebP image.",
                    name=upload.filename,
                ),
                "photos",
            )
        checked.append((upload, content_type))
    return checked


def store_photo(folder: str, data: bytes, content_type: str) -> str:
    """Write the file under a random name that reveals nothing; return that name."""
    os.makedirs(folder, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
    path = Path(folder) / name
    with open(path, "xb") as file:  # never overwrite
        file.write(data)
    return name


def photo_path(folder: str, stored_name: str) -> Path:
    return Path(folder) / stored_name
