// Progressive enhancement only: every page works without this file.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

// GOV.UK Frontend styles its components for JavaScript only when these classes are present.
// They are set here rather than in an inline script so the CSP can forbid inline script.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// After htmx swaps in a new page: start its components, then move focus the way a full page
// load would, so screen reader users hear the new page. The error summary focuses itself.
document.body.addEventListener("htmx:afterSettle", (event) => {
  const swapped = document.querySelector("[hx-target]") && document.querySelector(document.body.getAttribute("hx-target"));
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
