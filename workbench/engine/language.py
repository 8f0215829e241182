"""Which language an article is written in, and whether the engine's rules can read it.

py3langid (pinned; its model ships inside the package, nothing is downloaded) names the language. The engine's
alignment rules, hedge and certainty lexicons and name rules are English: an article in another language is not
traced, and says why, rather than being read with English rules.
"""

from __future__ import annotations

import re

# Languages the engine's rules are written for.
TRACED_LANGUAGES = frozenset({"en"})
UNDETERMINED = "und"
# Below this many letters a guess is noise; such a text is traced as English, as before (a headline, a stub).
MIN_LETTERS = 40
# Language is read from the opening of the text: enough to decide, and the cost stays bounded on a long article.
SAMPLE_CHARS = 5000
_NAMES = {
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "zh": "Chinese",
    "ja": "Japanese",
    "tr": "Turkish",
    "pl": "Polish",
    "hi": "Hindi",
    "ta": "Tamil",
    "en": "English",
}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or ``UNDETERMINED`` when it has too few letters to tell."""
    sample = (text or "")[:SAMPLE_CHARS]
    if len(re.findall(r"[^\W\d_]", sample)) < MIN_LETTERS:
        return UNDETERMINED
    import py3langid  # loaded on first use: the model takes a moment to unpack

    return str(py3langid.classify(sample)[0])


def language_name(code: str) -> str:
    return _NAMES.get(code, code)


def not_traced_reason(code: str | None) -> str | None:
    """Why an article in this language is not traced, for the reviewer; None when the engine reads it."""
    if not code or code == UNDETERMINED or code in TRACED_LANGUAGES:
        return None
    return (
        f"Not traced: the article is written in {language_name(code)} ({code}) and the engine's rules read English "
        "only, so its claims carry no label rather than labels from English rules."
    )
