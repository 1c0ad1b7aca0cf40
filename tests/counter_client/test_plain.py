"""plain(): data is never markup, and draws as wide as it is counted."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from counter_client.plain import plain, shown


def test_markup_is_data() -> None:
    assert plain("[b]x[/b]").plain == "[b]x[/b]"
    assert plain(None).plain == ""


def test_the_emoji_variation_selector_is_dropped_and_styles_stay_in_place() -> None:
    assert shown("❤️ ☎️ 😀️") == "❤ ☎ 😀"
    text = Text("a❤️b")
    text.append(" ☎️ x", style="red")
    text.stylize("bold", 0, 3)
    result = plain(text)
    assert result.plain == "a❤b ☎ x"
    assert cell_len(result.plain) == len(result.plain)  # one cell each: no wide pair
    assert [(result.plain[s.start:s.end], str(s.style)) for s in result.spans] == [
        ("a❤", "bold"), (" ☎", "red"), (" x", "red")]
    untouched = Text("sans émoji")
    assert plain(untouched) is untouched
