// mentorkit's page enhancements: what the kernel marks up, the page finishes in the browser.
// Included inline in the page's <head> by index.html.j2 (through Jinja: keep Jinja's brace
// sequences out of this file).
//
//  * Times: <time class="mentorkit-time" datetime="2026-12-06T01:24:05+00:00">01:24</time>
//    (mentorkit.ui.html.time_html) shows in the browser's own time zone: "14:02" when
//    the day is today there, otherwise "6 Dec 2026, 14:02"; seconds too with data-seconds.
//  * Length limits: an input widget with the class mentorkit-max-N gets maxlength=N on its
//    <input> or <textarea> and a live counter "12 / 2000" under it. Screen readers hear it
//    when the field is close to its limit and when the limit is reached, not at every key.
//  * Field problems: an input widget with the class mentorkit-field-SLUG that also has the
//    class mentorkit-invalid gets aria-invalid="true" and aria-describedby pointing at the
//    message element #mentorkit-problem-SLUG on its control, until the class goes.
//  * Upload limits: a file upload button with the class mentorkit-upload-max-N refuses, in
//    the browser, a chosen file larger than N bytes and says so under the button. The server
//    closes the page's connection to its kernel on a message over 1 MiB, so a file that
//    big must never be sent: the page would lose its kernel, and the person their page.
//  * Right-to-left text: every text input and text area, and the text blocks of HTML
//    widgets (paragraphs, list items, cells, headings), get dir="auto", so that Arabic or
//    Hebrew aligns and reads right to left while the rest of the page stays left to right.
//
// ipywidgets creates, re-renders and re-classes widgets at any time after load, so one
// MutationObserver notes what was added or re-classed, and the work is done once per frame
// for those elements only. Typing changes no element, so it causes no rescan: only the
// typed field's counter is updated.
(function () {
  "use strict";

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var MAX_CLASS = /(?:^|\s)mentorkit-max-(\d+)(?=\s|$)/;
  var FIELD_CLASS = /(?:^|\s)mentorkit-field-([a-z0-9-]+)(?=\s|$)/;
  var PROBLEM_PREFIX = "mentorkit-problem-";
  var INVALID = "mentorkit-invalid";
  var TIMES = "time.mentorkit-time";
  var TEXT_CONTROLS =
    'input[type="text"], input[type="search"], input:not([type]), textarea';
  var TEXT_BLOCKS =
    "p, li, dt, dd, td, th, h1, h2, h3, h4, h5, h6, blockquote, figcaption, caption, pre";
  var HTML_CONTENT = ".widget-html-content";
  var CHOICE_CONTROLS = 'input[type="date"], input[type="time"], input[type="checkbox"], select';
  var WATCHED =
    TIMES + ", " + TEXT_CONTROLS + ", " + CHOICE_CONTROLS + ", " + TEXT_BLOCKS +
    ', [class*="mentorkit-max-"], [class*="mentorkit-field-"], [id^="' + PROBLEM_PREFIX + '"]';

  // -- times ----------------------------------------------------------------------------

  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function dayKey(date) {
    return date.getFullYear() + "-" + date.getMonth() + "-" + date.getDate();
  }

  var today = dayKey(new Date());

  /** "14:02" (today here) or "6 Dec 2026, 14:02", in the browser's time zone. */
  function localTime(date, seconds) {
    var clock = two(date.getHours()) + ":" + two(date.getMinutes());
    if (seconds) {
      clock += ":" + two(date.getSeconds());
    }
    if (dayKey(date) === today) {
      return clock;
    }
    return date.getDate() + " " + MONTHS[date.getMonth()] + " " + date.getFullYear() + ", " + clock;
  }

  function showTime(element) {
    var stamp = element.getAttribute("datetime") || "";
    var seconds = element.hasAttribute("data-seconds");
    var key = stamp + "|" + seconds + "|" + today;
    if (element.mentorkitShown === key) {
      return;
    }
    element.mentorkitShown = key;
    var date = new Date(stamp);
    if (!stamp || isNaN(date.getTime())) {
      return; // the kernel's own text stays
    }
    var text = localTime(date, seconds);
    element.mentorkitText = text;
    if (element.textContent !== text) {
      element.textContent = text;
    }
    var full = date.toLocaleString(undefined, {
      dateStyle: "full",
      timeStyle: seconds ? "medium" : "short",
    });
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    element.title = zone ? full + " (" + zone + ")" : full;
  }

  // A page left open past midnight: yesterday's "14:02" gains its date.
  window.setInterval(function () {
    var now = dayKey(new Date());
    if (now !== today) {
      today = now;
      var times = document.querySelectorAll(TIMES);
      for (var i = 0; i < times.length; i++) {
        showTime(times[i]);
      }
    }
  }, 60 * 1000);

  // -- controls -------------------------------------------------------------------------

  /** The <input>, <textarea> or <select> a widget's root element holds (or is). */
  function controlOf(root) {
    if (root.matches("input, textarea, select")) {
      return root;
    }
    return root.querySelector(
      'input:not([type="hidden"]), textarea, select, [role="radiogroup"], [role="listbox"]'
    );
  }

  function textControlOf(root) {
    if (root.matches("input, textarea")) {
      return root;
    }
    return root.querySelector(
      'textarea, input:not([type="checkbox"]):not([type="radio"]):not([type="hidden"])'
    );
  }

  function tokens(element, name) {
    var value = element.getAttribute(name);
    return value ? value.split(/\s+/).filter(Boolean) : [];
  }

  function addToken(element, name, token) {
    var list = tokens(element, name);
    if (list.indexOf(token) < 0) {
      list.push(token);
      element.setAttribute(name, list.join(" "));
    }
  }

  function removeToken(element, name, token) {
    var list = tokens(element, name);
    var kept = list.filter(function (each) {
      return each !== token;
    });
    if (kept.length === list.length) {
      return;
    }
    if (kept.length) {
      element.setAttribute(name, kept.join(" "));
    } else {
      element.removeAttribute(name);
    }
  }

  // -- length limits --------------------------------------------------------------------

  /** How many characters left is "close to the limit": a tenth, between 1 and 50. */
  function nearLimit(limit) {
    return Math.max(1, Math.min(50, Math.ceil(limit / 10)));
  }

  function updateCounter(control, fromTyping) {
    var counter = control.mentorkitCounter;
    if (!counter || !counter.isConnected) {
      return;
    }
    var limit = counter.mentorkitLimit;
    var used = control.value.length;
    var left = limit - used;
    var text = used + " / " + limit;
    if (counter.textContent !== text) {
      counter.textContent = text;
    }
    var stage = left < 0 ? "over" : left === 0 ? "full" : left <= nearLimit(limit) ? "near" : "";
    if (stage === counter.mentorkitStage) {
      return;
    }
    var before = counter.mentorkitStage;
    counter.mentorkitStage = stage;
    counter.classList.toggle("mentorkit-counter-near", stage === "near");
    counter.classList.toggle("mentorkit-counter-full", stage === "full" || stage === "over");
    // Spoken only when typing brings the field to a new stage, politely.
    var spoken = "";
    if (fromTyping && stage === "near" && before === "") {
      spoken = left === 1 ? "1 character left." : left + " characters left.";
    } else if (fromTyping && stage === "full") {
      spoken = "Limit reached: " + limit + " characters.";
    }
    var live = counter.mentorkitLive;
    if (live.textContent !== spoken) {
      live.textContent = spoken;
    }
  }

  /**
   * Put the counter just under its field. The field can stick out of its widget's box (a
   * text area of fixed height whose label wraps above it on a narrow screen): the box's
   * bottom margin then grows by as much, so that nothing below is covered.
   */
  function placeCounter(counter) {
    var control = counter.mentorkitControl;
    var root = counter.parentElement;
    if (!root || !control.isConnected) {
      return;
    }
    var bottom = control.offsetTop + control.offsetHeight;
    var top = bottom + "px";
    if (counter.style.top !== top) {
      counter.style.top = top;
    }
    var overflow = Math.max(0, bottom - root.clientHeight) + "px";
    if (root.style.getPropertyValue("--mentorkit-counter-overflow") !== overflow) {
      root.style.setProperty("--mentorkit-counter-overflow", overflow);
    }
  }

  var resizes =
    typeof ResizeObserver === "function"
      ? new ResizeObserver(function (entries) {
          for (var i = 0; i < entries.length; i++) {
            var counter = entries[i].target.mentorkitCounter;
            if (counter && counter.isConnected) {
              placeCounter(counter);
            }
          }
        })
      : null;

  /** Keep the counter right when the kernel sets the value (no input event then). */
  function watchValue(control) {
    if (Object.prototype.hasOwnProperty.call(control, "value")) {
      return;
    }
    var proto =
      control.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    var native = Object.getOwnPropertyDescriptor(proto, "value");
    Object.defineProperty(control, "value", {
      configurable: true,
      enumerable: true,
      get: function () {
        return native.get.call(this);
      },
      set: function (value) {
        native.set.call(this, value);
        updateCounter(this, false);
      },
    });
  }

  function limitLength(root) {
    var found = MAX_CLASS.exec(root.className);
    var control = textControlOf(root);
    if (!control) {
      return;
    }
    var counter = control.mentorkitCounter;
    if (!found) {
      if (counter) {
        if (resizes) {
          resizes.unobserve(control);
          resizes.unobserve(root);
        }
        counter.remove();
        counter.mentorkitLive.remove();
        control.mentorkitCounter = null;
        root.mentorkitCounter = null;
        root.style.removeProperty("--mentorkit-counter-overflow");
        control.removeAttribute("maxlength");
        root.classList.remove("mentorkit-counted");
      }
      return;
    }
    var limit = Number(found[1]);
    if (String(control.maxLength) !== String(limit)) {
      control.setAttribute("maxlength", String(limit));
    }
    if (control === root) {
      return; // a bare <input>: limited, but nowhere to put a counter inside it
    }
    if (!counter || !counter.isConnected) {
      counter = document.createElement("div");
      counter.className = "mentorkit-counter";
      // Beside it, unseen, what a screen reader is told: not the count at every key.
      var live = document.createElement("div");
      live.className = "mentorkit-counter-spoken mentorkit-visually-hidden";
      live.setAttribute("aria-live", "polite");
      counter.mentorkitLive = live;
      root.appendChild(counter);
      root.appendChild(live);
      counter.mentorkitControl = control;
      control.mentorkitCounter = counter;
      root.mentorkitCounter = counter;
      if (resizes) {
        resizes.observe(control);
        resizes.observe(root);
      }
      counter.mentorkitStage = undefined;
      root.classList.add("mentorkit-counted");
      watchValue(control);
    }
    if (counter.mentorkitLimit !== limit) {
      counter.mentorkitLimit = limit;
      counter.mentorkitStage = undefined;
    }
    updateCounter(control, false);
    placeCounter(counter);
  }

  // Typing (and pasting, and dropping text) updates only the field typed in.
  document.addEventListener(
    "input",
    function (event) {
      var target = event.target;
      if (target && target.mentorkitCounter) {
        updateCounter(target, true);
      }
    },
    true
  );

  // -- field problems -------------------------------------------------------------------

  function markProblem(root) {
    var found = FIELD_CLASS.exec(root.className);
    var control = controlOf(root);
    if (!control) {
      return;
    }
    if (!found) {
      // No longer a named field: drop what this script set.
      if (control.mentorkitProblem) {
        removeToken(control, "aria-describedby", control.mentorkitProblem);
        control.removeAttribute("aria-invalid");
        control.mentorkitProblem = "";
      }
      return;
    }
    var id = PROBLEM_PREFIX + found[1];
    if (control.mentorkitProblem && control.mentorkitProblem !== id) {
      removeToken(control, "aria-describedby", control.mentorkitProblem);
    }
    control.mentorkitProblem = id;
    if (root.classList.contains(INVALID)) {
      if (control.getAttribute("aria-invalid") !== "true") {
        control.setAttribute("aria-invalid", "true");
      }
      if (document.getElementById(id)) {
        addToken(control, "aria-describedby", id);
      } else {
        removeToken(control, "aria-describedby", id);
      }
    } else {
      control.removeAttribute("aria-invalid");
      removeToken(control, "aria-describedby", id);
    }
  }

  /** The message of field SLUG came or went: its field (or fields) follow. */
  function problemChanged(id) {
    var slug = id.slice(PROBLEM_PREFIX.length);
    var roots = document.getElementsByClassName("mentorkit-field-" + slug);
    for (var i = 0; i < roots.length; i++) {
      markProblem(roots[i]);
    }
  }

  // -- typed text kept in this tab until it is saved ----------------------------------------
  //
  // A reload straight after typing could lose the last keys on their way to the kernel
  // (ipywidgets holds a change back while the kernel is busy with the one before, and a
  // kernel told to shut down drops what it has not read yet). So the text of every named
  // field is also kept in this tab's sessionStorage, under the page, the person and the
  // field, until a save at least as new is shown. A page that opens with other text in
  // that field puts the kept text back and lets the field send it, as if typed again.
  // "Sign out" and "Load the newer version" forget everything kept.

  var KEPT = "mentorkit-typed|";
  // What is kept: text typed, dates, choices and ticks.
  var KEPT_CONTROLS = TEXT_CONTROLS + ", " + CHOICE_CONTROLS;
  // Signing out, or choosing another tab's newer version over this page's edits.
  var FORGET_TYPED = ".mentorkit-sign-out, .mentorkit-forget-typed";

  function signedIn() {
    var who = document.querySelector("[data-mentorkit-person]");
    return who ? who.getAttribute("data-mentorkit-person") : "";
  }

  // The journey page (journey.js) holds every worksheet, one at a time, under one address:
  // there a field is known by its worksheet too (two worksheets may name a field alike).
  var WORKSHEET_CLASS = /(?:^|\s)mentorkit-worksheet-([0-9a-z_]+)/;

  function keptKey(slug, who, control) {
    var sheet = control.closest('[class*="mentorkit-worksheet-"]');
    var found = sheet ? WORKSHEET_CLASS.exec(sheet.className) : null;
    var page = location.pathname + (found ? "?step=" + found[1] : "");
    return KEPT + page + "|" + who + "|" + slug;
  }

  function fieldSlug(control) {
    var root = control.closest('[class*="mentorkit-field-"]');
    var found = root ? FIELD_CLASS.exec(root.className) : null;
    return found ? found[1] : "";
  }

  function readKept(key) {
    try {
      var entry = JSON.parse(window.sessionStorage.getItem(key) || "null");
      return entry && typeof entry.value === "string" ? entry : null;
    } catch (error) {
      return null;
    }
  }

  function eachKept(callback) {
    try {
      var storage = window.sessionStorage;
      for (var i = storage.length - 1; i >= 0; i--) {
        var key = storage.key(i);
        if (key && key.indexOf(KEPT) === 0) {
          callback(key, readKept(key));
        }
      }
    } catch (error) {
      // Storage refused (a private window, full): the kernel's own save is all there is.
    }
  }

  function forget(key) {
    try {
      window.sessionStorage.removeItem(key);
    } catch (error) {
      // nothing kept, nothing to forget
    }
  }

  function keep(event) {
      var control = event.target;
      if (!control || !control.matches || !control.matches(KEPT_CONTROLS)) {
        return;
      }
      var slug = fieldSlug(control);
      var who = signedIn();
      if (!slug || !who) {
        return;
      }
      var entry = {
        value: control.value,
        checked: control.checked,
        at: Date.now(),
        page: THIS_PAGE,
      };
      if (control.tagName === "SELECT") {
        // A drop-down's value is the place of its choice, and the places move when the
        // choices change (a mentor chosen elsewhere drops out of the list): keep the words.
        entry.chosen = chosenTexts(control);
      }
      try {
        window.sessionStorage.setItem(keptKey(slug, who, control), JSON.stringify(entry));
      } catch (error) {
        // Storage refused: the kernel's own save is all there is.
      }
  }
  document.addEventListener("input", keep, true);
  document.addEventListener("change", keep, true);

  // A save shown at a moment says nothing of keys still on their way to the kernel: what
  // was typed more than this long before it is taken as saved.
  var IN_FLIGHT_MS = 5000;

  // This page load. A save shown here was made by this page's kernel, which never got
  // what was typed on an earlier page of the tab: that waits until its field appears and
  // is put back (typed again, it becomes this page's), or until it is stale.
  var THIS_PAGE = Date.now().toString(36) + Math.random().toString(36).slice(2);
  var STALE_MS = 15 * 60 * 1000;

  /** A save is shown: forget what was typed on this page well before it (data-saved-at:
      the save's moment in milliseconds, on the server's clock). */
  function savedShown(time) {
    var status = time.closest(".mentorkit-save-saved");
    var saved = status ? Number(status.getAttribute("data-saved-at")) : 0;
    if (!saved) {
      return;
    }
    eachKept(function (key, entry) {
      var mine = entry && entry.page === THIS_PAGE;
      if (!entry || (mine && entry.at < saved - IN_FLIGHT_MS) || entry.at < saved - STALE_MS) {
        forget(key);
      }
    });
  }

  function chosenTexts(select) {
    return Array.from(select.selectedOptions).map(function (option) {
      return option.text;
    });
  }

  /** Choose, in a drop-down, the options named `texts`; false if one is not there. */
  function choose(select, texts) {
    var options = Array.from(select.options);
    var found = texts.every(function (text) {
      return options.some(function (option) {
        return option.text === text;
      });
    });
    if (!found || (!select.multiple && texts.length !== 1)) {
      return false;
    }
    options.forEach(function (option) {
      option.selected = texts.indexOf(option.text) >= 0;
    });
    return true;
  }

  /** The control's name changed on a live page: the kernel renumbered a list's rows (a
      row emptied before others). What was kept under either name was typed into another
      row, and the kernel has it already: forget it rather than put it into the wrong row.
      (A control that had no name yet, such as a shortlist place's note shown once a
      mentor is chosen again after a reload, gets what was kept for it.) */
  function renamed(control, slug, who) {
    if (who) {
      forget(keptKey(control.mentorkitSlug, who, control));
      if (slug) {
        forget(keptKey(slug, who, control));
      }
    }
    control.mentorkitSlug = slug;
  }

  /** A named field appeared: if this tab kept other text for it, put that back. */
  function restoreKept(root, tries) {
    var control = controlOf(root);
    if (!control || !control.matches(KEPT_CONTROLS)) {
      return;
    }
    var who = signedIn();
    var slug = fieldSlug(control);
    if (control.mentorkitSlug) {
      if (slug !== control.mentorkitSlug) {
        renamed(control, slug, who);
      }
      return;
    }
    if (!slug) {
      return;
    }
    if (!who) {
      if (tries < 10) {
        window.setTimeout(function () {
          restoreKept(root, tries + 1);
        }, 200);
      }
      return;
    }
    control.mentorkitSlug = slug;
    var key = keptKey(slug, who, control);
    var entry = readKept(key);
    if (!entry) {
      return;
    }
    if (control.type === "checkbox") {
      if (control.checked !== entry.checked) {
        control.click(); // the widget follows a click, as when it was ticked
      } else {
        forget(key);
      }
      return;
    }
    if (control.tagName === "SELECT") {
      var wanted = Array.isArray(entry.chosen) ? entry.chosen : [];
      if (chosenTexts(control).join("\n") === wanted.join("\n") || !choose(control, wanted)) {
        forget(key); // chosen already, or no longer one of the choices
        return;
      }
    } else {
      if (entry.value === control.value) {
        forget(key);
        return;
      }
      control.value = entry.value;
      if (control.value !== entry.value) {
        forget(key);
        return;
      }
    }
    control.dispatchEvent(new Event("input", { bubbles: true }));
    control.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener(
    "click",
    function (event) {
      if (event.target && event.target.closest && event.target.closest(FORGET_TYPED)) {
        eachKept(forget);
      }
    },
    true
  );

  // -- upload limits ----------------------------------------------------------------------

  // ipywidgets' upload button opens a file input that is never part of the page, so no
  // page-wide listener sees its choice: the input is marked with its button's limit when the
  // button opens it, and its "change" listeners are wrapped to refuse a file over it.
  var UPLOAD_MAX_CLASS = /(?:^|\s)mentorkit-upload-max-(\d+)(?=\s|$)/;
  var openingUpload = null;

  document.addEventListener(
    "click",
    function (event) {
      var button = event.target && event.target.closest && event.target.closest(".widget-upload");
      openingUpload = button && UPLOAD_MAX_CLASS.test(button.className) ? button : null;
    },
    true
  );

  var openChooser = HTMLInputElement.prototype.click;
  HTMLInputElement.prototype.click = function () {
    if (this.type === "file" && openingUpload) {
      this.mentorkitUpload = openingUpload;
      openingUpload = null;
    }
    return openChooser.apply(this, arguments);
  };

  function megabytes(bytes) {
    return (bytes / 1000000).toFixed(bytes < 10000000 ? 1 : 0) + " MB";
  }

  function uploadRefusal(input) {
    var button = input.mentorkitUpload;
    var found = button && UPLOAD_MAX_CLASS.exec(button.className);
    if (!found) {
      return "";
    }
    var limit = Number(found[1]);
    var files = Array.from(input.files || []);
    var total = files.reduce(function (sum, file) {
      return sum + file.size;
    }, 0);
    if (total <= limit) {
      return "";
    }
    var name = files.length === 1 ? "\u201c" + files[0].name + "\u201d is" : "These files are";
    return (
      name + " " + megabytes(total) + "; a file here can be at most " + megabytes(limit) +
      ". Save a smaller file (a roster as CSV, or split into parts) and choose it again."
    );
  }

  function showUploadRefusal(button, text) {
    var note = button.nextElementSibling;
    if (!note || !note.classList.contains("mentorkit-upload-refused")) {
      if (!text) {
        return;
      }
      note = document.createElement("p");
      note.className = "mentorkit-upload-refused mentorkit-error";
      note.setAttribute("role", "alert");
      button.insertAdjacentElement("afterend", note);
    }
    note.textContent = text;
    note.hidden = !text;
  }

  var listen = HTMLInputElement.prototype.addEventListener;
  HTMLInputElement.prototype.addEventListener = function (type, listener, options) {
    if (type !== "change" || this.type !== "file" || typeof listener !== "function") {
      return listen.call(this, type, listener, options);
    }
    var wrapped = function (event) {
      var refusal = uploadRefusal(this);
      if (this.mentorkitUpload) {
        showUploadRefusal(this.mentorkitUpload, refusal);
      }
      if (refusal) {
        this.value = "";
        return undefined;
      }
      return listener.call(this, event);
    };
    return listen.call(this, type, wrapped, options);
  };

  // -- one element ----------------------------------------------------------------------

  function enhance(element) {
    if (element.matches(TIMES)) {
      showTime(element);
      savedShown(element);
    }
    if (element.matches(TEXT_CONTROLS)) {
      if (!element.hasAttribute("dir")) {
        element.setAttribute("dir", "auto");
      }
    } else if (element.matches(TEXT_BLOCKS) && element.closest(HTML_CONTENT)) {
      if (!element.hasAttribute("dir")) {
        element.setAttribute("dir", "auto");
      }
    }
    var className = typeof element.className === "string" ? element.className : "";
    if (className.indexOf("mentorkit-max-") >= 0 || element.mentorkitCounted) {
      element.mentorkitCounted = true;
      limitLength(element);
    }
    if (className.indexOf("mentorkit-field-") >= 0 || element.mentorkitField) {
      element.mentorkitField = true;
      markProblem(element);
      restoreKept(element, 0);
    }
    if (element.id && element.id.indexOf(PROBLEM_PREFIX) === 0) {
      problemChanged(element.id);
    }
  }

  function enhanceTree(element) {
    enhance(element);
    var inside = element.querySelectorAll(WATCHED);
    for (var i = 0; i < inside.length; i++) {
      enhance(inside[i]);
    }
  }

  // -- what changed, once a frame -------------------------------------------------------

  var added = new Set();
  var reclassed = new Set();
  var problemsGone = new Set();
  var scheduled = false;

  function noteRemoved(node) {
    if (node.nodeType !== 1) {
      return;
    }
    if (node.id && node.id.indexOf(PROBLEM_PREFIX) === 0) {
      problemsGone.add(node.id);
    }
    var inside = node.querySelectorAll('[id^="' + PROBLEM_PREFIX + '"]');
    for (var i = 0; i < inside.length; i++) {
      problemsGone.add(inside[i].id);
    }
  }

  function run() {
    scheduled = false;
    var roots = Array.from(added);
    var classed = Array.from(reclassed);
    var gone = Array.from(problemsGone);
    added.clear();
    reclassed.clear();
    problemsGone.clear();
    var addedSet = new Set(roots);
    for (var i = 0; i < roots.length; i++) {
      // An element inside another added one is reached through that one.
      if (roots[i].isConnected && !insideAny(roots[i], addedSet)) {
        enhanceTree(roots[i]);
      }
    }
    for (var j = 0; j < classed.length; j++) {
      if (classed[j].isConnected) {
        enhance(classed[j]);
      }
    }
    for (var k = 0; k < gone.length; k++) {
      if (!document.getElementById(gone[k])) {
        problemChanged(gone[k]);
      }
    }
  }

  function insideAny(element, set) {
    for (var parent = element.parentElement; parent; parent = parent.parentElement) {
      if (set.has(parent)) {
        return true;
      }
    }
    return false;
  }

  function schedule() {
    if (!scheduled) {
      scheduled = true;
      // A frame when the page is shown; a hidden tab catches up when it is shown again.
      window.requestAnimationFrame(run);
    }
  }

  var observer = new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var record = records[i];
      if (record.type === "attributes") {
        var target = record.target;
        var className = typeof target.className === "string" ? target.className : "";
        var ours = target.mentorkitCounted || target.mentorkitField;
        if (ours || className.indexOf("mentorkit-") >= 0) {
          reclassed.add(target);
        }
        continue;
      }
      for (var a = 0; a < record.addedNodes.length; a++) {
        var node = record.addedNodes[a];
        if (node.nodeType === 1) {
          added.add(node);
        } else if (node.nodeType === 3 && record.target.nodeType === 1) {
          // A text node replaced inside a block (an HTML widget's paragraph): dir="auto"
          // follows the new text by itself; a <time> rewritten by the kernel does not.
          if (
            record.target.matches(TIMES) &&
            record.target.textContent !== record.target.mentorkitText
          ) {
            record.target.mentorkitShown = "";
            added.add(record.target);
          }
        }
      }
      for (var r = 0; r < record.removedNodes.length; r++) {
        noteRemoved(record.removedNodes[r]);
      }
    }
    if (added.size || reclassed.size || problemsGone.size) {
      schedule();
    }
  });

  observer.observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["class", "datetime"],
  });
  if (document.body) {
    enhanceTree(document.body);
  }
})();
