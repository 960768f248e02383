"""`python manage.py recompute_qualifications [--all | --school CODE | --staff-no NO]`:
recompute qualification statuses now (DESIGN.md §7), printing the count per state and the
time taken. The nightly Celery beat run does `--all`; this is for cron, the embedded
default and after bulk changes."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from certification.models.qualification import QualificationState
from certification.services.qualification import qualification_recompute
from people.models import School, User


class Command(BaseCommand):
    help = "Recompute mentor qualification statuses (all teachers, one school or one teacher)."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--all", action="store_true", help="Every active teacher (default).")
        scope.add_argument("--school", metavar="CODE", help="The teachers of one school.")
        scope.add_argument("--staff-no", metavar="NO", help="One teacher, by 工号.")

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            users = None
            if options["school"]:
                school = School.objects.filter(code=options["school"].strip()).first()
                if school is None:
                    raise CommandError(
                        _("No school with the code %(code)s.") % {"code": options["school"]}
                    )
                users = User.objects.filter(school=school)
            elif options["staff_no"]:
                users = User.objects.filter(staff_no=options["staff_no"].strip())
                if not users.exists():
                    raise CommandError(
                        _("No user with the staff number %(no)s.") % {"no": options["staff_no"]}
                    )
            result = qualification_recompute(users)
            self.stdout.write(
                _("Recomputed %(users)d teachers in %(seconds).2f s (%(changed)d changed).")
                % {"users": result.users, "seconds": result.seconds, "changed": result.changed}
            )
            for state in QualificationState:
                self.stdout.write(f"  {state.label}: {result.by_state.get(state.value, 0)}")
            if result.reminders:
                self.stdout.write(_("Reminders sent: %(count)d") % {"count": result.reminders})
