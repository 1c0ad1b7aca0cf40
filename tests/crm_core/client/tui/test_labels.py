from crm_core.channels import Channel
from crm_core.client.tui.labels import CHANNELS


def test_every_channel_has_french_words_on_the_timeline() -> None:
    assert [c.value for c in Channel if c.value not in CHANNELS] == []
    assert CHANNELS["sms"] == "SMS"
