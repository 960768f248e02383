"""`import_roster FILE [--dry-run] [--school CODE]`: the roster import from the command line."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from people import services
from people.models import School


class Command(BaseCommand):
    help = "Import staff from a roster file (CSV in UTF-8 or GB18030, or XLSX). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="roster file: .csv or .xlsx")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, change nothing"
        )
        parser.add_argument(
            "--school", metavar="CODE", help="limit the import to one school (as a school admin)"
        )

    def handle(self, *args, file, dry_run, school, **options):
        scope = None
        if school:
            scope = School.objects.filter(code=school).first()
            if scope is None:
                raise CommandError(_("Unknown school code “%(code)s”.") % {"code": school})
        try:
            outcome = services.roster_import_file(path=file, dry_run=dry_run, school_scope=scope)
        except OSError as exc:
            raise CommandError(
                _("Cannot read “%(file)s”: %(reason)s") % {"file": file, "reason": exc.strerror}
            ) from None
        for warning in outcome.warnings:
            self.stdout.write(self.style.WARNING(_line(warning)))
        for error in outcome.errors:
            self.stdout.write(_line(error))
        if outcome.errors:
            raise CommandError(
                _("%(count)d problems found in %(rows)d rows; nothing was changed.")
                % {"count": len(outcome.errors), "rows": outcome.total_rows}
            )
        counts = {
            "rows": outcome.total_rows,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
        }
        if dry_run:
            message = _(
                "Dry run, nothing changed: %(rows)d rows; would create %(created)d, "
                "update %(updated)d, leave %(unchanged)d unchanged."
            )
        else:
            message = _(
                "Imported %(rows)d rows: created %(created)d, updated %(updated)d, "
                "unchanged %(unchanged)d."
            )
        self.stdout.write(self.style.SUCCESS(message % counts))


def _line(problem) -> str:
    if problem.row == 0:
        if problem.column:
            return _("File, column “%(column)s”: %(message)s") % {
                "column": problem.column,
                "message": problem.message,
            }
        return _("File: %(message)s") % {"message": problem.message}
    return _("Row %(row)d, column “%(column)s”: %(message)s") % {
        "row": problem.row,
        "column": problem.column or "-",
        "message": problem.message,
    }
