"""The tone check on its own: what it flags, and ordinary hard news it lets through."""

from __future__ import annotations

import pytest

from coparent.messaging.tone import tone_check


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("You always forget her inhaler.", "You always"),
        ("you never listen", "you never"),
        ("You are a bad mother.", "bad mother"),
        ("Fine. I'll see you in court.", "I'll see you in court"),
        ("What a pathetic excuse.", "pathetic"),
        ("You'll regret this.", "You'll regret"),
        ("I WILL NOT ACCEPT THIS", "WILL NOT ACCEPT THIS"),
    ],
)
def test_it_flags_conflict_phrases(text: str, phrase: str) -> None:
    result = tone_check(text)
    assert result.hostile
    assert phrase in result.phrases


def test_it_flags_an_angry_message_with_no_listed_phrase() -> None:
    result = tone_check("This is horrible, awful and infuriating. I am furious and I hate this.")
    assert result.hostile and result.score <= -0.6


@pytest.mark.parametrize(
    "text",
    [
        "Kit is sick today, so I will keep her home. Sorry for the late notice.",
        "Can you pick Kit up at 3 on Friday?",
        "The school called: the trip is cancelled because of the storm.",
        "OK, see you at the gate.",
        # numbers VADER's lexicon scores as slang: house numbers and counts, not insults
        "Pickup is at 187 Main Street at 5.",
        "Room 182, and 86 dollars for the trip.",
        "Hi 187",
        "",
    ],
)
def test_it_lets_ordinary_messages_through(text: str) -> None:
    result = tone_check(text)
    assert not result.hostile, (result.phrases, result.score)


def test_each_phrase_is_listed_once() -> None:
    assert tone_check("You never call. You never write.").phrases == ["You never"]
