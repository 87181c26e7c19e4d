"""PowerPlatform-Dataverse-Client 1.1 against the Dataverse emulator."""
import time

import pytest
import requests
from azure.core.credentials import AccessToken
from PowerPlatform.Dataverse.client import DataverseClient
from PowerPlatform.Dataverse.core.errors import HttpError

from conftest import HttpRewrite


class FakeCredential:
    def get_token(self, *scopes, **kwargs):
        return AccessToken(FakeCredential.token, int(time.time()) + 3600)


@pytest.fixture(scope="module")
def dv(emulators):
    info = emulators["dynamics"]
    FakeCredential.token = info["token"]
    https = info["base_url"].replace("http://", "https://")
    client = DataverseClient(https, FakeCredential())
    client._session = HttpRewrite(info["base_url"])
    return client


def test_token_endpoint(emulators):
    info = emulators["dynamics"]
    reply = requests.post(info["token_url"], data={"grant_type": "client_credentials", "client_id": info["client_id"],
                                                   "client_secret": info["client_secret"], "scope": info["base_url"] + "/.default"}, timeout=10)
    assert reply.status_code == 200 and reply.json()["token_type"] == "Bearer" and reply.json()["expires_in"] == 3599


def test_crud(dv):
    rid = dv.records.create("account", {"name": "Acme SDK", "industrycode": 33})
    assert len(rid) == 36
    record = dv.records.retrieve("account", rid, select=["name", "industrycode"])
    assert record["name"] == "Acme SDK"
    dv.records.update("account", rid, {"name": "Acme SDK 2"})
    assert dv.records.retrieve("account", rid, select=["name"])["name"] == "Acme SDK 2"
    annotated = dv.records.retrieve("account", rid, select=["industrycode"], include_annotations="OData.Community.Display.V1.FormattedValue")
    assert annotated["industrycode@OData.Community.Display.V1.FormattedValue"] == "Technology"
    dv.records.delete("account", rid)
    assert dv.records.retrieve("account", rid, select=["name"]) is None


def test_query_with_paging(dv):
    for i in range(12):
        dv.records.create("contact", {"lastname": f"Paged{i:02d}"})
    result = dv.records.list("contact", filter="startswith(lastname,'Paged')", select=["lastname"], orderby=["lastname asc"], page_size=5)
    names = [r["lastname"] for r in result]
    assert names == [f"Paged{i:02d}" for i in range(12)]


def test_validation_error_shape(dv):
    with pytest.raises(HttpError) as bad:
        dv.records.create("account", {"name": "Bad", "industrycode": 424242})
    assert bad.value.status_code == 400


def test_upsert_by_alternate_key(dv):
    dv.records.upsert("account", [{"alternate_key": {"accountnumber": "SDK-1"}, "record": {"name": "Keyed"}}])
    dv.records.upsert("account", [{"alternate_key": {"accountnumber": "SDK-1"}, "record": {"name": "Keyed 2"}}])
    found = dv.records.list("account", filter="accountnumber eq 'SDK-1'", select=["name"])
    assert [r["name"] for r in found] == ["Keyed 2"]


def test_change_tracking_and_etags_over_http(emulators):
    info = emulators["dynamics"]
    api = info["base_url"] + "/api/data/v9.2"
    headers = {"Authorization": "Bearer " + info["token"], "OData-Version": "4.0", "Accept": "application/json"}
    initial = requests.get(api + "/accounts?$select=name", headers={**headers, "Prefer": "odata.track-changes"}, timeout=10)
    delta_link = initial.json()["@odata.deltaLink"]
    created = requests.post(api + "/accounts", json={"name": "Tracked"}, headers=headers, timeout=10)
    location = created.headers["OData-EntityId"]
    row = requests.get(location, headers=headers, timeout=10).json()
    stale = requests.patch(location, json={"name": "X"}, headers={**headers, "If-Match": 'W/"1"'}, timeout=10)
    assert stale.status_code == 412
    assert requests.patch(location, json={"name": "Y"}, headers={**headers, "If-Match": row["@odata.etag"]}, timeout=10).status_code == 204
    assert requests.delete(location, headers=headers, timeout=10).status_code == 204
    delta = requests.get(delta_link, headers=headers, timeout=10).json()
    assert [v.get("reason") for v in delta["value"]] == ["deleted"]
