"""simple-salesforce 1.12 against the Salesforce emulator."""
from datetime import datetime, timedelta, timezone

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound, SalesforceExpiredSession

from conftest import HttpRewrite


@pytest.fixture(scope="module")
def sf(emulators):
    info = emulators["salesforce"]
    base = info["base_url"]
    return Salesforce(instance_url=base, session_id=info["token"], session=HttpRewrite(base), version="59.0")


def test_token_endpoint_client_credentials(emulators):
    info = emulators["salesforce"]
    reply = requests.post(info["token_url"], data={"grant_type": "client_credentials"},
                          auth=(info["client_id"], info["client_secret"]), timeout=10)
    assert reply.status_code == 200
    body = reply.json()
    assert body["token_type"] == "Bearer" and body["instance_url"] == info["base_url"]
    bad = requests.post(info["token_url"], data={"grant_type": "client_credentials"}, auth=("x", "y"), timeout=10)
    assert bad.status_code == 400 and "error" in bad.json()


def test_crud_and_errors(sf):
    created = sf.Contact.create({"LastName": "Fidelity", "Email": "fid@example.com"})
    assert created["success"] and len(created["id"]) == 18
    record = sf.Contact.get(created["id"])
    assert record["LastName"] == "Fidelity" and record["IsDeleted"] is False
    assert sf.Contact.update(created["id"], {"FirstName": "Ann"}) == 204
    assert sf.Contact.get(created["id"])["Name"] == "Ann Fidelity"
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.Contact.create({"FirstName": "NoLast"})
    assert missing.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    with pytest.raises(SalesforceMalformedRequest) as unknown:
        sf.Contact.create({"LastName": "X", "Nope__c": 1})
    assert unknown.value.content[0]["errorCode"] == "INVALID_FIELD"
    assert sf.Contact.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(created["id"])
    sf.query("SELECT Id FROM Contact LIMIT 1")
    assert sf.api_usage["api-usage"].total == 15000


def test_upsert_by_external_id(sf):
    assert sf.Contact.upsert("External_Id__c/FID-1", {"LastName": "Up"}) == 201
    assert sf.Contact.upsert("External_Id__c/FID-1", {"LastName": "Up2"}) in (200, 204)
    assert sf.Contact.get_by_custom_id("External_Id__c", "FID-1")["LastName"] == "Up2"


def test_query_all_pages_to_the_end(sf):
    records = [{"attributes": {"type": "Account"}, "Name": f"Paged {i}"} for i in range(200)]
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": records})
    assert all(r["success"] for r in results)
    sf.restful("composite/sobjects", method="POST", json={"records": [{"attributes": {"type": "Account"}, "Name": f"More {i}"} for i in range(150)]})
    first = sf.query("SELECT Id, Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id", headers={"Sforce-Query-Options": "batchSize=200"})
    assert first["done"] is False and first["nextRecordsUrl"].startswith("/services/data/v59.0/query/")
    everything = sf.query_all("SELECT Id FROM Account WHERE Name LIKE 'Paged%' OR Name LIKE 'More%'")
    assert everything["totalSize"] == 350 and len(everything["records"]) == 350
    deleted = sf.query_all("SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true", include_deleted=True)
    assert all(r["IsDeleted"] for r in deleted["records"])
    with pytest.raises(SalesforceMalformedRequest) as bad:
        sf.query("SELECT FROM")
    assert bad.value.content[0]["errorCode"] == "MALFORMED_QUERY"


def test_collections_all_or_none(sf):
    records = [{"attributes": {"type": "Contact"}, "LastName": "A"}, {"attributes": {"type": "Contact"}, "FirstName": "B"}]
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": records})
    assert [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"


def test_describe_and_replication(sf):
    fields = {f["name"]: f for f in sf.Opportunity.describe()["fields"]}
    assert fields["StageName"]["type"] == "picklist" and fields["CloseDate"]["nillable"] is False
    now = datetime.now(timezone.utc)
    victim = sf.Account.create({"Name": "Doomed"})["id"]
    sf.Account.delete(victim)
    deleted = sf.Account.deleted(now - timedelta(days=1), now + timedelta(minutes=2))
    assert victim in [r["id"] for r in deleted["deletedRecords"]]
    assert "ids" in sf.Account.updated(now - timedelta(days=1), now + timedelta(minutes=2))


def test_expired_session_is_invalid_session_id(emulators):
    base = emulators["salesforce"]["base_url"]
    bad = Salesforce(instance_url=base, session_id="bogus", session=HttpRewrite(base), version="59.0")
    with pytest.raises(SalesforceExpiredSession):
        bad.query("SELECT Id FROM Contact")
