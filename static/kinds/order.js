"use strict";
// Put items in order: drag an item by its grip, or move it with its Up and
// Down buttons (keyboard and screen readers), then submit. Items come
// shuffled and lettered A.. by where they were first shown; the answer is
// those letters in the chosen order ("CADB").

function itemText(question, letter) {
  return (question.items || [])[OPTION_LETTERS.indexOf(letter)] || "";
}

function sayOrder(answer) {
  return String(answer || "").split("").join(" → ");
}

/** A neutral letter tile: item letters are names, not the option colours of a choice. */
function itemBadge(letter) {
  return el("span", { class: "item-badge", text: letter });
}

registerKind("order", {
  say: sayOrder,
  solution(question, correct) {
    if (!correct) return null;
    return [el("ol", { class: "order-solution" }, ...String(correct).split("").map((letter) =>
      el("li", null, itemBadge(letter), " ", richText("span", null, itemText(question, letter)))))];
  },
});

// @part phone

function middleOf(node) {
  const box = node.getBoundingClientRect();
  return box.top + box.height / 2;
}

registerKind("order", {
  answer(container, question, submit) {
    const letters = lettersOf(question.items);
    const list = el("ol", { class: "order-list", "aria-labelledby": "question-text" });
    const rows = {};
    let locked = false;

    letters.forEach((letter) => {
      const text = itemText(question, letter);
      const up = el("button", { type: "button", class: "order-move", "aria-label": t("kind.order.move_up", { item: text }), text: "↑" });
      const down = el("button", { type: "button", class: "order-move", "aria-label": t("kind.order.move_down", { item: text }), text: "↓" });
      const grip = el("span", { class: "order-grip", "aria-hidden": "true", text: "⠿" });
      const row = el("li", { class: "order-item", "data-item": letter }, grip, itemBadge(letter),
        richText("span", { class: "order-text" }, text), up, down);
      up.addEventListener("click", () => move(row, -1, up));
      down.addEventListener("click", () => move(row, 1, down));
      grip.addEventListener("pointerdown", (event) => startDrag(event, row));
      rows[letter] = row;
      list.appendChild(row);
    });

    function order() {
      return Array.prototype.map.call(list.children, (row) => row.getAttribute("data-item")).join("");
    }

    function refreshButtons() {
      const children = Array.prototype.slice.call(list.children);
      children.forEach((row, i) => {
        const [up, down] = row.querySelectorAll(".order-move");
        up.disabled = locked || i === 0;
        down.disabled = locked || i === children.length - 1;
      });
    }

    function move(row, step, pressed) {
      const target = step < 0 ? row.previousElementSibling : row.nextElementSibling;
      if (!target || locked) return;
      list.insertBefore(row, step < 0 ? target : target.nextElementSibling);
      refreshButtons();
      const still = pressed.disabled ? row.querySelector(".order-move:not(:disabled)") : pressed;
      if (still) still.focus();
      const position = Array.prototype.indexOf.call(list.children, row) + 1;
      announce(t("kind.order.position", { item: itemText(question, row.getAttribute("data-item")), position, total: letters.length }));
    }

    // The listeners sit on the document: moving the row in the list would end a pointer capture.
    function startDrag(event, row) {
      if (locked) return;
      event.preventDefault();
      const dragging = event.pointerId;
      row.classList.add("order-dragging");
      const follow = (moveEvent) => {
        if (moveEvent.pointerId !== dragging) return;
        let before = row.previousElementSibling;
        while (before && moveEvent.clientY < middleOf(before)) {
          list.insertBefore(row, before);
          before = row.previousElementSibling;
        }
        let after = row.nextElementSibling;
        while (after && moveEvent.clientY > middleOf(after)) {
          list.insertBefore(row, after.nextElementSibling);
          after = row.nextElementSibling;
        }
      };
      const finish = (upEvent) => {
        if (upEvent.pointerId !== dragging) return;
        row.classList.remove("order-dragging");
        document.removeEventListener("pointermove", follow);
        document.removeEventListener("pointerup", finish);
        document.removeEventListener("pointercancel", finish);
        refreshButtons();
      };
      document.addEventListener("pointermove", follow);
      document.addEventListener("pointerup", finish);
      document.addEventListener("pointercancel", finish);
    }

    const send = submitButton(t("kind.order.submit"));
    const form = el("form", { class: "answer-form", novalidate: true },
      el("p", { class: "answer-hint muted", text: t("kind.order.hint") }),
      list, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(order());
    });
    fill(container, form);
    refreshButtons();
    return {
      show(answer, received) {
        locked = answer !== null;
        if (locked) String(answer).split("").forEach((letter) => rows[letter] && list.appendChild(rows[letter]));
        refreshButtons();
        send.disabled = locked;
        list.classList.toggle("answer-received", locked && received);
      },
    };
  },
});

// @part room

registerKind("order", {
  label: "Put in order",
  nameKey: "kind.order.name",
  board(container, question) {
    fill(container,
      el("p", { class: "projector-hint", text: t("kind.order.board") }),
      el("ul", { class: "order-board" }, ...lettersOf(question.items).map((letter) =>
        el("li", null, itemBadge(letter), " ", richText("span", null, itemText(question, letter))))));
  },
  tally(container, question, result) {
    if (!result.revealed) {
      typedTallyWhileOpen(container);
      return;
    }
    const counts = result.counts || {};
    const answered = (counts.correct || 0) + (counts.wrong || 0);
    fill(container,
      el("p", { class: "tally-accepted", text: t("kind.order.right_order") }),
      el("ol", { class: "order-solution order-solution-big" }, ...String(result.correct || "").split("").map((letter) =>
        el("li", null, itemBadge(letter), " ", richText("span", null, itemText(question, letter))))),
      el("p", { class: "tally-summary", text: t(counts.missed ? "kind.order.summary_missed" : "kind.order.summary", { right: counts.correct || 0, answered, missed: counts.missed || 0 }) }),
      topAnswerBars(result.top_answers, sayOrder));
  },
});
