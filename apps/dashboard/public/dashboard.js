/* global window, document, location, WebSocket, uPlot */
// The dashboard page: one WebSocket to /feed (the cookie set on first load lets it in), a panel
// per region with uPlot charts of the last minutes and tables of the latest snapshot. Plain
// script, no framework: every value from the streams is written with textContent.
(function () {
  'use strict';
  var POINTS = 180;
  var regions = {};
  var state = { charts: {}, last: null, updates: 0 };
  window.dashboard = state;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fixed(v, digits, suffix) {
    return v === null || v === undefined ? '–' : Number(v).toFixed(digits) + (suffix || '');
  }
  function pct(v) {
    return v === null || v === undefined ? '–' : (v * 100).toFixed(1) + ' %';
  }
  // Test campaigns spend fractions of a unit: four decimals below 100.
  function money(micros) {
    if (micros === null || micros === undefined) return '–';
    return (micros / 1e6).toFixed(micros >= 1e8 ? 2 : 4);
  }

  function chartWidth(root) {
    return Math.max(260, root.clientWidth - 32);
  }

  // A new panel narrows the others (grid columns): every chart follows its panel's width.
  function resizeAll() {
    Object.keys(regions).forEach(function (name) {
      var p = regions[name];
      var w = chartWidth(p.root);
      [p.qps, p.latency, p.rates].forEach(function (u) {
        if (u.width !== w) u.setSize({ width: w, height: 150 });
      });
    });
  }
  window.addEventListener('resize', resizeAll);

  function chart(parent, title, series) {
    var box = el('div', { class: 'chart' });
    box.appendChild(el('h3', {}, title));
    parent.appendChild(box);
    var data = [[]];
    var opts = {
      width: chartWidth(parent),
      height: 150,
      legend: { live: false },
      scales: { x: { time: true } },
      series: [{}],
      axes: [{ stroke: '#8b98a5' }, { stroke: '#8b98a5' }],
    };
    series.forEach(function (s) {
      data.push([]);
      opts.series.push({ label: s.label, stroke: s.color, width: 2, spanGaps: true });
    });
    var u = new uPlot(opts, data, box);
    u.streambid = { data: data };
    return u;
  }

  function tile(parent, key, label) {
    var t = el('div', { class: 'tile' });
    var b = el('b', { 'data-stat': key }, '–');
    t.appendChild(b);
    t.appendChild(el('small', {}, label));
    parent.appendChild(t);
    return b;
  }

  function table(parent, title, headers) {
    parent.appendChild(el('h3', {}, title));
    var t = el('table');
    var tr = el('tr');
    headers.forEach(function (h) {
      tr.appendChild(el('th', { class: h.num ? 'num' : '' }, h.label));
    });
    var head = el('thead');
    head.appendChild(tr);
    t.appendChild(head);
    var body = el('tbody');
    t.appendChild(body);
    parent.appendChild(t);
    return body;
  }

  function panel(name) {
    var root = el('section', { class: 'region', 'data-region': name, 'data-updates': '0' });
    root.appendChild(el('h2', {}, name));
    var tiles = el('div', { class: 'tiles' });
    root.appendChild(tiles);
    document.getElementById('regions').appendChild(root);
    var p = {
      root: root,
      stats: {
        qps: tile(tiles, 'qps', 'requests/s'),
        bidRate: tile(tiles, 'bidRate', 'bid rate'),
        p50: tile(tiles, 'p50', 'p50 ms'),
        p99: tile(tiles, 'p99', 'p99 ms'),
        winRate: tile(tiles, 'winRate', 'win rate'),
        blocklist: tile(tiles, 'blocklist', 'blocklist'),
      },
      qps: chart(root, 'QPS', [{ label: 'req/s', color: '#4fb0ff' }]),
      latency: chart(root, 'latency (ms)', [
        { label: 'p50', color: '#7ee787' },
        { label: 'p99', color: '#ffb347' },
      ]),
      rates: chart(root, 'bid and win rate', [
        { label: 'bid rate', color: '#d2a8ff' },
        { label: 'win rate', color: '#ff7b72' },
      ]),
      campaigns: table(root, 'spend against budget (top campaigns)', [
        { label: 'campaign' },
        { label: 'spend here', num: true },
        { label: 'allowance', num: true },
        { label: 'global / budget', num: true },
        { label: '' },
      ]),
      sites: table(root, 'top invalid sites (blocklist)', [
        { label: 'site' },
        { label: 'score', num: true },
        { label: 'reasons' },
      ]),
      lag: table(root, 'replication lag per remote topic', [
        { label: 'topic' },
        { label: 'from' },
        { label: 'last ms', num: true },
        { label: 'p99 ms (1 s)', num: true },
        { label: 'msg/s', num: true },
      ]),
      targets: el('p', { class: 'muted' }),
    };
    root.appendChild(p.targets);
    state.charts[name] = { qps: p.qps, latency: p.latency, rates: p.rates };
    regions[name] = p;
    resizeAll();
    return p;
  }

  function push(u, x, values) {
    var d = u.streambid.data;
    d[0].push(x);
    values.forEach(function (v, i) {
      d[i + 1].push(v === null || v === undefined ? null : v);
    });
    if (d[0].length > POINTS)
      d.forEach(function (s) {
        s.shift();
      });
  }

  function rows(body, items, cells, attrs) {
    while (body.firstChild) body.removeChild(body.firstChild);
    items.forEach(function (item) {
      var tr = el('tr', attrs ? attrs(item) : {});
      cells(item).forEach(function (c) {
        if (c && c.nodeType) {
          var td = el('td');
          td.appendChild(c);
          tr.appendChild(td);
        } else tr.appendChild(el('td', { class: c.num ? 'num' : '' }, c.text));
      });
      body.appendChild(tr);
    });
  }

  function budgetBar(c) {
    var bar = el('div', { class: 'bar' });
    var share = c.budgetMicros ? c.globalSpendMicros / c.budgetMicros : 0;
    var fill = el('i', { class: share > 1 ? 'over' : '' });
    fill.style.width = Math.min(100, share * 100).toFixed(1) + '%';
    bar.appendChild(fill);
    return bar;
  }

  function apply(s, redraw) {
    var x = s.ts / 1000;
    s.regions.forEach(function (r) {
      var p = regions[r.region] || panel(r.region);
      push(p.qps, x, [r.qps]);
      push(p.latency, x, [r.p50Ms, r.p99Ms]);
      push(p.rates, x, [r.bidRate, r.winRate]);
      if (!redraw) return;
      [p.qps, p.latency, p.rates].forEach(function (u) {
        u.setData(u.streambid.data);
      });
      p.stats.qps.textContent = fixed(r.qps, 0);
      p.stats.bidRate.textContent = pct(r.bidRate);
      p.stats.p50.textContent = fixed(r.p50Ms, 2);
      p.stats.p99.textContent = fixed(r.p99Ms, 2);
      p.stats.winRate.textContent = pct(r.winRate);
      p.stats.blocklist.textContent =
        r.blocklistEntries === null ? String(r.blocklistStreamEntries) : String(r.blocklistEntries);
      p.root.setAttribute('data-qps', String(r.qps));
      p.root.setAttribute('data-updates', String(Number(p.root.getAttribute('data-updates')) + 1));
      rows(
        p.campaigns,
        r.campaigns,
        function (c) {
          return [
            { text: c.name ? c.name + ' (' + c.id + ')' : c.id },
            { text: money(c.spendMicros), num: true },
            { text: money(c.allowanceMicros), num: true },
            { text: money(c.globalSpendMicros) + ' / ' + money(c.budgetMicros), num: true },
            budgetBar(c),
          ];
        },
        function (c) {
          return { 'data-campaign': c.id, 'data-spend-micros': String(c.spendMicros) };
        },
      );
      rows(p.sites, r.invalidSites, function (site) {
        return [
          { text: site.site },
          { text: site.score.toFixed(2), num: true },
          { text: site.reasons.join(', ') },
        ];
      });
      rows(p.lag, r.replication, function (l) {
        return [
          { text: l.topic },
          { text: l.sourceRegion },
          { text: fixed(l.lastMs, 0), num: true },
          { text: fixed(l.p99Ms, 0), num: true },
          { text: String(l.messages), num: true },
        ];
      });
      p.targets.textContent = r.targets
        .map(function (t) {
          return t.service + (t.up ? ' up' : ' DOWN (' + t.error + ')');
        })
        .join(' · ');
      p.targets.className = r.targets.every(function (t) {
        return t.up;
      })
        ? 'muted'
        : 'down';
    });
    state.last = s;
    state.updates++;
  }

  function connect() {
    var status = document.getElementById('status');
    var ws = new WebSocket(
      (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/feed',
    );
    ws.onmessage = function (ev) {
      var msg = JSON.parse(ev.data);
      if (msg.type === 'history') {
        msg.snapshots.forEach(function (s, i) {
          apply(s, i === msg.snapshots.length - 1);
        });
      } else if (msg.type === 'snapshot') apply(msg.snapshot, true);
      status.setAttribute('data-state', 'live');
      status.textContent = 'live · ' + new Date().toLocaleTimeString();
    };
    ws.onclose = function () {
      status.setAttribute('data-state', 'closed');
      status.textContent = 'disconnected; retrying…';
      window.setTimeout(connect, 2000);
    };
  }
  connect();
})();
