"""Writes for H5P packages: upload (deduplicated by checksum, extraction queued on commit),
processing (validate, then extract into media storage) and saved resume state."""

import hashlib
import logging
import posixpath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import H5PStatus
from ..h5p.errors import human_size
from ..h5p.extract import extract_h5p, package_folder, storage_remove_tree
from ..h5p.validator import validate_h5p
from ..models import H5PPackage, H5PUserData

logger = logging.getLogger(__name__)

# H5P core sends state as a JSON string; one quiz's state is a few hundred bytes.
USER_DATA_MAX_BYTES = 64 * 1024


def file_sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def h5p_package_upload(*, file, title: str, uploaded_by=None) -> H5PPackage:
    """Store an uploaded `.h5p` as a pending package and queue its processing after commit.
    The same file uploaded again returns the existing package (its `deduplicated` attribute
    is then True) instead of a second copy."""
    size = getattr(file, "size", None) or 0
    if size > settings.H5P_MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("The file is %(size)s, larger than the %(limit)s allowed for an H5P package.")
            % {"size": human_size(size), "limit": human_size(settings.H5P_MAX_UPLOAD_SIZE)}
        )
    checksum = file_sha256(file)
    existing = H5PPackage.objects.filter(checksum=checksum).first()
    if existing is not None:
        existing.deduplicated = True
        return existing
    base = posixpath.basename(str(getattr(file, "name", "") or "package.h5p"))
    name = f"{checksum[:12]}-{base}"[:120]
    if not name.lower().endswith(".h5p"):
        name += ".h5p"
    package = H5PPackage(
        title=title.strip(),
        checksum=checksum,
        size=size,
        uploaded_by=uploaded_by,
        status=H5PStatus.PENDING,
    )
    package.file.save(name, file, save=False)
    try:
        package.full_clean(exclude=["file", "checksum"])
        with transaction.atomic():
            package.save()
            transaction.on_commit(lambda: _queue_processing(package.pk))
    except IntegrityError:
        # A concurrent upload of the same file won the unique checksum.
        package.file.delete(save=False)
        existing = H5PPackage.objects.get(checksum=checksum)
        existing.deduplicated = True
        return existing
    except ValidationError:
        package.file.delete(save=False)
        raise
    package.deduplicated = False
    return package


def _queue_processing(package_id: int) -> None:
    from ..tasks import h5p_package_process

    h5p_package_process.delay(package_id)


def h5p_package_process(*, package_id: int) -> H5PPackage | None:
    """Validate the stored file and, if valid, extract it to
    `h5p/packages/<id>-<checksum[:12]>/`. Only a pending package is processed, so a second
    run (a retried or duplicated task) changes nothing."""
    package = H5PPackage.objects.filter(pk=package_id).first()
    if package is None or package.status != H5PStatus.PENDING:
        return package
    folder = package_folder(package.pk, package.checksum)
    with package.file.open("rb") as source:
        validation = validate_h5p(source)
        if validation.is_valid:
            extract_h5p(source, validation, folder)
    if validation.is_valid:
        changes = {
            "status": H5PStatus.VALID,
            "errors": [],
            "main_library": validation.main_library[:255],
            "h5p_json": validation.h5p_json,
            "extracted_path": folder,
        }
    else:
        storage_remove_tree(folder)
        changes = {
            "status": H5PStatus.INVALID,
            "errors": [error.as_dict() for error in validation.errors],
            "main_library": "",
            "h5p_json": {},
            "extracted_path": "",
        }
    changes["validated_at"] = timezone.now()
    changes["updated_at"] = changes["validated_at"]
    with transaction.atomic():
        updated = H5PPackage.objects.filter(pk=package.pk, status=H5PStatus.PENDING).update(
            **changes
        )
    if not updated:
        logger.info("H5P package %s was processed by another run", package.pk)
    package.refresh_from_db()
    return package


def h5p_package_files_remove(*, file_name: str, folder: str) -> None:
    """Delete a removed package's stored upload and extracted files."""
    from django.core.files.storage import default_storage

    if file_name:
        default_storage.delete(file_name)
    if folder:
        storage_remove_tree(folder)


def h5p_user_data_save(
    *, user, package: H5PPackage, data_type: str, sub_content_id: str, data: str | None
) -> H5PUserData | None:
    """Save (or with `data` None / "0", delete) one piece of resume state."""
    data_type = (data_type or "state")[:64]
    sub_content_id = (sub_content_id or "0")[:64]
    rows = H5PUserData.objects.filter(
        user=user, package=package, data_type=data_type, sub_content_id=sub_content_id
    )
    if data is None or data in ("", "0"):
        rows.delete()
        return None
    if len(data.encode()) > USER_DATA_MAX_BYTES:
        raise ValidationError(_("The saved state is too large."))
    with transaction.atomic():
        row, _created = H5PUserData.objects.update_or_create(
            user=user,
            package=package,
            data_type=data_type,
            sub_content_id=sub_content_id,
            defaults={"data": data},
        )
    return row
