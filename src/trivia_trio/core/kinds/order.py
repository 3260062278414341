"""``order``: put 3..6 items in the right order.

Phones see the items shuffled, labelled A.. by where they are shown; the
shuffle is fixed per run (seeded by the run), so every student of a run sees
the same labels and stored answers keep their meaning for exports.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .base import LETTERS, BadAnswer, Report, Typed, check_text

# The words its renderer shows, in each language of static/i18n: served in every
# catalog as ``kind.<name>.<word>`` (base.Kind.words).
WORDS = {
    "submit": {
        "ar": "أرسل هذا الترتيب",
        "de": "Diese Reihenfolge senden",
        "en": "Submit this order",
        "es": "Enviar este orden",
        "fr": "Envoyer cet ordre",
        "it": "Invia quest’ordine",
        "ja": "この順番で送信",
        "nl": "Deze volgorde versturen",
        "pl": "Wyślij tę kolejność",
        "pt-BR": "Enviar esta ordem",
        "tr": "Bu sırayı gönder",
        "zh-CN": "提交此顺序",
    },
    "hint": {
        "ar": "اسحب العناصر، أو استخدم ↑ و↓، لترتيبها بالترتيب الصحيح (الأول في الأعلى).",
        "de": ("Zieh die Einträge, oder nutze ↑ und ↓, in die richtige Reihenfolge (der erste "
               "oben)."),
        "en": "Drag the items, or use ↑ and ↓, into the right order (first at the top).",
        "es": "Arrastra los elementos, o usa ↑ y ↓, hasta ponerlos en orden (el primero arriba).",
        "fr": ("Faites glisser les éléments, ou utilisez ↑ et ↓, pour les mettre dans l’ordre "
               "(le premier en haut)."),
        "it": "Trascina gli elementi, o usa ↑ e ↓, nell’ordine giusto (il primo in alto).",
        "ja": "項目をドラッグするか ↑ と ↓ で正しい順番に並べてください（最初のものを一番上に）。",
        "nl": "Sleep de items, of gebruik ↑ en ↓, in de goede volgorde (de eerste bovenaan).",
        "pl": ("Przeciągnij elementy albo użyj ↑ i ↓, aby ułożyć je we właściwej kolejności "
               "(pierwszy na górze)."),
        "pt-BR": "Arraste os itens, ou use ↑ e ↓, até a ordem certa (o primeiro no topo).",
        "tr": "Öğeleri sürükleyerek ya da ↑ ve ↓ ile doğru sıraya koy (ilki en üstte).",
        "zh-CN": "拖动各项，或用 ↑ 和 ↓，排成正确的顺序（第一项在最上面）。",
    },
    "move_up": {
        "ar": "انقل إلى الأعلى: {item}",
        "de": "Nach oben: {item}",
        "en": "Move up: {item}",
        "es": "Subir: {item}",
        "fr": "Monter : {item}",
        "it": "Sposta su: {item}",
        "ja": "上へ移動：{item}",
        "nl": "Omhoog: {item}",
        "pl": "W górę: {item}",
        "pt-BR": "Subir: {item}",
        "tr": "Yukarı taşı: {item}",
        "zh-CN": "上移：{item}",
    },
    "move_down": {
        "ar": "انقل إلى الأسفل: {item}",
        "de": "Nach unten: {item}",
        "en": "Move down: {item}",
        "es": "Bajar: {item}",
        "fr": "Descendre : {item}",
        "it": "Sposta giù: {item}",
        "ja": "下へ移動：{item}",
        "nl": "Omlaag: {item}",
        "pl": "W dół: {item}",
        "pt-BR": "Descer: {item}",
        "tr": "Aşağı taşı: {item}",
        "zh-CN": "下移：{item}",
    },
    "position": {
        "ar": "{item}: الموضع {position} من {total}.",
        "de": "{item}: Position {position} von {total}.",
        "en": "{item}: position {position} of {total}.",
        "es": "{item}: posición {position} de {total}.",
        "fr": "{item} : position {position} sur {total}.",
        "it": "{item}: posizione {position} di {total}.",
        "ja": "{item}：{total}個中{position}番目。",
        "nl": "{item}: positie {position} van {total}.",
        "pl": "{item}: pozycja {position} z {total}.",
        "pt-BR": "{item}: posição {position} de {total}.",
        "tr": "{item}: {total} içinde {position}. sıra.",
        "zh-CN": "{item}：第 {position} 位，共 {total} 位。",
    },
    "board": {
        "ar": "رتّب هذه العناصر على هاتفك:",
        "de": "Bring diese auf deinem Handy in die richtige Reihenfolge:",
        "en": "Put these in order on your phone:",
        "es": "Ordena esto en tu móvil:",
        "fr": "Mettez ces éléments dans l’ordre sur votre téléphone :",
        "it": "Metti in ordine sul telefono:",
        "ja": "スマートフォンで正しい順番に並べてください：",
        "nl": "Zet deze in de goede volgorde op je telefoon:",
        "pl": "Ułóż je w kolejności na telefonie:",
        "pt-BR": "Coloque em ordem no celular:",
        "tr": "Bunları telefonunda sıraya koy:",
        "zh-CN": "请在手机上为以下各项排序：",
    },
    "right_order": {
        "ar": "الترتيب الصحيح:",
        "de": "Die richtige Reihenfolge:",
        "en": "The right order:",
        "es": "El orden correcto:",
        "fr": "Le bon ordre :",
        "it": "L’ordine giusto:",
        "ja": "正しい順番：",
        "nl": "De goede volgorde:",
        "pl": "Właściwa kolejność:",
        "pt-BR": "A ordem certa:",
        "tr": "Doğru sıra:",
        "zh-CN": "正确顺序：",
    },
    "summary": {
        "ar": "رتّب {right} من أصل {answered} العناصر ترتيبًا صحيحًا.",
        "de": "{right} von {answered} hatten die richtige Reihenfolge.",
        "en": "{right} of {answered} got the order right.",
        "es": "{right} de {answered} acertaron el orden.",
        "fr": "Ordre juste : {right} sur {answered}.",
        "it": "{right} su {answered} hanno indovinato l’ordine.",
        "ja": "{answered}人中{right}人が正しい順番でした。",
        "nl": "{right} van {answered} hadden de volgorde goed.",
        "pl": "Właściwa kolejność: {right} z {answered}.",
        "pt-BR": "{right} de {answered} acertaram a ordem.",
        "tr": "{answered} kişiden {right} kişi sırayı doğru yaptı.",
        "zh-CN": "{answered} 人中有 {right} 人排对了顺序。",
    },
    "summary_missed": {
        "ar": "رتّب {right} من أصل {answered} العناصر ترتيبًا صحيحًا ({missed} بلا إجابة).",
        "de": "{right} von {answered} hatten die richtige Reihenfolge ({missed} ohne Antwort).",
        "en": "{right} of {answered} got the order right ({missed} no answer).",
        "es": "{right} de {answered} acertaron el orden ({missed} sin responder).",
        "fr": "Ordre juste : {right} sur {answered} ({missed} sans réponse).",
        "it": "{right} su {answered} hanno indovinato l’ordine ({missed} senza risposta).",
        "ja": "{answered}人中{right}人が正しい順番でした（未回答{missed}人）。",
        "nl": "{right} van {answered} hadden de volgorde goed ({missed} zonder antwoord).",
        "pl": "Właściwa kolejność: {right} z {answered} (bez odpowiedzi: {missed}).",
        "pt-BR": "{right} de {answered} acertaram a ordem ({missed} sem resposta).",
        "tr": "{answered} kişiden {right} kişi sırayı doğru yaptı ({missed} yanıtsız).",
        "zh-CN": "{answered} 人中有 {right} 人排对了顺序（{missed} 人未作答）。",
    },
    "name": {
        "ar": "ترتيب",
        "de": "Reihenfolge",
        "en": "order",
        "es": "orden",
        "fr": "ordre",
        "it": "ordine",
        "ja": "並べ替え",
        "nl": "volgorde",
        "pl": "kolejność",
        "pt-BR": "ordem",
        "tr": "sıralama",
        "zh-CN": "排序",
    },
}
# One question of this kind as a quiz file gives it: its row of the CSV template.
SAMPLE = {
    "text": "Put these planets in order, nearest the Sun first.",
    "items": ["Mercury", "Venus", "Earth", "Mars"],
    "time_limit": 30,
}


@dataclass(frozen=True)
class Order(Typed):
    name = "order"
    words = WORDS
    sample = SAMPLE
    option_field = "items"
    items: tuple[str, ...]  # in the right order
    # shown[i] is the index (in the right order) of the item shown at position i.
    shown: tuple[int, ...] = ()

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Order | None:
        items = raw.get("items")
        if not isinstance(items, list) or not 3 <= len(items) <= len(LETTERS):
            report(f"needs 3 to {len(LETTERS)} items, in the right order")
            return None
        cleaned = tuple(check_text(item, f"item {i}", report) for i, item in enumerate(items, 1))
        if len(set(cleaned)) != len(cleaned):
            report("two items are the same; students could not tell them apart")
            return None
        return cls(cleaned) if all(cleaned) else None

    def to_dict(self) -> dict[str, Any]:
        return {"items": list(self.items)}

    def for_run(self, seed: str) -> Order:
        shown = list(range(len(self.items)))
        random.Random(seed).shuffle(shown)
        if shown == sorted(shown):  # never show the answer as the starting order
            shown = shown[1:] + shown[:1]
        return replace(self, shown=tuple(shown))

    @property
    def _shown(self) -> tuple[int, ...]:
        return self.shown or tuple(range(len(self.items)))

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.items)]

    def public(self) -> dict[str, Any]:
        return {"items": [self.items[i] for i in self._shown]}

    def normalise(self, answer: object) -> str:
        if not isinstance(answer, str) or sorted(answer) != list(self.letters):
            raise BadAnswer(f"answer must hold each of {', '.join(self.letters)} once")
        return answer

    def credit(self, stored: str) -> float:
        return 1.0 if stored == self.reveal() else 0.0

    def reveal(self) -> str:
        position = {item: LETTERS[at] for at, item in enumerate(self._shown)}
        return "".join(position[i] for i in range(len(self.items)))

    def describe(self, stored: str, hidden: Collection[str] = ()) -> str:
        return "; ".join(f"{letter}: {self.items[self._shown[self.letters.index(letter)]]}"
                         for letter in stored if letter in self.letters)
