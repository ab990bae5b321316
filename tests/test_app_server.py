"""The app's server open to careless or hostile clients: abandoned sessions freed, bad requests refused quietly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.test_app_browser import free_port
from viz.__main__ import reachable_from_others

IDLE = 3  # seconds a session without its page is kept, in these tests


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    env = {**os.environ, "MIGSIM_APP_SEEDS": "2", "MIGSIM_APP_SCALE": "20000", "MIGSIM_APP_IDLE": f"{IDLE}s"}
    log = tmp_path_factory.mktemp("app") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "viz", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.time() > deadline:
                    pytest.fail(f"the app did not start:\n{log.read_text()}")
                time.sleep(0.1)
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=20)


def session(url: str) -> tuple[str, str]:
    """A page's websocket address (a new kernel) and the session cookie the page would carry."""
    cookie = urllib.request.urlopen(url).headers.get("Set-Cookie", "").split(";")[0]
    kernel, page = uuid.uuid4(), uuid.uuid4()
    return f"ws{url[4:]}/jupyter/api/kernels/{kernel}/channels?session_id={page}", cookie


def kernels(url: str) -> int:
    return json.loads(urllib.request.urlopen(f"{url}/resourcez").read())["kernels"]["total"]


def test_abandoned_sessions_are_ended_after_the_idle_timeout(server):
    url, _ = server
    before = kernels(url)
    for _ in range(20):  # pages that connect and vanish without saying goodbye (a closed laptop, a script)
        address, cookie = session(url)
        with connect(address, additional_headers={"Cookie": cookie}, open_timeout=30):
            pass
    deadline = time.time() + 60
    while kernels(url) > before and time.time() < deadline:
        time.sleep(0.2)
    assert kernels(url) <= before, "disconnected sessions must not be kept for Solara's default of 24 hours"


@pytest.mark.parametrize(
    "message",
    [
        "x" * 10_000_000,  # 10 MB of garbage
        "not json",
        '{"header": "no header"}',
        json.dumps({"header": {"msg_type": "comm_msg"}, "channel": "shell", "content": [1]}),
        b"\x00\x00\x00\x02garbage",
    ],
    ids=["10 MB", "not JSON", "a header that is not one", "content that is not a mapping", "binary garbage"],
)
def test_a_malformed_websocket_message_is_refused_quietly(server, message):
    url, log = server
    address, cookie = session(url)
    with connect(address, additional_headers={"Cookie": cookie}, open_timeout=30, max_size=None) as page:
        page.send(message)
        with pytest.raises(ConnectionClosed):
            for _ in range(100):  # whatever the server sent before closing
                page.recv(timeout=30)
    assert urllib.request.urlopen(url).status == 200  # still serving
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("query", ["", "?session_id=nobody"])
def test_closing_a_page_that_is_not_there_is_not_a_server_error(server, query):
    url, log = server
    request = urllib.request.Request(f"{url}/_solara/api/close/{uuid.uuid4()}{query}", method="POST", data=b"")
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request)
    assert answer.value.code == 404
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize(
    "host, reachable", [("127.0.0.1", False), ("localhost", False), ("::1", False), ("0.0.0.0", True), ("::", True)]
)
def test_hosts_beyond_this_machine_are_told_apart(host, reachable):
    assert reachable_from_others(host) is reachable


def test_serving_beyond_this_machine_is_warned_about_and_a_bad_idle_time_refused():
    env = {**os.environ, "MIGSIM_APP_IDLE": "soon"}  # refused before the server starts: nothing is served
    done = subprocess.run(
        [sys.executable, "-m", "viz", "--host", "0.0.0.0"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "warning: serving on 0.0.0.0: anyone who can reach this machine can use the app" in done.stderr
    assert "docs/reliability.md" in done.stderr
    assert "MIGSIM_APP_IDLE='soon' is not a duration" in done.stderr
