"""``weerbaar glossary``: the official Dutch terms with their English, in Markdown
(``weerbaar glossary > docs/glossary.md``)."""

from __future__ import annotations

import sys


def glossary() -> None:
    """Print the glossary of official Dutch terms and their English (Markdown)."""
    from weerbaar.reports.glossary import glossary_markdown  # only this command needs it

    sys.stdout.write(glossary_markdown())
