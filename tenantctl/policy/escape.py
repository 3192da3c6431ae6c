"""User-provided text made inert for the report formats it lands in.

Waiver owners and reasons, tenant ids, resource names and policy messages (which quote resource
inputs) reach a pull-request comment, a code-scanning upload and JUnit XML. None of them may add
a heading, a link, an image, HTML, a mention, a table cell or a line of its own there.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 500  # one field of a report: longer user text is cut, so a comment cannot be flooded

# Every line or paragraph separator, and every other control or format character (bidi overrides included).
_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
# CommonMark: any ASCII punctuation may be backslash-escaped, and then is literal.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$:=\"'^])")
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_SARIF_SPECIAL = re.compile(r"([\[\]\\])")


def one_line(text: object, limit: int = MAX_TEXT) -> str:
    """A single line of printable text: breaks become spaces, other control/format characters go, length capped."""
    flat = _BREAKS.sub(" ", str(text))
    flat = "".join(ch for ch in flat if ch == " " or unicodedata.category(ch)[0] not in "CZ" or ch == "\t")
    flat = flat.replace("\t", " ")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def markdown_text(text: object) -> str:
    """Literal text in GitHub-flavoured Markdown: no markup, no HTML, no @mention, safe inside a table cell."""
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line(text))
    return _MENTION.sub("@\u2060", escaped)  # a word joiner keeps "@team" from notifying anyone


def markdown_code(text: object) -> str:
    """A code span that holds ``text`` literally, whatever backticks it contains; safe inside a table cell."""
    body = one_line(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def sarif_message(text: object) -> str:
    """A SARIF plain-text message (§3.11.4–3.11.6): literal brackets escaped, literal braces doubled, one line."""
    escaped = _SARIF_SPECIAL.sub(r"\\\1", one_line(text, limit=2000))
    return escaped.replace("{", "{{").replace("}", "}}")


def xml_text(text: object) -> str:
    """Text XML 1.0 can carry (no control characters besides tab and newline)."""
    return "".join(
        ch for ch in str(text) if ch in "\t\n" or (ch >= " " and ch not in "\ufffe\uffff" and not 0xD800 <= ord(ch) <= 0xDFFF)
    )
