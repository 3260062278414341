"use strict";
// The instructor pages' questions before an action that cannot be taken back (the
// dashboard and the editor): one modal dialog, made on first use.

/** What to ask before running the quiz ``title`` while ``current`` ({state, title,
 * students}) has a class in it, or null when no class is at stake. */
function runOverAClassQuestion(current, title) {
  const asks = { finished: "library.confirm_run", lobby: "library.confirm_run_waits" };
  if (!current || !current.students || !asks[current.state]) return null;
  return t(asks[current.state], { title, current: current.title });
}

/** The pages' one confirmation dialog, made on first use. */
function confirmDialog() {
  const made = document.getElementById("confirm-dialog");
  if (made) return made;
  const cancel = el("button", { value: "cancel", type: "submit", "data-i18n": "dashboard.confirm.cancel", text: t("dashboard.confirm.cancel") });
  const dialog = el("dialog", { id: "confirm-dialog", "aria-labelledby": "confirm-message" },
    el("form", { method: "dialog" },
      el("p", { id: "confirm-message" }),
      el("div", { class: "button-row" }, cancel, el("button", { id: "confirm-yes", class: "button-danger", value: "confirm", type: "submit" }))));
  document.body.appendChild(dialog);
  return dialog;
}

/** Ask in a modal dialog; resolves true when the teacher confirms. */
function confirmAction(question, confirmLabel) {
  const dialog = confirmDialog();
  setText("confirm-message", question);
  setText("confirm-yes", confirmLabel);
  dialog.returnValue = "cancel";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}
