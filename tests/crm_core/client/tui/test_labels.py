from crm_core.client.tui.labels import CHANNELS
from crm_core.interactions.enums import Channel


def test_every_channel_has_french_words_on_the_timeline() -> None:
    assert [c.value for c in Channel if c.value not in CHANNELS] == []
    assert CHANNELS["sms"] == "SMS"
