// Vigil dashboard: plain ES module, no framework. Every piece of data is put
// in the page with textContent or element properties — never innerHTML.
import uPlot from '/ui/vendor/uPlot.esm.js';

const TOKEN_KEY = 'vigil.token';
const THEME_KEY = 'vigil.theme';
const LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const MAX_POINTS = 300;

const $ = (id) => document.getElementById(id);

const state = {
  /** Server decision time minus local clock (decisions expire in server time). */
  offset: 0,
  incidents: new Map(),
  decisions: new Map(),
  alerts: [],
  suppressions: [],
  series: { t: [], events: [], failures: [] },
  selected: undefined,
  decisionsTotal: 0,
};

// ---- small DOM helpers -------------------------------------------------------

/** Create an element; `props` are element properties (textContent, className, …), never HTML. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('aria-')) node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function levelBadge(level) {
  return el('span', { className: `level level-${LEVELS.includes(level) ? level : 'LOW'}`, textContent: level });
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString();
}

function duration(ms) {
  if (ms <= 0) return 'expired';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

function announce(text) {
  $('announcer').textContent = text;
}

function showError(text) {
  const banner = $('error-banner');
  banner.textContent = text;
  banner.hidden = text === '';
}

// ---- token and API -------------------------------------------------------------

function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function authHeaders() {
  const t = token();
  return t === '' ? {} : { authorization: `Bearer ${t}` };
}

/** Ask for the admin token in a modal dialog; resolves true when one was saved. */
function askToken() {
  const dialog = $('token-dialog');
  const input = $('token-input');
  input.value = '';
  return new Promise((resolve) => {
    const done = (saved) => {
      dialog.removeEventListener('close', onClose);
      resolve(saved);
    };
    const onClose = () => done(dialog.returnValue === 'save' && token() !== '');
    dialog.addEventListener('close', onClose);
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
}

function initTokenDialog() {
  const dialog = $('token-dialog');
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token-input').value.trim();
    if (value.length < 16) {
      $('token-input').setCustomValidity('A token has at least 16 characters');
      $('token-input').reportValidity();
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, value);
    dialog.close('save');
  });
  $('token-input').addEventListener('input', () => $('token-input').setCustomValidity(''));
  $('token-cancel').addEventListener('click', () => dialog.close('cancel'));
  $('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    dialog.close('cancel');
    updateTokenButton();
  });
  $('token-button').addEventListener('click', async () => {
    await askToken();
    updateTokenButton();
    reconnect();
  });
  updateTokenButton();
}

function updateTokenButton() {
  $('token-button').textContent = token() === '' ? 'Admin token' : 'Admin token (set)';
}

/**
 * Call the API. `admin`: a change — ask for the token first when none is
 * kept, and again once if the server refuses it.
 */
async function api(path, { method = 'GET', body, admin = false } = {}) {
  if (admin && token() === '' && !(await askToken())) throw new Error('an admin token is needed for this');
  for (let attempt = 0; ; attempt++) {
    const headers = { ...authHeaders() };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    if ((response.status === 401 || response.status === 403) && attempt === 0) {
      if (await askToken()) {
        updateTokenButton();
        continue;
      }
    }
    const data = response.headers.get('content-type')?.includes('json') ? await response.json() : undefined;
    if (!response.ok) throw new Error(data?.error?.message ?? `${method} ${path}: HTTP ${response.status}`);
    return data;
  }
}

// ---- live stream (SSE over fetch, so the token can go in a header) --------------

let streamController;
let reconnectTimer;

function setStreamState(text, ok) {
  const node = $('stream-state');
  node.textContent = text;
  node.className = `pill ${ok ? 'ok' : 'warn'}`;
}

function reconnect() {
  streamController?.abort();
  clearTimeout(reconnectTimer);
  void connect();
}

async function connect() {
  const controller = new AbortController();
  streamController = controller;
  try {
    const response = await fetch('/api/v1/live', { headers: authHeaders(), signal: controller.signal, cache: 'no-store' });
    if (response.status === 401 || response.status === 403) {
      setStreamState('token needed', false);
      showError('Reading this dashboard needs a token with the read scope: use “Admin token”.');
      return;
    }
    if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
    showError('');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        dispatch(block);
      }
    }
  } catch (err) {
    if (controller.signal.aborted) return;
    console.warn('live stream:', err.message);
  }
  if (streamController !== controller) return;
  setStreamState('reconnecting', false);
  reconnectTimer = setTimeout(connect, 2000);
}

function dispatch(block) {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (data === '') return;
  let payload;
  try {
    payload = JSON.parse(data);
  } catch {
    return;
  }
  switch (event) {
    case 'hello':
      setStreamState('live', true);
      void loadSnapshot();
      break;
    case 'tick':
      onTick(payload);
      break;
    case 'incident':
      upsertIncident(payload, true);
      break;
    case 'decision':
      onDecision(payload);
      break;
    case 'protection':
      renderProtection(payload);
      break;
    case 'alert':
      state.alerts.unshift(payload);
      state.alerts.length = Math.min(state.alerts.length, 50);
      renderAlerts();
      break;
    case 'resync':
    case 'dropped':
      void loadSnapshot();
      break;
  }
}

// ---- state updates ----------------------------------------------------------------

async function loadSnapshot() {
  try {
    const snap = await api('/api/v1/dashboard');
    state.offset = snap.now - Date.now();
    state.series = { t: [], events: [], failures: [] };
    for (const point of snap.series) pushPoint(point);
    state.incidents = new Map(snap.incidents.map((i) => [i.id, i]));
    state.decisions = new Map(snap.decisions.map((d) => [d.id, d]));
    state.decisionsTotal = snap.decisionsTotal;
    state.alerts = snap.alerts;
    state.suppressions = snap.suppressions;
    renderStatus(snap.status);
    renderTop(snap.top);
    renderIncidents();
    renderBlocked();
    renderAlerts();
    renderSuppressions();
    redrawChart();
  } catch (err) {
    showError(`Could not load the dashboard: ${err.message}`);
  }
}

function pushPoint(point) {
  const s = state.series;
  s.t.push(point.t / 1000);
  s.events.push(point.events);
  s.failures.push(point.failures);
  if (s.t.length > MAX_POINTS) {
    s.t.shift();
    s.events.shift();
    s.failures.shift();
  }
}

function onTick(tick) {
  state.offset = tick.status.at - Date.now();
  pushPoint(tick.point);
  $('rate-events').textContent = String(tick.point.events);
  $('rate-failures').textContent = String(tick.point.failures);
  redrawChart();
  renderStatus(tick.status);
  renderTop(tick.top);
  renderBlocked();
}

function upsertIncident(summary, live) {
  const known = state.incidents.has(summary.id);
  state.incidents.set(summary.id, summary);
  renderIncidents(live && !known ? summary.id : undefined);
  if (live && !known) announce(`New ${summary.level} incident: ${summary.subject.scope} ${summary.subject.value}`);
  if (state.selected === summary.id) renderVerdict(summary.feedback);
}

function onDecision(change) {
  if (change.type === 'added') {
    if (!state.decisions.has(change.decision.id)) state.decisionsTotal++;
    state.decisions.set(change.decision.id, change.decision);
  } else {
    forgetDecision(change.decision.id);
  }
  renderBlocked();
}

/** Drop a decision we know of (idempotent: the API answer and the stream both report an unblock). */
function forgetDecision(id) {
  if (state.decisions.delete(id)) state.decisionsTotal = Math.max(0, state.decisionsTotal - 1);
}

// ---- rendering ----------------------------------------------------------------------

function renderStatus(status) {
  const health = $('health');
  health.textContent = `health: ${status.health}`;
  health.className = `pill ${status.health === 'HEALTHY' ? 'ok' : status.health === 'WARNING' ? 'warn' : 'bad'}`;
  const list = $('levels');
  list.replaceChildren(...LEVELS.map((level) => el('li', {}, levelBadge(level), el('b', { textContent: String(status.incidents[level] ?? 0) }))));
  $('blocked-count').textContent = String(status.blockedIps);
  $('blocked-ranges').textContent = String(status.blockedRanges);
  renderProtection(status.protectionMode);
  const s = state.series;
  const from = Math.max(0, s.t.length - 60);
  let events = 0;
  let failures = 0;
  for (let i = from; i < s.t.length; i++) {
    events += s.events[i];
    failures += s.failures[i];
  }
  $('failure-rate').textContent = events === 0 ? '–' : `${((failures / events) * 100).toFixed(1)} %`;
}

function renderProtection(protection) {
  const banner = $('protection-banner');
  if (!protection?.active) {
    banner.hidden = true;
    banner.textContent = '';
    return;
  }
  const until = protection.until === undefined || protection.until === null ? 'until switched off' : `until ${clock(protection.until)}`;
  const text = `Protection mode is ON (${protection.trigger ?? 'auto'}, ${until})${protection.reason ? `: ${protection.reason}` : ''}`;
  if (banner.textContent !== text) banner.textContent = text;
  banner.hidden = false;
}

function renderIncidents(freshId) {
  const body = $('incidents').tBodies[0];
  const incidents = [...state.incidents.values()].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, 100);
  replaceRows(
    body,
    incidents.map((incident) => {
      const open = el('button', { type: 'button', textContent: 'Details', 'aria-label': `Details of incident ${incident.id} (${incident.subject.value})` });
      open.addEventListener('click', () => void openDetail(incident.id));
      const verdict = incident.feedback ? (incident.feedback.verdict === 'false_positive' ? 'false positive' : 'true positive') : '–';
      return el(
        'tr',
        { className: incident.id === freshId ? 'fresh' : '', dataset: { id: incident.id, subject: incident.subject.value } },
        el('td', {}, levelBadge(incident.level)),
        el('td', { className: 'mono', textContent: `${incident.subject.scope === 'user' ? 'user ' : ''}${incident.subject.value}` }),
        el('td', { textContent: `${incident.detections} · ${incident.types.join(', ')}` }),
        el('td', { textContent: incident.status }),
        el('td', { textContent: clock(incident.updatedAt) }),
        el('td', { className: 'verdict', textContent: verdict }),
        el('td', {}, open),
      );
    }),
  );
  $('incidents-empty').hidden = incidents.length > 0;
}

/** Replace a table body's rows, keeping keyboard focus on the same row's button. */
function replaceRows(body, rows) {
  const focused = document.activeElement;
  const row = focused instanceof HTMLButtonElement && body.contains(focused) ? focused.closest('tr')?.dataset.id : undefined;
  body.replaceChildren(...rows);
  if (row !== undefined) body.querySelector(`tr[data-id="${CSS.escape(row)}"] button`)?.focus();
}

let blockedShown = '';

function renderBlocked() {
  const body = $('blocked').tBodies[0];
  const now = Date.now() + state.offset;
  const active = [...state.decisions.values()].filter((d) => d.until > now).sort((a, b) => a.until - b.until);
  const shown = active.map((d) => d.id).join(',');
  if (shown === blockedShown) {
    // Same rows: only the time left changes (no focus lost every second).
    for (const tr of body.rows) {
      const decision = state.decisions.get(tr.dataset.id);
      if (decision) tr.cells[1].textContent = duration(decision.until - now);
    }
    return;
  }
  blockedShown = shown;
  replaceRows(
    body,
    active.map((decision) => {
      const unblock = el('button', { type: 'button', className: 'danger', textContent: 'Unblock', 'aria-label': `Unblock ${decision.value}` });
      unblock.addEventListener('click', () => void unblockDecision(decision, unblock));
      return el(
        'tr',
        { dataset: { id: decision.id, value: decision.value } },
        el('td', { className: 'mono', textContent: `${decision.value}${decision.simulated ? ' (simulated)' : ''}` }),
        el('td', { textContent: duration(decision.until - now) }),
        el('td', { textContent: decision.reason }),
        el('td', {}, unblock),
      );
    }),
  );
  $('blocked-empty').hidden = active.length > 0;
  $('blocked-more').textContent = state.decisionsTotal > state.decisions.size ? `Showing the newest ${state.decisions.size} of ${state.decisionsTotal} decisions.` : '';
}

async function unblockDecision(decision, button) {
  button.disabled = true;
  try {
    await api(`/api/v1/decisions/${encodeURIComponent(decision.id)}`, { method: 'DELETE', admin: true });
    forgetDecision(decision.id);
    renderBlocked();
    announce(`${decision.value} unblocked`);
  } catch (err) {
    showError(`Unblock failed: ${err.message}`);
    button.disabled = false;
  } finally {
    updateTokenButton();
  }
}

function renderAlerts() {
  const list = $('alerts');
  list.replaceChildren(
    ...state.alerts.slice(0, 50).map((alert) =>
      el('li', {}, el('time', { textContent: clock(alert.at) }), levelBadge(alert.level), ` ${alert.title}${alert.subject ? ` — ${alert.subject.value}` : ''}`),
    ),
  );
  $('alerts-empty').hidden = state.alerts.length > 0;
}

function renderTopTable(id, entries) {
  $(id).tBodies[0].replaceChildren(...entries.map((e) => el('tr', {}, el('td', { className: 'mono', textContent: e.key }), el('td', { textContent: String(e.count) }))));
}

function renderTop(top) {
  renderTopTable('top-ips', top.ips);
  renderTopTable('top-users', top.usernames);
  renderTopTable('countries', top.countries);
}

function renderSuppressions() {
  $('suppressions').replaceChildren(
    ...state.suppressions.map((s) => el('li', {}, el('span', { className: 'mono', textContent: `${s.detector} · ${s.scope} ${s.value}` }), ` until ${new Date(s.until).toLocaleString()}`)),
  );
  $('suppressions-empty').hidden = state.suppressions.length > 0;
}

// ---- incident detail and feedback -----------------------------------------------------

async function openDetail(id) {
  state.selected = id;
  const section = $('detail');
  section.hidden = false;
  $('detail-title').textContent = `Incident ${id}`;
  $('detail-evidence').textContent = 'loading…';
  try {
    const incident = await api(`/api/v1/incidents/${encodeURIComponent(id)}`);
    const facts = [
      ['Subject', `${incident.subject.scope} ${incident.subject.value}`],
      ['Level', incident.level],
      ['Confidence', incident.confidence.toFixed(2)],
      ['Status', incident.status],
      ['Opened', new Date(incident.openedAt).toLocaleString()],
      ['Updated', new Date(incident.updatedAt).toLocaleString()],
      ['Reasons', (incident.reasons ?? []).join('; ') || '–'],
    ];
    $('detail-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })]));
    // Evidence is attacker-influenced text: shown as text only.
    $('detail-evidence').textContent = JSON.stringify(incident.detections, null, 2);
    $('fb-allowlist').disabled = incident.subject.scope !== 'ip';
    renderVerdict(incident.feedback);
  } catch (err) {
    $('detail-evidence').textContent = `Could not load: ${err.message}`;
  }
  section.focus();
}

function renderVerdict(feedback) {
  $('detail-verdict').textContent = feedback
    ? `Verdict: ${feedback.verdict === 'false_positive' ? 'false positive' : 'true positive'} by ${feedback.by} at ${new Date(feedback.at).toLocaleString()}${feedback.note ? ` — ${feedback.note}` : ''}`
    : 'No verdict yet.';
}

async function sendFeedback(verdict) {
  const id = state.selected;
  if (id === undefined) return;
  const falsePositive = verdict === 'false_positive';
  const body = { verdict };
  if (falsePositive) {
    body.unblock = $('fb-unblock').checked;
    body.allowlist = $('fb-allowlist').checked && !$('fb-allowlist').disabled;
    body.suppress = $('fb-suppress').checked;
  }
  const note = $('fb-note').value.trim();
  if (note !== '') body.note = note;
  try {
    const result = await api(`/api/v1/incidents/${encodeURIComponent(id)}/feedback`, { method: 'POST', body, admin: true });
    const known = state.incidents.get(id);
    if (known) upsertIncident({ ...known, feedback: result.incident.feedback }, false);
    renderVerdict(result.incident.feedback);
    for (const d of result.unblocked) forgetDecision(d.id);
    renderBlocked();
    if (result.suppressions.length > 0) {
      const ids = new Set(state.suppressions.map((s) => s.id));
      state.suppressions.push(...result.suppressions.filter((s) => !ids.has(s.id)));
      renderSuppressions();
    }
    announce(`Incident ${id} marked ${falsePositive ? 'false positive' : 'true positive'}`);
  } catch (err) {
    showError(`Feedback failed: ${err.message}`);
  } finally {
    updateTokenButton();
  }
}

function initDetail() {
  $('fb-true').addEventListener('click', () => void sendFeedback('true_positive'));
  $('fb-false').addEventListener('click', () => void sendFeedback('false_positive'));
  $('detail-close').addEventListener('click', () => {
    $('detail').hidden = true;
    state.selected = undefined;
  });
}

// ---- chart and theme -----------------------------------------------------------------

let chart;

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function buildChart() {
  chart?.destroy();
  const container = $('chart');
  const grid = { stroke: cssVar('--chart-grid'), width: 1 };
  const axis = { stroke: cssVar('--muted'), grid, ticks: grid };
  chart = new uPlot(
    {
      width: Math.max(280, container.clientWidth),
      height: 220,
      series: [
        {},
        { label: 'events/s', stroke: cssVar('--chart-events'), width: 2, points: { show: false } },
        { label: 'login failures/s', stroke: cssVar('--chart-failures'), width: 2, dash: [6, 3], points: { show: false } },
      ],
      axes: [{ ...axis, space: 90, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour12: false })) }, axis],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.1)] } },
    },
    [state.series.t, state.series.events, state.series.failures],
    container,
  );
}

function redrawChart() {
  chart?.setData([state.series.t, state.series.events, state.series.failures]);
}

function applyTheme(theme) {
  if (theme === 'dark' || theme === 'light') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  const dark = theme === 'dark' || (theme !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
  const toggle = $('theme-toggle');
  toggle.setAttribute('aria-pressed', String(dark));
  toggle.textContent = dark ? 'Light theme' : 'Dark theme';
  buildChart();
}

function initTheme() {
  applyTheme(localStorage.getItem(THEME_KEY) ?? undefined);
  $('theme-toggle').addEventListener('click', () => {
    const dark = $('theme-toggle').getAttribute('aria-pressed') === 'true';
    const next = dark ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, next);
    applyTheme(next);
  });
  new ResizeObserver(() => chart?.setSize({ width: Math.max(280, $('chart').clientWidth), height: 220 })).observe($('chart'));
}

initTokenDialog();
initDetail();
initTheme();
setStreamState('connecting', false);
void connect();
