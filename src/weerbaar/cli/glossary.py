"""``weerbaar glossary``: the official Dutch terms with their English, in Markdown
(``weerbaar glossary > docs/glossary.md``)."""

from __future__ import annotations

import sys


def glossary() -> None:
    from weerbaar.reports.glossary import glossary_markdown  # only this command needs it

    sys.stdout.write(glossary_markdown())
