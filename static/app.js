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

// Live pages. The navigation count polls /live (app/web/live.py); when the workspace changed, the
// answer fires "calldesk:changed" and each [data-live-region] refetches the page in the address bar
// (same filters, same page) and swaps in its part. A region someone is working in (a field with
// focus or a typed value, a request of its own in flight) waits, and refreshes after the next poll
// once they are done: an open form never loses what was typed.
(function () {
  function here() { return window.location.pathname + window.location.search; }
  function changedField(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") return false;
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      if (field.multiple) return false;
      var initial = 0;
      Array.prototype.forEach.call(field.options, function (o, i) { if (o.defaultSelected) initial = i; });
      return field.selectedIndex !== initial;
    }
    return field.value !== field.defaultValue;
  }
  function editing(region) {
    if (region.querySelector(".htmx-request")) return true;
    var active = document.activeElement;
    if (active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    return Array.prototype.some.call(region.querySelectorAll("input, textarea, select"), changedField);
  }
  function refresh(all) {
    document.querySelectorAll("[data-live-region]").forEach(function (region) {
      if (!all && region.dataset.liveStale !== "1") return;
      if (editing(region)) { region.dataset.liveStale = "1"; return; }
      delete region.dataset.liveStale;
      htmx.trigger(region, "calldesk:refresh");
    });
  }
  document.addEventListener("calldesk:changed", function () { refresh(true); });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt && event.detail.elt.hasAttribute("data-live-poll")) refresh(false);
  });
  // A tab in the background does not poll; shown again, it asks at once (visibilitychange).
  document.addEventListener("htmx:confirm", function (event) {
    if (event.detail.elt.hasAttribute("data-live-poll") && document.visibilityState === "hidden") {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.hasAttribute("data-live-region")) {
      event.detail.path = event.detail.elt.dataset.livePath = here();
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var region = event.detail.elt;
    if (region.hasAttribute && region.hasAttribute("data-live-region") &&
        (editing(region) || region.dataset.livePath !== here())) {
      // Typing began while the refresh was on its way, or a filter moved the page on: next poll.
      event.detail.shouldSwap = false;
      region.dataset.liveStale = "1";
    }
  });
})();
