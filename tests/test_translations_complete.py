"""No interface string is marked for translation without being translated.

The completeness test in test_site_languages.py checks the committed .po files, but
those only hold the strings of their last extraction: a string marked in the code
since then is in none of them and slips through. This test extracts the strings
afresh, as `make messages` does, and looks each one up in the committed files.

Where makemessages writes: it walks the current directory, and a `locale` folder it
finds there (or in any folder below) takes precedence over settings.LOCALE_PATHS for
the files beside it. Run from the project root, it would therefore write into the real
locale/ whatever LOCALE_PATHS says. So the extraction runs in a temporary copy of the
sources, with a copy of locale/ in it, and the real tree is never written to (not
even the .py files makemessages writes beside each template while it works).
"""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

LANGUAGES = ("es", "pt", "fr")
# What `make messages` leaves out, and the tests, whose strings are no interface.
IGNORED = (".venv", "staticfiles", "node_modules", "tests")
# The extensions makemessages reads for the "django" domain.
EXTENSIONS = (".py", ".html", ".txt")
# Put in the copy to prove the extraction read it and wrote where it should.
SENTINEL = "A string only the completeness test marks, to see the extraction work"


def catalog(po_file: Path) -> dict[tuple[str, str], tuple[list[str], bool]]:
    """(msgctxt, msgid) -> (its msgstr strings, whether it is fuzzy), for a .po file."""
    entries = {}
    context = msgid = None
    strings, fuzzy, part = [], False, None

    def close():
        if msgid:  # the header has an empty msgid
            entries[(context or "", msgid)] = (strings, fuzzy)

    for line in po_file.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#~"):
            continue
        if not line.strip():
            close()
            context = msgid = None
            strings, fuzzy, part = [], False, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            context, part = line[9:-1], "ctxt"
        elif line.startswith("msgid "):
            msgid, part = line[7:-1], "id"
        elif line.startswith("msgid_plural "):
            part = "plural"
        elif line.startswith("msgstr"):
            strings.append(line.split(" ", 1)[1][1:-1])
            part = "str"
        elif line.startswith('"'):
            if part == "ctxt":
                context += line[1:-1]
            elif part == "id":
                msgid += line[1:-1]
            elif part == "str":
                strings[-1] += line[1:-1]
    return entries


def copy_sources(root: Path, to: Path):
    """The files makemessages would read under `root`, and nothing else, copied to `to`."""

    def leave_out(folder, names):
        return [
            name
            for name in names
            if name.startswith(".")
            or name in IGNORED
            or name == "locale"
            or ((Path(folder) / name).is_file() and not name.endswith(EXTENSIONS))
        ]

    shutil.copytree(root, to, ignore=leave_out, symlinks=True)


@pytest.fixture
def fresh_extraction(tmp_path, settings, monkeypatch):
    """The .po file a fresh `makemessages -l es` gives, made in a temporary copy."""
    if not shutil.which("xgettext"):
        pytest.fail("makemessages needs GNU gettext: `make compilemessages` installs it.")
    root = Path(settings.BASE_DIR)
    work = tmp_path / "project"
    copy_sources(root, work)
    shutil.copytree(root / "locale", work / "locale")
    settings.LOCALE_PATHS = [work / "locale"]
    (work / "translation_sentinel.py").write_text(
        f"from django.utils.translation import gettext as _\n\n_({SENTINEL!r})\n"
    )
    monkeypatch.chdir(work)

    call_command(
        "makemessages",
        locale=["es"],
        ignore_patterns=list(IGNORED),
        no_obsolete=True,
        verbosity=0,
    )
    return work / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_every_string_marked_for_translation_is_translated(fresh_extraction, settings):
    fresh = catalog(fresh_extraction)
    assert ("", SENTINEL) in fresh, "The extraction did not run over the copy of the sources."
    del fresh[("", SENTINEL)]

    untranslated = {}
    for code in LANGUAGES:
        committed = catalog(Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po")
        missing = []
        for key in fresh:
            strings, fuzzy = committed.get(key, ([], False))
            if fuzzy or not strings or not all(strings):
                missing.append(f"{key[0]}|{key[1]}" if key[0] else key[1])
        if missing:
            untranslated[code] = missing

    assert not untranslated, (
        "Strings marked for translation but not translated in locale/<code>/LC_MESSAGES/"
        "django.po (run `make messages`, translate them, then `make compilemessages`):\n"
        + "\n".join(
            f"  [{code}] {msgid}" for code, missing in untranslated.items() for msgid in missing
        )
    )
