"""The zh_Hans catalog is complete: every string the code marks is translated, none fuzzy.

makemessages runs on a throw-away copy of the sources, so a string added without a
translation fails here rather than showing up in English for our users.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SOURCES = ["cms", "people", "courses", "casebank", "certification", "templates", "manage.py"]

_ENTRY = re.compile(
    r"(?P<flags>(?:^#,[^\n]*\n)?)(?:^#[^\n]*\n)*"
    r'(?:^msgctxt (?P<ctx>(?:"[^\n]*"\n)+))?'
    r'^msgid (?P<id>(?:"[^\n]*"\n)+)'
    r'(?:^msgid_plural (?P<plural>(?:"[^\n]*"\n)+))?'
    r'(?P<strs>(?:^msgstr(?:\[\d+\])? (?:"[^\n]*"\n)+)+)',
    re.MULTILINE,
)


def _join(block: str | None) -> str:
    if not block:
        return ""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return "".join(parts)


def read_catalog(path: Path) -> dict[tuple[str, str], tuple[list[str], bool]]:
    text = path.read_text(encoding="utf-8") + "\n"
    entries = {}
    for match in _ENTRY.finditer(text):
        msgid = _join(match["id"])
        if not msgid:
            continue  # header
        strs = [
            _join(s)
            for s in re.findall(r'^msgstr(?:\[\d+\])? ((?:"[^\n]*"\n)+)', match["strs"], re.M)
        ]
        fuzzy = "fuzzy" in (match["flags"] or "")
        entries[(_join(match["ctx"]), msgid)] = (strs, fuzzy)
    return entries


def test_catalog_has_no_untranslated_or_fuzzy_entries():
    entries = read_catalog(PO)
    assert entries, "empty catalog"
    untranslated = [msgid for (_ctx, msgid), (strs, _f) in entries.items() if not all(strs)]
    fuzzy = [msgid for (_ctx, msgid), (_s, f) in entries.items() if f]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_every_marked_string_is_in_the_catalog(tmp_path):
    assert shutil.which("xgettext"), "gettext is needed (make test installs it)"
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=node_modules",
            "-v0",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "PYTHONPATH": str(tmp_path),
        },
    )
    fresh = read_catalog(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    ours = read_catalog(PO)
    missing = sorted(
        msgid for key in fresh if key not in ours or not all(ours[key][0]) for msgid in [key[1]]
    )
    assert not missing, f"{len(missing)} strings missing from locale/zh_Hans: {missing[:30]}"
