"""hubspot-api-client 12 against the HubSpot emulator."""
import json
import os
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import hubspot
import pytest
import requests
from hubspot.crm.contacts import (ApiException, BatchInputSimplePublicObjectBatchInputForCreate, BatchReadInputSimplePublicObjectId,
                                  Filter, FilterGroup, PublicObjectSearchRequest, SimplePublicObjectInputForCreate,
                                  SimplePublicObjectInput)
from hubspot.utils.signature import Signature

from conftest import admin


@pytest.fixture(scope="module")
def hs(emulators):
    info = emulators["hubspot"]
    return hubspot.Client.create(access_token=info["token"], host=info["base_url"])


def test_crud_paging_and_errors(hs):
    created = hs.crm.contacts.basic_api.create(simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
        properties={"email": "py@example.com", "firstname": "Py"}))
    assert created.id.isdigit() and created.properties["email"] == "py@example.com"
    updated = hs.crm.contacts.basic_api.update(contact_id=created.id, simple_public_object_input=SimplePublicObjectInput(properties={"lastname": "Thon"}))
    assert updated.properties["lastname"] == "Thon"
    fetched = hs.crm.contacts.basic_api.get_by_id(contact_id=created.id, properties=["email", "lastname"], properties_with_history=["lastname"])
    assert fetched.properties["lastname"] == "Thon" and fetched.properties_with_history["lastname"][0].value == "Thon"
    page = hs.crm.contacts.basic_api.get_page(limit=5, properties=["email", "firstname"])
    assert len(page.results) == 5 and page.paging.next.after
    everything = hs.crm.contacts.get_all(properties=["email"])
    assert created.id in [c.id for c in everything]
    with pytest.raises(ApiException) as conflict:
        hs.crm.contacts.basic_api.create(simple_public_object_input_for_create=SimplePublicObjectInputForCreate(properties={"email": "py@example.com"}))
    assert conflict.value.status == 409 and json.loads(conflict.value.body)["category"] == "CONFLICT"
    with pytest.raises(ApiException) as missing:
        hs.crm.contacts.basic_api.get_by_id(contact_id="1")
    assert missing.value.status == 404
    hs.crm.contacts.basic_api.archive(contact_id=created.id)
    archived = hs.crm.contacts.basic_api.get_page(archived=True)
    assert created.id in [c.id for c in archived.results]


def test_batch_and_partial_failure(hs):
    inputs = [SimplePublicObjectInputForCreate(properties={"email": f"batch{i}@example.com"}) for i in range(3)]
    created = hs.crm.contacts.batch_api.create(batch_input_simple_public_object_batch_input_for_create=BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs))
    ids = [r.id for r in created.results]
    assert len(ids) == 3 and created.status == "COMPLETE"
    read = hs.crm.contacts.batch_api.read(batch_read_input_simple_public_object_id=BatchReadInputSimplePublicObjectId(
        properties=["email"], inputs=[{"id": ids[0]}, {"id": "424242"}]))
    assert read.num_errors == 1 and read.errors[0].category == "OBJECT_NOT_FOUND"


def test_search_paging_and_cap(hs):
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name="lastmodifieddate", operator="GTE", value="0")])],
        sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}], properties=["email"], limit=10)
    seen = []
    after = None
    for _ in range(50):
        request.after = after
        page = hs.crm.contacts.search_api.do_search(public_object_search_request=request)
        seen += [r.id for r in page.results]
        if not page.paging:
            break
        after = page.paging.next.after
    assert len(seen) == len(set(seen)) == page.total
    request.after = "10000"
    with pytest.raises(ApiException) as capped:
        hs.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert capped.value.status == 400


def test_associations_and_merge(hs):
    a = hs.crm.contacts.basic_api.create(simple_public_object_input_for_create=SimplePublicObjectInputForCreate(properties={"email": "m1@example.com"}))
    b = hs.crm.contacts.basic_api.create(simple_public_object_input_for_create=SimplePublicObjectInputForCreate(properties={"email": "m2@example.com", "jobtitle": "CTO"}))
    company = hs.crm.companies.basic_api.create(simple_public_object_input_for_create={"properties": {"name": "Assoc Co"}})
    hs.crm.associations.v4.basic_api.create_default(from_object_type="contacts", from_object_id=b.id, to_object_type="companies", to_object_id=company.id)
    links = hs.crm.associations.v4.basic_api.get_page(object_type="companies", object_id=company.id, to_object_type="contacts")
    assert [str(l.to_object_id) for l in links.results] == [b.id]
    merged = hs.crm.contacts.basic_api.merge(public_merge_input={"primaryObjectId": a.id, "objectIdToMerge": b.id})
    assert merged.id == a.id
    assert hs.crm.contacts.basic_api.get_by_id(contact_id=a.id, properties=["jobtitle"]).properties["jobtitle"] == "CTO"


def test_properties_and_oauth(hs, emulators):
    info = emulators["hubspot"]
    hs.crm.properties.core_api.create(object_type="contacts", property_create={
        "name": "py_color", "label": "Color", "type": "enumeration", "fieldType": "select", "groupName": "contactinformation",
        "options": [{"label": "Red", "value": "red", "displayOrder": 0, "hidden": False}]})
    names = [p.name for p in hs.crm.properties.core_api.get_all(object_type="contacts").results]
    assert "py_color" in names and "email" in names
    tokens = hs.oauth.tokens_api.create(grant_type="authorization_code", code="abc", redirect_uri="http://localhost/cb",
                                        client_id=info["client_id"], client_secret=info["client_secret"])
    refreshed = hs.oauth.tokens_api.create(grant_type="refresh_token", refresh_token=tokens.refresh_token,
                                           client_id=info["client_id"], client_secret=info["client_secret"])
    oauth_client = hubspot.Client.create(access_token=refreshed.access_token, host=info["base_url"])
    assert oauth_client.crm.contacts.basic_api.get_page(limit=1).results


def test_rate_limit_429_body(emulators):
    info = emulators["hubspot"]
    admin(info["base_url"], "faults", {"rateLimitsEnabled": True, "rateLimits": {"TEN_SECONDLY_ROLLING": 2}})
    try:
        statuses = []
        for _ in range(4):
            reply = requests.get(info["base_url"] + "/crm/v3/objects/contacts", headers={"Authorization": "Bearer " + info["token"]}, timeout=10)
            statuses.append(reply.status_code)
        assert 429 in statuses
        body = reply.json()
        assert body["category"] == "RATE_LIMITS" and body["policyName"] == "TEN_SECONDLY_ROLLING" and "Retry-After" in reply.headers
    finally:
        admin(info["base_url"], "faults", {"rateLimitsEnabled": False, "rateLimits": {"TEN_SECONDLY_ROLLING": 100}})


def test_webhook_signature_is_valid_for_the_sdk(hs, emulators):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.headers, body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/webhook"
    admin(emulators["hubspot"]["base_url"], "webhooks", {"url": url, "secret": "client-secret-1"})
    try:
        hs.crm.contacts.basic_api.create(simple_public_object_input_for_create=SimplePublicObjectInputForCreate(properties={"email": "hook@example.com"}))
        for _ in range(100):
            if received:
                break
            time.sleep(0.05)
        headers, body = received[0]
        assert Signature.is_valid(signature=headers["X-HubSpot-Signature-v3"], client_secret="client-secret-1", request_body=body,
                                  http_uri=url, http_method="POST", signature_version="v3", timestamp=headers["X-HubSpot-Request-Timestamp"])
    finally:
        requests.delete(emulators["hubspot"]["base_url"] + "/__admin/webhooks", timeout=10)
        server.shutdown()


def test_concord_serve_accepts_what_the_sdk_signs(emulators, tmp_path):
    """The other way round: a webhook signed by hubspot-api-client's own Signature.get_signature
    is accepted by `concord serve`, and refused once the body or the secret differs."""
    binary = os.environ.get("CONCORD_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "concord"))
    info = emulators["hubspot"]
    config = tmp_path / "concord.yaml"
    config.write_text(
        "version: 1\ncrms:\n  hubspot:\n"
        f"    base_url: \"{info['base_url']}\"\n    token_url: \"{info['token_url']}\"\n"
        f"    credentials:\n      token: \"{info['token']}\"\n"
        "service:\n  listen: 127.0.0.1:0\n  safety_net_seconds: 86400\n"
        "  webhooks:\n    hubspot: {secret: \"sdk-secret\"}\n")
    proc = subprocess.Popen([binary, "serve", "--config", str(config), "--store", str(tmp_path / "s.sqlite")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        for _ in range(200):
            line = proc.stdout.readline()
            if not line:
                break
            match = re.search(r"listening on port (\d+);", line)
            if match:
                port = int(match.group(1))
                break
        assert port, "concord serve did not print its port"
        url = f"http://127.0.0.1:{port}/webhooks/hubspot"
        body = json.dumps([{"eventId": 4242, "subscriptionType": "contact.propertyChange", "objectId": 1,
                            "occurredAt": int(time.time() * 1000), "propertyName": "phone", "propertyValue": "+1"}])

        def post(text, secret):
            ts = str(int(time.time() * 1000))
            signature = Signature.get_signature(secret, text, "v3", http_uri=url, http_method="POST", timestamp=ts)
            return requests.post(url, data=text.encode(), timeout=10, headers={
                "Content-Type": "application/json", "X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": ts}).status_code

        assert post(body, "sdk-secret") == 200
        assert post(body, "another-secret") == 401
        signed_ts = str(int(time.time() * 1000))
        good = Signature.get_signature("sdk-secret", body, "v3", http_uri=url, http_method="POST", timestamp=signed_ts)
        tampered = requests.post(url, data=body.replace("+1", "+2").encode(), timeout=10, headers={
            "Content-Type": "application/json", "X-HubSpot-Signature-v3": good, "X-HubSpot-Request-Timestamp": signed_ts})
        assert tampered.status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=30)
