"""`verify_ledger [--staff-no NO]`: walk every teacher's hash chain and name the first entry
that was changed or whose predecessor was removed behind the application's back."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certification.models import CreditEntry
from certification.services.ledger import entry_hash
from people.models import User

DEFAULT_CHUNK = 2000


def _problem(entry: CreditEntry, expected_prev: str) -> str | None:
    """What is wrong with this entry, given the hash of the entry before it in its chain."""
    if entry_hash(entry) != entry.hash:
        return _("content changed (the entry no longer matches its hash)")
    if entry.prev_hash == expected_prev:
        return None
    if entry.prev_hash and not CreditEntry.objects.filter(hash=entry.prev_hash).exists():
        return _("deleted predecessor (the entry it follows is missing)")
    return _("chain broken (it does not follow the previous entry of this teacher)")


class Command(BaseCommand):
    help = "Check every credit entry's hash and chain link; exit 1 naming the first bad entry."

    def add_arguments(self, parser):
        parser.add_argument("--staff-no", metavar="NO", help="check one teacher's chain only")

    def handle(self, *args, staff_no=None, **options):
        entries = CreditEntry.objects.order_by("user_id", "id")
        if staff_no:
            user_id = User.objects.filter(staff_no=staff_no).values_list("pk", flat=True).first()
            if user_id is None:
                raise CommandError(_("Unknown staff number “%(value)s”.") % {"value": staff_no})
            entries = entries.filter(user_id=user_id)
        chunk = getattr(settings, "LEDGER_VERIFY_CHUNK", DEFAULT_CHUNK)
        checked = users = 0
        current_user, expected_prev = None, ""
        for entry in entries.iterator(chunk_size=chunk):
            if entry.user_id != current_user:
                current_user, expected_prev = entry.user_id, ""
                users += 1
            problem = _problem(entry, expected_prev)
            if problem:
                number = User.objects.filter(pk=entry.user_id).values_list("staff_no", flat=True)
                message = _(
                    "Ledger check failed at entry %(id)d (工号 %(staff_no)s): %(problem)s. "
                    "%(checked)d entries before it are intact."
                ) % {
                    "id": entry.pk,
                    "staff_no": number.first() or "?",
                    "problem": problem,
                    "checked": checked,
                }
                raise CommandError(message, returncode=1)
            expected_prev = entry.hash
            checked += 1
        self.stdout.write(
            self.style.SUCCESS(
                _("Ledger OK: %(entries)d entries of %(users)d teachers checked.")
                % {"entries": checked, "users": users}
            )
        )
