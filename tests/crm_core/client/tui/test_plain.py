"""plain(): data is never markup, and draws as wide as it is counted."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from crm_core.client.tui.plain import plain, shown


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


def test_terminal_and_direction_controls_are_dropped_lines_and_emoji_kept() -> None:
    typed = "Payé\x1b[2J\x07\r ok\u202e\u2066 21\x9b\tfin\nsuite 👨\u200d👩\u200d👧"
    assert shown(typed) == "Payé[2J ok 21\tfin\nsuite 👨\u200d👩\u200d👧"
    text = Text("\u202eNote", style="italic")
    text.append(" \x1b]0;titre\x07", style="red")
    result = plain(text)
    assert result.plain == "Note ]0;titre"
    red = [result.plain[s.start:s.end] for s in result.spans if str(s.style) == "red"]
    assert "".join(red) == " ]0;titre"  # the style stays on its characters
