"""From AMI events to the three generic call events.

Asterisk 12+ (so 18, 20, 21...) describes a call as channels linked by `Linkedid` (the
`Uniqueid` of the call's first channel):

- `Newchannel` of the first channel (`Uniqueid == Linkedid`): the call starts. Its
  `Context` says whether it came from outside (`inbound_contexts`: a trunk) or from an
  agent's phone; `CallerIDNum` and `Exten` are the numbers. -> `newCall`.
- `QueueCallerJoin`: the call waits in `Queue`. Remembered and sent with what follows.
- `DialBegin`: Asterisk rings `DestChannel` (`PJSIP/201-00000002`, `SIP/201-…`,
  `Local/201@from-queue-…;1`): the agent's extension is in the channel name. -> a second
  `newCall` naming that extension (the server pops the caller on that desk).
- `BridgeEnter` of a channel that is not the first one: someone picked up. -> `answer`
  (once per call).
- `Hangup` of the first channel: the call is over; `Cause` (Q.850) becomes Zammad's
  cause. -> `hangup`.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

DEFAULT_INBOUND_CONTEXTS = frozenset({"from-trunk", "from-pstn", "from-external",
                                      "from-did", "from-did-direct", "incoming", "inbound"})
_CHANNEL_EXTENSION = re.compile(r"^(?:PJSIP|SIP|IAX2|DAHDI|Local)/([^-@;/]+)")
# Q.850 cause codes -> Zammad's hangup causes
_CAUSES = {1: "notFound", 3: "notFound", 16: "normalClearing", 17: "busy", 18: "noAnswer",
           19: "noAnswer", 21: "cancel", 34: "congestion", 38: "congestion", 42: "congestion"}
MAX_TRACKED = 10_000


@dataclass
class _Call:
    call_id: str
    direction: str
    from_: str
    to: str
    queue: str | None = None
    extensions: list[str] = field(default_factory=list)
    answered: bool = False
    started: float = field(default_factory=time.monotonic)


def extension_of(channel: str) -> str | None:
    match = _CHANNEL_EXTENSION.match(channel)
    return match.group(1) if match else None


class CallTracker:
    def __init__(
        self, *, inbound_contexts: frozenset[str] = DEFAULT_INBOUND_CONTEXTS,
        trunk_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.inbound_contexts = inbound_contexts
        # Channels named after a trunk (PJSIP/orange-…) are never an agent's extension.
        self.trunk_prefixes = trunk_prefixes
        self._calls: OrderedDict[str, _Call] = OrderedDict()

    def feed(self, message: dict[str, str]) -> list[dict[str, Any]]:
        """One AMI event in, zero or more generic events out."""
        handler = {
            "Newchannel": self._new_channel, "QueueCallerJoin": self._queue_join,
            "DialBegin": self._dial_begin, "BridgeEnter": self._bridge_enter,
            "Hangup": self._hangup,
        }.get(message.get("Event", ""))
        if handler is None:
            return []
        events = handler(message)
        stamp = message.get("Timestamp")
        for event in events:
            if stamp:
                event["timestamp"] = stamp
        return events

    def in_progress(self) -> int:
        return len(self._calls)

    def _event(self, kind: str, call: _Call, **extra: Any) -> dict[str, Any]:
        event: dict[str, Any] = {"event": kind, "from": call.from_, "to": call.to,
                                 "direction": call.direction, "callId": call.call_id}
        if call.queue:
            event["queue"] = call.queue
        event.update(extra)
        return event

    def _agent_extension(self, channel: str) -> str | None:
        if any(channel.startswith(prefix) for prefix in self.trunk_prefixes):
            return None
        return extension_of(channel)

    def _new_channel(self, message: dict[str, str]) -> list[dict[str, Any]]:
        linked = message.get("Linkedid", "")
        if not linked or message.get("Uniqueid") != linked or linked in self._calls:
            return []
        inbound = message.get("Context", "") in self.inbound_contexts
        caller = message.get("CallerIDNum", "")
        call = _Call(call_id=linked, direction="in" if inbound else "out",
                     from_="" if caller in ("<unknown>", "") else caller,
                     to=message.get("Exten", ""))
        self._calls[linked] = call
        while len(self._calls) > MAX_TRACKED:  # hangups lost while disconnected
            self._calls.popitem(last=False)
        if inbound:
            return [self._event("newCall", call)]
        extension = self._agent_extension(message.get("Channel", ""))
        call.extensions = [extension] if extension else []
        return [self._event("newCall", call, user=call.extensions)]

    def _queue_join(self, message: dict[str, str]) -> list[dict[str, Any]]:
        call = self._calls.get(message.get("Linkedid", ""))
        if call is not None and message.get("Queue"):
            call.queue = message["Queue"]
        return []

    def _dial_begin(self, message: dict[str, str]) -> list[dict[str, Any]]:
        call = self._calls.get(message.get("DestLinkedid") or message.get("Linkedid", ""))
        if call is None or call.direction != "in":
            return []
        extension = self._agent_extension(message.get("DestChannel", ""))
        if extension is None or extension in call.extensions:
            return []
        call.extensions.append(extension)
        return [self._event("newCall", call, user=[extension])]

    def _bridge_enter(self, message: dict[str, str]) -> list[dict[str, Any]]:
        call = self._calls.get(message.get("Linkedid", ""))
        if call is None or call.answered or message.get("Uniqueid") == call.call_id:
            return []
        call.answered = True
        if call.direction == "out":
            return [self._event("answer", call, user=call.extensions)]
        extension = self._agent_extension(message.get("Channel", ""))
        extra = {"answeringNumber": extension, "user": [extension]} if extension else {}
        return [self._event("answer", call, **extra)]

    def _hangup(self, message: dict[str, str]) -> list[dict[str, Any]]:
        linked = message.get("Linkedid", "")
        if message.get("Uniqueid") != linked:
            return []
        call = self._calls.pop(linked, None)
        if call is None:
            return []
        code = int(message["Cause"]) if message.get("Cause", "").isdigit() else 0
        cause = _CAUSES.get(code, "normalClearing")
        if not call.answered and cause == "normalClearing":
            cause = "cancel"  # the caller gave up before anyone answered
        return [self._event("hangup", call, cause=cause)]
