// certbook page script: account bar, Chinese-aware search, and server-graded quizzes.
// The page never holds an answer key: questions come from /api without keys, and
// grading happens on the server.
(function () {
  "use strict";

  // Every interface string in one place (zh-CN).
  var T = {
    login: "登录", logout: "退出", myResults: "我的成绩",
    loginToTake: "登录后即可作答，成绩由服务器评定。",
    start: "开始作答", resume: "继续作答", retry: "再做一次", submit: "提交答案",
    submitting: "正在提交……", loading: "正在加载……",
    questions: "题", passMark: "及格线", timeLimit: "限时", minutes: "分钟",
    attemptsLeft: "剩余次数", unlimited: "不限", best: "最好成绩", none: "暂无",
    noAttemptsLeft: "作答次数已用完。", passed: "通过", failed: "未通过",
    score: "得分", right: "正确", wrong: "错误", correctAnswer: "参考答案",
    timeLeft: "剩余时间", timeUp: "时间到，请尽快提交（超时的答卷不计分）。",
    networkError: "网络错误：答案仍保留在页面上，请稍后再次提交。",
    true_: "对", false_: "错", up: "上移", down: "下移", choose: "请选择",
    points: "分", noResults: "没有找到相关课程", searchFailed: "搜索索引加载失败"
  };

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
        return r.text().then(function (t) {
          var data = null;
          try { data = t ? JSON.parse(t) : null; } catch (e) { data = { error: t }; }
          return { status: r.status, ok: r.ok, data: data };
        });
      });
  }

  // ---------- account bar ----------
  var me = null;
  var mePromise = api("GET", "/api/me").then(function (r) {
    if (r.ok) { me = r.data.user; csrf = r.data.csrf; }
    return me;
  }).catch(function () { return null; });

  function renderAccount() {
    var nav = document.getElementById("cb-account");
    if (!nav) return;
    nav.textContent = "";
    if (!me) {
      nav.appendChild(el("a", { href: "/login?next=" + encodeURIComponent(location.pathname), text: T.login }));
      return;
    }
    nav.appendChild(el("span", { text: me.display_name + " · " }));
    nav.appendChild(el("a", { href: "/account", text: T.myResults }));
    nav.appendChild(document.createTextNode(" · "));
    var form = el("form", { method: "post", action: "/logout", style: "display:inline" }, [
      el("input", { type: "hidden", name: "csrf", value: csrf || "" }),
      el("button", { type: "submit", text: T.logout })
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
    function flushWord() { if (Array.from(word).length >= 2) out.push(word); word = ""; }
    Array.from(text).forEach(function (ch) {
      var cp = ch.codePointAt(0);
      if (isCjk(cp)) { flushWord(); run.push(ch); }
      else if (/[\p{L}\p{N}]/u.test(ch)) { flushRun(); word += ch.toLowerCase(); }
      else { flushRun(); flushWord(); }
    });
    flushRun(); flushWord();
    return out;
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
      var postings = index.terms[q[i]];
      if (!postings) return [];
      var idf = Math.log(1 + index.docs.length / postings.length);
      postings.forEach(function (p) {
        var s = scores[p[0]] || (scores[p[0]] = { n: 0, s: 0 });
        s.n += 1; s.s += p[1] * idf;
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
          if (!hits.length) list.appendChild(el("li", { text: T.noResults }));
          hits.forEach(function (d) {
            list.appendChild(el("li", null, [
              el("a", { href: root + d.url, text: d.title }),
              el("span", { class: "cb-crumb", text: d.crumb }),
              el("span", { class: "cb-snippet" }, [snippet(d.text, query)])
            ]));
          });
          list.hidden = false;
        }).catch(function () {
          list.textContent = ""; list.appendChild(el("li", { text: T.searchFailed })); list.hidden = false;
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
    self.body.textContent = T.loading;
    return api("GET", "/api/quizzes/" + encodeURIComponent(self.id)).then(function (r) {
      if (r.status === 401) { self.renderLogin(); return; }
      if (!r.ok) { self.showError(r.data && r.data.error); return; }
      self.renderStatus(r.data);
    }).catch(function () { self.showError(T.networkError); });
  };

  Quiz.prototype.renderLogin = function () {
    this.body.textContent = "";
    this.body.appendChild(el("p", null, [T.loginToTake + " ", el("a", { href: "/login?next=" + encodeURIComponent(location.pathname), text: T.login })]));
  };

  Quiz.prototype.showError = function (msg) {
    var p = this.body.querySelector(".cb-error") || this.body.appendChild(el("p", { class: "cb-error", role: "alert" }));
    p.textContent = msg || T.networkError;
  };

  Quiz.prototype.renderStatus = function (s, result) {
    var self = this;
    self.body.textContent = "";
    if (result) self.body.appendChild(self.renderResult(result));
    var facts = s.question_count + " " + T.questions + " · " + T.passMark + " " + s.pass_mark + "%" +
      (s.time_limit ? " · " + T.timeLimit + " " + Math.round(s.time_limit / 60) + " " + T.minutes : "") +
      " · " + T.attemptsLeft + " " + (s.attempts_left === null ? T.unlimited : s.attempts_left) +
      " · " + T.best + " " + (s.best_percent === null ? T.none : s.best_percent + "%" + (s.passed ? "（" + T.passed + "）" : ""));
    self.body.appendChild(el("p", { class: "cb-status", "data-cb-status": "" }, [facts]));
    if (s.open_attempt) {
      self.body.appendChild(el("button", { class: "cb-btn", type: "button", text: T.resume, onclick: function () { self.start(); } }));
    } else if (s.attempts_left === 0) {
      self.body.appendChild(el("p", { text: T.noAttemptsLeft }));
    } else {
      self.body.appendChild(el("button", { class: "cb-btn", type: "button", text: s.attempts_used ? T.retry : T.start, onclick: function () { self.start(); } }));
    }
  };

  Quiz.prototype.start = function () {
    var self = this;
    api("POST", "/api/quizzes/" + encodeURIComponent(self.id) + "/attempts", {}).then(function (r) {
      if (!r.ok) { self.showError(r.data && r.data.error); return; }
      self.renderAttempt(r.data);
    }).catch(function () { self.showError(T.networkError); });
  };

  Quiz.prototype.renderAttempt = function (a) {
    var self = this;
    var draft = {};
    try { draft = JSON.parse(localStorage.getItem(self.draftKey(a.id)) || "{}"); } catch (e) { draft = {}; }
    self.body.textContent = "";
    var form = el("form", { class: "cb-attempt", novalidate: "" });
    var readers = [];
    self.prompts = {};
    a.questions.forEach(function (q, i) {
      self.prompts[q.id] = q.prompt;
      var fs = el("fieldset", { "data-question": q.id });
      fs.appendChild(el("legend", { text: (i + 1) + ". " + q.prompt + "（" + q.points + " " + T.points + "）" }));
      readers.push([q.id, self.renderQuestion(fs, q, draft[q.id], a.id)]);
      form.appendChild(fs);
    });
    var collect = function () {
      var answers = {};
      readers.forEach(function (r) { var v = r[1](); if (v !== null && v !== undefined && v !== "") answers[r[0]] = v; });
      return answers;
    };
    form.addEventListener("change", function () {
      try { localStorage.setItem(self.draftKey(a.id), JSON.stringify(collect())); } catch (e) { /* storage full or disabled */ }
    });
    var button = el("button", { class: "cb-btn", type: "submit", text: T.submit });
    form.appendChild(button);
    if (a.deadline_ms) {
      var timerEl = el("p", { class: "cb-timer", role: "timer" });
      form.insertBefore(timerEl, form.firstChild);
      var tick = function () {
        var left = Math.round((a.deadline_ms - Date.now() - (a.server_skew_ms || 0)) / 1000);
        if (!document.body.contains(timerEl)) return;
        timerEl.textContent = left > 0 ? T.timeLeft + " " + Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2) : T.timeUp;
        if (left > 0) setTimeout(tick, 1000);
      };
      a.server_skew_ms = a.server_now_ms ? a.server_now_ms - Date.now() : 0;
      tick();
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      button.disabled = true;
      button.textContent = T.submitting;
      api("POST", "/api/attempts/" + encodeURIComponent(a.id) + "/submit", { answers: collect() }).then(function (r) {
        if (!r.ok) {
          button.disabled = false; button.textContent = T.submit;
          self.showError(r.data && r.data.error);
          if (r.status === 409) self.load();
          return;
        }
        try { localStorage.removeItem(self.draftKey(a.id)); } catch (err) { /* ignore */ }
        return api("GET", "/api/quizzes/" + encodeURIComponent(self.id)).then(function (s) {
          self.renderStatus(s.ok ? s.data : r.data.status, r.data);
          self.body.scrollIntoView({ block: "start" });
        });
      }).catch(function () {
        button.disabled = false; button.textContent = T.submit;
        self.showError(T.networkError);
      });
    });
    self.body.appendChild(form);
  };

  // Draws the inputs for one question and returns a function reading its answer.
  Quiz.prototype.renderQuestion = function (fs, q, saved, attemptId) {
    var name = "q-" + attemptId + "-" + q.id;
    if (q.type === "single" || q.type === "multiple" || q.type === "truefalse") {
      var opts = q.type === "truefalse" ? [{ key: true, text: T.true_ }, { key: false, text: T.false_ }] : q.options;
      var kind = q.type === "multiple" ? "checkbox" : "radio";
      var inputs = opts.map(function (o) {
        var input = el("input", { type: kind, name: name, value: String(o.key) });
        if (saved !== undefined && (q.type === "multiple" ? saved.indexOf(o.key) >= 0 : saved === o.key)) input.checked = true;
        fs.appendChild(el("label", null, [input, " " + (q.type === "truefalse" ? "" : o.key + ". ") + o.text]));
        return [input, o.key];
      });
      return function () {
        var picked = inputs.filter(function (p) { return p[0].checked; }).map(function (p) { return p[1]; });
        return q.type === "multiple" ? (picked.length ? picked : null) : (picked.length ? picked[0] : null);
      };
    }
    if (q.type === "fill" || q.type === "numeric") {
      var id = name + "-input";
      var input = el("input", { id: id, type: "text", inputmode: q.type === "numeric" ? "decimal" : "text", autocomplete: "off" });
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
            el("button", { type: "button", class: "cb-btn-small", "aria-label": T.up + "：" + it.text, text: "↑", disabled: i === 0 ? "" : null, onclick: function () { move(i, -1); } }),
            el("button", { type: "button", class: "cb-btn-small", "aria-label": T.down + "：" + it.text, text: "↓", disabled: i === items.length - 1 ? "" : null, onclick: function () { move(i, 1); } })
          ]));
        });
      };
      var move = function (i, d) {
        var j = i + d;
        if (j < 0 || j >= items.length) return;
        var t = items[i]; items[i] = items[j]; items[j] = t;
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
        var sel = el("select", { id: id }, [el("option", { value: "", text: T.choose })].concat(q.right.map(function (r) { return el("option", { value: r.key, text: r.text }); })));
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
    var box = el("div", { class: "cb-result " + (r.passed ? "cb-pass" : "cb-fail"), "data-cb-result": r.passed ? "pass" : "fail", role: "status" });
    box.appendChild(el("p", null, [el("strong", { text: (r.passed ? T.passed : T.failed) + " · " + T.score + " " + r.percent + "%" }), "（" + r.score + " / " + r.max_score + " " + T.points + "）"]));
    var list = el("ol");
    r.questions.forEach(function (q) {
      var key = Array.isArray(q.correct_answer) ? q.correct_answer.join(" ") : (q.correct_answer === true ? T.true_ : q.correct_answer === false ? T.false_ : String(q.correct_answer));
      var prompt = prompts[q.id];
      list.appendChild(el("li", { class: q.correct ? "cb-q-right" : "cb-q-wrong" }, [
        prompt ? el("div", { class: "cb-result-prompt", text: prompt }) : null,
        el("strong", { text: q.correct ? "✓ " + T.right : "✗ " + T.wrong }),
        q.correct ? null : el("span", { text: " · " + T.correctAnswer + "：" + key }),
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

  function init() {
    // mdBook's sticky menu bar covers anything above it: show the bar inside the content.
    var bar = document.querySelector(".cb-topbar"), main = document.querySelector("main");
    if (bar && main) main.insertBefore(bar, main.firstChild);
    mePromise.then(renderAccount);
    setupSearch();
    setupQuizzes();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
