"""``text``: a typed answer, right when it matches one of the accepted answers.

A typed answer is kept cleaned (``plain_text.clean_typed``: hidden characters
dropped, NFC, spaces collapsed), so it looks like what it is. Both sides are
compared after the protocol's normalisation: NFKC, trimmed, inner spaces
collapsed, case folded and, unless ``exact``, accents stripped.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..plain_text import clean_typed
from .base import BadAnswer, Report, Typed, check_text

MAX_ANSWER_CHARS = 200
MAX_ACCEPTED = 20


def fold(text: str, *, exact: bool = False) -> str:
    """The form two answers are compared in; folding twice changes nothing."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not exact:
        text = "".join(c for c in unicodedata.normalize("NFD", text)
                       if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFKC", text).split())


# The words its renderer shows, in each language of static/i18n: served in every
# catalog as ``kind.<name>.<word>`` (base.Kind.words).
WORDS = {
    "board": {
        "ar": "اكتب إجابتك على هاتفك.",
        "de": "Schreib deine Antwort auf dem Handy.",
        "en": "Type your answer on your phone.",
        "es": "Escribe tu respuesta en el móvil.",
        "fr": "Écrivez votre réponse sur votre téléphone.",
        "it": "Scrivi la tua risposta sul telefono.",
        "ja": "スマートフォンで答えを入力してください。",
        "nl": "Typ je antwoord op je telefoon.",
        "pl": "Wpisz odpowiedź na telefonie.",
        "pt-BR": "Digite sua resposta no celular.",
        "tr": "Yanıtını telefonuna yaz.",
        "zh-CN": "请在手机上输入你的答案。",
    },
    "name": {
        "ar": "إجابة مكتوبة",
        "de": "Freitext",
        "en": "typed answer",
        "es": "respuesta escrita",
        "fr": "réponse saisie",
        "it": "risposta scritta",
        "ja": "記述式",
        "nl": "getypt antwoord",
        "pl": "odpowiedź tekstowa",
        "pt-BR": "resposta digitada",
        "tr": "yazılı yanıt",
        "zh-CN": "填空",
    },
}
# One question of this kind as a quiz file gives it: its row of the CSV template.
SAMPLE = {
    "text": "What is the capital of Australia?",
    "accept": ["Canberra"],
    "explanation": "Not Sydney: Canberra was built as a compromise between Sydney and Melbourne.",
}


@dataclass(frozen=True)
class Text(Typed):
    name = "text"
    words = WORDS
    sample = SAMPLE
    file_fields = ("exact",)
    accept: tuple[str, ...]
    exact: bool = False

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Text | None:
        accept, exact = raw.get("accept"), raw.get("exact", False)
        if not isinstance(exact, bool):
            report("exact must be true or false")
        if not isinstance(accept, list) or not 1 <= len(accept) <= MAX_ACCEPTED:
            report(f"needs 1 to {MAX_ACCEPTED} accepted answers")
            return None
        cleaned = tuple(check_text(a, f"accepted answer {i}", report)
                        for i, a in enumerate(accept, 1))
        too_long = [a for a in cleaned if len(a) > MAX_ANSWER_CHARS]
        if too_long:
            report(f"an accepted answer is longer than the {MAX_ANSWER_CHARS} characters"
                   " a student may type")
        if not all(cleaned) or too_long or not isinstance(exact, bool):
            return None
        return cls(cleaned, exact)

    def to_dict(self) -> dict[str, Any]:
        return {"accept": list(self.accept), "exact": self.exact}

    def normalise(self, answer: object) -> str:
        if not isinstance(answer, str) or len(answer) > MAX_ANSWER_CHARS:
            raise BadAnswer(f"answer must be text of at most {MAX_ANSWER_CHARS} characters")
        stored = clean_typed(answer)
        if not stored:
            raise BadAnswer("the answer is empty")
        return stored

    def grouping_key(self, stored: str) -> str:
        return fold(stored, exact=self.exact)

    def shown_as(self, key: str, spellings: Counter[str]) -> str:
        """A right group in the accepted answer's own spelling ("Au", not "au"); any other
        in the spelling most students gave."""
        for accepted in self.accept:
            if fold(accepted, exact=self.exact) == key:
                return accepted
        return min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]

    def credit(self, stored: str) -> float:
        folded = fold(stored, exact=self.exact)
        return 1.0 if any(folded == fold(a, exact=self.exact) for a in self.accept) else 0.0

    def reveal(self) -> list[str]:
        return list(self.accept)
