// Review pages: "comment on this paragraph" fills the comment form; long exports show progress.
document.addEventListener("click", function (event) {
  const here = event.target.closest(".comment-here");
  if (here) {
    const form = document.getElementById("comment-form");
    if (!form) return;
    const section = form.querySelector("select[name=section]");
    const paragraph = form.querySelector("input[name=paragraph]");
    if (section) section.value = here.getAttribute("data-section");
    if (paragraph) paragraph.value = here.getAttribute("data-paragraph");
    form.scrollIntoView({ behavior: "smooth", block: "center" });
    const body = form.querySelector("textarea[name=body]");
    if (body) body.focus();
    return;
  }
  const busy = event.target.closest("[data-busy-text]");
  if (busy) {
    const text = busy.getAttribute("data-busy-text");
    const label = busy.textContent;
    window.setTimeout(function () {
      const spinner = document.createElement("span");
      spinner.className = "spinner-border spinner-border-sm me-1";
      busy.classList.add("disabled");
      busy.setAttribute("aria-disabled", "true");
      busy.replaceChildren(spinner, document.createTextNode(text));
    }, 0);
    window.setTimeout(function () {
      busy.classList.remove("disabled");
      busy.removeAttribute("aria-disabled");
      busy.textContent = label;
    }, 15000);
  }
});
