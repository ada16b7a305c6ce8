// Report pages: the section editor (tiny toolbar, autosave) and the "正在生成…" state of long posts.
// The server sanitizes whatever arrives; this file only makes typing pleasant.
(function () {
  "use strict";

  // Forms with data-busy: disable the button and show the spinner until the next page arrives.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-busy]");
    if (!form || event.defaultPrevented) return;
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
      button.disabled = true;
    });
    const buttons = document.querySelectorAll("button[form='" + form.id + "']");
    buttons.forEach(function (button) { button.disabled = true; });
    const indicator = document.querySelector(".busy-indicator");
    if (indicator) {
      indicator.querySelector(".busy-text").textContent = form.getAttribute("data-busy");
      indicator.classList.remove("d-none");
    }
  });

  const form = document.getElementById("section-form");
  if (!form) return;
  const textarea = document.getElementById("content");
  const editor = document.getElementById("editor");
  const toolbar = document.getElementById("editor-toolbar");
  const status = document.getElementById("autosave-status");
  const versionInput = document.getElementById("section-version");
  const clearBox = document.getElementById("clear-warning-check");  // only on a signed report
  const csrf = form.querySelector("input[name=csrf_token]");
  const url = form.getAttribute("data-autosave-url");
  const seconds = parseInt(form.getAttribute("data-autosave-seconds") || "15", 10);
  let dirty = false;
  let saving = null;  // the autosave request in flight, a promise
  let again = false;
  let stopped = false;

  // The stored HTML is the server's sanitized, canonical HTML; show it in the editable box.
  editor.innerHTML = textarea.value;
  editor.classList.remove("d-none");
  toolbar.classList.remove("d-none");
  textarea.classList.add("d-none");
  try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* old browsers */ }

  function sync() { textarea.value = editor.innerHTML; }
  function say(text, cls) {
    status.textContent = text;
    status.className = "small " + (cls || "text-muted");
  }

  editor.addEventListener("input", function () { dirty = true; sync(); say("有未保存的修改…"); });

  // Keep the caret in the editor when a toolbar button is pressed (no blur, no lost selection).
  toolbar.addEventListener("mousedown", function (event) {
    if (event.target.closest("button[data-cmd]")) event.preventDefault();
  });

  toolbar.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-cmd]");
    if (!button) return;
    editor.focus();
    const cmd = button.getAttribute("data-cmd");
    if (cmd === "paragraph") {
      document.execCommand("formatBlock", false, "p");
    } else if (cmd === "table") {
      document.execCommand("insertHTML", false,
        "<table><tbody><tr><th>表头</th><th>表头</th></tr><tr><td>内容</td><td>内容</td></tr></tbody></table><p><br></p>");
    } else {
      document.execCommand(cmd, false, null);
    }
    dirty = true;
    sync();
  });

  // 插入基本信息字段: a {{fact:key}} field at the caret; the documents print the fact's current value.
  let lastRange = null;
  document.addEventListener("selectionchange", function () {
    const sel = window.getSelection();
    if (sel.rangeCount && editor.contains(sel.anchorNode)) lastRange = sel.getRangeAt(0).cloneRange();
  });
  const factPicker = document.getElementById("insert-fact");
  if (factPicker) {
    factPicker.addEventListener("change", function () {
      const token = factPicker.value;
      if (!token) return;
      editor.focus();
      const sel = window.getSelection();
      if (lastRange) { sel.removeAllRanges(); sel.addRange(lastRange); }
      document.execCommand("insertText", false, token);
      factPicker.value = "";
      dirty = true;
      sync();
      say("有未保存的修改…");
    });
  }

  function autosave() {
    if (saving) { again = true; return; }
    if (!dirty || stopped) return;
    dirty = false;
    sync();
    saving = fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf ? csrf.value : ""
      },
      body: JSON.stringify({
        content: textarea.value,
        version: parseInt(versionInput.value, 10),
        confirm_clear_signoffs: clearBox ? clearBox.checked : false
      })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        versionInput.value = result.body.version;
        say(result.body.changed ? "已自动保存 " + result.body.saved_at + "（第" + result.body.number + "稿）" : "内容未改变", "text-success");
      } else {
        dirty = true;
        if (result.status === 409 || result.status === 403) stopped = true;
        const details = (result.body.errors || []).map(function (e) { return e.message; }).join("；");
        say((result.body.error || "自动保存失败") + (details && details !== result.body.error ? "：" + details : ""), "text-danger");
      }
    }).catch(function () {
      dirty = true;
      say("自动保存失败（网络错误），稍后重试", "text-danger");
    }).finally(function () {
      saving = null;
      if (again) { again = false; autosave(); }  // a save asked for while this one ran
    });
  }

  // A signed report: autosave waits for the writer's 「确认清除签字」 tick, then resumes at once.
  if (clearBox) {
    clearBox.addEventListener("change", function () {
      if (clearBox.checked) { stopped = false; dirty = true; autosave(); }
    });
  }
  setInterval(autosave, seconds * 1000);
  editor.addEventListener("blur", autosave);
  // Clicking 保存 leaves the editor, and that blur starts an autosave which gives the section a new
  // version: the button's save waits for it and posts the version it returned, so it does not
  // conflict with the browser's own autosave (a real conflict still shows the message).
  form.addEventListener("submit", function (event) {
    sync();
    stopped = true;
    if (!saving) return;
    event.preventDefault();
    say("正在保存…");
    saving.then(function () { sync(); form.submit(); });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !stopped) { event.preventDefault(); event.returnValue = ""; }
  });
})();
