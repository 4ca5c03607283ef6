// mentorkit's remembered sign-in: the page keeps a participant's resume code in a cookie so
// that a reload, a new tab or a link to the next worksheet opens signed in. Included inline
// in the page's <head> by index.html.j2 (through Jinja: keep Jinja's brace sequences out of
// this file), configured by the JSON in #mentorkit-page-config.
//
// The kernel asks for it with a hidden marker element (mentorkit.ui.shell; a mentor's page
// adds data-cookie="mentor" to keep the mentor's code in its own cookie):
//  * <span class="mentorkit-remember" data-resume="CODE" hidden>: after a sign-in, keep the
//    code (for rememberDays, renewed at every visit) and take ?resume= out of the address
//    bar, where it would end up in the history and in links copied from it;
//  * <span class="mentorkit-forget" hidden>: "Sign out" (or the data was deleted): forget it,
//    and take ?resume= out of the address, so that a reload stays signed out.
// The cookie is sent to this server only (its base URL, SameSite=Strict, Secure over
// HTTPS); the server hands its value, and no other cookie, to the next page's kernel.
(function () {
  "use strict";

  var configElement = document.getElementById("mentorkit-page-config");
  var config = JSON.parse(configElement ? configElement.textContent : "{}");
  // A marker's data-cookie names the kept sign-in: a participant's (the default) or a
  // mentor's, kept apart so that a person who is both stays signed in on both sides.
  var NAMES = { resume: "mentorkit_resume", mentor: "mentorkit_mentor" };
  var CODE = /^[0-9A-Za-z-]{1,40}$/;
  var path = config.baseUrl || "/";
  var maxAge = Math.round(Number(config.rememberDays || 30) * 24 * 60 * 60);

  function writeCookie(name, value, seconds) {
    var parts = [name + "=" + value, "Path=" + path, "Max-Age=" + seconds, "SameSite=Strict"];
    if (window.location.protocol === "https:") {
      parts.push("Secure");
    }
    document.cookie = parts.join("; ");
  }

  function dropCodeFromAddress() {
    // A mentor's personal link carries a one-time ?invite= code: it goes too.
    var url = new URL(window.location.href);
    if (url.searchParams.has("resume") || url.searchParams.has("invite")) {
      url.searchParams.delete("resume");
      url.searchParams.delete("invite");
      window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    }
  }

  function look() {
    var marks = document.querySelectorAll(".mentorkit-remember, .mentorkit-forget");
    for (var i = 0; i < marks.length; i++) {
      var mark = marks[i];
      if (mark.getAttribute("data-done")) {
        continue;
      }
      mark.setAttribute("data-done", "1");
      var name = NAMES[mark.getAttribute("data-cookie") || "resume"];
      if (!name) {
        continue;
      }
      if (mark.classList.contains("mentorkit-remember")) {
        var code = mark.getAttribute("data-resume") || "";
        if (CODE.test(code)) {
          writeCookie(name, code, maxAge);
          dropCodeFromAddress();
        }
      } else {
        writeCookie(name, "", 0);
        dropCodeFromAddress();
      }
    }
  }

  new MutationObserver(look).observe(document, { childList: true, subtree: true });
})();
