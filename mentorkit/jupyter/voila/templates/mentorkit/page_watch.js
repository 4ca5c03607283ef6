// mentorkit's page watch: a Voilà page ends in a plain message and a Reload button instead
// of a spinner for ever or widgets that silently stopped working. Included inline in the
// page's <head> by index.html.j2 (through Jinja: keep Jinja's brace sequences out of this
// file), configured by the JSON in #mentorkit-page-config, run before anything else.
//
//  * slow:  the page is not ready (rendering finished and a widget on screen) within the
//           configured number of seconds since navigation start. Should it become ready
//           later after all, the message goes and the page shows.
//  * timeout, error: the server reported that a cell timed out or failed (the template
//           calls mentorkitPage.failed); the page will not become ready.
//  * lost:  the page's kernel is gone (culled, shut down, crashed, restarted) or the
//           connection stayed down; a banner over the app, which stays visible so that
//           unsaved text can still be copied.
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

  var MESSAGES = {
    slow: {
      title: "This page is taking too long to open.",
      text:
        "The server may be busy, or the page got stuck on its way. Reload the page to try " +
        "again; everything you saved is kept.",
    },
    error: {
      title: "This page could not be opened.",
      text:
        "Something went wrong on the server while preparing it. Reload the page to try " +
        "again; everything you saved is kept. If it happens again, please tell your " +
        "facilitator.",
    },
    lost: {
      title: "This page lost its connection to the server.",
      text:
        "Everything you saved is kept. Reload the page to continue (with your resume code, " +
        "if it asks for it).",
    },
  };

  var state = {
    finished: false, // Voilà has sent every cell (voila_finish ran)
    expectsWidget: false, // one of the outputs is a widget view
    ready: false,
    problem: "", // "", "slow", "timeout", "error" or "lost"
    permanent: false, // the problem cannot go away by itself
    leaving: false, // the page is being closed or reloaded
    kernelId: "",
  };

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

  function messageElement() {
    var box = document.getElementById("mentorkit-page-problem");
    if (box) {
      return box;
    }
    box = document.createElement("div");
    box.id = "mentorkit-page-problem";
    box.setAttribute("role", "alert");
    var title = document.createElement("h1");
    var text = document.createElement("p");
    var reload = document.createElement("button");
    reload.type = "button";
    reload.textContent = "Reload";
    reload.addEventListener("click", function () {
      window.location.reload();
    });
    box.appendChild(title);
    box.appendChild(text);
    box.appendChild(reload);
    return box;
  }

  function show(problem, permanent) {
    if (state.leaving || state.permanent) {
      return;
    }
    var wording = MESSAGES[problem === "timeout" ? "slow" : problem];
    var box = messageElement();
    box.className = problem === "lost" ? "mentorkit-page-banner" : "mentorkit-page-message";
    box.setAttribute("data-problem", problem);
    box.children[0].textContent = wording.title;
    box.children[1].textContent = wording.text;
    // Voilà sends <head> and the start of <body> together; should a page stall before its
    // <body>, the message goes at the end of what there is.
    var host = document.body || document.documentElement;
    var wasShown = box.isConnected;
    if (!wasShown) {
      host.insertBefore(box, document.body ? host.firstChild : null);
    }
    host.classList.toggle("mentorkit-page-failed", problem !== "lost");
    state.problem = problem;
    state.permanent = Boolean(permanent);
    if (!wasShown && problem !== "lost") {
      box.children[2].focus();
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
    state.ready = true;
    observer.disconnect();
    clear("slow");
    watchKernel();
  }

  var observer = new MutationObserver(checkReady);

  function onTime() {
    if (!state.ready) {
      show("slow", false);
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
    window
      .fetch(baseUrl + "api/kernels/" + encodeURIComponent(id), {
        credentials: "same-origin",
        cache: "no-store",
      })
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
    // After Voilà's helper functions exist: note when Voilà has sent every cell.
    wrapFinish: function () {
      var original = window.voila_finish;
      window.voila_finish = function () {
        if (!state.finished) {
          state.finished = true;
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

  document.addEventListener("DOMContentLoaded", checkReady);
  observer.observe(document, { childList: true, subtree: true });
  if (timeoutMs > 0) {
    window.setTimeout(onTime, Math.max(0, timeoutMs - window.performance.now()));
  }
})();
