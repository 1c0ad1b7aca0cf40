from __future__ import annotations

from typing import Any

import pytest

from phone_desk.ami.tracker import CallTracker, extension_of


def _events(tracker: CallTracker, *messages: dict[str, str]) -> list[dict[str, Any]]:
    return [event for message in messages for event in tracker.feed(message)]


def _inbound(linked: str = "1700000000.1") -> list[dict[str, str]]:
    return [
        {"Event": "Newchannel", "Channel": "PJSIP/orange-0001", "Context": "from-trunk",
         "CallerIDNum": "0612345678", "Exten": "0299000000", "Uniqueid": linked,
         "Linkedid": linked},
        {"Event": "QueueCallerJoin", "Queue": "allo-mairie", "Uniqueid": linked,
         "Linkedid": linked},
        {"Event": "DialBegin", "DestChannel": "PJSIP/201-0002", "Uniqueid": linked,
         "Linkedid": linked, "DestLinkedid": linked},
        {"Event": "DialBegin", "DestChannel": "Local/202@from-queue-0003;1", "Uniqueid": linked,
         "Linkedid": linked, "DestLinkedid": linked},
        {"Event": "BridgeEnter", "Channel": "PJSIP/orange-0001", "Uniqueid": linked,
         "Linkedid": linked},
        {"Event": "BridgeEnter", "Channel": "PJSIP/201-0002", "Uniqueid": linked + "1",
         "Linkedid": linked},
        {"Event": "Hangup", "Channel": "PJSIP/201-0002", "Uniqueid": linked + "1",
         "Linkedid": linked, "Cause": "16"},
        {"Event": "Hangup", "Channel": "PJSIP/orange-0001", "Uniqueid": linked,
         "Linkedid": linked, "Cause": "16", "Timestamp": "1700000042.5"},
    ]


def test_an_inbound_call_through_a_queue() -> None:
    tracker = CallTracker()
    events = _events(tracker, *_inbound())
    assert [(e["event"], e.get("user")) for e in events] == [
        ("newCall", None), ("newCall", ["201"]), ("newCall", ["202"]),
        ("answer", ["201"]), ("hangup", None),
    ]
    assert {e["callId"] for e in events} == {"1700000000.1"}
    assert events[0] == {"event": "newCall", "from": "0612345678", "to": "0299000000",
                         "direction": "in", "callId": "1700000000.1"}
    assert events[1]["queue"] == "allo-mairie"
    assert events[3]["answeringNumber"] == "201"
    assert (events[4]["cause"], events[4]["timestamp"]) == ("normalClearing", "1700000042.5")
    assert tracker.in_progress() == 0


def test_a_caller_who_gives_up_is_a_cancel() -> None:
    messages = [m for m in _inbound() if m["Event"] != "BridgeEnter"]
    events = _events(CallTracker(), *messages)
    assert events[-1]["cause"] == "cancel"
    assert "answer" not in [e["event"] for e in events]


def test_an_outbound_call_from_an_agent() -> None:
    linked = "1700000100.7"
    events = _events(
        CallTracker(trunk_prefixes=("PJSIP/orange",)),
        {"Event": "Newchannel", "Channel": "PJSIP/201-0009", "Context": "from-internal",
         "CallerIDNum": "201", "Exten": "0612345678", "Uniqueid": linked, "Linkedid": linked},
        {"Event": "DialBegin", "DestChannel": "PJSIP/orange-0010", "Linkedid": linked,
         "DestLinkedid": linked},
        {"Event": "BridgeEnter", "Channel": "PJSIP/orange-0010", "Uniqueid": linked + "1",
         "Linkedid": linked},
        {"Event": "Hangup", "Uniqueid": linked, "Linkedid": linked, "Cause": "17"},
    )
    assert [(e["event"], e["direction"], e.get("user")) for e in events] == [
        ("newCall", "out", ["201"]), ("answer", "out", ["201"]), ("hangup", "out", None)]
    assert events[0]["to"] == "0612345678"
    assert events[-1]["cause"] == "busy"


def test_noise_is_ignored() -> None:
    tracker = CallTracker()
    assert _events(tracker, {"Event": "FullyBooted"}, {"Response": "Success"},
                   {"Event": "Hangup", "Uniqueid": "x", "Linkedid": "x"},
                   {"Event": "DialBegin", "Linkedid": "nope"},
                   {"Event": "Newchannel", "Uniqueid": "a", "Linkedid": "b"}) == []
    first = _inbound()[0]
    assert len(_events(tracker, first, first)) == 1  # a repeated Newchannel is one call
    anonymous = {**first, "CallerIDNum": "<unknown>", "Uniqueid": "9", "Linkedid": "9"}
    assert _events(tracker, anonymous)[0]["from"] == ""


@pytest.mark.parametrize(
    ("channel", "extension"),
    [("PJSIP/201-0000000a", "201"), ("SIP/3001-00ab", "3001"),
     ("Local/202@from-queue-00000003;1", "202"), ("Console/dsp", None), ("", None)],
)
def test_extensions_from_channel_names(channel: str, extension: str | None) -> None:
    assert extension_of(channel) == extension
