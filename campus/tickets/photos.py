"""Photo uploads: checked by their content, stored outside static/ under random names.

Every photo is decoded and encoded again: that proves it really is an image (not a
file with an image's first bytes), turns it upright, and drops its metadata - phone
photos carry the GPS position and the device's serial number in their EXIF data.
"""

import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from campus.exceptions import DomainError, InvalidInput
from campus.unit_of_work import on_rollback

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 10 * 1024 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# A phone photo has up to 50 megapixels (full-resolution modes included) and sides of a
# few thousand pixels; a small file that claims more is a decompression bomb. Its header
# is read and it is refused before anything is decoded.
MAX_PIXELS = 50_000_000
MAX_SIDE = 12_000


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
        if oversized(upload.data, content_type):
            raise InvalidInput(
                _l(
                    "“%(name)s” has more pixels than a photo (at most %(megapixels)d "
                    "megapixels). Please send a smaller picture.",
                    name=upload.filename,
                    megapixels=MAX_PIXELS // 1_000_000,
                ),
                "photos",
            )
        cleaned = clean_image(upload.data, content_type)
        if cleaned is None:
            raise InvalidInput(
                _l("“%(name)s” could not be read as an image.", name=upload.filename), "photos"
            )
        checked.append((Upload(upload.filename, cleaned), content_type))
    return checked


def oversized(data: bytes, content_type: str) -> bool:
    """Whether the header claims more pixels than a photo has (nothing is decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[content_type]]) as probe:
                width, height = probe.size
    except Image.DecompressionBombError:
        return True  # Pillow's own limit, far beyond ours
    except (OSError, SyntaxError, ValueError):
        return False  # not readable: clean_image says so
    return width * height > MAX_PIXELS or max(width, height) > MAX_SIDE


def clean_image(data: bytes, content_type: str) -> bytes | None:
    """The image decoded, turned upright and encoded again without metadata; None if it
    does not decode as the type its first bytes claim."""
    fmt = PIL_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                if probe.width * probe.height > MAX_PIXELS or max(probe.size) > MAX_SIDE:
                    return None
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                out = io.BytesIO()
                options = {
                    "JPEG": {"quality": 88, "optimize": True},
                    "WEBP": {"quality": 85},
                    "PNG": {"optimize": True},
                }[fmt]
                upright.save(out, format=fmt, **options)
                return out.getvalue()
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None


class PhotoStorageFailed(DomainError):
    """The upload folder is full, read-only or missing: the report is not saved."""

    status_code = 503


def store_photo(folder: str, data: bytes, content_type: str) -> str:
    """Write the file under a random name that reveals nothing; return that name. The
    file goes again if the ticket is not saved after all (unit of work: on_rollback)."""
    name = f"{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
    path = Path(folder) / name
    try:
        os.makedirs(folder, exist_ok=True)
        with open(path, "xb") as file:  # never overwrite
            on_rollback(lambda: path.unlink(missing_ok=True))
            file.write(data)
    except OSError as error:
        current_app.logger.error("photo not stored in %s: %s", folder, error)
        raise PhotoStorageFailed(
            _l(
                "The photos could not be stored (the server's storage is full or not "
                "writable), so the report was not saved. Please try again without photos, "
                "or tell the IT support."
            )
        ) from error
    return name


def attach_photos(ticket, checked: list[tuple[Upload, str]], folder: str, now) -> None:
    """Store each checked photo and add it to the ticket (the files go again if the
    transaction does not commit)."""
    from campus.models import TicketPhoto

    for upload, content_type in checked:
        ticket.photos.append(
            TicketPhoto(
                stored_name=store_photo(folder, upload.data, content_type),
                original_name=upload.filename[:255],
                content_type=content_type,
                size=len(upload.data),
                created_at=now,
            )
        )


def photo_path(folder: str, stored_name: str) -> Path:
    return Path(folder) / stored_name
