from crm_core.api.limits import too_large_message


def test_the_size_limit_is_written_the_french_way() -> None:
    # « 28096 octets » read as one long number: thousands apart, by a narrow no-break space.
    assert "(28\u202f096 octets)" in too_large_message(28_096)
