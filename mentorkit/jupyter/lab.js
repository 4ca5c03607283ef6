// mentorkit in JupyterLab: the one page script of the worksheets there, sent by the kernel
// (mentorkit.jupyter.lab) as a JavaScript output of the worksheet's cell. Voilà's pages
// have their own scripts (voila/templates/mentorkit); this one runs only in JupyterLab, and
// once per Lab page however many worksheets are opened in it.
//
//  * Signed in across worksheets: after a sign-in the kernel writes a hidden marker
//    (<span class="mentorkit-remember" data-resume="CODE">, <span class="mentorkit-forget">
//    after "Sign out"); the code is kept in the Lab tab's sessionStorage (this tab only,
//    gone when it closes: never another browser or person using the same server). A
//    worksheet opened later in the same tab finds its hidden text box
//    (.mentorkit-lab-kept input) and hands it the kept code; its kernel signs in with it.
//  * Links between worksheets: a click on a worksheet's link to another notebook
//    ("02_mentor_shortlist.ipynb") clicks the hidden link of the same name that the kernel
//    put in an HTML output (.mentorkit-lab-links): JupyterLab opens links in rendered HTML
//    outputs as documents in Lab, without loading the page again. In the journey notebook
//    (every worksheet in one app), a link to a step ("journey.ipynb?step=…") asks its
//    kernel for the step, as journey.js does in Voilà. A click with a modifier key is left
//    to the browser.
(function () {
  "use strict";

  if (window.mentorkitLab) {
    window.mentorkitLab.look();
    return;
  }

  var KEY = "mentorkit_resume";
  var CODE = /^[0-9A-Za-z-]{1,40}$/;
  var NOTEBOOK = /^[\w.-]+(\/[\w.-]+)*\.ipynb$/;
  var STEP = /^[\w.-]+\.ipynb\?step=([\w-]+)$/;

  function kept() {
    try {
      return window.sessionStorage.getItem(KEY) || "";
    } catch (error) {
      return "";
    }
  }

  function keep(code) {
    try {
      if (code) {
        window.sessionStorage.setItem(KEY, code);
      } else {
        window.sessionStorage.removeItem(KEY);
      }
    } catch (error) {
      // Storage refused (privacy settings): each worksheet asks to sign in.
    }
  }

  function look() {
    var marks = document.querySelectorAll(".mentorkit-remember, .mentorkit-forget");
    for (var i = 0; i < marks.length; i++) {
      var mark = marks[i];
      if (mark.getAttribute("data-lab-done")) {
        continue;
      }
      mark.setAttribute("data-lab-done", "1");
      if (mark.classList.contains("mentorkit-remember")) {
        var code = mark.getAttribute("data-resume") || "";
        if (CODE.test(code)) {
          keep(code);
        }
      } else {
        keep("");
      }
    }
    var boxes = document.querySelectorAll(".mentorkit-lab-kept input");
    for (var j = 0; j < boxes.length; j++) {
      var box = boxes[j];
      if (box.getAttribute("data-lab-done")) {
        continue;
      }
      box.setAttribute("data-lab-done", "1");
      var code2 = kept();
      if (CODE.test(code2)) {
        box.value = code2;
        box.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
  }

  var pending = false;
  function soon() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        look();
      });
    }
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
      if (!link || !link.closest(".mentorkit-app") || link.hasAttribute("download")) {
        return;
      }
      if (link.target && link.target !== "_self") {
        return;
      }
      var href = link.getAttribute("href") || "";
      var area = link.closest(".jp-NotebookPanel") || document;
      var step = STEP.exec(href);
      var stepBox = step ? area.querySelector(".mentorkit-step-request input") : null;
      if (stepBox) {
        // The journey notebook (every worksheet in one app): the kernel shows the step.
        event.preventDefault();
        stepBox.value = decodeURIComponent(step[1]);
        stepBox.dispatchEvent(new Event("input", { bubbles: true }));
        return;
      }
      if (!NOTEBOOK.test(href)) {
        return;
      }
      var links = area.querySelectorAll(".mentorkit-lab-links a[data-mentorkit-lab-link]");
      for (var i = 0; i < links.length; i++) {
        if (links[i].getAttribute("data-mentorkit-lab-link") === href) {
          event.preventDefault();
          event.stopPropagation();
          links[i].click();
          return;
        }
      }
    },
    true
  );

  new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  window.mentorkitLab = { look: look };
  look();
})();
