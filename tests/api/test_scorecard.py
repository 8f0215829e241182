"""An outlet's scorecard in the API, the admin page and its CSV: the same figures in all three."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests import factories
from tests.provenance.scorecard_data import archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures():
    return archive()


@pytest.fixture
def tom_client(client_for):
    return client_for(factories.UserFactory(username="tom"), "read")


def csv_rows(admin_client, query: str = "") -> dict[str, dict[str, str]]:
    response = admin_client.get(f"/admin/sources/outlet/scorecard/?format=csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return {row["name"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}


def test_the_api_gives_an_outlets_scorecard(tom_client, figures):
    body = tom_client.get(f"/api/v1/outlets/{figures['paper'].pk}/scorecard/").json()
    assert body["outlet"] == {"id": figures["paper"].pk, "name": "Daily Paper", "kind": "newspaper"}
    assert (body["articles_traced"], body["claims"]) == (1, 5)
    assert body["shares"] == {"supported": 0.6, "altered": 0.2, "unsourced": 0.2, "contradicted": 0.0}
    assert body["flags"] == {"number_changed": 1, "added_detail": 1, "credit_missing": 1, "correction_not_carried": 1}
    assert body["flags_per_100_claims"]["number_changed"] == 20.0
    assert body["flags_per_100_claims_total"] == 80.0
    assert (body["uncredited_wire_articles"], body["corrections_not_carried"]) == (1, 1)
    assert body["verdicts"] == {"altered": 1, "supported": 1}


def test_since_narrows_the_period_and_a_bad_since_is_a_clear_error(tom_client, figures):
    url = f"/api/v1/outlets/{figures['gazette'].pk}/scorecard/"
    assert tom_client.get(url).json()["claims"] == 2
    assert tom_client.get(url, {"since": "2024-06-01"}).json()["claims"] == 0
    refused = tom_client.get(url, {"since": "yesterday"})
    assert refused.status_code == 400
    assert "ISO 8601" in str(refused.json())


def test_an_unknown_outlet_is_a_404(tom_client, figures):
    assert tom_client.get("/api/v1/outlets/999999/scorecard/").status_code == 404


def test_api_csv_and_admin_page_agree(tom_client, admin_client, figures):
    rows = csv_rows(admin_client)
    page = admin_client.get("/admin/sources/outlet/scorecard/").content.decode()
    for outlet in ("paper", "gazette"):
        api = tom_client.get(f"/api/v1/outlets/{figures[outlet].pk}/scorecard/").json()
        row = rows[api["outlet"]["name"]]
        assert int(row["claims"]) == api["claims"]
        assert int(row["articles_traced"]) == api["articles_traced"]
        for label, share in api["shares"].items():
            assert float(row[f"share_{label}"]) == share
        for flag_type, rate in api["flags_per_100_claims"].items():
            assert float(row[f"flags_per_100_{flag_type}"]) == rate
        assert float(row["flags_per_100"]) == api["flags_per_100_claims_total"]
        assert int(row["uncredited_wire_articles"]) == api["uncredited_wire_articles"]
        assert int(row["corrections_not_carried"]) == api["corrections_not_carried"]
        for label, n in api["verdicts"].items():
            assert int(row[f"verdicts_{label}"]) == n
        cells = re.search(rf"<tr><td>{api['outlet']['name']}</td>(.*?)</tr>", page).group(1)
        shown = re.findall(r"<td>(.*?)</td>", cells)
        assert shown[1:3] == [str(api["articles_traced"]), str(api["claims"])]
        assert float(shown[3]) == api["shares"]["supported"]


def test_the_table_sorts_by_any_column_both_ways(admin_client, figures):
    def names(sort: str) -> list[str]:
        page = admin_client.get(f"/admin/sources/outlet/scorecard/?sort={sort}").content.decode()
        return re.findall(r"<tr><td>([^<]+)</td>", page)

    assert names("claims") == ["Quiet Times", "Wire Service", "Gazette", "Daily Paper"]
    assert names("-claims") == ["Daily Paper", "Gazette", "Quiet Times", "Wire Service"]
    # Outlets without claims have no shares and come last either way.
    assert names("-share_contradicted")[:2] == ["Gazette", "Daily Paper"]
    assert names("share_contradicted")[:2] == ["Daily Paper", "Gazette"]


def test_the_chart_has_a_bar_for_each_outlet_with_claims(admin_client, figures):
    page = admin_client.get("/admin/sources/outlet/scorecard/").content.decode()
    assert sorted(re.findall(r'class="sc-bar" data-outlet="([^"]+)"', page)) == ["Daily Paper", "Gazette"]
    # Daily Paper's supported share is 0.6 of the 600-pixel bar.
    assert re.search(r'<rect x="200" y="\d+" width="360.0"[^>]*fill="#2e7d32"><title>Daily Paper', page)


def test_the_page_says_when_since_is_not_a_date(admin_client, figures):
    page = admin_client.get("/admin/sources/outlet/scorecard/?since=soon").content.decode()
    assert "not an ISO 8601 date" in page


def test_a_fact_checker_without_outlet_rights_cannot_open_the_page(client, figures):
    user = factories.UserFactory(username="visitor", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/sources/outlet/scorecard/").status_code == 403


def test_the_outlet_list_links_the_scorecards(admin_client, figures):
    page = admin_client.get("/admin/sources/outlet/").content.decode()
    assert 'href="/admin/sources/outlet/scorecard/"' in page
