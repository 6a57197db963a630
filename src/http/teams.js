// The live team session page: draws the session from /api/team-sessions/{id},
// redraws when the session's event stream says it changed, saves a member's drafts
// as they type, and gives the instructor the console, debrief, what-if and judging.
// Every text is set with textContent: nothing from the server becomes markup.
(function () {
  'use strict';
  var root = document.getElementById('cb-team');
  if (!root) return;
  var id = root.getAttribute('data-session');
  var csrf = root.getAttribute('data-csrf');
  var staff = root.getAttribute('data-staff') === '1';
  var M = JSON.parse(root.getAttribute('data-msgs') || '{}');
  var lang = document.documentElement.lang || 'en';
  var view = null;
  var deadlineAt = null;
  // This member's own edits, kept across redraws until the round moves on.
  var edits = {};
  var editsRound = 0;
  var saveTimers = {};
  var COLORS = ['#23698c', '#b45309', '#15803d', '#7c3aed', '#be123c', '#0f766e', '#4d7c0f', '#a16207'];

  // Messages arrive without their `teamjs-` prefix.
  function t(k, args) {
    var s = M[k.replace(/^teamjs-/, '')] || k;
    if (args) Object.keys(args).forEach(function (n) { s = s.split('{' + n + '}').join(String(args[n])); });
    return s;
  }
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') e.textContent = v;
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    });
    (kids || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function num(v, d) {
    if (v === null || v === undefined) return '—';
    return Number(v).toLocaleString(lang, { maximumFractionDigits: d === undefined ? 2 : d });
  }
  function show(v, s) { return s.percent ? num(v * 100, 1) + '%' : num(v, s.decimals); }
  function section(name) { return document.getElementById('cb-team-' + name); }
  function fill(name, kids) {
    var s = section(name);
    s.replaceChildren.apply(s, kids.filter(Boolean));
    s.hidden = kids.filter(Boolean).length === 0;
  }
  function error(e) {
    var p = section('error');
    p.textContent = e ? t('teamjs-error', { error: (e && e.error) || String(e) }) : '';
    p.hidden = !e;
  }
  function api(method, path, body) {
    return fetch('/api/team-sessions/' + encodeURIComponent(id) + path, {
      method: method,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 204) return null;
      return r.json().then(function (j) { if (!r.ok) throw j; return j; });
    });
  }
  function load() { return api('GET', '').then(draw, error); }
  function act(method, path, body) {
    error(null);
    // A refusal often means the page is behind (the round moved on): read the session again.
    return api(method, path, body).then(function (v) { if (v && v.revision !== undefined) draw(v, true); return v; }, function (e) { error(e); refresh(); throw e; });
  }

  function chart(title, series, fmt) {
    var w = 520, h = 200, pad = 36;
    var all = [];
    series.forEach(function (s) { all = all.concat(s.values); });
    if (!all.length) return null;
    var lo = Math.min.apply(null, all), hi = Math.max.apply(null, all);
    if (hi === lo) { hi += 1; lo -= 1; }
    var n = Math.max.apply(null, series.map(function (s) { return s.values.length; }));
    var x = function (i) { return pad + (w - 2 * pad) * (n > 1 ? i / (n - 1) : 0.5); };
    var y = function (v) { return h - pad - (h - 2 * pad) * (v - lo) / (hi - lo); };
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    svg.setAttribute('class', 'cb-chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', title);
    function add(tag, a, text) {
      var e = document.createElementNS(ns, tag);
      Object.keys(a).forEach(function (k) { e.setAttribute(k, a[k]); });
      if (text !== undefined) e.textContent = text;
      svg.appendChild(e);
      return e;
    }
    add('line', { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, stroke: '#aab' });
    add('text', { x: 2, y: y(hi) + 4, 'font-size': 11, fill: '#444' }, fmt(hi));
    add('text', { x: 2, y: y(lo) + 4, 'font-size': 11, fill: '#444' }, fmt(lo));
    // A series may name its colour slot and be dashed (a what-if beside the real line).
    var colour = function (s, k) { return COLORS[(s.slot === undefined ? k : s.slot) % COLORS.length]; };
    series.forEach(function (s, k) {
      var pts = s.values.map(function (v, i) { return x(i) + ',' + y(v); }).join(' ');
      var line = { points: pts, fill: 'none', stroke: colour(s, k), 'stroke-width': 2.5, 'data-team': s.name };
      if (s.dash) line['stroke-dasharray'] = '6 4';
      add('polyline', line);
      s.values.forEach(function (v, i) { add('circle', { cx: x(i), cy: y(v), r: 3, fill: colour(s, k) }); });
    });
    var legend = el('p', { class: 'cb-meta' }, series.map(function (s, k) {
      return el('span', { style: 'color:' + colour(s, k) + ';margin-right:1rem' }, [(s.dash ? '┅ ' : '■ ') + s.name]);
    }));
    return el('figure', { 'data-chart': title }, [el('figcaption', { text: title }), svg, series.length > 1 ? legend : null]);
  }

  function statusLine(v) {
    var bits = [];
    var r = v.open_round || Math.min(v.round + 1, v.rounds);
    if (v.status !== 'finished') bits.push(t('teamjs-round', { n: r, rounds: v.rounds }));
    bits.push(t('teamjs-status-' + v.status));
    if (v.me) {
      var team = v.teams.filter(function (x) { return x.team === v.me.team; })[0];
      bits.push(t('teamjs-your-team', { team: team ? team.name : v.me.team }));
      if (v.roles.length) {
        var roles = v.me.roles.map(function (r) { return roleLabel(v, r); }).join(t('teamjs-list-sep'));
        bits.push(t('teamjs-your-roles', { roles: roles || t('teamjs-no-roles') }));
      }
      if (v.me.captain) bits.push(t('teamjs-captain'));
    }
    section('status').textContent = bits.join(' · ');
  }
  function roleLabel(v, r) {
    var x = v.roles.filter(function (y) { return y.id === r; })[0];
    return x ? x.label : r;
  }
  function ownerOf(v, decision) {
    var x = v.roles.filter(function (r) { return r.decisions.indexOf(decision) >= 0; })[0];
    return x ? x.label : '';
  }

  function tick() {
    var c = section('clock');
    if (!view || !(view.status === 'open' || view.status === 'paused') || deadlineAt === null) { c.textContent = ''; return; }
    var left = view.status === 'paused' ? view.time_left_ms : Math.max(0, deadlineAt - Date.now());
    var s = Math.ceil(left / 1000);
    var mm = Math.floor(s / 60), ss = s % 60;
    c.textContent = t('teamjs-time-left', { time: mm + ':' + (ss < 10 ? '0' : '') + ss });
    // At the deadline the server closes the round; the event stream brings the result.
  }

  function draftOf(play, decision) {
    return play.drafts.filter(function (d) { return d.decision === decision; })[0];
  }

  function decisionBox(v, play, d, mine, locked) {
    var draft = draftOf(play, d.id);
    var value = mine && edits[d.id] !== undefined ? edits[d.id] : draft ? draft.value : play.defaults[d.id];
    var box = el('fieldset', { class: 'cb-team-decision', 'data-decision': d.id, 'data-mine': mine ? '1' : '0' }, [
      el('legend', { text: d.label })
    ]);
    var owner = ownerOf(v, d.id);
    if (owner) box.appendChild(el('p', { class: 'cb-meta', text: t('teamjs-owned-by', { role: owner }) }));
    if (d.help) box.appendChild(el('p', { class: 'cb-meta', text: d.help }));
    var disabled = !mine || locked || (draft && draft.submitted);
    var save = function () { if (mine) queueDraft(d.id); };
    if (d.kind === 'choose') {
      d.options.forEach(function (o) {
        var input = el('input', { type: 'radio', name: 'cb-d-' + d.id, value: o.id, disabled: disabled, checked: value === o.id, onchange: function () { edits[d.id] = o.id; save(); } });
        box.appendChild(el('label', {}, [input, ' ' + o.label]));
      });
    } else {
      var sumLine = el('p', { class: 'cb-meta' });
      var current = function () {
        var out = {};
        box.querySelectorAll('input[type=number]').forEach(function (i) { out[i.getAttribute('data-option')] = Number(i.value || 0); });
        return out;
      };
      var showSum = function () {
        var s = 0; var c = current(); Object.keys(c).forEach(function (k) { s += c[k]; });
        sumLine.textContent = d.total !== undefined && d.total !== null ? t('teamjs-allocated', { sum: num(s), total: num(d.total) }) : '';
      };
      d.options.forEach(function (o) {
        var v0 = value && typeof value === 'object' && value[o.id] !== undefined ? value[o.id] : (o.min || 0);
        var input = el('input', { type: 'number', id: 'cb-d-' + d.id + '-' + o.id, 'data-option': o.id, min: o.min, max: o.max, step: d.step || 'any', value: v0, disabled: disabled,
          oninput: function () { edits[d.id] = current(); showSum(); save(); } });
        box.appendChild(el('label', { for: 'cb-d-' + d.id + '-' + o.id }, [o.label + (d.unit ? ' (' + d.unit + ')' : '') + ' ']));
        box.appendChild(input);
      });
      box.appendChild(sumLine);
      setTimeout(showSum, 0);
    }
    if (draft) {
      box.appendChild(el('p', { class: 'cb-team-draft', text: t('teamjs-drafted-by', { name: draft.user_name }) + (draft.submitted ? ' · ' + t('teamjs-submitted') : '') }));
    }
    return box;
  }

  function queueDraft(decision) {
    clearTimeout(saveTimers[decision]);
    saveTimers[decision] = setTimeout(function () {
      if (!view || !view.open_round) return;
      api('PUT', '/draft', { round: view.open_round, decision: decision, value: edits[decision] }).then(function () { error(null); }, error);
    }, 350);
  }

  function mineNow(v, play) {
    var out = {};
    (v.me ? v.me.owns : []).forEach(function (k) {
      var draft = draftOf(play, k);
      var val = edits[k] !== undefined ? edits[k] : draft ? draft.value : play.defaults[k];
      if (val !== undefined && val !== null) out[k] = val;
    });
    return out;
  }

  function drawRound(v, prev) {
    var play = v.my_team;
    if (!v.me || !play) return fill('round', []);
    if (v.open_round !== editsRound) { edits = {}; editsRound = v.open_round; }
    // While the member types in one of their own decisions, redraw only the teammates'
    // boxes, so the field keeps its focus and caret.
    var a = document.activeElement;
    var typingMine = a && a.closest && a.closest('#cb-team-round fieldset[data-mine="1"]');
    if (typingMine && prev && prev.open_round === v.open_round && v.status === 'open' && play.next) {
      section('round').querySelectorAll('fieldset[data-mine="0"]').forEach(function (old) {
        var d = play.next.decisions.filter(function (x) { return x.id === old.getAttribute('data-decision'); })[0];
        if (d) old.replaceWith(decisionBox(v, play, d, false, false));
      });
      return;
    }
    var kids = [];
    if (v.pick_roles && v.status !== 'finished') {
      var picks = el('fieldset', { class: 'cb-team-decision' }, [el('legend', { text: t('teamjs-roles-pick') })]);
      v.roles.forEach(function (r) {
        picks.appendChild(el('label', {}, [el('input', { type: 'checkbox', value: r.id, checked: v.me.roles.indexOf(r.id) >= 0 }), ' ' + r.label]));
      });
      picks.appendChild(el('button', { type: 'button', class: 'cb-btn', text: t('teamjs-save-roles'), onclick: function () {
        var roles = Array.prototype.map.call(picks.querySelectorAll('input:checked'), function (i) { return i.value; });
        act('POST', '/roles', { roles: roles });
      } }));
      kids.push(picks);
    }
    var n = play.next;
    if (v.open_round && n) {
      var team = v.teams.filter(function (x) { return x.team === v.me.team; })[0];
      var done = team && team.submitted;
      kids.push(el('h2', { text: n.title || t('teamjs-round', { n: n.round, rounds: v.rounds }) }));
      if (n.text) kids.push(el('p', { text: n.text }));
      n.messages.forEach(function (m) { kids.push(el('p', { class: 'cb-meta', text: m.text })); });
      var form = el('form', { class: 'cb-team-round', onsubmit: function (e) { e.preventDefault(); } });
      n.decisions.forEach(function (d) { form.appendChild(decisionBox(v, play, d, v.me.owns.indexOf(d.id) >= 0, done || v.status !== 'open')); });
      if (done) {
        form.appendChild(el('p', { class: 'cb-team-in', text: t('teamjs-team-submitted') }));
      } else if (v.status === 'open') {
        if (v.me.owns.length) {
          form.appendChild(el('button', { type: 'button', class: 'cb-btn', 'data-action': 'submit', text: t('teamjs-submit-mine'), onclick: function () {
            act('POST', '/submit', { round: v.open_round, decisions: mineNow(v, play) });
          } }));
        }
        if (v.me.captain) {
          form.appendChild(el('button', { type: 'button', class: 'cb-btn', 'data-action': 'confirm', text: t('teamjs-confirm'), onclick: function () {
            var mine = mineNow(v, play);
            var save = Object.keys(mine).map(function (k) { return api('PUT', '/draft', { round: v.open_round, decision: k, value: mine[k] }); });
            Promise.all(save).then(function () { return act('POST', '/confirm', { round: v.open_round }); }).catch(error);
          } }));
        }
      }
      kids.push(form);
    }
    fill('round', kids);
  }

  function drawBoard(v) {
    var head = [el('th', { scope: 'col', text: t('teamjs-team') }), el('th', { scope: 'col', text: t('teamjs-members') })];
    if (v.open_round) head.push(el('th', { scope: 'col', text: t('teamjs-round', { n: v.open_round, rounds: v.rounds }) }));
    v.leaderboard.forEach(function (_, i) { head.push(el('th', { scope: 'col', text: t('teamjs-after-round', { n: i + 1 }) })); });
    var order = v.teams.map(function (x, i) { return i; });
    var last = v.leaderboard[v.leaderboard.length - 1];
    if (last) order.sort(function (a, b) { return last[b] - last[a]; });
    var rows = order.map(function (i) {
      var tm = v.teams[i];
      var cells = [
        el('th', { scope: 'row' }, [tm.name + (v.me && v.me.team === tm.team ? ' ★' : '')]),
        el('td', { text: tm.members.map(function (m) { return m.captain ? t('teamjs-member-captain', { name: m.name }) : m.name; }).join(t('teamjs-list-sep')) })
      ];
      if (v.open_round) cells.push(el('td', { class: tm.submitted ? 'cb-team-in' : 'cb-team-wait', text: tm.submitted ? t('teamjs-in') : t('teamjs-waiting') }));
      v.leaderboard.forEach(function (r) { cells.push(el('td', { text: String(r[i]) })); });
      var tr = el('tr', { 'data-team': tm.team }, cells);
      if (tm.defaulted.length) tr.appendChild(el('td', { class: 'cb-meta', text: t('teamjs-defaulted', { rounds: tm.defaulted.join(', ') }) }));
      return tr;
    });
    fill('board', [
      el('h2', { text: t('teamjs-leaderboard') }),
      el('div', { class: 'cb-table-wrap' }, [el('table', { class: 'cb-team-board' }, [el('thead', {}, [el('tr', {}, head)]), el('tbody', {}, rows)])])
    ]);
  }

  function drawState(v) {
    var play = v.my_team;
    if (!play) return fill('state', []);
    var kids = [el('h2', { text: t('teamjs-state') })];
    play.state.filter(function (s) { return s.chart; }).forEach(function (s) {
      kids.push(chart(s.label, [{ name: play.name, values: s.values }], function (x) { return show(x, s); }));
    });
    var rows = play.state.map(function (s) {
      return el('tr', {}, [el('th', { scope: 'row', text: s.label + (s.unit ? ' (' + s.unit + ')' : '') }), el('td', { text: show(s.values[s.values.length - 1], s) })]);
    });
    kids.push(el('table', {}, [el('tbody', {}, rows)]));
    if (play.reports.length) {
      kids.push(el('h3', { text: t('teamjs-reports') }));
      play.reports.slice().reverse().forEach(function (r) {
        kids.push(el('h4', { text: t('teamjs-round', { n: r.round, rounds: v.rounds }) + (r.title ? ' · ' + r.title : '') }));
        r.messages.forEach(function (m) { kids.push(el('p', { text: m.text })); });
      });
    }
    if (play.result) {
      kids.push(el('h3', { class: 'cb-team-result', text: t('teamjs-result', { score: play.result.score }) }));
      play.result.objectives.forEach(function (o) { kids.push(el('p', { text: (o.met ? '✓ ' : '✗ ') + o.label + (o.feedback ? ' — ' + o.feedback : '') })); });
    }
    fill('state', kids);
  }

  function drawConsole(v) {
    if (!staff) return fill('console', []);
    var minutes = el('input', { type: 'number', id: 'cb-tc-minutes', min: 1, max: 1440, value: 10 });
    var b = function (action, label, when) {
      return when ? el('button', { type: 'button', class: 'cb-btn', 'data-action': action, text: t(label), onclick: function () {
        act('POST', '/control', { action: action, minutes: Number(minutes.value || 10) });
      } }) : null;
    };
    // Move a member to another team, or change their roles and captaincy.
    var everyone = [];
    v.teams.forEach(function (tm) { tm.members.forEach(function (m) { everyone.push({ m: m, team: tm.team }); }); });
    var who = el('select', { id: 'cb-tm-member' }, everyone.map(function (x, i) { return el('option', { value: i, text: x.m.name }); }));
    var where = el('select', { id: 'cb-tm-team' }, v.teams.map(function (tm) { return el('option', { value: tm.team, text: tm.name }); }));
    var roleBoxes = v.roles.map(function (r) { return el('input', { type: 'checkbox', value: r.id, 'aria-label': r.label }); });
    var captain = el('input', { type: 'checkbox', id: 'cb-tm-captain' });
    var pick = function () {
      var x = everyone[Number(who.value)];
      if (!x) return;
      where.value = x.team;
      roleBoxes.forEach(function (b) { b.checked = x.m.roles.indexOf(b.value) >= 0; });
      captain.checked = x.m.captain;
    };
    who.addEventListener('change', pick);
    setTimeout(pick, 0);
    var move = everyone.length ? el('div', { class: 'cb-filter cb-team-move' }, [
      el('label', { for: 'cb-tm-member', text: t('teamjs-member') }), who,
      el('label', { for: 'cb-tm-team', text: t('teamjs-team') }), where
    ].concat(v.roles.map(function (r, i) { return el('label', {}, [roleBoxes[i], ' ' + r.label]); })).concat([
      el('label', { for: 'cb-tm-captain' }, [captain, ' ' + t('teamjs-captain')]),
      el('button', { type: 'button', class: 'cb-btn', 'data-action': 'assign', text: t('teamjs-assign'), onclick: function () {
        var x = everyone[Number(who.value)];
        var roles = roleBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
        act('POST', '/members', { user_id: x.m.user_id, team: Number(where.value), roles: roles, captain: captain.checked });
      } })
    ])) : null;
    fill('console', [
      el('h2', { text: t('teamjs-console') }),
      el('div', { class: 'cb-team-console' }, [
        el('label', { for: 'cb-tc-minutes', text: t('teamjs-minutes') }), minutes, el('br'),
        b('open', 'teamjs-open', v.status === 'ready'),
        b('extend', 'teamjs-extend', v.status === 'open'),
        b('pause', 'teamjs-pause', v.status === 'open'),
        b('resume', 'teamjs-resume', v.status === 'paused'),
        b('close', 'teamjs-close', v.status === 'open' || v.status === 'paused')
      ]),
      v.status !== 'finished' ? el('h3', { text: t('teamjs-move') }) : null,
      v.status !== 'finished' ? move : null
    ]);
  }

  function drawDebrief(v) {
    if (!staff || !v.all_teams || v.round === 0) return fill('debrief', []);
    var teams = v.all_teams;
    var kids = [el('h2', { text: t('teamjs-debrief') })];
    teams[0].state.forEach(function (s, k) {
      if (!s.chart) return;
      kids.push(chart(s.label, teams.map(function (p) { return { name: p.name, values: p.state[k].values }; }), function (x) { return show(x, s); }));
    });
    // The market report (an industry table): every team's visible numbers after the
    // last round played, a column per team.
    var last = v.leaderboard[v.leaderboard.length - 1] || [];
    var head = [el('th', { scope: 'col', text: '' })].concat(teams.map(function (p) { return el('th', { scope: 'col', text: p.name }); }));
    var rows = teams[0].state.map(function (s, k) {
      return el('tr', {}, [el('th', { scope: 'row', text: s.label + (s.unit ? ' (' + s.unit + ')' : '') })].concat(teams.map(function (p) {
        var vals = p.state[k].values;
        return el('td', { text: show(vals[vals.length - 1], s) });
      })));
    });
    rows.push(el('tr', { class: 'cb-report-score' }, [el('th', { scope: 'row', text: t('teamjs-score') })].concat(teams.map(function (_, i) { return el('td', { text: String(last[i]) }); }))));
    kids.push(el('h3', { text: t('teamjs-market-report', { n: v.round }) }));
    kids.push(el('div', { class: 'cb-table-wrap' }, [el('table', { class: 'cb-market-report', 'data-teams': teams.length }, [el('thead', {}, [el('tr', {}, head)]), el('tbody', {}, rows)])]));
    kids.push(whatIf(v));
    fill('debrief', kids);
  }

  function whatIf(v) {
    var box = el('div', { class: 'cb-what-if' }, [el('h3', { text: t('teamjs-what-if') }), el('p', { class: 'cb-meta', text: t('teamjs-what-if-help') })]);
    var teamSel = el('select', { id: 'cb-wi-team' }, v.teams.map(function (x) { return el('option', { value: x.team, text: x.name }); }));
    var roundSel = el('select', { id: 'cb-wi-round' }, v.leaderboard.map(function (_, i) { return el('option', { value: i + 1, text: String(i + 1) }); }));
    var decSel = el('select', { id: 'cb-wi-decision' });
    var value = el('input', { type: 'text', id: 'cb-wi-value', size: 40 });
    var out = el('div', { class: 'cb-what-if-out' });
    var played = function () {
      var p = v.all_teams[Number(teamSel.value) - 1];
      var r = p && p.reports[Number(roundSel.value) - 1];
      return r ? r.decisions : {};
    };
    var refresh = function () {
      var d = played();
      var keep = decSel.value;
      decSel.replaceChildren.apply(decSel, Object.keys(d).map(function (k) { return el('option', { value: k, text: k }); }));
      if (d[keep] !== undefined) decSel.value = keep;
      var cur = d[decSel.value];
      value.value = typeof cur === 'string' ? cur : JSON.stringify(cur);
    };
    teamSel.addEventListener('change', refresh);
    roundSel.addEventListener('change', refresh);
    decSel.addEventListener('change', function () { var cur = played()[decSel.value]; value.value = typeof cur === 'string' ? cur : JSON.stringify(cur); });
    var run = el('button', { type: 'button', class: 'cb-btn', 'data-action': 'what-if', text: t('teamjs-what-if-run'), onclick: function () {
      var val;
      try { val = JSON.parse(value.value); } catch (e) { val = value.value; }
      var change = {}; change[decSel.value] = val;
      act('POST', '/what-if', { team: Number(teamSel.value), round: Number(roundSel.value), decisions: change }).then(function (w) {
        var rows = w.real.map(function (r, i) {
          var a = r.scores[r.scores.length - 1], b = w.what_if[i].scores[w.what_if[i].scores.length - 1];
          return el('tr', { 'data-team': r.team }, [el('th', { scope: 'row', text: r.name }), el('td', { text: String(a) }), el('td', { text: String(b) }), el('td', { text: (b - a > 0 ? '+' : '') + (b - a) })]);
        });
        var charts = [];
        w.real[0].state.forEach(function (s, k) {
          if (!s.chart) return;
          var series = [];
          w.real.forEach(function (r, i) {
            series.push({ name: r.name + ' · ' + t('teamjs-real'), values: r.state[k].values, slot: i });
            series.push({ name: r.name + ' · ' + t('teamjs-changed'), values: w.what_if[i].state[k].values, slot: i, dash: true });
          });
          charts.push(chart(s.label, series, function (x) { return show(x, s); }));
        });
        out.replaceChildren.apply(out, [el('table', { class: 'cb-what-if-table' }, [
          el('thead', {}, [el('tr', {}, [el('th', { scope: 'col', text: t('teamjs-team') }), el('th', { scope: 'col', text: t('teamjs-real') }), el('th', { scope: 'col', text: t('teamjs-changed') }), el('th', { scope: 'col', text: 'Δ' })])]),
          el('tbody', {}, rows)
        ])].concat(charts.filter(Boolean)));
      }, function () {});
    } });
    box.appendChild(el('div', { class: 'cb-filter' }, [
      el('label', { for: 'cb-wi-team', text: t('teamjs-team') }), teamSel,
      el('label', { for: 'cb-wi-round', text: t('teamjs-round-col') }), roundSel,
      el('label', { for: 'cb-wi-decision', text: t('teamjs-decision') }), decSel,
      el('label', { for: 'cb-wi-value', text: t('teamjs-value') }), value, run
    ]));
    box.appendChild(out);
    setTimeout(refresh, 0);
    return box;
  }

  function drawJudging(v) {
    // Judges score the closing presentations: the forms come once the session is over.
    var judging = staff && v.status === 'finished';
    if (!(judging || v.judging.length)) return fill('judging', []);
    var kids = [el('h2', { text: t('teamjs-judging') })];
    if (v.judging.length) {
      var rows = v.judging.map(function (j) {
        var team = v.teams.filter(function (x) { return x.team === j.team; })[0];
        return el('tr', {}, [el('th', { scope: 'row', text: (team ? team.name : j.team) + (j.best ? ' ★' : '') }), el('td', { text: j.judge }),
          el('td', { text: j.scores.join(' / ') + ' = ' + j.total }), el('td', { text: j.comment })]);
      });
      kids.push(el('table', { class: 'cb-judging' }, [el('tbody', {}, rows)]));
    }
    if (judging) {
      v.teams.forEach(function (tm) {
        var f = el('fieldset', { class: 'cb-team-decision', 'data-judge-team': tm.team }, [el('legend', { text: tm.name })]);
        v.rubric.forEach(function (label, i) {
          var fid = 'cb-j-' + tm.team + '-' + i;
          f.appendChild(el('label', { for: fid, text: label }));
          f.appendChild(el('input', { type: 'number', id: fid, min: 1, max: 5, value: 3, 'data-rubric': i }));
        });
        var cid = 'cb-j-' + tm.team + '-comment';
        f.appendChild(el('label', { for: cid, text: t('teamjs-comment') }));
        var comment = el('textarea', { id: cid, rows: 2 });
        f.appendChild(comment);
        var best = el('input', { type: 'checkbox', id: 'cb-j-' + tm.team + '-best' });
        f.appendChild(el('label', {}, [best, ' ' + t('teamjs-best')]));
        f.appendChild(el('button', { type: 'button', class: 'cb-btn', 'data-action': 'judge', text: t('teamjs-save-judging'), onclick: function () {
          var scores = Array.prototype.map.call(f.querySelectorAll('input[data-rubric]'), function (i) { return Number(i.value); });
          act('POST', '/judging', { team: tm.team, scores: scores, comment: comment.value, best: best.checked });
        } }));
        kids.push(f);
      });
    }
    fill('judging', kids);
  }

  function typing() {
    var a = document.activeElement;
    return a && a.closest && a.closest('#cb-team-debrief, #cb-team-judging, #cb-team-console') !== null;
  }

  // `done`: drawn after the caller's own action, so every part redraws.
  function draw(v, done) {
    var prev = view;
    view = v;
    deadlineAt = v.time_left_ms !== null && v.time_left_ms !== undefined ? Date.now() + v.time_left_ms : null;
    // Nothing changed (a periodic read): keep every form as the person left it.
    if (!done && prev && prev.revision === v.revision && prev.round === v.round && prev.status === v.status) { tick(); return; }
    // One part failing to draw must not stop the others, nor the next update.
    var part = function (f) {
      try { f(); } catch (e) {
        // Kept for whoever debugs the page (and the browser test, which expects none).
        (window.cbTeamErrors = window.cbTeamErrors || []).push(String(e && e.stack || e));
        error({ error: String(e && e.message || e) });
      }
    };
    part(function () { statusLine(v); });
    part(function () { drawRound(v, prev); });
    part(function () { drawBoard(v); });
    part(function () { drawState(v); });
    // The instructor's forms are kept while they type; they redraw when the round moves.
    if (done || !typing() || !prev || prev.round !== v.round || prev.status !== v.status) {
      part(function () { drawConsole(v); });
      part(function () { drawDebrief(v); });
      part(function () { drawJudging(v); });
    }
    tick();
    root.setAttribute('data-revision', v.revision);
    root.setAttribute('data-status', v.status);
    root.setAttribute('data-round', v.round);
  }

  // One read at a time; a change while reading asks for one more read after it.
  var reading = false, again = false, later = null;
  function refresh() {
    if (reading) { again = true; return; }
    reading = true;
    var done = function () {
      reading = false;
      if (again) { again = false; refresh(); }
    };
    load().then(done, done);
  }
  refresh();
  if (window.EventSource) {
    var es = new EventSource('/api/team-sessions/' + encodeURIComponent(id) + '/events');
    es.addEventListener('update', function (e) {
      var p = JSON.parse(e.data);
      if (view && p.revision === view.revision) return;
      // The round moved or the clock changed: now. A draft or a submission: soon, so a
      // busy round does not send every page to the server on every keystroke.
      if (!view || p.overdue || p.round !== view.round || p.status !== view.status) { clearTimeout(later); later = null; refresh(); }
      else if (!later) later = setTimeout(function () { later = null; refresh(); }, 300);
    });
  }
  setInterval(tick, 1000);
  // A safety net for a stream a proxy holds back or drops silently: read now and then anyway.
  setInterval(function () { if (!document.hidden) refresh(); }, 10000);
})();
