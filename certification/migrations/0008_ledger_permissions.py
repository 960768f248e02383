"""Ledger permissions: district admins edit cycles, read the ledger, reverse entries (a
reversal is an added entry) and import training records; school admins read their school's
ledger and import for it; HR reads everything. Nobody holds change/delete on entries (the
model has no such permissions)."""

from django.db import migrations

from people.roles import DISTRICT_ADMIN, HR, SCHOOL_ADMIN, grant_role_permissions


def _perms(model, actions):
    return [("certification", f"{action}_{model}") for action in actions]


LEDGER_PERMISSIONS = {
    SCHOOL_ADMIN: [
        *_perms("creditentry", ("view",)),
        *_perms("creditcycle", ("view",)),
        *_perms("trainingimport", ("add", "view")),
    ],
    HR: [*_perms("creditentry", ("view",)), *_perms("creditcycle", ("view",))],
    DISTRICT_ADMIN: [
        *_perms("creditentry", ("view", "add")),
        *_perms("creditcycle", ("view", "add", "change")),
        *_perms("cyclerequirement", ("view", "add", "change", "delete")),
        *_perms("trainingimport", ("add", "view")),
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, LEDGER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("certification", "0007_training_import")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
