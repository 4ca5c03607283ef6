// mentorkit's journey page (journey.ipynb): every worksheet in one page and one kernel.
// Included inline in the page's <head> by index.html.j2 (through Jinja: keep Jinja's brace
// sequences out of this file). On any other page it finds no marker and does nothing.
//
// The kernel (mentorkit.ui.shell.JourneyApp) keeps two hidden widgets in the page:
//  * `.mentorkit-step-request input`: a step this script asks for ("02_mentor_shortlist");
//  * `.mentorkit-place .mentorkit-step[data-step][data-title]`: the step shown.
// A plain click on a link to another step of this page (`journey.ipynb?step=…`: the journey
// strip, a "go back to step 1" hint) asks for the step instead of loading a new page; a
// click with a modifier key still opens a new tab or window. When the step shown changes,
// the address follows (a new history entry, so Back and Forward move between steps, and a
// reload opens the step shown), the title follows, and the worksheet is shown from its top.
(function () {
  "use strict";

  var REQUEST = ".mentorkit-step-request input";
  var shown = ""; // the step the address was last set to
  var lastMark = ""; // the kernel's last mark acted on (a step and a count)

  function request(step) {
    var input = document.querySelector(REQUEST);
    if (!input) {
      return false;
    }
    input.value = step;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  }

  function stepOf(url) {
    return url.origin === window.location.origin && url.pathname === window.location.pathname
      ? url.searchParams.get("step")
      : null;
  }

  document.addEventListener(
    "click",
    function (event) {
      if (event.defaultPrevented || event.button !== 0) {
        return;
      }
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
      }
      var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
      if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) {
        return;
      }
      var step = stepOf(new URL(link.href, window.location.href));
      if (step && request(step)) {
        event.preventDefault();
      }
    },
    true
  );

  window.addEventListener("popstate", function () {
    var step = new URL(window.location.href).searchParams.get("step");
    if (step && step !== shown) {
      request(step);
    }
  });

  function follow() {
    var mark = document.querySelector(".mentorkit-place .mentorkit-step[data-step]");
    var step = mark ? mark.getAttribute("data-step") : "";
    if (!step) {
      return;
    }
    // Only a new mark counts: between Back and the kernel's answer the address already
    // names the step asked for while the mark still names the one shown.
    var markId = step + "#" + mark.getAttribute("data-mark");
    if (markId === lastMark) {
      return;
    }
    lastMark = markId;
    var url = new URL(window.location.href);
    var inAddress = url.searchParams.get("step");
    var moved = shown !== "" && step !== shown;
    shown = step;
    // Only the step stays in the address: `welcome` was for the first view, and `resume`
    // (a personal link's code) is taken out by session.js once the sign-in is remembered.
    url.searchParams.delete("welcome");
    url.searchParams.set("step", step);
    var address = url.pathname + url.search + url.hash;
    if (moved && inAddress !== step) {
      window.history.pushState(null, "", address);
    } else {
      // The first view, a move made by Back or Forward, or a move the kernel refused
      // (the address asked for another step than the one still shown).
      window.history.replaceState(window.history.state, "", address);
    }
    var title = mark.getAttribute("data-title");
    if (title) {
      document.title = title + " · mentorkit";
    }
    if (moved) {
      var main = document.getElementById("rendered_cells");
      if (main) {
        main.scrollTop = 0;
      }
    }
  }

  new MutationObserver(follow).observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["data-step", "data-mark"],
  });
})();
