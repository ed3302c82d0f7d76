// The panel's CSRF token on every form post and every script request of the data pages.
(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";
  document.querySelectorAll("form").forEach(function (form) {
    if ((form.getAttribute("method") || "").toUpperCase() !== "POST") return;
    var field = document.createElement("input");
    field.type = "hidden"; field.name = "csrf"; field.value = token;
    form.appendChild(field);
  });
  if (window.jQuery) {
    window.jQuery.ajaxSetup({ headers: { "X-CSRF-Token": token } });
  }
  var originalFetch = window.fetch;
  window.fetch = function (resource, options) {
    options = options || {};
    var headers = new Headers(options.headers || {});
    headers.set("X-CSRF-Token", token);
    options.headers = headers;
    return originalFetch(resource, options);
  };
})();
