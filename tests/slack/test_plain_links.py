"""Web addresses in question text are shown as plain text: readable, never a link Slack makes
under the bot's name."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.mrkdwn import WORD_JOINER, escape, plain_links

WJ = WORD_JOINER
# what Slack turns into a link: a scheme, `www.`, or a dotted name with a common ending
LINKABLE = re.compile(r"(?i)[a-z][a-z0-9+.-]*://|www\.|[a-z0-9-]\.(com|io|org|net)(?![a-z])")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "Reset your password at https://evil.example.com/reset?to=me",
            f"Reset your password at https:{WJ}//evil{WJ}.example{WJ}.com/reset?to=me",
        ),
        ("HTTP://EVIL.EXAMPLE.ORG", f"HTTP:{WJ}//EVIL{WJ}.EXAMPLE{WJ}.ORG"),
        ("see www.evil.example", f"see www{WJ}.evil{WJ}.example"),
        ("evil.top/reset", f"evil{WJ}.top/reset"),
        ("evil.example.com", f"evil{WJ}.example{WJ}.com"),
        ("mail it@corp.io", f"mail it@corp{WJ}.io"),
        ("ftp://files.internal:21/x", f"ftp:{WJ}//files{WJ}.internal:21/x"),
        ("<https://evil.com|click here>", f"&lt;https:{WJ}//evil{WJ}.com|click here&gt;"),
        ("_https://evil.com_ *www.evil.com*", f"_https:{WJ}//evil{WJ}.com_ *www{WJ}.evil{WJ}.com*"),
        ("~evil.com~", f"~evil{WJ}.com~"),
    ],
)
def test_web_addresses_read_the_same_but_are_no_links(text: str, shown: str) -> None:
    rendered = plain_links(escape(text))

    assert rendered == shown
    assert not LINKABLE.search(rendered)


@pytest.mark.parametrize(
    "text",
    [
        "Use os.path.join and config.yaml, e.g. in Node.js 3.14",
        "SELECT users.id FROM users",
        "a ratio of 2.5 and v1.2.3",
        "no links at all",
    ],
)
def test_dotted_names_in_code_and_prose_are_left_alone(text: str) -> None:
    assert plain_links(escape(text)) == escape(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["https://", "HTTP://", "www.", "evil", ".com", ".example", "/", "@", " ", "_", "*"]
            ),
            st.text(max_size=8),
        ),
        max_size=12,
    ).map("".join)
)
def test_any_text_keeps_its_words_and_loses_its_schemes(text: str) -> None:
    escaped = escape(text)

    rendered = plain_links(escaped)

    assert rendered.replace(WJ, "") == escaped.replace(WJ, "")
    assert "://" not in rendered
    assert "www." not in rendered.lower()
    assert not re.search(r"(?i)(?<![a-z0-9.-])evil\.com(?![a-z0-9-])", rendered)
