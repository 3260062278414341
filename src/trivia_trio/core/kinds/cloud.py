"""``cloud``: each student types a word or a short phrase (up to ``max_answers`` of them);
the projector draws the class's words as a cloud while they come in. Nothing is scored.

Entries are cleaned like typed answers (``plain_text.clean_typed``) and grouped like
them (``text.fold``: case, accents and spaces do not split a word), each group shown in
the spelling most students gave. A student's entries are stored as one answer, one
entry a line (a cleaned entry holds no line break).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..plain_text import clean_typed
from .base import BadAnswer, Kind, Report
from .text import fold

if TYPE_CHECKING:
    from ..answer_groups import AnswerGroups

MAX_ENTRY_CHARS = 40
MAX_ANSWERS = 3
CLOUD_WORDS = 60  # the cloud shows the most given words, at most this many
SEPARATOR = "\n"


# The words its renderer shows, in each language of static/i18n: served in every
# catalog as ``kind.<name>.<word>`` (base.Kind.words).
WORDS = {
    "board": {
        "ar": "اكتب كلمة على هاتفك.",
        "de": "Tippe ein Wort auf deinem Handy ein.",
        "en": "Type a word on your phone.",
        "es": "Escribe una palabra en tu teléfono.",
        "fr": "Tapez un mot sur votre téléphone.",
        "it": "Scrivi una parola sul tuo telefono.",
        "ja": "スマートフォンで言葉を入力してください。",
        "nl": "Typ een woord op je telefoon.",
        "pl": "Wpisz słowo na telefonie.",
        "pt-BR": "Digite uma palavra no seu celular.",
        "tr": "Telefonuna bir kelime yaz.",
        "zh-CN": "请在手机上输入一个词。",
    },
    "entry": {
        "ar": "الكلمة {number}",
        "de": "Wort {number}",
        "en": "Word {number}",
        "es": "Palabra {number}",
        "fr": "Mot {number}",
        "it": "Parola {number}",
        "ja": "言葉 {number}",
        "nl": "Woord {number}",
        "pl": "Słowo {number}",
        "pt-BR": "Palavra {number}",
        "tr": "Kelime {number}",
        "zh-CN": "第 {number} 个词",
    },
    "hidden": {
        "ar": "مخفية عن الشاشة الكبيرة",
        "de": "auf der Leinwand ausgeblendet",
        "en": "hidden from the big screen",
        "es": "oculta en la pantalla grande",
        "fr": "masqué sur le grand écran",
        "it": "nascosta sul grande schermo",
        "ja": "大画面では非表示",
        "nl": "verborgen op het grote scherm",
        "pl": "ukryte na dużym ekranie",
        "pt-BR": "oculta na tela grande",
        "tr": "büyük ekranda gizli",
        "zh-CN": "已在大屏幕上隐藏",
    },
    "hide": {
        "ar": "إخفاء",
        "de": "Ausblenden",
        "en": "Hide",
        "es": "Ocultar",
        "fr": "Masquer",
        "it": "Nascondi",
        "ja": "非表示",
        "nl": "Verbergen",
        "pl": "Ukryj",
        "pt-BR": "Ocultar",
        "tr": "Gizle",
        "zh-CN": "隐藏",
    },
    "hide_word": {
        "ar": "إخفاء {word} عن الشاشة الكبيرة",
        "de": "{word} auf der Leinwand ausblenden",
        "en": "Hide {word} from the big screen",
        "es": "Ocultar {word} en la pantalla grande",
        "fr": "Masquer {word} sur le grand écran",
        "it": "Nascondi {word} sul grande schermo",
        "ja": "{word} を大画面で非表示にする",
        "nl": "{word} verbergen op het grote scherm",
        "pl": "Ukryj {word} na dużym ekranie",
        "pt-BR": "Ocultar {word} na tela grande",
        "tr": "{word} kelimesini büyük ekranda gizle",
        "zh-CN": "在大屏幕上隐藏 {word}",
    },
    "label": {
        "ar": "كلمات الصف",
        "de": "Die Wörter der Klasse",
        "en": "The class's words",
        "es": "Las palabras de la clase",
        "fr": "Les mots de la classe",
        "it": "Le parole della classe",
        "ja": "クラスの言葉",
        "nl": "De woorden van de klas",
        "pl": "Słowa klasy",
        "pt-BR": "As palavras da turma",
        "tr": "Sınıfın kelimeleri",
        "zh-CN": "全班的词",
    },
    "show": {
        "ar": "إظهار مجددًا",
        "de": "Wieder zeigen",
        "en": "Show again",
        "es": "Mostrar de nuevo",
        "fr": "Réafficher",
        "it": "Mostra di nuovo",
        "ja": "再表示",
        "nl": "Weer tonen",
        "pl": "Pokaż ponownie",
        "pt-BR": "Mostrar de novo",
        "tr": "Yeniden göster",
        "zh-CN": "重新显示",
    },
    "show_word": {
        "ar": "إظهار {word} على الشاشة الكبيرة مجددًا",
        "de": "{word} wieder auf der Leinwand zeigen",
        "en": "Show {word} on the big screen again",
        "es": "Mostrar {word} de nuevo en la pantalla grande",
        "fr": "Réafficher {word} sur le grand écran",
        "it": "Mostra di nuovo {word} sul grande schermo",
        "ja": "{word} を大画面に再表示する",
        "nl": "{word} weer tonen op het grote scherm",
        "pl": "Pokaż {word} ponownie na dużym ekranie",
        "pt-BR": "Mostrar {word} de novo na tela grande",
        "tr": "{word} kelimesini büyük ekranda yeniden göster",
        "zh-CN": "在大屏幕上重新显示 {word}",
    },
    "your_word": {
        "ar": "كلمتك",
        "de": "Dein Wort",
        "en": "Your word",
        "es": "Tu palabra",
        "fr": "Votre mot",
        "it": "La tua parola",
        "ja": "あなたの言葉",
        "nl": "Jouw woord",
        "pl": "Twoje słowo",
        "pt-BR": "Sua palavra",
        "tr": "Kelimen",
        "zh-CN": "你的词",
    },
    "your_words": {
        "ar": "كلماتك (حتى {count})",
        "de": "Deine Wörter (bis zu {count})",
        "en": "Your words (up to {count})",
        "es": "Tus palabras (hasta {count})",
        "fr": "Vos mots (jusqu’à {count})",
        "it": "Le tue parole (fino a {count})",
        "ja": "あなたの言葉（{count} つまで）",
        "nl": "Jouw woorden (tot {count})",
        "pl": "Twoje słowa (do {count})",
        "pt-BR": "Suas palavras (até {count})",
        "tr": "Kelimelerin (en fazla {count})",
        "zh-CN": "你的词（最多 {count} 个）",
    },
    "name": {
        "ar": "سحابة كلمات",
        "de": "Wortwolke",
        "en": "word cloud",
        "es": "nube de palabras",
        "fr": "nuage de mots",
        "it": "nuvola di parole",
        "ja": "ワードクラウド",
        "nl": "woordwolk",
        "pl": "chmura słów",
        "pt-BR": "nuvem de palavras",
        "tr": "kelime bulutu",
        "zh-CN": "词云",
    },
}
# One question of this kind as a quiz file gives it: its row of the CSV template.
SAMPLE = {"text": "One word for how today's lesson felt?"}


@dataclass(frozen=True)
class Cloud(Kind):
    name = "cloud"
    words = WORDS
    sample = SAMPLE
    has_right_answer = False
    answers_on_projector = True
    hides_entries = True
    file_fields = ("max_answers",)
    max_answers: int = 1

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Cloud | None:
        for field in ("options", "correct", "accept"):
            if raw.get(field) is not None:
                report(f"a word cloud has no right answer; remove its {field} field")
        most = raw.get("max_answers", 1)
        if isinstance(most, bool) or most not in range(1, MAX_ANSWERS + 1):
            report(f"max_answers must be a whole number from 1 to {MAX_ANSWERS}")
            return None
        return cls(int(most))

    def to_dict(self) -> dict[str, Any]:
        return {"max_answers": self.max_answers} if self.max_answers != 1 else {}

    def public(self) -> dict[str, Any]:
        return {"max_answers": self.max_answers}

    def normalise(self, answer: object) -> str:
        given = [answer] if isinstance(answer, str) else answer
        if not isinstance(given, list) or not 1 <= len(given) <= self.max_answers or \
                not all(isinstance(entry, str) for entry in given):
            raise BadAnswer(f"answer must be 1 to {self.max_answers} words or phrases")
        entries: dict[str, str] = {}
        for entry in given:
            if len(entry) > MAX_ENTRY_CHARS * 4:  # before cleaning: hidden characters
                raise BadAnswer(f"an entry is longer than {MAX_ENTRY_CHARS} characters")
            cleaned = clean_typed(entry)
            if len(cleaned) > MAX_ENTRY_CHARS:
                raise BadAnswer(f"an entry is longer than {MAX_ENTRY_CHARS} characters")
            if cleaned:
                entries.setdefault(fold(cleaned), cleaned)  # the same word twice counts once
        if not entries:
            raise BadAnswer("the answer is empty")
        return SEPARATOR.join(entries.values())

    def credit(self, stored: str) -> float:
        return 0.0

    def wire_answer(self, stored: str) -> list[str]:
        return stored.split(SEPARATOR)

    def reveal(self) -> None:
        return None

    def histogram(self, answers: Iterable[str | None]) -> dict[str, int]:
        counts = {"answered": 0, "missed": 0}
        for answer in answers:
            counts["missed" if answer is None else "answered"] += 1
        return counts

    def grouped_entries(self, stored: str) -> Iterable[tuple[str, str]]:
        return ((fold(entry), entry) for entry in stored.split(SEPARATOR))

    def top_answers(self, groups: AnswerGroups,
                    hidden: Collection[str] = ()) -> list[dict[str, Any]]:
        """The cloud's words: each group of equal entries once, most given first. A hidden
        one is marked ``hidden`` and does not take one of the cloud's places."""
        spellings = groups.spellings
        shown = {key: min(given.items(), key=lambda item: (-item[1], item[0]))[0]
                 for key, given in spellings.items()}
        ranked = sorted(spellings, key=lambda key: (-sum(spellings[key].values()), shown[key]))
        visible = [key for key in ranked if key not in hidden][:CLOUD_WORDS]
        return [{"answer": shown[key], "count": sum(spellings[key].values())}
                | ({"hidden": True} if key in hidden else {})
                for key in ranked if key in hidden or key in visible]

    def entry_key(self, entry: str) -> str:
        return fold(entry)

    def describe(self, stored: str, hidden: Collection[str] = ()) -> str:
        return "; ".join(f"{entry} (hidden)" if fold(entry) in hidden else entry
                         for entry in stored.split(SEPARATOR))
