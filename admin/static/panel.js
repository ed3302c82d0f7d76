// Behaviour the panel's pages need, without inline script (the CSP forbids it).
document.querySelectorAll("[data-autosubmit]").forEach(function (element) {
  element.addEventListener("change", function () { element.form.submit(); });
});
document.querySelectorAll("[data-print]").forEach(function (element) {
  element.addEventListener("click", function () { window.print(); });
});
