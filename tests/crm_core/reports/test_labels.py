from crm_core.channels import Channel
from crm_core.reports.labels import CHANNELS


def test_every_channel_has_a_french_column() -> None:
    assert [c.value for c in Channel if c.value not in CHANNELS] == []
    assert CHANNELS[Channel.SMS.value] == "SMS"
