// mentorkit's page watch: a Voilà page shows that it is opening from its first byte, and
// ends in a plain message instead of a spinner for ever or widgets that silently stopped
// working. Included inline in the page's <head> by index.html.j2 (through Jinja: keep
// Jinja's brace sequences out of this file), configured by the JSON in
// #mentorkit-page-config, run before anything else; error.html includes it too.
//
// Every time is counted from navigation start (performance.now()), so the watch also
// covers the time before the server sent anything and before Voilà's scripts ran.
//
//  * opening: the panel the template puts first in <body> ("Opening your worksheet…",
//           the seconds ticking) until the page is ready (rendering finished and a widget
//           on screen); then it goes.
//  * slow:  not ready within the configured number of seconds, but still on its way (the
//           page is still arriving, its kernel is starting or running its notebook, or
//           its widgets are being drawn). The message says so and asks to keep waiting: a
//           reload would throw that work away and queue again. Reload stays offered.
//  * busy:  the server could not open the page: it answered with an error page (5xx,
//           error.html), it ended the page before all of it was sent (the kernel could
//           not be started), the page's kernel is gone before the page was ready, or a
//           slow page has made no progress for a while. The message says so plainly and
//           reloads the page by itself after a count-down (5, 10, 20, then every 30
//           seconds; "Try now" at once). Only a page that never became ready reloads by
//           itself, so nothing typed can be lost.
//  * timeout, error: the server reported that a cell timed out or failed (the template
//           calls mentorkitPage.failed); the page will not become ready.
//  * lost:  the page's kernel is gone (culled, shut down, crashed, restarted) or the
//           connection stayed down; a banner over the app, which stays visible so that
//           unsaved text can still be copied. It never reloads by itself.
//
// It also sends Voilà's kernel-shutdown request when a page is closed or reloaded before
// Voilà's own scripts have started (they send it themselves once they have), so that a
// stuck page does not leave its kernel behind.
(function () {
  "use strict";

  var configElement = document.getElementById("mentorkit-page-config");
  var config = JSON.parse(configElement ? configElement.textContent : "{}");
  var timeoutMs = Number(config.pageTimeoutSeconds) * 1000;
  var baseUrl = config.baseUrl || "/";
  // How long a slow page may go without any sign of progress before it counts as stuck.
  var stallMs = Number(config.stallSeconds || 30) * 1000;
  // How often a slow page asks the server whether its kernel is working on it: a few
  // times within that time.
  var progressCheckMs = Math.min(10000, stallMs / 3);
  // The waits before the automatic reloads of a page the server could not open; the last
  // one repeats.
  var retryDelays = Array.isArray(config.retrySeconds) ? config.retrySeconds : [5, 10, 20, 30];
  // The status of the error page this script runs on (error.html), or 0 on a Voilà page.
  var serverError = Number(config.serverError || 0);
  // How long a dropped connection may stay down before the banner says so. A blip (Wi-Fi
  // changing access point) comes back within seconds; the kernel connection's own retries
  // (seven, at random times within 2^n - 1 seconds) can go on for up to two minutes.
  var reconnectGraceMs = Number(config.reconnectGraceSeconds || 15) * 1000;
  // How often an open page asks whether its kernel still exists (0: only when it comes
  // back into view or online). A few hundred pages asking every half minute are a few
  // light requests a second.
  var kernelCheckMs = Number(config.kernelCheckSeconds || 0) * 1000;
  var WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
  var WIDGET_ERROR = "Error displaying widget";
  var RETRY_KEY = "mentorkit-retry:" + window.location.pathname + window.location.search;
  // Automatic reloads longer ago than this do not count towards the next wait.
  var RETRY_MEMORY_MS = 5 * 60 * 1000;

  var RELOAD_TEXT =
    "The server may be busy, or the page got stuck on its way. Reload the page to try " +
    "again; everything you saved is kept.";
  var MESSAGES = {
    slow: {
      title: "Your worksheet is still opening.",
      text:
        "The server is busy: many people are opening their worksheets at the same time. " +
        "Please keep this page open: the worksheet appears here by itself as soon as it " +
        "is ready. Reloading would only start again at the back of the queue.",
      button: "Reload",
      role: "status",
    },
    busy: {
      title: "The server is busy and could not open your worksheet yet.",
      text: "Everything you saved is kept. This page tries again by itself.",
      button: "Try now",
      role: "alert",
    },
    timeout: {
      title: "This page is taking too long to open.",
      text: RELOAD_TEXT,
      button: "Reload",
      role: "alert",
    },
    error: {
      title: "This page could not be opened.",
      text:
        "Something went wrong on the server while preparing it. Reload the page to try " +
        "again; everything you saved is kept. If it happens again, please tell your " +
        "facilitator.",
      button: "Reload",
      role: "alert",
    },
    lost: {
      title: "This page lost its connection to the server.",
      text:
        "Everything you saved is kept. Reload the page to continue (with your resume code, " +
        "if it asks for it).",
      button: "Reload",
      role: "alert",
    },
  };

  var state = {
    finished: false, // Voilà has sent every cell (voila_finish ran)
    expectsWidget: false, // one of the outputs is a widget view
    ready: false,
    problem: "", // "", "slow", "busy", "timeout", "error" or "lost"
    permanent: false, // the problem cannot go away by itself
    leaving: false, // the page is being closed or reloaded
    kernelId: "",
    lastProgress: 0, // when the page last showed a sign of progress (performance.now())
    slowSince: 0, // when the slow message was shown
    retryAt: 0, // when the page reloads by itself (0: it does not)
    lastKernelCheck: -Infinity,
    kernelActivity: "", // the kernel's last_activity as last seen
  };

  function now() {
    return window.performance.now();
  }

  function seconds(ms) {
    return Math.max(0, Math.floor(ms / 1000)) + " s";
  }

  function kernelId() {
    if (!state.kernelId) {
      var data = document.getElementById("jupyter-config-data");
      try {
        state.kernelId = data ? JSON.parse(data.textContent).kernelId || "" : "";
      } catch (ignored) {
        state.kernelId = "";
      }
    }
    return state.kernelId;
  }

  // -- the message ---------------------------------------------------------------------

  function messageElement() {
    var box = document.getElementById("mentorkit-page-problem");
    if (box) {
      return box;
    }
    box = document.createElement("div");
    box.id = "mentorkit-page-problem";
    var title = document.createElement("h1");
    var text = document.createElement("p");
    // The seconds waited or left: seen, but not read out every second.
    var wait = document.createElement("p");
    wait.className = "mentorkit-page-wait";
    wait.setAttribute("aria-hidden", "true");
    var action = document.createElement("button");
    action.type = "button";
    action.addEventListener("click", function () {
      if (state.problem === "busy") {
        retry();
      } else {
        window.location.reload();
      }
    });
    box.appendChild(title);
    box.appendChild(text);
    box.appendChild(wait);
    box.appendChild(action);
    return box;
  }

  function show(problem, permanent) {
    if (state.leaving || state.permanent || (state.ready && problem !== "lost")) {
      return;
    }
    var wording = MESSAGES[problem];
    var box = messageElement();
    box.className = problem === "lost" ? "mentorkit-page-banner" : "mentorkit-page-message";
    box.setAttribute("data-problem", problem);
    box.setAttribute("role", wording.role);
    box.children[0].textContent = wording.title;
    box.children[1].textContent = wording.text;
    box.children[2].textContent = "";
    box.children[3].textContent = wording.button;
    // Should a page stall before its <body>, the message goes at the end of what there is.
    var host = document.body || document.documentElement;
    var wasShown = box.isConnected;
    if (!wasShown) {
      host.insertBefore(box, document.body ? host.firstChild : null);
    }
    host.classList.toggle("mentorkit-page-failed", problem !== "lost");
    if (problem === "lost") {
      removeOpening(); // the banner says what to do: the page will not open by itself
    }
    var before = state.problem;
    state.problem = problem;
    state.permanent = Boolean(permanent);
    state.retryAt = 0;
    if (problem === "slow" && before !== "slow") {
      state.slowSince = now();
    }
    if (problem === "busy") {
      state.retryAt = now() + retryDelay() * 1000;
    }
    tick();
    if (!wasShown && problem !== "lost" && problem !== "slow") {
      box.children[3].focus();
    }
  }

  function clear(problem) {
    if (state.problem !== problem || state.permanent) {
      return;
    }
    var box = document.getElementById("mentorkit-page-problem");
    if (box) {
      box.remove();
    }
    (document.body || document.documentElement).classList.remove("mentorkit-page-failed");
    state.problem = "";
    state.retryAt = 0;
  }

  // -- every second: the time shown, a stuck page, the count-down ----------------------

  function tick() {
    var at = now();
    var elapsed = document.getElementById("mentorkit-opening-elapsed");
    if (elapsed && !state.ready) {
      elapsed.textContent = seconds(at);
    }
    var box = document.getElementById("mentorkit-page-problem");
    var wait = box && box.children[2];
    if (state.problem === "slow") {
      if (wait) {
        wait.textContent = "Opening for " + seconds(at);
      }
      if (at - Math.max(state.lastProgress, state.slowSince) >= stallMs) {
        show("busy", false);
        return;
      }
      if (at - state.lastKernelCheck >= progressCheckMs) {
        state.lastKernelCheck = at;
        checkKernelProgress();
      }
    } else if (state.problem === "busy" && state.retryAt) {
      var left = Math.ceil((state.retryAt - at) / 1000);
      if (wait) {
        wait.textContent = "Trying again in " + Math.max(left, 0) + " s…";
      }
      if (left <= 0) {
        retry();
      }
    }
  }

  // -- progress: the page is still on its way -------------------------------------------

  function noteProgress() {
    state.lastProgress = now();
    if (state.problem === "busy" && !state.permanent) {
      show("slow", false); // it moved after all: wait again rather than reload
    }
  }

  function ours(node) {
    for (; node; node = node.parentNode) {
      if (node.id === "mentorkit-opening" || node.id === "mentorkit-page-problem") {
        return true;
      }
    }
    return false;
  }

  // Voilà's heartbeat: while it waits for the page's kernel, the server sends a script
  // every few seconds to keep the connection open. It says that the server still holds
  // the request, not that the page gets any nearer: it goes on for ever when the kernel
  // died while starting (Voilà 0.5 then never ends the page).
  function heartbeat(node) {
    return (
      node.nodeName === "SCRIPT" && (node.textContent || "").indexOf("voila_heartbeat") !== -1
    );
  }

  function noise(node) {
    return ours(node) || heartbeat(node) || (node.nodeType === 3 && !node.textContent.trim());
  }

  function allNoise(nodes) {
    for (var i = 0; i < nodes.length; i++) {
      if (!noise(nodes[i])) {
        return false;
      }
    }
    return true;
  }

  function onMutations(records) {
    for (var i = 0; i < records.length; i++) {
      var record = records[i];
      if (
        ours(record.target) ||
        heartbeat(record.target) ||
        (allNoise(record.addedNodes) && allNoise(record.removedNodes))
      ) {
        continue; // the panel's or the message's own changes, or a heartbeat
      }
      noteProgress(); // more of the page arrived, or Voilà drew some of it
      break;
    }
    checkReady();
  }

  // What the server says of the kernel `id` now (a 404: it has no such kernel any more).
  function askAboutKernel(id) {
    return window.fetch(baseUrl + "api/kernels/" + encodeURIComponent(id), {
      credentials: "same-origin",
      cache: "no-store",
    });
  }

  // A slow page's kernel may be starting, or running the notebook's first cell, while
  // nothing arrives: the server knows.
  function checkKernelProgress() {
    var id = kernelId();
    if (!id || state.leaving || state.permanent || state.ready) {
      return;
    }
    askAboutKernel(id)
      .then(function (response) {
        if (response.status === 404) {
          show("busy", true); // its kernel is gone: this page cannot open any more
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (kernel) {
        if (!kernel) {
          return;
        }
        var working = kernel.execution_state === "busy" || kernel.execution_state === "starting";
        if (working || (state.kernelActivity && kernel.last_activity !== state.kernelActivity)) {
          noteProgress();
        }
        state.kernelActivity = kernel.last_activity || "";
      })
      .catch(function () {});
  }

  // -- trying again by itself ----------------------------------------------------------

  function retries() {
    try {
      var kept = JSON.parse(window.sessionStorage.getItem(RETRY_KEY) || "null");
      if (kept && Date.now() - kept.at < RETRY_MEMORY_MS) {
        return Number(kept.count) || 0;
      }
    } catch (ignored) {
      return 1; // no storage: never faster than the second wait
    }
    return 0;
  }

  function retryDelay() {
    return Number(retryDelays[Math.min(retries(), retryDelays.length - 1)]) || 30;
  }

  function retry() {
    if (state.ready || state.leaving) {
      return; // a page that opened never reloads by itself
    }
    if (navigator.onLine === false) {
      state.retryAt = 0;
      window.addEventListener("online", retry, { once: true });
      return;
    }
    try {
      window.sessionStorage.setItem(
        RETRY_KEY,
        JSON.stringify({ count: retries() + 1, at: Date.now() })
      );
    } catch (ignored) {
      // without storage every wait is the second one
    }
    state.retryAt = 0;
    window.location.reload();
  }

  function forgetRetries() {
    try {
      window.sessionStorage.removeItem(RETRY_KEY);
    } catch (ignored) {
      // nothing kept
    }
  }

  // -- ready, or not in time ------------------------------------------------------------

  function widgetShown() {
    var views = document.querySelectorAll("#rendered_cells .jupyter-widgets");
    for (var i = 0; i < views.length; i++) {
      if (views[i].textContent.indexOf(WIDGET_ERROR) !== 0) {
        return true;
      }
    }
    return false;
  }

  function widgetFailed() {
    var views = document.querySelectorAll("#rendered_cells .jupyter-widgets");
    for (var i = 0; i < views.length; i++) {
      if (views[i].textContent.indexOf(WIDGET_ERROR) === 0) {
        return true;
      }
    }
    return false;
  }

  function checkReady() {
    if (state.ready || !state.finished || document.getElementById("loading")) {
      return;
    }
    if (state.expectsWidget && !widgetShown()) {
      if (widgetFailed()) {
        // The widgets' models are gone from the kernel: it died before the page connected.
        show("lost", true);
      }
      return;
    }
    if (state.problem === "slow" || state.problem === "busy") {
      state.permanent = false; // it opened after all: the page is what counts
      clear(state.problem);
    }
    state.ready = true;
    observer.disconnect();
    window.clearInterval(ticker);
    removeOpening();
    forgetRetries();
    watchKernel();
  }

  function removeOpening() {
    var opening = document.getElementById("mentorkit-opening");
    if (opening) {
      opening.remove();
    }
  }

  var observer = new MutationObserver(onMutations);

  function onTime() {
    if (!state.ready && !state.problem) {
      show("slow", false);
    }
  }

  // The whole page has arrived. Voilà's last words (voila_finish) are in it, so a page
  // that ends without them was given up by the server: its kernel could not be started.
  function onComplete() {
    noteProgress();
    checkReady();
    if (!state.finished && !state.ready) {
      show("busy", true);
    }
  }

  // -- the kernel, once the page runs --------------------------------------------------

  // The server does not close a page's connection when it shuts the kernel down (culled,
  // or stopped through the API): the widgets would simply stop answering. So the page
  // also asks the server about its kernel now and then, and whenever it comes back into
  // view or back online (a laptop waking up, a tab switched to).
  function watchKernel() {
    var app = window.jupyterapp;
    if (!app || !app.widgetManagerPromise) {
      window.setTimeout(watchKernel, 250);
      return;
    }
    app.widgetManagerPromise.promise.then(function (manager) {
      var kernel = manager && manager.kernel;
      if (!kernel) {
        return;
      }
      var connectedOnce = kernel.connectionStatus === "connected";
      var downSince = 0;
      kernel.statusChanged.connect(function (_, status) {
        // A restarted kernel has none of the page's widgets: the page cannot work again.
        if (status === "dead" || status === "restarting" || status === "autorestarting") {
          show("lost", true);
        }
      });
      kernel.connectionStatusChanged.connect(function (_, status) {
        if (status === "connected") {
          connectedOnce = true;
          downSince = 0;
          clear("lost");
        } else if (status === "disconnected") {
          if (connectedOnce) {
            show("lost", true); // the connection gave up trying
          }
        } else if (status === "connecting" && connectedOnce && !downSince) {
          var since = Date.now();
          downSince = since;
          askServer(kernel.id);
          window.setTimeout(function () {
            if (downSince === since) {
              show("lost", false);
            }
          }, reconnectGraceMs);
        }
      });
      var check = function () {
        if (document.visibilityState !== "hidden") {
          askServer(kernel.id);
        }
      };
      document.addEventListener("visibilitychange", check);
      window.addEventListener("online", check);
      window.addEventListener("focus", check);
      if (kernelCheckMs > 0) {
        window.setInterval(check, kernelCheckMs);
      }
    });
  }

  function askServer(id) {
    // 404: the server no longer has this kernel (culled, shut down); anything else, or no
    // answer, may pass: the connection's own state decides.
    if (state.leaving || state.permanent) {
      return;
    }
    askAboutKernel(id)
      .then(function (response) {
        if (response.status === 404) {
          show("lost", true);
        }
      })
      .catch(function () {});
  }

  // -- the page's goodbye --------------------------------------------------------------

  function xsrfToken() {
    var match = document.cookie.match(/\b_xsrf=([^;]*)\b/);
    return match ? match[1] : "";
  }

  window.addEventListener("beforeunload", function () {
    state.leaving = true;
  });
  window.addEventListener("pagehide", function () {
    state.leaving = true;
    var id = kernelId();
    if (window.jupyterapp || !id || !navigator.sendBeacon) {
      return; // Voilà's own scripts say goodbye for the page once they run
    }
    var form = new FormData();
    form.append("_xsrf", xsrfToken());
    navigator.sendBeacon(baseUrl + "voila/api/shutdown/" + encodeURIComponent(id), form);
  });
  window.addEventListener("pageshow", function () {
    state.leaving = false;
  });

  // -- what the template calls ---------------------------------------------------------

  window.mentorkitPage = {
    state: state,
    // Right after the opening panel: show the time already waited.
    tick: tick,
    // After Voilà's helper functions exist: note when Voilà has sent every cell.
    wrapFinish: function () {
      var original = window.voila_finish;
      window.voila_finish = function () {
        if (!state.finished) {
          state.finished = true;
          noteProgress();
          var outputs = document.querySelectorAll(
            'script[type="application/vnd.voila.cell-output+json"]'
          );
          for (var i = 0; i < outputs.length; i++) {
            if (outputs[i].textContent.indexOf(WIDGET_VIEW) !== -1) {
              state.expectsWidget = true;
            }
          }
        }
        var result = original.apply(this, arguments);
        checkReady();
        return result;
      };
    },
    // A cell timed out ("timeout") or raised ("error") on the server.
    failed: function (kind) {
      show(kind === "timeout" ? "timeout" : "error", true);
    },
  };

  var ticker = window.setInterval(tick, 1000);
  if (serverError) {
    // error.html: the server answered with an error instead of the page. Worth trying
    // again when the server failed (5xx); a refusal (4xx) stays as the page says it.
    if (serverError >= 500) {
      document.addEventListener("DOMContentLoaded", function () {
        show("busy", true);
      });
    }
    return;
  }
  document.addEventListener("readystatechange", noteProgress);
  document.addEventListener("DOMContentLoaded", onComplete);
  observer.observe(document, { childList: true, subtree: true });
  if (timeoutMs > 0) {
    window.setTimeout(onTime, Math.max(0, timeoutMs - now()));
  }
})();
