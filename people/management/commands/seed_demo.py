"""`seed_demo [--scale small|district|city]`: deterministic, idempotent demo data."""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.urls import reverse
from django.utils.translation import gettext as _

from people import demo


class Command(BaseCommand):
    @property
    def help(self):
        # A property: argparse needs a real string, and a lazy one is not.
        return _(
            "Create demo schools, teachers and one account per role. The same scale always "
            "gives the same data; running it again changes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            default=demo.DEFAULT_SCALE,
            metavar="|".join(demo.SCALES),
            help="; ".join(
                _("%(scale)s: %(schools)d schools, %(teachers)d teachers")
                % {
                    "scale": name,
                    "schools": scale.total_schools,
                    "teachers": scale.total_teachers,
                }
                for name, scale in demo.SCALES.items()
            )
            + " "
            + _("(default: %(scale)s)") % {"scale": demo.DEFAULT_SCALE},
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=_(
                "Seed even under production settings (creates accounts with a public password)."
            ),
        )
        parser.add_argument(
            "--print-accounts-only",
            action="store_true",
            help=_("Only print the demo accounts; write nothing."),
        )

    def handle(self, *args, scale, print_accounts_only, allow_production, verbosity, **options):
        # The demo accounts, a superuser among them, share a password printed in the README.
        # getattr: under override_settings (bench, tests) the holder has SETTINGS_MODULE None.
        settings_module = getattr(settings, "SETTINGS_MODULE", None) or ""
        if settings_module.endswith(".production") and not allow_production:
            raise CommandError(
                _(
                    "Refusing to seed demo accounts with a public password under production "
                    "settings; pass --allow-production if this really is a demo server."
                )
            )
        # Checked here rather than by argparse `choices`, whose message is not translated.
        if scale not in demo.SCALES:
            raise CommandError(
                _("Unknown scale “%(scale)s”. Choose one of: %(choices)s.")
                % {"scale": scale, "choices": ", ".join(demo.SCALES)}
            )
        if print_accounts_only:
            self._print_accounts(demo.demo_account_rows())
            return
        started = time.monotonic()
        # Certificates the seed issues (completions, qualifications) render on first download:
        # rendering 1,000 PDFs inline would make a district seed take many minutes.
        with override_settings(CERTIFICATE_RENDER_ON_ISSUE=False):
            ctx = demo.run_seed(demo.SCALES[scale], log=self._progress if verbosity >= 1 else None)
        if verbosity < 1:
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Schools: %(schools)d (%(schools_created)d new), teachers: %(teachers)d "
                    "(%(teachers_created)d new), in %(seconds).1f s."
                )
                % {**ctx.stats, "seconds": time.monotonic() - started}
            )
        )
        self._print_accounts(ctx.accounts)

    def _progress(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()  # show progress even when stdout is a pipe or a log file

    def _print_accounts(self, rows):
        if not rows:
            self.stdout.write(_("No demo accounts yet: run “manage.py seed_demo” first."))
            return
        header = [_("Role"), _("staff number"), _("full name"), _("school"), _("Password")]
        self.stdout.write("")
        for line in demo.format_table(
            header,
            [[row.role, row.staff_no, row.full_name, row.school, row.password] for row in rows],
        ):
            self.stdout.write(line)
        base = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
        self.stdout.write("")
        self.stdout.write(_("Log in: %(url)s") % {"url": base + reverse("login")})
        self.stdout.write(_("Admin: %(url)s") % {"url": base + reverse("wagtailadmin_home")})
