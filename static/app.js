// Confirmation for destructive forms: <form data-confirm="Are you sure?">. No inline script needed.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);

// htmx leaves 4xx answers unswapped. A callback action refused with a reason (400 + X-Swap-Error)
// answers with the row or panel showing that reason: swap it, so the person sees why.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr && xhr.status === 400 && xhr.getResponseHeader("X-Swap-Error")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Signup: the browser's time zone becomes the workspace's (the server checks it; UTC otherwise).
document.addEventListener("DOMContentLoaded", function () {
  var field = document.querySelector("input[data-browser-timezone]");
  if (field && !field.value && window.Intl) {
    try { field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep UTC */ }
  }
});
