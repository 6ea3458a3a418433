"""Sorting words as a language's dictionaries do, for the lists of abbreviations and terms.

Python compares code points ("Zebra" before "apple", "Äpfel" after "zebra"); the system's
`locale.strxfrm` needs the language's locale installed and changes global state. So the
lists use the Unicode Collation Algorithm's idea on a small scale: letters compare first
by their base letter (accents and case ignored), then by accents, then by case, lower
case first; and a language whose alphabet has letters of its own after z (Swedish å ä ö,
Danish and Norwegian æ ø å) or between others (Spanish ñ, Polish ł, Czech č and ch,
Turkish ç ğ ı ö ş ü) sorts them where its dictionaries do. That covers the Latin-script
languages white papers are written in; other scripts sort by code point after Latin.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

# Letters that are letters of their own in a language, each sorted right after another one
# ("z" for those after z, in the order given), or as one tailored before it (Swedish æ as ä);
# digraphs too (Czech "ch" after "h").
TAILORINGS: dict[str, list[tuple[str, str]]] = {
    "sv": [("å", "z"), ("ä", "z"), ("æ", "ä"), ("ö", "z"), ("ø", "ö")],
    "fi": [("å", "z"), ("ä", "z"), ("æ", "ä"), ("ö", "z"), ("ø", "ö")],
    "da": [("æ", "z"), ("ä", "æ"), ("ø", "z"), ("ö", "ø"), ("å", "z")],
    "nb": [("æ", "z"), ("ä", "æ"), ("ø", "z"), ("ö", "ø"), ("å", "z")],
    "nn": [("æ", "z"), ("ä", "æ"), ("ø", "z"), ("ö", "ø"), ("å", "z")],
    "no": [("æ", "z"), ("ä", "æ"), ("ø", "z"), ("ö", "ø"), ("å", "z")],
    "is": [
        ("á", "a"),
        ("ð", "d"),
        ("é", "e"),
        ("í", "i"),
        ("ó", "o"),
        ("ú", "u"),
        ("ý", "y"),
        ("þ", "z"),
        ("æ", "z"),
        ("ö", "z"),
    ],
    "et": [("š", "s"), ("ž", "z"), ("õ", "z"), ("ä", "z"), ("ö", "z"), ("ü", "z")],
    "es": [("ñ", "n")],
    "pl": [("ą", "a"), ("ć", "c"), ("ę", "e"), ("ł", "l"), ("ń", "n"), ("ó", "o"), ("ś", "s"), ("ź", "z"), ("ż", "z")],
    "cs": [("č", "c"), ("ch", "h"), ("ř", "r"), ("š", "s"), ("ž", "z")],
    "sk": [("ä", "a"), ("č", "c"), ("ch", "h"), ("ô", "o"), ("š", "s"), ("ž", "z")],
    "tr": [("ç", "c"), ("ğ", "g"), ("ı", "h"), ("ö", "o"), ("ş", "s"), ("ü", "u")],
    "de": [],
    "en": [],
    "fr": [],
}

_SPACE, _PUNCTUATION, _DIGIT, _LETTER, _OTHER = 1, 2, 3, 4, 5
# Letters without a decomposition, where no tailoring says otherwise: as the letters they are read as.
AS_LETTERS = {"æ": "ae", "œ": "oe", "ø": "o", "ð": "d", "đ": "d", "þ": "th", "ł": "l", "ı": "i"}


def sort_key(lang: str) -> Callable[[str], tuple[object, ...]]:
    """A key for `sorted` that orders words as language `lang` (a BCP 47 tag, `en-GB`) does."""
    tailored = TAILORINGS.get(lang.split("-")[0].lower(), [])
    extra: dict[str, tuple[int, int, int]] = {}
    after: dict[str, int] = {}
    for letter, base in tailored:
        if base in extra:  # the same letter as a tailored one, as far as the order goes
            extra[letter] = extra[base]
            continue
        after[base] = after.get(base, 0) + 1
        extra[letter] = (_LETTER, ord(base), after[base])
    digraphs = sorted((letter for letter in extra if len(letter) > 1), key=len, reverse=True)

    def key(text: str) -> tuple[object, ...]:
        primary: list[tuple[int, int, int]] = []
        accents: list[str] = []
        cases: list[int] = []
        folded = unicodedata.normalize("NFC", text)
        index = 0
        while index < len(folded):
            char = folded[index]
            pair = next((d for d in digraphs if folded[index : index + len(d)].casefold() == d), None)
            if pair is not None:
                primary.append(extra[pair])
                accents.append("")
                cases.append(0 if folded[index].islower() else 1)
                index += len(pair)
                continue
            lower = char.casefold()
            if lower in extra:
                primary.append(extra[lower])
                accents.append("")
            else:
                base = unicodedata.normalize("NFD", AS_LETTERS.get(lower, lower))
                letters = "".join(c for c in base if not unicodedata.combining(c))
                marks = "".join(c for c in base if unicodedata.combining(c))
                primary.extend(_weight(c) for c in letters or lower)
                accents.append(marks)
            cases.append(0 if char == lower or not char.isalpha() else 1)
            index += 1
        return (primary, accents, cases, text)

    return key


def _weight(char: str) -> tuple[int, int, int]:
    """Spaces before punctuation before digits before letters: "data set" before "database"."""
    if char.isspace():
        return (_SPACE, 0, 0)
    if char.isdigit():
        return (_DIGIT, ord(char), 0)
    if "a" <= char <= "z":
        return (_LETTER, ord(char), 0)
    if char.isalpha():
        return (_OTHER, ord(char), 0)
    return (_PUNCTUATION, ord(char), 0)
