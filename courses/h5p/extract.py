"""Extracts a validated `.h5p` into media storage (default_storage, so S3 works later),
streaming each file and re-checking sizes on the bytes read."""

import os
import posixpath
import tempfile
import zipfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage

from .validator import CHUNK, H5PValidation


class H5PExtractionError(Exception):
    pass


def package_folder(package_id: int, checksum: str) -> str:
    return f"{settings.H5P_STORAGE_PREFIX}/{package_id}-{checksum[:12]}"


def storage_remove_tree(prefix: str, storage: Storage | None = None) -> None:
    """Delete everything under `prefix` (a folder of extracted files)."""
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return
    for name in files:
        storage.delete(f"{prefix}/{name}")
    for folder in folders:
        storage_remove_tree(f"{prefix}/{folder}", storage)
    if hasattr(storage, "path"):
        # FileSystemStorage leaves empty folders behind.
        try:
            os.rmdir(storage.path(prefix))
        except OSError:
            pass


def extract_h5p(source, validation: H5PValidation, prefix: str, storage: Storage | None = None):
    """Write the files the validator accepted (and only those) under `prefix`. Anything
    already there is removed first, so running twice gives the same tree."""
    if not validation.is_valid:
        raise H5PExtractionError("refusing to extract an invalid package")
    storage = storage or default_storage
    storage_remove_tree(prefix, storage)
    limit = settings.H5P_MAX_FILE_SIZE
    total_limit = settings.H5P_MAX_TOTAL_SIZE
    total = 0
    try:
        with zipfile.ZipFile(source) as archive:
            for name in validation.files:
                target = posixpath.normpath(f"{prefix}/{name}")
                if not target.startswith(f"{prefix}/"):
                    raise H5PExtractionError(f"{name} leaves the package folder")
                with (
                    archive.open(name) as stream,
                    tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as buffer,
                ):
                    size = 0
                    while chunk := stream.read(CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > limit or total > total_limit:
                            raise H5PExtractionError(f"{name} exceeds the size limits")
                        buffer.write(chunk)
                    buffer.seek(0)
                    saved = storage.save(target, File(buffer, name=posixpath.basename(name)))
                if saved != target:
                    raise H5PExtractionError(f"{name} was stored as {saved}")
    except Exception:
        storage_remove_tree(prefix, storage)
        raise
