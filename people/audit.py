"""Audit log of people: who changed which account, role or roster import, and when.

Entries are Wagtail `ModelLogEntry` rows, shown in Reports → Site history with the messages
registered here. Writes that go through the ORM (the admin's user forms, role changes from
any path) are logged by the receivers below, inside the writing transaction; set-based
writes that bypass signals (roster imports, the bulk activate action) log from their
service or from the bulk-action hook. The site history report itself is restricted to
district admins here, since Wagtail lets anyone with a model permission read every entry
of that model: a school admin would see every school's staff changes.
"""

import datetime
import threading

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter, empty_log_context, get_active_log_context
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from people import selectors
from people.models import User

USER_CHANGE = "people.user.change"
USER_DEACTIVATE = "people.user.deactivate"
USER_REACTIVATE = "people.user.reactivate"
USER_ROLES = "people.user.roles"
ROSTER_UPLOAD = "people.roster.upload"
ROSTER_CONFIRM = "people.roster.confirm"
ROSTER_APPLY = "people.roster.apply"

# Account fields whose before/after is recorded (password hashes and login times are not).
USER_FIELDS = (
    "staff_no",
    "full_name",
    "email",
    "school",
    "stage",
    "subjects",
    "title",
    "is_head_teacher",
    "phone",
    "hired_on",
    "is_active",
    "is_superuser",
)


# --- Writing an entry ----------------------------------------------------------------------


def log(instance, action: str, *, user=None, data=None, title=None, deleted=False):
    """wagtail.log_actions.log for our models, in one INSERT: Wagtail's save() runs
    full_clean, which looks up the content type and the user again (two queries on paths
    whose query counts are pinned, e.g. a roster import). The action must be registered.
    `user` may be a user or a user id; by default the admin request's user."""
    if not log_registry.action_exists(action):
        raise ValueError(f"unregistered log action {action!r}")
    context = get_active_log_context()
    if user is None:
        user = context.user
    entry = ModelLogEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        label=title or str(instance) or f"{type(instance).__name__} ({instance.pk})",
        action=action,
        data=data or {},
        timestamp=timezone.now(),
        uuid=context.uuid,
        user_id=getattr(user, "pk", user),
        deleted=deleted,
    )
    ModelLogEntry.objects.bulk_create([entry])
    return entry


# --- Field changes (shared with certification.audit) ------------------------------------


def shown_value(model, name: str, value) -> str:
    """A field value as the log keeps it: choice labels, school names, ISO dates."""
    if value in (None, ""):
        return ""
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def field_changes(model, before: dict, after: dict) -> list[dict]:
    """[{field, label, before, after}] for the fields whose value differs."""
    changes = []
    for name, old in before.items():
        new = after.get(name)
        if old == new:
            continue
        changes.append(
            {
                "field": name,
                "label": str(model._meta.get_field(name).verbose_name),
                "before": shown_value(model, name, old),
                "after": shown_value(model, name, new),
            }
        )
    return changes


def _attnames(model, fields) -> dict[str, str]:
    return {model._meta.get_field(name).attname: name for name in fields}


def track_changes(model, fields, action: str, *, split=None) -> None:
    """Log `action` with the before/after of `fields` whenever a saved `model` changes.

    One query per save for the old values, skipped for saves that touch none of the fields
    (a login's last_login). `split` maps a field to the actions of its False/True values,
    logged as entries of their own (deactivation reads better than "is_active: Yes → No").
    """
    attnames = _attnames(model, fields)
    split = split or {}

    def remember(sender, instance, raw=False, update_fields=None, **kwargs):
        if raw or instance._state.adding or instance.pk is None:
            return
        if update_fields is not None and not set(update_fields) & (
            set(attnames) | set(attnames.values())
        ):
            return
        old = model._default_manager.filter(pk=instance.pk).values(*attnames).first()
        if old is not None:
            instance._audit_before = {attnames[k]: v for k, v in old.items()}

    def record(sender, instance, created=False, raw=False, **kwargs):
        before = instance.__dict__.pop("_audit_before", None)
        if created or raw or before is None:
            return
        after = {name: getattr(instance, attname) for attname, name in attnames.items()}
        changes = field_changes(model, before, after)
        for name, (off_action, on_action) in split.items():
            if any(change["field"] == name for change in changes):
                changes = [change for change in changes if change["field"] != name]
                log(instance=instance, action=on_action if after[name] else off_action)
        if changes:
            log(instance=instance, action=action, data={"changes": changes})

    uid = f"audit:{model._meta.label}:{action}"
    pre_save.connect(remember, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(record, sender=model, weak=False, dispatch_uid=uid)


track_changes(
    User,
    USER_FIELDS,
    USER_CHANGE,
    split={"is_active": (USER_DEACTIVATE, USER_REACTIVATE)},
)


# --- Roles (group membership), from any path: the user form, the bulk action, the shell ---

# Role names before a membership change, from its pre_* signal to its post_* one (per thread).
_pending = threading.local()


def _role_names(user_ids) -> dict[int, list[str]]:
    names = {pk: [] for pk in user_ids}
    rows = User.groups.through.objects.filter(user_id__in=names).values_list(
        "user_id", "group__name"
    )
    for user_id, name in rows.order_by("group__name"):
        names[user_id].append(name)
    return names


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit:user-roles")
def _log_role_change(sender, instance, action, reverse, pk_set, **kwargs):
    if action.startswith("pre_"):
        user_ids = (pk_set or set()) if reverse else {instance.pk}
        if reverse and action == "pre_clear":
            user_ids = set(instance.user_set.values_list("pk", flat=True))
        _pending.before = _role_names(user_ids)
        return
    before_by_user, _pending.before = getattr(_pending, "before", None) or {}, None
    if not before_by_user:
        return
    after_by_user = _role_names(before_by_user)
    users = {user.pk: user for user in User.objects.filter(pk__in=before_by_user)}
    if not reverse:
        users[instance.pk] = instance
    # One entry per user per admin request: a form's set() removes and re-adds roles the
    # editor may not grant, which would otherwise read as two changes that cancel out.
    context = get_active_log_context()
    merged = None
    if context is not empty_log_context:
        merged = context.__dict__.setdefault("_audit_role_entries", {})
    for user_id, before in before_by_user.items():
        after = after_by_user.get(user_id, [])
        entry = merged.get(user_id) if merged is not None else None
        if entry is not None:
            before = entry.data["before"]
        if sorted(before) == sorted(after):
            if entry is not None:
                entry.delete()
                merged.pop(user_id)
            continue
        data = {
            "before": before,
            "after": after,
            "added": sorted(set(after) - set(before)),
            "removed": sorted(set(before) - set(after)),
        }
        if entry is not None:
            entry.data = data
            ModelLogEntry.objects.filter(pk=entry.pk).update(data=data)
        elif user_id in users:
            entry = log(instance=users[user_id], action=USER_ROLES, data=data)
            if merged is not None:
                merged[user_id] = entry


# --- Bulk actions that write with queryset.update()/delete(), which send no signals --------


@hooks.register("after_bulk_action")
def _log_user_bulk_action(request, action_type, objects, action_class_instance):
    if getattr(action_class_instance, "model", None) is not User:
        return
    if action_type == "set_active_state":
        active = action_class_instance.cleaned_form.cleaned_data.get("mark_as_active")
        for user in objects:
            if user.pk != request.user.pk and user.is_active != active:
                log(instance=user, action=USER_REACTIVATE if active else USER_DEACTIVATE)
    elif action_type == "delete":
        for user in objects:
            log(instance=user, action="wagtail.delete", deleted=True)


# --- Roster imports ----------------------------------------------------------------------


def _roster_data(roster_import) -> dict:
    summary = roster_import.summary or {}
    return {
        "file": roster_import.original_name,
        "school": roster_import.school_scope.code if roster_import.school_scope_id else "",
        "total_rows": roster_import.total_rows or summary.get("total_rows", 0),
        "created": summary.get("created", 0),
        "updated": summary.get("updated", 0),
        "unchanged": summary.get("unchanged", 0),
    }


def roster_import_logged(*, roster_import, action: str, user=None) -> None:
    """Log an upload, confirmation or write of a roster import, with its row counts. `user`
    may be an id (the apply task has applied_by_id, and its query count is pinned)."""
    log(instance=roster_import, action=action, user=user, data=_roster_data(roster_import))


# --- Messages ----------------------------------------------------------------------------


def changes_text(changes) -> str:
    return "; ".join(
        f"{change['label']}: {change['before'] or '—'} → {change['after'] or '—'}"
        for change in changes or []
    )


class ChangesFormatter(LogFormatter):
    """ "<message>: field: before → after; …" from data["changes"]."""

    def format_message(self, log_entry):
        details = changes_text(log_entry.data.get("changes"))
        return f"{self.message}: {details}" if details else str(self.message)


class RolesFormatter(LogFormatter):
    label = _("Change roles")

    def format_message(self, log_entry):
        data = log_entry.data
        return _("Roles changed: added %(added)s; removed %(removed)s (now: %(after)s)") % {
            "added": "、".join(data.get("added") or []) or "—",
            "removed": "、".join(data.get("removed") or []) or "—",
            "after": "、".join(data.get("after") or []) or "—",
        }


class ImportFormatter(LogFormatter):
    def format_message(self, log_entry):
        data = log_entry.data
        counts = ", ".join(
            f"{label} {data[key]}" for key, label in self.counts if data.get(key) not in (None, "")
        )
        return f"{self.message}: {data.get('file', '')} ({counts})"


class RosterImportFormatter(ImportFormatter):
    counts = (
        ("school", _("school")),
        ("total_rows", _("rows")),
        ("created", _("created")),
        ("updated", _("updated")),
        ("unchanged", _("unchanged")),
    )


def formatter(base, label, message, **extra):
    return type("AuditFormatter", (base,), {"label": label, "message": message, **extra})


@hooks.register("register_log_actions")
def register_people_log_actions(actions):
    actions.register_action(USER_CHANGE)(
        formatter(ChangesFormatter, _("Change account details"), _("Account details changed"))
    )
    actions.register_action(USER_DEACTIVATE, _("Deactivate account"), _("Account deactivated"))
    actions.register_action(USER_REACTIVATE, _("Reactivate account"), _("Account reactivated"))
    actions.register_action(USER_ROLES)(RolesFormatter)
    actions.register_action(ROSTER_UPLOAD)(
        formatter(RosterImportFormatter, _("Upload roster"), _("Roster uploaded"))
    )
    actions.register_action(ROSTER_CONFIRM)(
        formatter(RosterImportFormatter, _("Confirm roster import"), _("Roster import confirmed"))
    )
    actions.register_action(ROSTER_APPLY)(
        formatter(RosterImportFormatter, _("Apply roster import"), _("Roster import applied"))
    )


# --- Who may read the site history report --------------------------------------------------


class DistrictAdminOnlyPolicy:
    """The permission check LogEntriesView lacks: Wagtail opens the report to every admin
    user and filters entries by model permission only, so a school admin (who may view
    users) would read every school's account changes, and HR likewise."""

    def user_has_permission(self, user, action):
        return selectors.user_is_district_admin(user)

    def user_has_any_permission(self, user, actions):
        return self.user_has_permission(user, None)


@hooks.register("register_admin_urls")
def restrict_site_history():
    """Runs as the admin URLs load (before the report can be served). Set on the class, as
    both the report and its results URL use it: with a policy and a required permission,
    PermissionCheckedMixin.dispatch refuses everyone else with a 403. Imported here, not at
    the top: the services import this module while apps are still getting ready."""
    from wagtail.admin.views.reports.audit_logging import LogEntriesView

    LogEntriesView.permission_policy = DistrictAdminOnlyPolicy()
    LogEntriesView.permission_required = "view"
    return []


@hooks.register("construct_reports_menu")
def hide_site_history_from_non_district_admins(request, menu_items):
    if not selectors.user_is_district_admin(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]
