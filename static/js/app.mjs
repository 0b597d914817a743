// Progressive enhancement only: every page works without this file.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

// GOV.UK Frontend styles its components for JavaScript only when these classes are present.
// They are set here rather than in an inline script so the CSP can forbid inline script.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// After htmx swaps in a new page: start its components, then move focus the way a full page
// load would, so screen reader users hear the new page. The error summary focuses itself.
document.body.addEventListener("htmx:afterSettle", (event) => {
  // An in-place change (the builder's forms name their own data-hx-target) says where focus
  // belongs afterwards: on the item that moved, or on the message saying what happened.
  // Otherwise a new page came in, and focus goes to its heading.
  const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  const regionSelector = trigger && trigger.getAttribute && trigger.getAttribute("data-hx-target");
  if (regionSelector) {
    const region = document.querySelector(regionSelector);
    if (!region) {
      return;
    }
    initAll({ scope: region });
    const focusId = trigger.getAttribute("data-focus");
    const target = (focusId && document.getElementById(focusId)) || region.querySelector(".govuk-error-summary, .govuk-notification-banner");
    if (target) {
      if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: !focusId });
    }
    return;
  }
  const swapped = document.querySelector("[data-hx-target]") && document.querySelector(document.body.getAttribute("data-hx-target"));
  if (!swapped) {
    return;
  }
  initAll({ scope: swapped });
  if (swapped.querySelector(".govuk-error-summary")) {
    return;
  }
  const heading = swapped.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
});
