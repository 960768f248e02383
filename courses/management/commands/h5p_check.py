"""`manage.py h5p_check FILE`: the upload validator on the command line."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from courses.h5p.errors import human_size
from courses.h5p.validator import validate_h5p


class Command(BaseCommand):
    help = "Check an .h5p file with the same validator as the upload (exit 1 when invalid)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .h5p file")
        parser.add_argument("--language", default="zh-hans", help="language of the messages")

    def handle(self, *args, **options):
        path = options["file"]
        with translation.override(options["language"]):
            try:
                with open(path, "rb") as source:
                    result = validate_h5p(source)
            except OSError as exc:
                raise CommandError(
                    _("Cannot open %(file)s: %(error)s") % {"file": path, "error": exc.strerror}
                ) from exc
            if not result.is_valid:
                self.stderr.write(
                    _("%(file)s is not a valid H5P package (%(count)d errors):")
                    % {"file": path, "count": len(result.errors)}
                )
                for message in result.messages:
                    self.stderr.write(f"  - {message}")
                raise SystemExit(1)
            libraries = ", ".join(sorted(result.libraries)) or "-"
            self.stdout.write(
                _(
                    "%(file)s is a valid H5P package: “%(title)s”, main library %(main)s, "
                    "%(count)d files, %(size)s unpacked; libraries: %(libraries)s."
                )
                % {
                    "file": path,
                    "title": result.h5p_json.get("title", ""),
                    "main": result.main_library,
                    "count": len(result.files),
                    "size": human_size(result.total_size),
                    "libraries": libraries,
                }
            )
