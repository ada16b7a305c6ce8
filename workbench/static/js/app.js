// Small progressive enhancements; every page works without them (CSP forbids inline scripts).
document.addEventListener("click", function (event) {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  const toggle = event.target.closest("[data-toggle-target]");
  if (toggle) {
    const el = document.getElementById(toggle.getAttribute("data-toggle-target"));
    if (el) el.classList.toggle("d-none", !toggle.checked);
  }
});
