"""The tone check: flags a draft that is likely to read as hostile to the other parent.

Two signals, because each misses what the other catches: a list of phrases that escalate
co-parenting conflict (blame, insults, threats, legal threats) and VADER's compound sentiment
score for the text as a whole. Shouting (several words in capitals) counts too. The check only
advises: the sender may send anyway, and nothing it says is stored in the record.
See docs/messaging.md for its limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# VADER's own convention puts "negative" at <= -0.05; that would flag "I'm sorry Kit is sick".
# -0.6 flags clearly hostile text and lets ordinary bad news through.
HOSTILE_SCORE = -0.6

PHRASES: tuple[str, ...] = (
    # blame and absolutes
    r"you always",
    r"you never",
    r"you don'?t care",
    r"your fault",
    r"typical of you",
    r"what is wrong with you",
    r"what'?s wrong with you",
    r"shut up",
    # attacks on parenting
    r"bad (?:parent|mother|father|mom|dad)",
    r"terrible (?:parent|mother|father|mom|dad)",
    r"unfit (?:parent|mother|father|mom|dad)?",
    r"poor excuse for a (?:parent|mother|father)",
    # legal threats and threats
    r"(?:i'?ll|i will|i'?m going to) see you in court",
    r"see you in court",
    r"(?:i'?ll|i will) (?:take|get) (?:full )?custody",
    r"you'?ll never see (?:the kids|the children|them|her|him)",
    r"you(?:'ll| will) regret",
    r"or else",
    r"watch your back",
    # insults
    r"idiot",
    r"stupid",
    r"moron",
    r"pathetic",
    r"liar",
    r"loser",
    r"useless",
    r"worthless",
    r"psycho",
    r"crazy",
    r"selfish",
    r"disgusting",
    r"hate you",
)
_PHRASE = re.compile(r"\b(?:" + "|".join(PHRASES) + r")\b", re.IGNORECASE)
_SHOUTED_WORD = re.compile(r"\b[A-Z]{3,}\b")
# VADER's lexicon scores some bare numbers as slang ("187" -3.1, "182" -2.9, "86" -1.6): a house
# number or a count in a co-parent's message is never an insult, so numbers are not scored.
_NUMBER = re.compile(r"\b\d+\b")
SHOUTING_WORDS = 3


@dataclass(frozen=True)
class ToneResult:
    hostile: bool
    score: float
    phrases: list[str] = field(default_factory=list)
    shouting: bool = False


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def tone_check(text: str) -> ToneResult:
    phrases: list[str] = []
    for match in _PHRASE.finditer(text):
        found = match.group(0)
        if found.lower() not in (p.lower() for p in phrases):
            phrases.append(found)
    shouted = [w for w in _SHOUTED_WORD.findall(text) if w not in {"OK", "USA", "ASAP"}]
    shouting = len(shouted) >= SHOUTING_WORDS
    if shouting:
        phrases.append(" ".join(shouted[:4]))
    words = _NUMBER.sub(" ", text)
    score = float(_analyzer().polarity_scores(words)["compound"]) if words.strip() else 0.0
    hostile = bool(phrases) or score <= HOSTILE_SCORE
    return ToneResult(hostile=hostile, score=score, phrases=phrases, shouting=shouting)
