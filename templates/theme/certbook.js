// certbook page script: account bar, Chinese-aware search, server-graded quizzes
// and server-computed sandbox scenarios.
// The page never holds an answer key: questions come from /api without keys, and
// grading happens on the server.
(function () {
  "use strict";

  // Every interface string comes from the course's catalogue: the build writes
  // certbook-messages.js (window.CB_MSG, window.CB_LANG) from templates/locales/.
  var T = window.CB_MSG || {};
  var LANG = window.CB_LANG || document.documentElement.lang || "en";
  // The text of message `key` with its {name} placeholders filled from `vars`; a
  // missing message shows its key.
  function t(key, vars) {
    var has = Object.prototype.hasOwnProperty;
    var s = has.call(T, key) ? T[key] : key;
    return vars ? s.replace(/\{(\w+)\}/g, function (m, n) { return has.call(vars, n) ? String(vars[n]) : m; }) : s;
  }

  var csrf = null;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined) return;
      if (k === "text") e.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }

  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
    return fetch(path, { method: method, headers: headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
          return { status: r.status, ok: r.ok, data: data };
        });
      });
  }

  // ---------- account bar ----------
  var me = null, reminders = [];
  var mePromise = api("GET", "/api/me").then(function (r) {
    if (r.ok) { me = r.data.user; csrf = r.data.csrf; reminders = r.data.reminders || []; }
    return me;
  }).catch(function () { return null; });

  function renderAccount() {
    var nav = document.getElementById("cb-account");
    if (!nav) return;
    nav.textContent = "";
    if (!me) {
      nav.appendChild(el("a", { href: "/login?next=" + encodeURIComponent(location.pathname), text: t("login") }));
      return;
    }
    nav.appendChild(el("span", { text: me.display_name + " · " }));
    nav.appendChild(el("a", { href: "/account", text: t("myResults") }));
    nav.appendChild(document.createTextNode(" · "));
    // A certificate nearing or past its expiry is flagged on every page.
    if (reminders.length) {
      var expired = reminders.some(function (x) { return x.expired; });
      nav.appendChild(el("a", { href: "/account#reminders", "class": "cb-reminder-link", "data-reminders": String(reminders.length),
        text: expired ? t("certExpired") : t("certExpiring") }));
      nav.appendChild(document.createTextNode(" · "));
    }
    var form = el("form", { method: "post", action: "/logout", style: "display:inline" }, [
      el("input", { type: "hidden", name: "csrf", value: csrf || "" }),
      el("button", { type: "submit", text: t("logout") })
    ]);
    nav.appendChild(form);
  }

  // ---------- search ----------
  // Must split text exactly as src/site/search.rs `tokens` does.
  function isCjk(cp) {
    return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0x20000 && cp <= 0x2FA1F) || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF);
  }
  function tokens(text) {
    var out = [], run = [], word = "";
    function flushRun() {
      if (run.length === 1) out.push(run[0]);
      for (var i = 0; i + 1 < run.length; i++) out.push(run[i] + run[i + 1]);
      run = [];
    }
    function flushWord() { if (Array.from(word).length >= 2) out.push(fold(word)); word = ""; }
    Array.from(text).forEach(function (ch) {
      var cp = ch.codePointAt(0);
      if (isCjk(cp)) { flushWord(); run.push(ch); }
      else if (/[\p{L}\p{N}]/u.test(ch)) { flushRun(); word += ch.toLowerCase(); }
      else { flushRun(); flushWord(); }
    });
    flushRun(); flushWord();
    return out;
  }

  // Same rules as src/site/search.rs `fold`: an English plural folded to its singular.
  function fold(w) {
    var n = w.length;
    if (!/^[\x00-\x7f]*$/.test(w) || n <= 3) return w;
    if (n > 4 && /ies$/.test(w)) return w.slice(0, n - 3) + "y";
    if (/(sses|xes|zes|ches|shes)$/.test(w)) return w.slice(0, n - 2);
    if (/s$/.test(w) && !/(ss|us|is)$/.test(w)) return w.slice(0, n - 1);
    return w;
  }

  var indexPromise = null;
  function loadIndex(root) {
    if (!indexPromise) indexPromise = fetch(root + "certbook-search.json").then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
    return indexPromise;
  }

  function search(index, query) {
    var q = tokens(query);
    if (!q.length) return [];
    var scores = {};
    for (var i = 0; i < q.length; i++) {
      // The word being typed (the last, in a Latin script) matches as a prefix.
      var lists = [];
      if (i + 1 === q.length && /^[a-z0-9]+$/.test(q[i])) {
        for (var term in index.terms) if (term.lastIndexOf(q[i], 0) === 0) lists.push(index.terms[term]);
      } else if (index.terms[q[i]]) {
        lists.push(index.terms[q[i]]);
      }
      if (!lists.length) return [];
      var found = {};
      lists.forEach(function (postings) {
        var idf = Math.log(1 + index.docs.length / postings.length);
        postings.forEach(function (p) { found[p[0]] = (found[p[0]] || 0) + p[1] * idf; });
      });
      Object.keys(found).forEach(function (d) {
        var s = scores[d] || (scores[d] = { n: 0, s: 0 });
        s.n += 1; s.s += found[d];
      });
    }
    return Object.keys(scores).filter(function (d) { return scores[d].n === q.length; })
      .sort(function (a, b) { return scores[b].s - scores[a].s || a - b; })
      .map(function (d) { return index.docs[d]; });
  }

  function snippet(text, query) {
    var words = query.trim().split(/\s+/);
    var at = -1;
    for (var i = 0; i < words.length && at < 0; i++) at = text.toLowerCase().indexOf(words[i].toLowerCase());
    var start = Math.max(0, at - 30);
    var s = (start > 0 ? "…" : "") + text.slice(start, start + 90) + "…";
    var frag = document.createDocumentFragment();
    var lower = s.toLowerCase(), pos = 0;
    var w = words[0] ? words[0].toLowerCase() : "";
    while (w) {
      var j = lower.indexOf(w, pos);
      if (j < 0) break;
      frag.appendChild(document.createTextNode(s.slice(pos, j)));
      frag.appendChild(el("mark", { text: s.slice(j, j + w.length) }));
      pos = j + w.length;
    }
    frag.appendChild(document.createTextNode(s.slice(pos)));
    return frag;
  }

  function setupSearch() {
    var bar = document.querySelector(".cb-topbar");
    var input = document.getElementById("cb-search-input");
    var list = document.getElementById("cb-search-results");
    if (!bar || !input || !list) return;
    var root = bar.getAttribute("data-cb-root") || "";
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = input.value;
        if (!query.trim()) { list.hidden = true; return; }
        loadIndex(root).then(function (index) {
          var hits = search(index, query).slice(0, 20);
          list.textContent = "";
          if (!hits.length) list.appendChild(el("li", { text: t("noResults") }));
          hits.forEach(function (d) {
            list.appendChild(el("li", null, [
              el("a", { href: root + d.url, text: d.title }),
              el("span", { class: "cb-crumb", text: d.crumb }),
              el("span", { class: "cb-snippet" }, [snippet(d.text, query)])
            ]));
          });
          list.hidden = false;
        }).catch(function () {
          list.textContent = ""; list.appendChild(el("li", { text: t("searchFailed") })); list.hidden = false;
        });
      }, 120);
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") { list.hidden = true; } });
  }

  // ---------- quizzes ----------
  function Quiz(section) {
    this.section = section;
    this.id = section.getAttribute("data-quiz");
    this.body = el("div", { class: "cb-quiz-body", "aria-live": "polite" });
    var fallback = section.querySelector(".cb-quiz-fallback");
    if (fallback) fallback.remove();
    section.appendChild(this.body);
  }

  Quiz.prototype.draftKey = function (attemptId) { return "certbook-draft-" + attemptId; };

  Quiz.prototype.load = function () {
    var self = this;
    self.body.textContent = t("loading");
    return api("GET", "/api/quizzes/" + encodeURIComponent(self.id)).then(function (r) {
      if (r.status === 401) { self.renderLogin(); return; }
      if (!r.ok) { self.showError(r.data && r.data.error); return; }
      self.renderStatus(r.data);
    }).catch(function () { self.showError(t("networkError")); });
  };

  Quiz.prototype.renderLogin = function () {
    this.body.textContent = "";
    this.body.appendChild(el("p", null, [t("loginToTake") + " ", el("a", { href: "/login?next=" + encodeURIComponent(location.pathname), text: t("login") })]));
  };

  Quiz.prototype.showError = function (msg) {
    var p = this.body.querySelector(".cb-error") || this.body.appendChild(el("p", { class: "cb-error", role: "alert" }));
    p.textContent = msg || t("networkError");
  };

  Quiz.prototype.renderStatus = function (s, result) {
    var self = this;
    self.body.textContent = "";
    if (result) self.body.appendChild(self.renderResult(result));
    var best = s.best_percent === null ? t("none") : s.passed ? t("bestPassed", { p: s.best_percent }) : s.best_percent + "%";
    var facts = t("questions", { n: s.question_count }) + " · " + t("passMark", { p: s.pass_mark }) +
      (s.time_limit ? " · " + t("timeLimit", { m: Math.round(s.time_limit / 60) }) : "") +
      " · " + t("attemptsLeft", { n: s.attempts_left === null ? t("unlimited") : s.attempts_left }) +
      " · " + t("best", { best: best }) +
      (s.sequential ? " · " + t("sequential") : "");
    self.body.appendChild(el("p", { class: "cb-status", "data-cb-status": "" }, [facts]));
    self.mode = s.mode;
    if (s.open_attempt && s.open_attempt_elsewhere) {
      // The server refuses this browser until an instructor releases the attempt.
      self.body.appendChild(el("p", { class: "cb-error", role: "alert", text: t("elsewhere") }));
    } else if (s.open_attempt) {
      self.body.appendChild(el("button", { class: "cb-btn", type: "button", text: t("resume"), onclick: function () { self.start(); } }));
    } else if (s.attempts_left === 0) {
      self.body.appendChild(el("p", { text: t("noAttemptsLeft") }));
    } else {
      self.body.appendChild(el("button", { class: "cb-btn", type: "button", text: s.attempts_used ? t("retry") : t("start"), onclick: function () { self.start(); } }));
    }
  };

  Quiz.prototype.start = function (password) {
    var self = this;
    api("POST", "/api/quizzes/" + encodeURIComponent(self.id) + "/attempts", password ? { password: password } : {}).then(function (r) {
      // A quiz with an attempt password: ask for it and try again.
      if (r.status === 403 && r.data && r.data.password_required) {
        var pw = window.prompt(r.data.error);
        if (pw) self.start(pw); else self.showError(r.data.error);
        return;
      }
      if (!r.ok) { self.showError(r.data && r.data.error); return; }
      self.renderAttempt(r.data);
    }).catch(function () { self.showError(t("networkError")); });
  };

  // The countdown of a timed attempt, against the server's clock.
  Quiz.prototype.addTimer = function (form, a) {
    if (!a.deadline_ms) return;
    var timerEl = el("p", { class: "cb-timer", role: "timer" });
    form.insertBefore(timerEl, form.firstChild);
    var skew = a.server_now_ms ? a.server_now_ms - Date.now() : 0;
    var tick = function () {
      var left = Math.round((a.deadline_ms - Date.now() - skew) / 1000);
      if (!document.body.contains(timerEl)) return;
      timerEl.textContent = left > 0 ? t("timeLeft", { time: Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2) }) : t("timeUp");
      if (left > 0) setTimeout(tick, 1000);
    };
    tick();
  };

  // The server's reason; on 409 (ended, another device, out of sequence) the standing is
  // reloaded from the server and the reason shown above it.
  Quiz.prototype.showRefusal = function (r) {
    var self = this;
    var msg = r.data && r.data.error;
    if (r.status !== 409) { self.showError(msg); return; }
    self.load().then(function () { self.showError(msg); });
  };

  // Submits `answers`; shows the result and the new standing, or the server's reason.
  Quiz.prototype.submitAnswers = function (a, answers, button) {
    var self = this;
    var label = button.textContent;
    button.disabled = true;
    button.textContent = t("submitting");
    api("POST", "/api/attempts/" + encodeURIComponent(a.id) + "/submit", { answers: answers }).then(function (r) {
      if (!r.ok) {
        button.disabled = false; button.textContent = label;
        self.showRefusal(r);
        return;
      }
      try { localStorage.removeItem(self.draftKey(a.id)); } catch (err) { /* ignore */ }
      return api("GET", "/api/quizzes/" + encodeURIComponent(self.id)).then(function (s) {
        self.renderStatus(s.ok ? s.data : r.data.status, r.data);
        self.body.scrollIntoView({ block: "start" });
      });
    }).catch(function () {
      button.disabled = false; button.textContent = label;
      self.showError(t("networkError"));
    });
  };

  // Practice only: gives up the open attempt (not graded) and shows the standing again,
  // from which a new attempt starts at once.
  Quiz.prototype.addAbandon = function (form, a) {
    var self = this;
    if (self.mode !== "practice") return;
    form.appendChild(el("button", { class: "cb-btn cb-btn-quiet", type: "button", "data-cb-abandon": "", text: t("abandon"), onclick: function (e) {
      if (!window.confirm(t("abandonConfirm"))) return;
      e.target.disabled = true;
      api("POST", "/api/attempts/" + encodeURIComponent(a.id) + "/abandon", {}).then(function (r) {
        if (!r.ok) { e.target.disabled = false; self.showRefusal(r); return; }
        try { localStorage.removeItem(self.draftKey(a.id)); } catch (err) { /* ignore */ }
        self.load();
      }).catch(function () { e.target.disabled = false; self.showError(t("networkError")); });
    } }));
  };

  // Sequential mode: the server sends only the current question; "Next" records it and
  // returns the next one. There is no way back, on the page or through the API.
  Quiz.prototype.renderSequential = function (a) {
    var self = this;
    self.prompts = self.prompts || {};
    self.labels = self.labels || {};
    self.body.textContent = "";
    var form = el("form", { class: "cb-attempt cb-sequential", novalidate: "" });
    var q = a.questions[0];
    var last = !q || a.position >= a.total - 1;
    form.appendChild(el("p", { class: "cb-seq-progress", "data-cb-progress": "" },
      [q ? t("seqProgress", { i: a.position + 1, n: a.total }) : t("seqAllAnswered")]));
    var read = function () { return null; };
    if (q) {
      form.appendChild(el("p", { class: "cb-meta", text: t("seqNoBack") }));
      self.prompts[q.id] = q.prompt;
      var shown = {};
      (q.options || []).forEach(function (o, j) { shown[o.key] = String.fromCharCode(65 + j); });
      (q.items || []).concat(q.right || []).forEach(function (o) { shown[o.key] = o.text; });
      self.labels[q.id] = shown;
      var fs = el("fieldset", { "data-question": q.id });
      fs.appendChild(el("legend", { text: (a.position + 1) + ". " + q.prompt + t("questionPoints", { n: q.points }) }));
      read = self.renderQuestion(fs, q, undefined, a.id);
      form.appendChild(fs);
    }
    var reply = function () { var v = read(); return v === undefined || v === "" ? null : v; };
    var current = function () { var m = {}; if (q) m[q.id] = reply(); return m; };
    var autosave = null;
    form.addEventListener("change", function () {
      // The server keeps the current answer as a draft, graded if time runs out.
      clearTimeout(autosave);
      autosave = setTimeout(function () {
        api("PUT", "/api/attempts/" + encodeURIComponent(a.id) + "/answers", { answers: current() }).catch(function () { /* the next change retries */ });
      }, 800);
    });
    var button = el("button", { class: "cb-btn", type: "submit", text: last ? t("submit") : t("next") });
    form.appendChild(button);
    self.addAbandon(form, a);
    self.addTimer(form, a);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearTimeout(autosave);
      if (last) { self.submitAnswers(a, current(), button); return; }
      button.disabled = true;
      api("POST", "/api/attempts/" + encodeURIComponent(a.id) + "/next", { question: q.id, answer: reply() }).then(function (r) {
        if (r.ok) { self.renderSequential(r.data); return; }
        button.disabled = false;
        self.showRefusal(r);
      }).catch(function () {
        button.disabled = false;
        self.showError(t("networkError"));
      });
    });
    self.body.appendChild(form);
    // After "Next" the form is redrawn: keep keyboard focus on the new question.
    if (a.position > 0) { var first = form.querySelector("fieldset input, fieldset select, button"); if (first) first.focus(); }
  };

  Quiz.prototype.renderAttempt = function (a) {
    var self = this;
    if (a.sequential) { self.prompts = {}; self.labels = {}; self.renderSequential(a); return; }
    var draft = {};
    try { draft = JSON.parse(localStorage.getItem(self.draftKey(a.id)) || "{}"); } catch (e) { draft = {}; }
    self.body.textContent = "";
    var form = el("form", { class: "cb-attempt", novalidate: "" });
    var readers = [];
    self.prompts = {};
    self.labels = {};
    a.questions.forEach(function (q, i) {
      self.prompts[q.id] = q.prompt;
      // Options are shown in a shuffled order under positional letters, but each keeps
      // its authored letter as its key: results name an option by what the page showed.
      var shown = {};
      (q.options || []).forEach(function (o, j) { shown[o.key] = String.fromCharCode(65 + j); });
      (q.items || []).concat(q.right || []).forEach(function (o) { shown[o.key] = o.text; });
      self.labels[q.id] = shown;
      var fs = el("fieldset", { "data-question": q.id });
      fs.appendChild(el("legend", { text: (i + 1) + ". " + q.prompt + t("questionPoints", { n: q.points }) }));
      readers.push([q.id, self.renderQuestion(fs, q, draft[q.id], a.id)]);
      form.appendChild(fs);
    });
    var collect = function () {
      var answers = {};
      readers.forEach(function (r) { var v = r[1](); if (v !== null && v !== undefined && v !== "") answers[r[0]] = v; });
      return answers;
    };
    var autosave = null;
    form.addEventListener("change", function () {
      try { localStorage.setItem(self.draftKey(a.id), JSON.stringify(collect())); } catch (e) { /* storage full or disabled */ }
      // Also save on the server: when time runs out, the server grades the last save.
      clearTimeout(autosave);
      autosave = setTimeout(function () {
        api("PUT", "/api/attempts/" + encodeURIComponent(a.id) + "/answers", { answers: collect() }).catch(function () { /* the next change retries */ });
      }, 800);
    });
    var button = el("button", { class: "cb-btn", type: "submit", text: t("submit") });
    form.appendChild(button);
    self.addAbandon(form, a);
    self.addTimer(form, a);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      self.submitAnswers(a, collect(), button);
    });
    self.body.appendChild(form);
  };

  // Draws the inputs for one question and returns a function reading its answer.
  Quiz.prototype.renderQuestion = function (fs, q, saved, attemptId) {
    var name = "q-" + attemptId + "-" + q.id;
    if (q.type === "single" || q.type === "multiple" || q.type === "truefalse") {
      var opts = q.type === "truefalse" ? [{ key: true, text: t("true") }, { key: false, text: t("false") }] : q.options;
      var kind = q.type === "multiple" ? "checkbox" : "radio";
      var inputs = opts.map(function (o, j) {
        var input = el("input", { type: kind, name: name, value: String(o.key) });
        if (saved !== undefined && (q.type === "multiple" ? saved.indexOf(o.key) >= 0 : saved === o.key)) input.checked = true;
        fs.appendChild(el("label", null, [input, " " + (q.type === "truefalse" ? "" : String.fromCharCode(65 + j) + ". ") + o.text]));
        return [input, o.key];
      });
      return function () {
        var picked = inputs.filter(function (p) { return p[0].checked; }).map(function (p) { return p[1]; });
        return q.type === "multiple" ? (picked.length ? picked : null) : (picked.length ? picked[0] : null);
      };
    }
    if (q.type === "fill" || q.type === "numeric") {
      var id = name + "-input";
      // The label holds only the unit: the question's legend names the box.
      var legend = fs.querySelector("legend");
      if (legend) legend.id = name + "-legend";
      var input = el("input", { id: id, type: "text", inputmode: q.type === "numeric" ? "decimal" : "text", autocomplete: "off", "aria-labelledby": legend ? legend.id : null });
      if (saved !== undefined) input.value = saved;
      fs.appendChild(el("label", { for: id }, [input, q.unit ? " " + q.unit : ""]));
      return function () { return input.value.trim() === "" ? null : input.value.trim(); };
    }
    if (q.type === "ordering") {
      var list = el("ol", { class: "cb-order" });
      var items = q.items.slice();
      if (saved) items.sort(function (a, b) { return saved.indexOf(a.key) - saved.indexOf(b.key); });
      var draw = function () {
        list.textContent = "";
        items.forEach(function (it, i) {
          list.appendChild(el("li", { "data-key": it.key }, [it.text,
            el("button", { type: "button", class: "cb-btn-small", "aria-label": t("moveUp", { item: it.text }), text: "↑", disabled: i === 0 ? "" : null, onclick: function () { move(i, -1); } }),
            el("button", { type: "button", class: "cb-btn-small", "aria-label": t("moveDown", { item: it.text }), text: "↓", disabled: i === items.length - 1 ? "" : null, onclick: function () { move(i, 1); } })
          ]));
        });
      };
      var move = function (i, d) {
        var j = i + d;
        if (j < 0 || j >= items.length) return;
        var swap = items[i]; items[i] = items[j]; items[j] = swap;
        draw();
        fs.dispatchEvent(new Event("change", { bubbles: true }));
        var again = list.children[j].querySelectorAll("button")[d < 0 ? 0 : 1];
        if (again) again.focus();
      };
      draw();
      fs.appendChild(list);
      return function () { return items.map(function (it) { return it.key; }); };
    }
    if (q.type === "matching") {
      var selects = q.left.map(function (left, i) {
        var id = name + "-" + i;
        var sel = el("select", { id: id }, [el("option", { value: "", text: t("choose") })].concat(q.right.map(function (r) { return el("option", { value: r.key, text: r.text }); })));
        if (saved && saved[i]) sel.value = saved[i];
        fs.appendChild(el("label", { for: id }, [left + " → ", sel]));
        return sel;
      });
      return function () {
        var v = selects.map(function (s) { return s.value; });
        return v.every(function (x) { return x === ""; }) ? null : v.map(function (x) { return x || "-"; });
      };
    }
    return function () { return null; };
  };

  Quiz.prototype.renderResult = function (r) {
    var prompts = this.prompts || {};
    var labels = this.labels || {};
    var box = el("div", { class: "cb-result " + (r.passed ? "cb-pass" : "cb-fail"), "data-cb-result": r.passed ? "pass" : "fail", role: "status" });
    box.appendChild(el("p", null, [el("strong", { text: (r.passed ? t("passed") : t("failed")) + " · " + t("score", { p: r.percent }) }), t("scorePoints", { score: r.score, max: r.max_score })]));
    var list = el("ol");
    if (r.items) {
      // The review: options in the order this attempt showed them, the pick and the key marked.
      r.items.forEach(function (it) {
        var verdict = it.correct === true ? "✓ " + t("right") : it.correct === false ? "✗ " + t("wrong") : null;
        var opts = it.options && it.options.length ? el("ul", { class: "cb-review-options" }, it.options.map(function (o) {
          var marks = (o.chosen ? " ← " + t("yourPick") : "") + (o.correct ? " ✓" : "");
          return el("li", { class: (o.correct ? "cb-opt-key " : "") + (o.chosen ? "cb-opt-chosen" : ""), "data-cb-chosen": o.chosen ? "1" : null, "data-cb-key": o.correct ? "1" : null, text: o.label + ". " + o.text + marks });
        })) : null;
        var given = opts ? null : el("div", { class: "cb-review-given", text: t("yourAnswer", { answer: it.given.length ? it.given.join(t("listSep")) : t("notAnswered") }) });
        var key = opts || !it.key.length ? null : el("div", { class: "cb-review-key", text: t("correctAnswer", { answer: it.key.join(t("listSep")) }) });
        list.appendChild(el("li", { class: it.correct === false ? "cb-q-wrong" : "cb-q-right", "data-cb-item": it.id }, [
          el("div", { class: "cb-result-prompt", text: it.prompt }),
          verdict ? el("strong", { text: verdict }) : null,
          opts, given, key,
          it.explanation ? el("div", { class: "cb-explain", text: it.explanation }) : null
        ]));
      });
      box.appendChild(list);
      return box;
    }
    (r.questions || []).forEach(function (q) {
      var shown = labels[q.id] || {};
      var name = function (k) { return shown[k] !== undefined ? shown[k] : String(k); };
      var names = Array.isArray(q.correct_answer) ? q.correct_answer.map(name) : null;
      var key = names ? names.join(names.every(function (x) { return x.length === 1; }) ? " " : t("enumSep")) : (q.correct_answer === true ? t("true") : q.correct_answer === false ? t("false") : name(q.correct_answer));
      var prompt = prompts[q.id];
      list.appendChild(el("li", { class: q.correct ? "cb-q-right" : "cb-q-wrong" }, [
        prompt ? el("div", { class: "cb-result-prompt", text: prompt }) : null,
        el("strong", { text: q.correct ? "✓ " + t("right") : "✗ " + t("wrong") }),
        q.correct ? null : el("span", { text: " · " + t("correctAnswer", { answer: key }) }),
        el("div", { class: "cb-explain", text: q.explanation })
      ]));
    });
    box.appendChild(list);
    return box;
  };

  function setupQuizzes() {
    var sections = document.querySelectorAll("section.cb-quiz[data-quiz]");
    if (!sections.length) return;
    mePromise.then(function () {
      sections.forEach(function (s) { new Quiz(s).load(); });
    });
  }

  // ---------- sandbox ----------
  function fmt(v, decimals) {
    return Number(v).toLocaleString(LANG, { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
  }
  // A state variable's value as the author asked it shown.
  function fmtVar(v, x) {
    return v.percent ? fmt(x * 100, 1) + "%" : fmt(x, v.decimals) + (v.unit ? " " + v.unit : "");
  }

  // A small line chart of one variable across rounds, drawn as SVG.
  function sparkline(v) {
    var W = 240, H = 72, P = 6, vals = v.values;
    var lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
    if (hi === lo) { hi = lo + 1; }
    var x = function (i) { return P + (vals.length === 1 ? 0 : i * (W - 2 * P) / (vals.length - 1)); };
    var y = function (val) { return H - P - (val - lo) * (H - 2 * P) / (hi - lo); };
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("class", "cb-spark");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", t("chartLabel", { label: v.label, values: vals.map(function (a) { return fmtVar(v, a); }).join(" → ") }));
    var line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", vals.map(function (val, i) { return x(i).toFixed(1) + "," + y(val).toFixed(1); }).join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "currentColor");
    line.setAttribute("stroke-width", "2");
    svg.appendChild(line);
    vals.forEach(function (val, i) {
      var c = document.createElementNS(ns, "circle");
      c.setAttribute("cx", x(i).toFixed(1)); c.setAttribute("cy", y(val).toFixed(1)); c.setAttribute("r", "3");
      c.setAttribute("fill", "currentColor");
      svg.appendChild(c);
    });
    return svg;
  }

  function messageList(ms) {
    var ul = el("ul", { class: "cb-sb-messages" });
    ms.forEach(function (m) {
      ul.appendChild(el("li", { class: "cb-sb-" + m.kind }, [m.text,
        m.lesson_url ? el("a", { href: m.lesson_url, class: "cb-sb-lesson", text: " → " + t("sbLesson") }) : null]));
    });
    return ul;
  }

  function Sandbox(section) {
    this.section = section;
    this.id = section.getAttribute("data-sandbox");
    this.body = el("div", { class: "cb-sandbox-body", "aria-live": "polite" });
    var fallback = section.querySelector(".cb-sandbox-fallback");
    if (fallback) fallback.remove();
    section.appendChild(this.body);
  }

  Sandbox.prototype.showError = Quiz.prototype.showError;

  Sandbox.prototype.load = function () {
    var self = this;
    self.body.textContent = t("loading");
    return api("GET", "/api/scenarios/" + encodeURIComponent(self.id)).then(function (r) {
      if (r.status === 401) {
        self.body.textContent = "";
        self.body.appendChild(el("p", null, [t("loginToPlay") + " ", el("a", { href: "/login?next=" + encodeURIComponent(location.pathname), text: t("login") })]));
        return;
      }
      if (!r.ok) { self.showError(r.data && r.data.error); return; }
      self.renderStatus(r.data);
    }).catch(function () { self.showError(t("networkError")); });
  };

  Sandbox.prototype.renderStatus = function (s) {
    var self = this;
    self.status = s;
    self.body.textContent = "";
    if (s.summary) self.body.appendChild(el("p", { class: "cb-sb-summary", text: s.summary }));
    (s.intro || "").split(/\n\s*\n/).forEach(function (para) {
      if (para.trim()) self.body.appendChild(el("p", { text: para.trim() }));
    });
    var facts = t("sbRounds", { n: s.rounds }) + " · " + t("sbRunsLeft", { n: s.runs_left === null ? t("unlimited") : s.runs_left }) +
      " · " + t("sbBest", { best: s.best_score === null ? t("none") : s.best_score });
    self.body.appendChild(el("p", { class: "cb-status", "data-cb-status": "" }, [facts]));
    self.mode = s.mode;
    if (s.open_run) {
      self.body.appendChild(el("button", { class: "cb-btn", type: "button", text: t("sbResume"), onclick: function () { self.start(); } }));
    } else if (s.runs_left === 0) {
      self.body.appendChild(el("p", { text: t("sbNoRunsLeft") }));
    } else {
      self.body.appendChild(el("button", { class: "cb-btn", type: "button", text: s.runs_used ? t("sbRetry") : t("sbStart"), onclick: function () { self.start(); } }));
    }
  };

  Sandbox.prototype.start = function () {
    var self = this;
    api("POST", "/api/scenarios/" + encodeURIComponent(self.id) + "/runs", {}).then(function (r) {
      if (!r.ok) { self.showError(r.data && r.data.error); return; }
      self.renderRun(r.data);
    }).catch(function () { self.showError(t("networkError")); });
  };

  Sandbox.prototype.renderState = function (run) {
    var box = el("div", { class: "cb-sb-state" }, [el("h3", { text: t("sbState") })]);
    var table = el("table", { class: "cb-sb-table" });
    table.appendChild(el("thead", null, [el("tr", null, [el("th", { text: "" }), el("th", { text: t("sbState") }), el("th", { text: t("sbChange") })])]));
    var tbody = el("tbody");
    run.state.forEach(function (v) {
      var n = v.values.length, cur = v.values[n - 1], prev = n > 1 ? v.values[n - 2] : null;
      var d = cur - prev;
      var delta = prev === null || Math.abs(d) < 1e-9 ? "" : (d > 0 ? "+" : "−") + (v.percent ? t("sbPoints", { n: fmt(Math.abs(d) * 100, 1) }) : fmt(Math.abs(d), v.decimals));
      tbody.appendChild(el("tr", { "data-var": v.id }, [el("th", { scope: "row", text: v.label }),
        el("td", { class: "cb-sb-value", text: fmtVar(v, cur) }),
        el("td", { class: "cb-sb-delta", text: delta })]));
    });
    table.appendChild(tbody);
    box.appendChild(table);
    var charts = el("div", { class: "cb-sb-charts" });
    run.state.filter(function (v) { return v.chart; }).forEach(function (v) {
      charts.appendChild(el("figure", { class: "cb-sb-chart", "data-chart": v.id }, [sparkline(v), el("figcaption", { text: v.label })]));
    });
    box.appendChild(charts);
    return box;
  };

  Sandbox.prototype.renderRun = function (run) {
    var self = this;
    self.run = run;
    self.body.textContent = "";
    var played = run.rounds_played;
    self.body.appendChild(el("p", { class: "cb-sb-progress", text: run.next ? t("sbRound", { r: run.next.round, n: run.rounds }) : t("sbFinished") }));
    var last = run.reports[run.reports.length - 1];
    if (last && (last.messages.length || last.opening.length)) {
      self.body.appendChild(el("div", { class: "cb-sb-report" }, [el("h3", { text: t("sbWhatHappened", { round: last.title || t("sbRound", { r: last.round, n: run.rounds }) }) }), messageList(last.messages)]));
    }
    self.body.appendChild(self.renderState(run));
    if (run.next) self.body.appendChild(self.renderRound(run, run.next));
    if (run.result) self.body.appendChild(self.renderResult(run));
    if (played > 1 || (played === 1 && run.result)) {
      var hist = el("details", { class: "cb-sb-history" }, [el("summary", { text: t("sbHistory") })]);
      run.reports.forEach(function (r) {
        hist.appendChild(el("h4", { text: r.title || t("sbRound", { r: r.round, n: run.rounds }) }));
        if (r.opening.length) hist.appendChild(messageList(r.opening));
        hist.appendChild(messageList(r.messages));
      });
      self.body.appendChild(hist);
    }
  };

  Sandbox.prototype.renderRound = function (run, o) {
    var self = this;
    var form = el("form", { class: "cb-sb-round", novalidate: "" });
    if (o.title) form.appendChild(el("h3", { text: o.title }));
    if (o.text) form.appendChild(el("p", { text: o.text }));
    if (o.messages.length) form.appendChild(messageList(o.messages));
    var readers = [];
    o.decisions.forEach(function (d) {
      var fs = el("fieldset", { class: "cb-sb-decision", "data-decision": d.id }, [el("legend", { text: d.label })]);
      if (d.help) fs.appendChild(el("p", { class: "cb-meta", text: d.help }));
      if (d.kind === "allocate") {
        var inputs = [];
        var sum = el("p", { class: "cb-sb-sum", "aria-live": "polite" });
        var update = function () {
          var total = inputs.reduce(function (a, i) { return a + (Number(i[1].value) || 0); }, 0);
          var txt = t("sbAllocated", { amount: fmt(total, 2) + (d.unit ? " " + d.unit : "") });
          if (d.total !== undefined) txt += " / " + t("sbAvailable", { amount: fmt(d.total, 2) }) + (d.exact ? t("sbExact") : "");
          sum.textContent = txt;
          sum.className = "cb-sb-sum" + (d.total !== undefined && total > d.total + 1e-6 ? " cb-error" : "");
        };
        d.options.forEach(function (opt) {
          var inputId = "cb-sb-" + self.id + "-" + d.id + "-" + opt.id;
          var input = el("input", { type: "number", id: inputId, name: d.id + "." + opt.id, min: opt.min, max: opt.max, step: d.step || "any", value: opt.min, inputmode: "decimal" });
          input.addEventListener("input", update);
          inputs.push([opt.id, input]);
          fs.appendChild(el("div", { class: "cb-sb-slot" }, [el("label", { for: inputId, text: opt.label }), input,
            el("span", { class: "cb-meta", text: " " + fmt(opt.min, 2) + "–" + fmt(opt.max, 2) + (d.unit ? " " + d.unit : "") })]));
        });
        fs.appendChild(sum);
        update();
        readers.push([d.id, function () {
          var out = {};
          inputs.forEach(function (i) { out[i[0]] = Number(i[1].value) || 0; });
          return out;
        }]);
      } else {
        var radios = [];
        d.options.forEach(function (opt, i) {
          var r = el("input", { type: "radio", name: "cb-sb-" + self.id + "-" + d.id, value: opt.id });
          if (i === 0 && d.options.length === 1) r.checked = true;
          radios.push(r);
          fs.appendChild(el("label", null, [r, " " + opt.label]));
        });
        readers.push([d.id, function () {
          var picked = radios.filter(function (r) { return r.checked; })[0];
          return picked ? picked.value : null;
        }]);
      }
      form.appendChild(fs);
    });
    var btn = el("button", { class: "cb-btn", type: "submit", text: t("sbSubmit") });
    form.appendChild(btn);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var decisions = {}, missing = null;
      readers.forEach(function (r) { var v = r[1](); if (v === null) missing = r[0]; else decisions[r[0]] = v; });
      var old = form.querySelector(".cb-error[role=alert]");
      if (old) old.remove();
      if (missing) { form.appendChild(el("p", { class: "cb-error", role: "alert", text: t("sbChoose") })); return; }
      btn.disabled = true; btn.textContent = t("submitting");
      api("POST", "/api/runs/" + encodeURIComponent(run.id) + "/rounds", { round: o.round, decisions: decisions }).then(function (r) {
        if (r.ok) { self.renderRun(r.data); return; }
        // The learner's inputs stay as they are; only the message is added.
        btn.disabled = false; btn.textContent = t("sbSubmit");
        form.appendChild(el("p", { class: "cb-error", role: "alert", text: (r.data && r.data.error) || t("networkError") }));
      }).catch(function () {
        btn.disabled = false; btn.textContent = t("sbSubmit");
        form.appendChild(el("p", { class: "cb-error", role: "alert", text: t("networkError") }));
      });
    });
    return form;
  };

  Sandbox.prototype.renderResult = function (run) {
    var self = this, res = run.result;
    var box = el("div", { class: "cb-result cb-sb-result " + (res.score >= 60 ? "cb-pass" : "cb-fail") }, [
      el("p", { class: "cb-sb-score" }, [el("strong", { text: t("sbScore", { score: res.score }) })])]);
    box.appendChild(el("h3", { text: t("sbObjectives") }));
    var ul = el("ul", { class: "cb-sb-objectives" });
    res.objectives.forEach(function (o) {
      ul.appendChild(el("li", { class: o.met ? "cb-q-right" : "cb-q-wrong" }, [
        el("strong", { text: (o.met ? "✓ " : "✗ ") + o.label }), " (" + Math.round(o.score * 100) + "%)",
        o.feedback ? el("div", { class: "cb-explain" }, [o.feedback, o.lesson_url ? el("a", { href: o.lesson_url, class: "cb-sb-lesson", text: " → " + t("sbLesson") }) : null]) : null]));
    });
    box.appendChild(ul);
    if (res.feedback.length) {
      box.appendChild(el("h3", { text: t("sbAdvice") }));
      box.appendChild(messageList(res.feedback));
    }
    box.appendChild(el("p", null, [el("a", { href: "/api/runs/" + encodeURIComponent(run.id) + "/record", download: "", text: t("sbRecord") })]));
    var again = el("button", { class: "cb-btn", type: "button", text: t("sbRetry"), onclick: function () { self.load(); } });
    box.appendChild(again);
    return box;
  };

  // ---------- lesson read + exercises ----------
  function announceCertificates(container, certs) {
    if (!certs || !certs.length) return;
    container.appendChild(el("p", { class: "cb-result cb-pass", role: "status" }, [t("certIssued", { names: certs.map(function (c) { return c.level_title; }).join(t("enumSep")) }) + " ",
      el("a", { href: "/account", text: t("myProgress") })]));
  }

  function setupRead() {
    var box = document.querySelector(".cb-read[data-lesson]");
    if (!box) return;
    mePromise.then(function (user) {
      if (!user || user.role !== "learner") return;
      var id = box.getAttribute("data-lesson");
      var btn = el("button", { class: "cb-btn", type: "button", text: t("markRead") });
      btn.addEventListener("click", function () {
        btn.disabled = true;
        api("POST", "/api/lessons/" + encodeURIComponent(id) + "/read", {}).then(function (r) {
          if (!r.ok) { btn.disabled = false; box.appendChild(el("p", { class: "cb-error", role: "alert", text: (r.data && r.data.error) || t("readFailed") })); return; }
          btn.textContent = t("isRead");
          announceCertificates(box, r.data.certificates_issued);
        }).catch(function () { btn.disabled = false; box.appendChild(el("p", { class: "cb-error", role: "alert", text: t("readFailed") })); });
      });
      box.appendChild(btn);
    });
  }

  function Exercise(section) {
    this.section = section;
    this.id = section.getAttribute("data-exercise");
    this.body = section.querySelector(".cb-exercise-body") || section.appendChild(el("div", { class: "cb-exercise-body" }));
  }

  Exercise.prototype.load = function () {
    var self = this;
    api("GET", "/api/exercises/" + encodeURIComponent(self.id)).then(function (r) {
      if (r.status === 401) {
        self.body.textContent = "";
        self.body.appendChild(el("p", null, [t("exLogin") + " ", el("a", { href: "/login?next=" + encodeURIComponent(location.pathname), text: t("login") })]));
        return;
      }
      if (!r.ok) { self.body.textContent = (r.data && r.data.error) || t("networkError"); return; }
      self.render(r.data);
    }).catch(function () { self.body.textContent = t("networkError"); });
  };

  Exercise.prototype.render = function (ex) {
    var self = this, sub = ex.submission;
    self.body.textContent = "";
    if (sub && sub.status === "graded") {
      var box = el("div", { class: "cb-result " + (sub.total >= ex.pass ? "cb-pass" : "cb-fail"), "data-cb-graded": "" }, [
        el("p", null, [el("strong", { text: t("exGraded", { total: sub.total, pass: ex.pass }) })])]);
      var ul = el("ul");
      sub.dimensions.forEach(function (d) { ul.appendChild(el("li", { text: t("exDimension", { title: d.title, score: d.score }) })); });
      box.appendChild(ul);
      if (sub.feedback) box.appendChild(el("div", { class: "cb-explain" }, [el("strong", { text: t("exFeedback") }), el("div", { class: "cb-feedback", text: sub.feedback })]));
      self.body.appendChild(box);
      self.body.appendChild(el("details", null, [el("summary", { text: t("exRevision", { n: sub.revision }) }), el("div", { class: "cb-answer", text: sub.body })]));
      return;
    }
    var form = el("form", { class: "cb-exercise-form" });
    var areaId = "cb-ex-" + self.id;
    var area = el("textarea", { id: areaId, rows: "12", maxlength: ex.max_chars });
    area.value = sub ? sub.body : (localStorage.getItem("certbook-ex-" + self.id) || "");
    var count = el("span", { class: "cb-meta", "aria-live": "polite" });
    var update = function () { count.textContent = t("exChars", { n: Array.from(area.value.trim()).length, min: ex.min_chars, max: ex.max_chars }); };
    area.addEventListener("input", function () { update(); try { localStorage.setItem("certbook-ex-" + self.id, area.value); } catch (e) { /* storage full or off */ } });
    update();
    var btn = el("button", { class: "cb-btn", type: "submit", text: sub ? t("exRevise") : t("exSubmit") });
    var status = el("p", { class: "cb-status", "data-cb-status": "" }, [sub ? t("exSaved", { version: t("exRevision", { n: sub.revision }) }) : ""]);
    form.appendChild(el("label", { for: areaId, text: ex.title }));
    form.appendChild(area);
    form.appendChild(el("div", null, [count]));
    form.appendChild(btn);
    form.appendChild(status);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      btn.disabled = true;
      var old = form.querySelector(".cb-error"); if (old) old.remove();
      api("POST", "/api/exercises/" + encodeURIComponent(self.id) + "/submission", { body: area.value }).then(function (r) {
        btn.disabled = false;
        if (!r.ok) { form.appendChild(el("p", { class: "cb-error", role: "alert", text: (r.data && r.data.error) || t("networkError") })); return; }
        btn.textContent = t("exRevise");
        status.textContent = t("exSaved", { version: t("exRevision", { n: r.data.revision }) });
      }).catch(function () { btn.disabled = false; form.appendChild(el("p", { class: "cb-error", role: "alert", text: t("networkError") })); });
    });
    self.body.appendChild(form);
  };

  function setupExercises() {
    var sections = document.querySelectorAll("section.cb-exercise[data-exercise]");
    if (!sections.length) return;
    mePromise.then(function () { sections.forEach(function (s) { new Exercise(s).load(); }); });
  }

  function setupSandboxes() {
    var sections = document.querySelectorAll("section.cb-sandbox[data-sandbox]");
    if (!sections.length) return;
    mePromise.then(function () {
      sections.forEach(function (s) { new Sandbox(s).load(); });
    });
  }

  // The build makes mdBook's sidebar toggle (a label for a hidden checkbox) a focusable
  // button; Enter and Space press it as they would a button.
  function setupSidebarToggle() {
    var toggle = document.getElementById("mdbook-sidebar-toggle");
    if (!toggle) return;
    toggle.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle.click(); }
    });
  }

  function init() {
    setupSidebarToggle();
    // mdBook's sticky menu bar covers anything above it: show the bar inside the content.
    var bar = document.querySelector(".cb-topbar"), main = document.querySelector("main");
    if (bar && main) main.insertBefore(bar, main.firstChild);
    mePromise.then(renderAccount);
    setupSearch();
    setupQuizzes();
    setupSandboxes();
    setupExercises();
    setupRead();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
