"""GraphML: vital processes as nodes, dependencies as edges; safe and all-or-nothing."""

from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from tests.helpers import trail_config
from weerbaar import formats
from weerbaar.cli.main import app
from weerbaar.errors import FileFormatError, ValidationError
from weerbaar.formats import graphml
from weerbaar.formats.document import from_data
from weerbaar.services.context import Context
from weerbaar.services.demo import load_demo
from weerbaar.services.transfer import export_register, import_register
from weerbaar.storage.db import Database

INFRASTRUCTURE = ("vital_processes", "dependencies")

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
    '  <key id="n0" for="node" attr.name="name" attr.type="string"/>\n'
    '  <key id="n1" for="node" attr.name="sector" attr.type="string"/>\n'
    '  <key id="n2" for="node" attr.name="category" attr.type="string"/>\n'
    '  <key id="e0" for="edge" attr.name="kind" attr.type="string"/>\n'
    '  <key id="e1" for="edge" attr.name="buffer_hours" attr.type="double"/>\n'
)


def process(key: str) -> str:
    return (
        f'    <node id="{key}"><data key="n0">Process {key}</data>'
        '<data key="n1">energy</data><data key="n2">A</data></node>\n'
    )


def graph_file(
    tmp_path: Path, body: str, *, edgedefault: str = "directed", name: str = "x.graphml"
) -> Path:
    path = tmp_path / name
    text = f'{HEAD}  <graph edgedefault="{edgedefault}">\n{body}  </graph>\n</graphml>\n'
    path.write_text(text, encoding="utf-8")
    return path


def infrastructure(db: Database) -> dict[str, Any]:
    data = export_register(db)
    return {name: data[name] for name in INFRASTRUCTURE}


def counts(db: Database) -> dict[str, int]:
    return {name: len(rows) for name, rows in export_register(db).items() if isinstance(rows, list)}


def fresh(url: str) -> Database:
    database = Database(url, trail=trail_config())
    database.upgrade()
    return database


# ---------------------------------------------------------------- round trip


def test_round_trip_of_the_demo_infrastructure(
    ctx: Context, tmp_path: Path, sqlite_url: str
) -> None:
    load_demo(ctx)
    data = export_register(ctx.db)
    assert len(data["vital_processes"]) >= 20 and len(data["dependencies"]) >= 40
    path = tmp_path / "vital.graphml"
    assert formats.write(path, data) == [path]

    other = fresh(sqlite_url)
    # What the processes refer to (operators, owners) comes first, without them.
    rest = {k: v for k, v in data.items() if k not in (*INFRASTRUCTURE, "expertise")}
    import_register(Context(other, "test"), doc=from_data(rest, "rest"))
    assert infrastructure(other) == {"vital_processes": [], "dependencies": []}

    summary = import_register(Context(other, "test"), doc=formats.read(path))
    assert summary.created["vital_processes"] == len(data["vital_processes"])
    assert summary.created["dependencies"] == len(data["dependencies"])
    assert infrastructure(other) == infrastructure(ctx.db)

    again = tmp_path / "again.graphml"
    formats.write(again, export_register(other))
    other.dispose()
    assert again.read_bytes() == path.read_bytes()


def test_the_graph_holds_processes_and_dependencies_only(ctx: Context, tmp_path: Path) -> None:
    load_demo(ctx)
    data = export_register(ctx.db)
    path = tmp_path / "vital.graphml"
    graphml.write(path, data)
    graph = nx.read_graphml(path)
    assert isinstance(graph, nx.DiGraph) and graph.is_directed()
    assert {k: v for k, v in graph.graph.items() if not k.endswith("_default")} == {
        "format": "weerbaar-register",
        "format_version": 1,
    }
    assert sorted(graph.nodes) == [p["key"] for p in data["vital_processes"]]
    assert graph.number_of_edges() == len(data["dependencies"])
    first = data["vital_processes"][0]
    node = graph.nodes[first["key"]]
    assert node["name"] == first["name"]
    assert isinstance(node["people_served"], float)
    assert "key" not in node
    assert ("region" in node) == (first["region"] is not None)
    dependency = data["dependencies"][0]
    edge = graph.edges[dependency["supplier"], dependency["dependent"]]
    assert edge["kind"] == dependency["kind"]
    assert not {"key", "supplier", "dependent"} & set(edge)
    # No other entity in the file.
    text = path.read_text("utf-8")
    assert data["scenarios"][0]["key"] not in text
    assert "shared_with" not in text  # empty lists are left out


def test_writing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    data: dict[str, Any] = {
        "vital_processes": [
            {"key": "vp-b", "name": "B", "sector": "water", "category": "B", "region": None},
            {"key": "vp-a", "name": "A", "sector": "energy", "category": "A", "people_served": 5},
        ],
        "dependencies": [
            {"key": "vp-a/vp-b", "supplier": "vp-a", "dependent": "vp-b", "kind": "electricity"}
        ],
        "scenarios": [{"key": "ignored"}],
    }
    one, two = tmp_path / "one.graphml", tmp_path / "two.graphml"
    graphml.write(one, data)
    graphml.write(two, dict(reversed(list(data.items()))))
    assert one.read_bytes() == two.read_bytes()
    assert one.read_text("utf-8").index("vp-a") < one.read_text("utf-8").index("vp-b")
    assert "ignored" not in one.read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.graphml", "two.graphml"]


def test_lists_of_keys_travel_joined_by_semicolons(tmp_path: Path) -> None:
    data = {
        "vital_processes": [
            {
                "key": "vp-a",
                "name": "A",
                "sector": "energy",
                "category": "A",
                "shared_with": ["nctv", "min-jenv"],
            }
        ],
        "dependencies": [],
    }
    path = tmp_path / "x.graphml"
    graphml.write(path, data)
    [row] = graphml.read(path).rows["vital_processes"]
    assert row.values["shared_with"] == "nctv;min-jenv"


# ---------------------------------------------------------------- all or nothing


def test_edge_to_an_unknown_process_writes_nothing(ctx: Context, tmp_path: Path) -> None:
    load_demo(ctx)
    before = counts(ctx.db)
    body = (
        process("vp-new")
        + '    <edge source="vp-new" target="vp-ghost"><data key="e0">data</data></edge>\n'
        + '    <edge source="vp-drinking-water" target="vp-new">'
        '<data key="e0">water</data></edge>\n'
    )
    path = graph_file(tmp_path, body, name="bad.graphml")
    with pytest.raises(ValidationError) as caught:
        import_register(ctx, doc=formats.read(path))
    problems = [str(issue) for issue in caught.value.issues]
    assert any(
        p.startswith("bad.graphml edge 'vp-new' -> 'vp-ghost', column 'dependent'")
        and "unknown reference" in p
        and "vp-ghost" in p
        for p in problems
    ), problems
    assert "nothing imported" in str(caught.value)
    assert counts(ctx.db) == before


def test_negative_buffer_is_refused_by_validation(ctx: Context, tmp_path: Path) -> None:
    body = (
        process("vp-a")
        + process("vp-b")
        + '    <edge source="vp-a" target="vp-b"><data key="e0">electricity</data>'
        '<data key="e1">-2.5</data></edge>\n'
    )
    path = graph_file(tmp_path, body)
    with pytest.raises(ValidationError) as caught:
        import_register(ctx, doc=formats.read(path))
    [issue] = caught.value.issues
    assert issue.place == "x.graphml edge 'vp-a' -> 'vp-b'"
    assert issue.field == "buffer_hours" and "below the minimum" in issue.reason
    assert counts(ctx.db)["vital_processes"] == 0


def test_graphml_from_another_tool_is_read_and_validated(ctx: Context, tmp_path: Path) -> None:
    """Like Gephi or yEd write it: a label instead of a name, edge ids, key defaults."""
    path = tmp_path / "gephi.graphml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '  <key id="label" for="node" attr.name="label" attr.type="string"/>\n'
        '  <key id="sector" for="node" attr.name="sector" attr.type="string">'
        "<default>energy</default></key>\n"
        '  <key id="category" for="node" attr.name="category" attr.type="string"/>\n'
        '  <key id="kind" for="edge" attr.name="kind" attr.type="string"/>\n'
        '  <graph edgedefault="directed">\n'
        '    <node id="vp-a"><data key="label">A</data><data key="category">A</data></node>\n'
        '    <node id="vp-b"><data key="label">B</data><data key="category">B</data></node>\n'
        '    <edge id="0" source="vp-a" target="vp-b"><data key="kind">gas</data></edge>\n'
        "  </graph>\n</graphml>\n",
        encoding="utf-8",
    )
    doc = formats.read(path)
    first = doc.rows["vital_processes"][0]
    assert first.place == "gephi.graphml node 'vp-a'"
    assert first.values == {"key": "vp-a", "label": "A", "sector": "energy", "category": "A"}
    assert doc.rows["dependencies"][0].values == {
        "supplier": "vp-a",
        "dependent": "vp-b",
        "kind": "gas",
    }
    with pytest.raises(ValidationError) as caught:
        import_register(ctx, doc=doc)
    problems = {(i.place, i.field): i.reason for i in caught.value.issues}
    assert "required" in problems["gephi.graphml node 'vp-a'", "name"]
    assert "unknown column" in problems["gephi.graphml node 'vp-a'", "label"]
    assert counts(ctx.db)["vital_processes"] == 0


def test_an_attribute_that_contradicts_the_edge_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "x.graphml"
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_edge("vp-a", "vp-b", kind="gas", supplier="vp-c", key="vp-a/vp-b")
    graph.add_node("vp-c", key="vp-d")
    nx.write_graphml(graph, path)
    doc = formats.read(path)
    [edge] = doc.rows["dependencies"]
    assert edge.problem is not None and "'vp-c'" in edge.problem
    node = next(r for r in doc.rows["vital_processes"] if r.place.endswith("'vp-c'"))
    assert node.problem is not None and "'vp-d'" in node.problem


# ---------------------------------------------------------------- unreadable files


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n'
    b'<!DOCTYPE graphml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
    b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
    b'<key id="n0" for="node" attr.name="name" attr.type="string"/>'
    b'<graph edgedefault="directed"><node id="vp-a"><data key="n0">&lol2;</data></node>'
    b"</graph></graphml>\n"
)


@pytest.mark.parametrize(
    "content",
    [
        BILLION_LAUGHS,
        b'<?xml version="1.0"?>\n<!doctype graphml SYSTEM "http://example.org/x.dtd">\n'
        b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"/>\n',
        b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        b'<!-- <!ENTITY x "y"> --></graphml>',
        # Hidden from a byte search: EBCDIC after an ASCII declaration.
        b'<?xml version="1.0" encoding="cp500"?>'
        + '<!DOCTYPE graphml [<!ENTITY a "b">]><graphml/>'.encode("cp500"),
    ],
    ids=["entities", "external-dtd", "entity-in-comment", "ebcdic"],
)
def test_a_document_type_declaration_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "evil.graphml"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=r"evil\.graphml: .*<!DOCTYPE or <!ENTITY"):
        formats.read(path)


def test_broken_xml_names_line_and_column(tmp_path: Path) -> None:
    path = graph_file(tmp_path, process("vp-a") + "    <node id='vp-b'>\n", name="broken.graphml")
    with pytest.raises(FileFormatError) as caught:
        formats.read(path)
    message = str(caught.value)
    assert message.startswith("broken.graphml: not valid XML")
    assert "mismatched tag: line 11, column" in message


def test_xml_that_is_not_graphml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.graphml"
    path.write_text("<register><process/></register>", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"x\.graphml: not valid GraphML"):
        formats.read(path)


def test_a_value_its_key_type_cannot_hold_is_refused(tmp_path: Path) -> None:
    body = process("vp-a") + process("vp-b")
    body += '    <edge source="vp-a" target="vp-b"><data key="e1">lots</data></edge>\n'
    path = graph_file(tmp_path, body)
    with pytest.raises(FileFormatError, match=r"x\.graphml: not valid GraphML.*lots"):
        formats.read(path)


def test_an_undirected_graph_is_refused(tmp_path: Path) -> None:
    path = graph_file(tmp_path, process("vp-a"), edgedefault="undirected")
    with pytest.raises(FileFormatError, match=r"x\.graphml: an undirected graph"):
        formats.read(path)


def test_parallel_edges_are_refused_naming_both_processes(tmp_path: Path) -> None:
    body = process("vp-a") + process("vp-b")
    body += '    <edge source="vp-a" target="vp-b"><data key="e0">gas</data></edge>\n' * 2
    path = graph_file(tmp_path, body)
    with pytest.raises(FileFormatError, match=r"more than one edge from 'vp-a' to 'vp-b'"):
        formats.read(path)


def test_another_format_version_is_refused(tmp_path: Path) -> None:
    graph: nx.DiGraph[str] = nx.DiGraph(format="weerbaar-register", format_version=2)
    path = tmp_path / "x.graphml"
    nx.write_graphml(graph, path)
    with pytest.raises(FileFormatError, match="format_version 2 is not supported"):
        formats.read(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"x\.graphml: the file is empty"),
        (b" \n\t\n", r"x\.graphml: the file is empty"),
        (
            HEAD.encode() + b'<graph edgedefault="directed">\n<node id="caf\xe9"/>',
            r"x\.graphml line 9 column 14: not utf-8 \(byte 0xe9\)",
        ),
        ("<graphml/>".encode("utf-16"), r"x\.graphml: UTF-16 or UTF-32"),
        (b"<graphml>\x00</graphml>", r"x\.graphml: holds NUL bytes"),
        (b'<?xml version="1.0" encoding="klingon"?><graphml/>', r"unknown encoding 'klingon'"),
    ],
    ids=["empty", "blank", "latin-1", "utf-16", "nul", "unknown-encoding"],
)
def test_unreadable_text_is_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.graphml"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=message):
        formats.read(path)


def test_a_declared_single_byte_encoding_is_read(tmp_path: Path) -> None:
    text = HEAD.replace("utf-8", "iso-8859-1") + (
        '  <graph edgedefault="directed">\n'
        '    <node id="vp-a"><data key="n0">Café</data></node>\n'
        "  </graph>\n</graphml>\n"
    )
    path = tmp_path / "x.graphml"
    path.write_bytes(text.encode("iso-8859-1"))
    [row] = formats.read(path).rows["vital_processes"]
    assert row.values["name"] == "Café"


def test_the_format_comes_from_the_name(tmp_path: Path) -> None:
    assert formats.guess_format(Path("vital.graphml")) == "graphml"
    assert formats.guess_format(Path("VITAL.GraphML")) == "graphml"
    with pytest.raises(FileFormatError, match=r"\.graphml"):
        formats.guess_format(tmp_path / "vital.gml")


# ---------------------------------------------------------------- command line


def ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.usefixtures("demo_register")
def test_cli_export_and_import(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "x.graphml"
    ok(runner, "export", str(path))
    assert nx.read_graphml(path).number_of_nodes() == 25
    out = ok(runner, "import", str(path))
    assert "imported x.graphml: 0 records written" in out

    changed = path.read_text("utf-8").replace(">24.0<", ">25.0<", 1)
    path.write_text(changed, encoding="utf-8")
    assert "imported x.graphml: 1 records written" in ok(runner, "import", str(path))

    bad = graph_file(tmp_path, process("vp-a"), edgedefault="undirected", name="bad.graphml")
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 7
    assert "undirected" in result.output

    invalid = graph_file(
        tmp_path,
        process("vp-a")
        + '    <edge source="vp-a" target="vp-ghost"><data key="e0">gas</data></edge>\n',
        name="invalid.graphml",
    )
    result = runner.invoke(app, ["import", str(invalid)])
    assert result.exit_code == 3
    assert "invalid.graphml edge 'vp-a' -> 'vp-ghost'" in result.output
