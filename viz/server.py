"""Solara's server, guarded for a network: malformed messages refused quietly, unknown pages closed quietly.

``python -m viz`` serves :func:`create_app` (Solara's Starlette app inside :class:`Guard`) with uvicorn; Solara's
server is imported only then, since importing it starts threads. Solara
alone logged a traceback for a 10 MB garbage websocket message and answered 500 to a POST to
``/_solara/api/close/<anything>``; neither is worth a traceback in the log of a server open to a network.
Sessions whose page went away are ended after ``MIGSIM_APP_IDLE`` (see ``viz/__main__.py``).
"""

from __future__ import annotations

import json
import logging
import struct
from typing import Any
from urllib.parse import parse_qs

MAX_MESSAGE = 1_000_000  # bytes: what a browser sends is a click or a slider's value, far below this
CLOSE_PREFIX = "/_solara/api/close/"
log = logging.getLogger(__name__)


def acceptable(message: dict[str, Any]) -> bool:
    """Whether a websocket message from a browser is a Jupyter message Solara can process."""
    from solara.server.kernel import deserialize_binary_message

    raw = message.get("text") if message.get("text") is not None else message.get("bytes")
    if raw is None or len(raw) > MAX_MESSAGE:
        return False
    try:
        data = json.loads(raw) if isinstance(raw, str) else deserialize_binary_message(raw)
    except (ValueError, TypeError, IndexError, RecursionError, struct.error):  # UnicodeDecodeError is a ValueError
        return False
    header = data.get("header") if isinstance(data, dict) else None
    return (
        isinstance(header, dict)
        and isinstance(header.get("msg_type"), str)
        and isinstance(data.get("channel", ""), str)
        and isinstance(data.get("content", {}), dict)
    )


def known_page(scope: dict[str, Any]) -> bool:
    """Whether a close request names a kernel and a page this server has (Solara fails with 500 otherwise)."""
    from solara.server import kernel_context

    kernel_id = scope["path"][len(CLOSE_PREFIX) :]
    pages = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("session_id", [])
    context = kernel_context.contexts.get(kernel_id)
    return bool(pages) and context is not None and pages[0] in context.page_status


class Guard:
    """ASGI middleware in front of Solara: see the module's docstring."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CLOSE_PREFIX) and not known_page(scope):
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"no such page\n"})
            return
        if scope["type"] != "websocket":
            await self.inner(scope, receive, send)
            return

        async def vetted() -> dict:
            message = await receive()
            if message["type"] == "websocket.receive" and not acceptable(message):
                log.info("refused a malformed websocket message; closing the connection")
                return {"type": "websocket.disconnect", "code": 1003}  # Solara ends the page; its kernel is culled
            return message

        await self.inner(scope, vetted, send)


def create_app() -> Guard:
    """Solara's app behind the guard (uvicorn's factory: importing this module starts nothing)."""
    from solara.server.starlette import app

    return Guard(app)
