"""Reads for H5P packages: what the file view may serve and the saved resume state."""

from ..choices import H5PStatus
from ..models import H5PUserData
from .access import packages_playable_by


def h5p_playable_folder(user, package_id: int) -> str | None:
    """The extracted folder of a valid package the user may play, else None (one query)."""
    return (
        packages_playable_by(user)
        .filter(pk=package_id, status=H5PStatus.VALID)
        .exclude(extracted_path="")
        .values_list("extracted_path", flat=True)
        .first()
    )


def h5p_user_data_get(user, package_id: int, data_type: str, sub_content_id: str) -> str | None:
    return (
        H5PUserData.objects.filter(
            user=user, package_id=package_id, data_type=data_type, sub_content_id=sub_content_id
        )
        .values_list("data", flat=True)
        .first()
    )


def h5p_states_for(user, package_ids) -> dict[int, str]:
    """Saved top-level "state" per package for a lesson page (one query), so the player can
    be given its previous state without asking the server again."""
    if not getattr(user, "is_authenticated", False) or not package_ids:
        return {}
    rows = H5PUserData.objects.filter(
        user=user, package_id__in=list(package_ids), data_type="state", sub_content_id="0"
    ).values_list("package_id", "data")
    return dict(rows)
