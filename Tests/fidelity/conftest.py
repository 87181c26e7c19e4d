"""Starts the CRM emulators (crm-emulate or `concord emulate`) once per session on ephemeral ports."""
import json
import os
import signal
import subprocess

import pytest
import requests


class HttpRewrite(requests.Session):
    """Downgrades the https:// URLs that simple-salesforce and the Dataverse SDK hard-code."""

    def __init__(self, base):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        return super().request(method, url.replace(self.base.replace("http://", "https://"), self.base), *args, **kwargs)


@pytest.fixture(scope="session")
def emulators():
    binary = os.environ.get("EMULATOR_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "crm-emulate"))
    command = [binary] if binary.endswith("crm-emulate") else [binary, "emulate"]
    proc = subprocess.Popen(
        command + ["--crm", "all", "--port", "0", "--seed", "7", "--records", "40", "--faults", "ratelimits=off"],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise RuntimeError("emulator exited before printing its ready line")
    ready = json.loads(line)
    yield ready["emulators"]
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def admin(base, path, body):
    reply = requests.post(base + "/__admin/" + path, json=body, timeout=10)
    reply.raise_for_status()
    return reply.json()
