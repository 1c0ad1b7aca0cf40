"""The desk's live feed: a WebSocket to `/api/v1/telephony/desk`, reconnected for ever.

Yields the server's messages (`snapshot`, `ring`, `update`) and, between connections,
`{"type": "offline", "reason": ...}` so the desk can say it lost the line. After each
reconnection the server's snapshot brings back the calls in progress. When the server
closes it because the session ended (sign-out, password changed, account disabled,
inactivity), it yields `{"type": "session_ended", "reason": ...}` and stops: the same
token would only be refused again. A handshake refused with 403 (a supervisor with no
extension, another agent's extension) yields `{"type": "refused", "reason": ...}` and
stops too: asking again every few seconds would be refused the same way, and « hors
ligne » would be a lie.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

logger = logging.getLogger("relais.phone_desk")

MAX_BACKOFF = 10.0
# A server that dies without closing (power cut, network cable) is noticed by the pings:
# the line must say so within seconds, not the 25 s (15 + 10) of the earlier settings.
KEEPALIVE_SECONDS = 3.0
SESSION_ENDED = 4401  # the server's close code for a session that is over
REFUSED = ("Le serveur ne suit pas les appels de ce poste pour vous : indiquez votre poste "
           "(relais phone --extension N) ou demandez-en un à un responsable")


def desk_url(server: str, extension: str | None = None) -> str:
    parts = urlsplit(server.rstrip("/"))
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = urlencode({"extension": extension}) if extension else ""
    return urlunsplit((scheme, parts.netloc, parts.path + "/api/v1/telephony/desk", query, ""))


async def desk_feed(
    server: str, token: str, *, extension: str | None = None, min_backoff: float = 0.2,
    keepalive: float = KEEPALIVE_SECONDS,
) -> AsyncGenerator[dict[str, Any], None]:
    url = desk_url(server, extension)
    headers = {"Authorization": f"Bearer {token}"}
    backoff = min_backoff
    while True:
        try:
            async with connect(url, additional_headers=headers, open_timeout=5,
                               ping_interval=keepalive, ping_timeout=keepalive,
                               close_timeout=keepalive) as socket:
                async for raw in socket:
                    backoff = min_backoff
                    message = json.loads(raw)
                    if isinstance(message, dict):
                        yield message
            reason = "Connexion au serveur fermée"
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code == SESSION_ENDED:
                yield {"type": "session_ended",
                       "reason": "Session terminée : reconnectez-vous pour suivre les appels"}
                return
            reason = "Connexion au serveur coupée"
            logger.info("desk feed closed: %s", exc.__class__.__name__)
        except InvalidStatus as exc:
            if exc.response.status_code == 403:
                yield {"type": "refused", "reason": REFUSED}
                return
            reason = "Le serveur refuse la connexion pour l'instant"
            logger.info("desk feed refused: HTTP %s", exc.response.status_code)
        except (OSError, WebSocketException, TimeoutError) as exc:
            reason = "Serveur injoignable"  # the agent reads it; the class goes to the log
            logger.info("desk feed error: %s", exc.__class__.__name__)
        logger.info("desk feed lost: %s", reason)
        yield {"type": "offline", "reason": reason}
        await asyncio.sleep(backoff * (1 + random.random() / 2))  # noqa: S311
        backoff = min(MAX_BACKOFF, backoff * 2)
