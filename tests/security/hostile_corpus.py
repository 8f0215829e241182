from __future__ import annotations

ARABIC = "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل. وأضاف أن الحلفاء يدعمون الخطة الجديدة بالكامل."
HEBREW = "שר החוץ אמר כי השיחות יתחדשו בשבוע הבא. הוא הוסיף כי בעלות הברית תומכות בתוכנית החדשה."
SENTENCE = "The minister said the talks would resume next week after a long pause in the negotiations."
SCRIPT = '<script>alert("x")</script>'
HANDLER = '<img src=x onerror="alert(1)">'


def corpus() -> dict[str, bytes | str]:
    body = " ".join([SENTENCE] * 3)
    return {
        "empty": b"",
        "whitespace only": "   \n\t \u00a0 \n  ",
        "binary": bytes(range(256)) * 64,
        # Binary that happens to decode as UTF-8: no NUL byte, mostly control characters.
        "binary as valid utf-8": bytes(b for b in range(1, 128) if b not in b"\t\n\r" and (b < 32 or b == 127)) * 200,
        "invalid utf-8": b"The minister \xff\xfe\xfd said the talks would resume. " * 20,
        "mixed encodings": (
            "Caf\u00e9 talks resumed, the minister said on Monday. ".encode("utf-8")
            + "Le caf\u00e9 \u00e9tait ferm\u00e9 selon le ministre des affaires.".encode("latin-1")
        )
        * 5,
        "20 MB of HTML": "<html><body>"
        + f"<p>{SENTENCE}</p>" * (20 * 1024 * 1024 // (len(SENTENCE) + 7))
        + "</body></html>",
        "100k nested divs": "<html><body>"
        + "<div>" * 100_000
        + f"<p>{body}</p>"
        + "</div>" * 100_000
        + "</body></html>",
        "one 200 KB sentence": ("word " * 40_000).strip(),
        "arabic": f"{ARABIC}\n\n{ARABIC.replace('الأسبوع', 'الشهر')}\n\n{ARABIC.replace('الخطة', 'الفكرة')}",
        "hebrew": f"{HEBREW}\n\n{HEBREW.replace('בשבוע', 'בחודש')}\n\n{HEBREW.replace('בתוכנית', 'ברעיון')}",
        "script in html": f"<html><head><title>{SCRIPT}</title></head><body><article><h1>Talks {SCRIPT}</h1>"
        f'<p onclick="alert(2)">{SENTENCE} {HANDLER}</p><p>{SENTENCE.replace("week", "month")}</p>'
        f"{SCRIPT}<p>{SENTENCE.replace('minister', 'envoy')}</p></article></body></html>",
        "script as text": f"{SENTENCE} {SCRIPT} {HANDLER}\n\n"
        f"{SENTENCE.replace('week', 'month')} &lt;b&gt;bold&lt;/b&gt;",
    }
