"""One presenter per view: the model a view is handed out as, the same for the API's
answer, ``weerbaar … --format json`` and a page's JSON download, and the view's one
table for CSV and XLSX.

Each module turns what a service returns into the pydantic model the API declares in
its OpenAPI description; the CLI prints that model with :func:`as_json`. Nothing here
reads the database or knows about HTTP, so the CLI imports it without the web app.
"""

from __future__ import annotations

from pydantic import BaseModel


def as_json(model: BaseModel) -> str:
    """The model as the CLI prints it: the API's JSON, indented by two spaces."""
    return model.model_dump_json(indent=2)
