"""`import_training FILE [--dry-run] [--school CODE]`: offline and school-based training
records (DESIGN.md §7) from the command line. All or nothing; re-importing is a no-op."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certification.services import imports
from people.models import School


class Command(BaseCommand):
    help = (
        "Import training records (CSV in UTF-8 or GB18030, or XLSX): 工号, 课程编号 or 培训名称, "
        "学分, 学时, 类别, 级别, 完成日期, 备注. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="training-record file: .csv or .xlsx")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, record nothing"
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
            outcome = imports.training_import_file(path=file, dry_run=dry_run, school_scope=scope)
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
                _("%(count)d problems found in %(rows)d rows; nothing was recorded.")
                % {"count": len(outcome.errors), "rows": outcome.total_rows}
            )
        counts = {"rows": outcome.total_rows, "new": outcome.new, "existing": outcome.existing}
        if dry_run:
            message = _(
                "Dry run, nothing recorded: %(rows)d rows; %(new)d new, %(existing)d already "
                "recorded."
            )
        else:
            message = _("Imported %(rows)d rows: %(new)d new, %(existing)d already recorded.")
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
