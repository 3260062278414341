"use strict";
// The dashboard's class lists: import one (CSV or Excel), choose the class this run takes
// its students from (and whether guests may join too), and edit a class: change a row,
// add a student, remove one. Fills <section id="classes-panel">; uses el(), fill() and
// requestJson() from common.js. Text only: nothing goes in as HTML.

i18n.ready.then(() => {
  const panel = document.getElementById("classes-panel");
  if (!panel) return;
  const API = "/api/instructor/classes";
  const EXTRA_TIMES = [1, 1.5, 2];

  const status = el("div", { role: "status" });
  const fileInput = el("input", { id: "class-file", type: "file", accept: ".csv,.xlsx,text/csv" });
  const useSelect = el("select", { id: "run-class" });
  const guestsBox = el("input", { id: "run-class-guests", type: "checkbox" });
  const editSelect = el("select", { id: "edit-class" });
  const tableBox = el("div");
  // The add-a-student row outlives a refresh, so what the teacher is typing stays.
  const newId = el("input", { "aria-label": t("classes.new_id"), maxlength: "64" });
  const newName = el("input", { "aria-label": t("classes.new_name"), maxlength: "64" });
  let classes = [];
  let used = null; // the run's class as last read, {class_id, guests}: null for none
  let editing = null; // the class_id shown in the table

  fill(panel,
    el("h2", { id: "classes-heading", text: t("classes.heading") }),
    el("p", { class: "muted small", text: t("classes.explained") }),
    el("label", { for: "class-file", text: t("classes.import") }), fileInput,
    status,
    el("div", { class: "button-row" },
      el("label", { for: "run-class", text: t("classes.run_class") }), useSelect),
    el("div", { class: "button-row" }, guestsBox,
      el("label", { for: "run-class-guests", text: t("classes.guests") })),
    el("div", { class: "button-row" },
      el("label", { for: "edit-class", text: t("classes.edit") }), editSelect),
    tableBox);

  function say(text, isError, items) {
    fill(status, text ? el("p", { class: isError ? "form-error" : "success", text }) : null,
      items && items.length ? el("ul", { class: "small" }, ...items.map((item) => el("li", { text: item }))) : null);
  }

  function failed(reply) {
    const code = reply.data && reply.data.code;
    say(i18n.serverText("error", code || "unknown"), true,
      reply.data && reply.data.message ? [reply.data.message] : null);
  }

  async function refresh() {
    const reply = await requestJson("GET", API);
    if (reply.status !== 200) return failed(reply);
    classes = reply.data.classes;
    used = reply.data.run_class;
    fill(useSelect, el("option", { value: "", text: t("classes.anyone") }),
      ...classes.map((c) => el("option", { value: String(c.class_id), text: c.name })));
    useSelect.value = used ? String(used.class_id) : "";
    guestsBox.checked = Boolean(used && used.guests);
    guestsBox.disabled = !used;
    if (!classes.some((c) => c.class_id === editing)) editing = used ? used.class_id : (classes[0] || {}).class_id;
    fill(editSelect, ...classes.map((c) => el("option", { value: String(c.class_id), text: c.name })));
    editSelect.value = editing === undefined || editing === null ? "" : String(editing);
    editSelect.disabled = !classes.length;
    renderTable();
  }

  function extraSelect(value, label) {
    const select = el("select", { "aria-label": label },
      ...EXTRA_TIMES.map((x) => el("option", { value: String(x), text: "×" + i18n.formatNumber(x) })));
    select.value = String(value);
    return select;
  }

  function studentRow(klass, student) {
    const who = student.name + " (" + student.student_id + ")";
    const name = el("input", { value: student.name, "aria-label": t("classes.name_of", { who }), maxlength: "64" });
    const extra = extraSelect(student.extra_time, t("classes.extra_of", { who }));
    const penalty = el("input", { type: "checkbox", "aria-label": t("classes.no_penalty_of", { who }) });
    penalty.checked = student.no_speed_penalty;
    const save = el("button", { type: "button", class: "button-small", text: t("classes.save"), "aria-label": t("classes.save_of", { who }) });
    const remove = el("button", { type: "button", class: "button-small button-danger", text: t("classes.remove"), "aria-label": t("classes.remove_of", { who }) });
    save.addEventListener("click", () => putStudent(klass, student.student_id, name.value, extra.value, penalty.checked));
    remove.addEventListener("click", async () => {
      const reply = await requestJson("DELETE", API + "/" + klass.class_id + "/students/" + encodeURIComponent(student.student_id));
      if (reply.status !== 200) return failed(reply);
      say(t("classes.removed", { who }));
      refresh();
    });
    return el("tr", {}, el("th", { scope: "row", text: student.student_id }), el("td", {}, name),
      el("td", {}, extra), el("td", {}, penalty), el("td", {}, save, " ", remove));
  }

  async function putStudent(klass, studentId, name, extra, noPenalty) {
    const reply = await requestJson("PUT", API + "/" + klass.class_id + "/students/" + encodeURIComponent(studentId.trim()),
      { name: name.trim(), extra_time: Number(extra), no_speed_penalty: noPenalty });
    if (reply.status !== 200) return failed(reply);
    say(t("classes.saved", { who: reply.data.student.name + " (" + reply.data.student.student_id + ")" }));
    refresh();
    return true;
  }

  function renderTable() {
    const klass = classes.find((c) => c.class_id === editing);
    if (!klass) {
      fill(tableBox, el("p", { class: "muted", text: t("classes.none") }));
      return;
    }
    const add = el("button", { type: "button", class: "button-small", text: t("classes.add") });
    add.addEventListener("click", async () => {
      if (await putStudent(klass, newId.value, newName.value, 1, false)) newId.value = newName.value = "";
    });
    const drop = el("button", { type: "button", class: "button-small button-danger", text: t("classes.delete", { name: klass.name }) });
    drop.addEventListener("click", async () => {
      if (!(await confirmAction(t("classes.delete_confirm", { name: klass.name }), t("classes.delete", { name: klass.name })))) return;
      const reply = await requestJson("DELETE", API + "/" + klass.class_id);
      if (reply.status !== 200) return failed(reply);
      say(t("classes.deleted", { name: klass.name }));
      refresh();
    });
    const head = ["classes.column.id", "classes.column.name", "classes.column.extra", "classes.column.no_penalty", "classes.column.change"];
    fill(tableBox,
      el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": t("classes.table", { name: klass.name }) },
        el("table", { class: "data-table" },
          el("thead", {}, el("tr", {}, ...head.map((key) => el("th", { scope: "col", text: t(key) })))),
          el("tbody", {}, ...klass.students.map((s) => studentRow(klass, s)),
            el("tr", {}, el("td", {}, newId), el("td", {}, newName), el("td"), el("td"), el("td", {}, add))))),
      el("p", {}, drop));
  }

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    if (!file) return;
    const reply = await requestJson("POST", API + "/import", file, { "X-Filename": encodeURIComponent(file.name) });
    fileInput.value = "";
    if (reply.status !== 200) {
      say(t("error.bad_roster"), true, [reply.data && reply.data.message, ...((reply.data && reply.data.skipped) || [])].filter(Boolean));
      return;
    }
    editing = reply.data.class_id;
    say(t("classes.imported", { name: reply.data.name }), false, reply.data.skipped);
    refresh();
  });

  async function useClass(classId, guests) {
    const reply = await requestJson("PUT", "/api/instructor/run_class", { class_id: classId, guests: classId !== null && guests });
    if (reply.status !== 200) return failed(reply);
    refresh();
  }
  const picked = () => (useSelect.value ? Number(useSelect.value) : null);
  useSelect.addEventListener("change", () => useClass(picked(), guestsBox.checked));
  // The box sends the class picked again (the run keeps its list), or the class the run
  // uses where the picker cannot show it: a deleted one, whose list an ended run keeps.
  const unlisted = () => used !== null && !classes.some((c) => c.class_id === used.class_id);
  guestsBox.addEventListener("change", () => useClass(unlisted() ? used.class_id : picked(), guestsBox.checked));
  editSelect.addEventListener("change", () => {
    editing = Number(editSelect.value);
    renderTable();
  });
  // A new run starts without a class: the dashboard calls this when a run starts.
  window.refreshClassesPanel = refresh;
  refresh();
});
