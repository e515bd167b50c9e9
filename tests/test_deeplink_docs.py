"""docs/embedding.md lists every tab id and every deep-link parameter the app reads."""

import re
from pathlib import Path
from urllib.parse import parse_qsl

from space import deeplink
from space.app import ENDPOINTS, TABS

EMBEDDING_DOC = Path(__file__).resolve().parent.parent / "docs" / "embedding.md"
TEXT = EMBEDDING_DOC.read_text(encoding="utf-8")
INPUTS = deeplink.collect_inputs(ENDPOINTS)


def parameter_table():
    """Return {(tab id, endpoint name): [parameter names]} from the doc's parameter table."""
    table = {}
    for line in TEXT.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 4 and cells[2].startswith("`/"):
            names = re.findall(r"`([^`]+)`", cells[3])
            table[(cells[0].strip("`"), cells[2].strip("`/"))] = names
    return table


def expected_table():
    table = {}
    for tab_id, endpoints in ENDPOINTS.items():
        tab_inputs = [item for item in INPUTS if item.tab_id == tab_id]
        for endpoint in endpoints:
            table[(tab_id, endpoint.api_name)] = [
                deeplink.query_name(item, tab_inputs)
                for item in tab_inputs if item.api_name == endpoint.api_name
            ]
    return table


def test_doc_lists_every_tab_and_endpoint():
    assert sorted(parameter_table()) == sorted(expected_table())


def test_doc_lists_every_link_parameter_in_order():
    documented = parameter_table()
    for key, names in expected_table().items():
        assert documented[key] == names, key


def test_doc_names_tabs_as_app_does():
    labels = {tab_id: label for tab_id, label, _ in TABS}
    for line in TEXT.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 4 and cells[2].startswith("`/"):
            assert labels[cells[0].strip("`")] == cells[1]


def test_doc_example_links_read_without_notices():
    links = re.findall(r"http://127\.0\.0\.1:7860/\?([^\s\"'<`]+)", TEXT)
    assert links
    for query in links:
        link = deeplink.read_query(parse_qsl(query.replace("&amp;", "&")), INPUTS, list(ENDPOINTS))
        assert link.notices == [], query
        assert link.tab_id is not None, query
