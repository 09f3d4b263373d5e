'use strict';
// The recovery console. It calls only the HTTP API beside it (/api/...), sending the key the page was opened with (?code=).
// Enum names (kinds, tiers, scopes) are read from the API's own OpenAPI document, so the console never lists its own.

const key = new URLSearchParams(location.search).get('code');
const apiBase = location.pathname.replace(/console\/?$/, '');

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The API answered ${status}.`);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (key) headers['x-functions-key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(apiBase + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
const get = path => api('GET', path);
const post = (path, body) => api('POST', path, body);
const withKey = path => apiBase + path + (key ? (path.includes('?') ? '&' : '?') + 'code=' + encodeURIComponent(key) : '');
const q = value => encodeURIComponent(value);

let enumsPromise;
/** The enums of the API, by schema name, from /api/openapi.json. */
function enums() {
  enumsPromise ??= get('openapi.json').then(doc => name => (doc.components.schemas[name]?.enum || []).filter(v => v !== null));
  return enumsPromise;
}

// ---- DOM and formatting helpers ----------------------------------------------------------------------------------

/** Builds an element; text is always text (asset names come from Qlik), never HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const localTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const utc = iso => new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/** A date in the viewer's time zone, with UTC on hover. */
function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  return h('time', { datetime: new Date(iso).toISOString(), title: utc(iso) }, localTime.format(new Date(iso)));
}

/** Seconds of a .NET TimeSpan ("1.02:03:04.5"). */
function seconds(span) {
  const m = /^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(span || '');
  if (!m) return null;
  const s = ((+(m[2] || 0)) * 24 + +m[3]) * 3600 + +m[4] * 60 + +m[5];
  return m[1] ? -s : s;
}

function duration(s) {
  if (s == null) return '—';
  s = Math.abs(s);
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1).replace(/\.0$/, '')} h`;
  return `${Math.round(s / 86400)} d`;
}

const badge = (ok, yes, no) => h('span', { class: 'badge ' + (ok ? 'ok' : 'bad') }, ok ? yes : no);
const problem = err => h('p', { class: 'error', role: 'alert' }, err.message);
const announce = text => { document.getElementById('announce').textContent = text; };
const select = (attrs, options, chosen) => h('select', attrs, options.map(o => {
  const [value, label] = Array.isArray(o) ? o : [o, o];
  return h('option', { value, selected: value === chosen }, label);
}));
const field = (label, control) => h('div', {}, h('label', { for: control.id }, label), control);
const delay = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Polls an operation until it has finished, showing its status in `line`. */
async function follow(id, line, label) {
  for (;;) {
    const op = await get('operations/' + q(id));
    line.textContent = `${label}: ${op.status}`;
    line.dataset.status = op.status;
    if (op.status !== 'Pending' && op.status !== 'Running') {
      announce(`${label}: ${op.status}`);
      return op;
    }
    await delay(1000);
  }
}

let spacesPromise;
/** The tenant's spaces with their tier and RPO state (GET /api/status/spaces); cached per page view. */
const spaces = (fresh) => (fresh || !spacesPromise ? (spacesPromise = get('status/spaces')) : spacesPromise);
const spaceName = (list, id) => list.spaces.find(s => s.spaceId === id)?.name ?? id ?? 'personal';

// ---- Overview ----------------------------------------------------------------------------------------------------

async function overview(view) {
  const [status, space, drillList] = await Promise.all([get('status'), spaces(true), get('drills?take=5')]);
  view.append(
    h('div', { class: 'row' }, h('h1', {}, 'Overview'),
      h('button', { type: 'button', id: 'refresh', onclick: () => route() }, 'Refresh')),
    h('div', { class: 'grid' },
      h('div', {}, heatMap(status, space), lastRuns(status)),
      h('div', {}, openAlerts(status, drillList), backupNow(status))));
}

function heatMap(status, space) {
  const tiers = status.tiers.map(t => t.tier);
  const objective = Object.fromEntries(status.tiers.map(t => [t.tier, seconds(t.objective)]));
  const cell = s => {
    const age = seconds(s.age);
    const state = s.rpoBreached ? 'breached' : age > seconds(s.objective) * 0.75 ? 'warning' : 'ok';
    const words = age == null ? 'never protected' : `${duration(age)} old${s.rpoBreached ? ', over RPO' : ''}`;
    return h('td', { class: 'cell ' + state, 'data-space': s.spaceId, 'data-state': state,
      title: s.protectedAt ? `Protected at ${utc(s.protectedAt)}` : 'No good point and no clean run yet' }, words);
  };
  return h('section', { class: 'card', 'aria-labelledby': 'heat-title' },
    h('h2', { id: 'heat-title' }, 'RPO heat map'),
    h('ul', { class: 'legend' },
      h('li', { class: 'ok-key' }, 'within RPO'), h('li', { class: 'warn-key' }, 'over ¾ of RPO'), h('li', { class: 'bad-key' }, 'RPO breached')),
    h('table', { class: 'heat', id: 'heatmap' },
      h('caption', {}, 'Each space in its tier: the age of its newest good point (or its tier\'s newest clean run) against the tier\'s RPO, as of ', time(space.now), '.'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Space'), tiers.map(t => h('th', { scope: 'col' }, `${t} · RPO ${duration(objective[t])}`)))),
      h('tbody', {}, space.spaces.length === 0 ? h('tr', {}, h('td', { colspan: tiers.length + 1 }, 'No spaces.')) :
        space.spaces.map(s => h('tr', {}, h('th', { scope: 'row' }, s.name, ' ', h('span', { class: 'muted' }, s.type)),
          tiers.map(t => t === s.tier ? cell(s) : h('td', { class: 'empty' })))))));
}

function lastRuns(status) {
  return h('section', { class: 'card', 'aria-labelledby': 'runs-title' },
    h('h2', { id: 'runs-title' }, 'Last runs'),
    h('table', { id: 'runs' },
      h('thead', {}, h('tr', {}, ['Tier', 'Finished', 'Spaces', 'Captured', 'Unchanged', 'Failed', 'Run', 'RPO'].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, status.tiers.map(t => {
        const r = t.lastRun;
        return h('tr', {}, h('th', { scope: 'row' }, t.tier),
          r ? [h('td', {}, time(r.finishedAt)), h('td', {}, r.spaces), h('td', {}, r.summary.captured), h('td', {}, r.summary.unchanged),
            h('td', {}, r.summary.failed), h('td', {}, badge(r.clean, 'clean', r.error ? 'error' : 'failures'))]
            : h('td', { colspan: 6, class: 'muted' }, 'no run yet'),
          h('td', {}, t.hasSpaces ? badge(!t.rpoBreached, 'met', 'breached') : h('span', { class: 'muted' }, 'no spaces')));
      }))));
}

/** Alerts are what needs a person: a tier behind its RPO, a run with failures, a drill that failed. */
function openAlerts(status, drillList) {
  const alerts = [];
  for (const t of status.tiers) {
    if (t.rpoBreached) alerts.push(`${t.tier} is behind its RPO of ${duration(seconds(t.objective))}: ` +
      (t.lastCleanRun ? `last clean run ${duration(seconds(t.age))} ago.` : 'no clean run yet.'));
    if (t.lastRun && !t.lastRun.clean) alerts.push(`${t.tier}'s last run ${t.lastRun.error ? 'failed: ' + t.lastRun.error : `failed to capture ${t.lastRun.summary.failed} asset(s).`}`);
  }
  const drill = drillList[0];
  if (drill && !drill.passed) alerts.push(`Drill ${drill.drillId} failed: ${drill.headline}`);
  return h('section', { class: 'card', 'aria-labelledby': 'alerts-title' },
    h('h2', { id: 'alerts-title' }, `Open alerts (${alerts.length})`),
    alerts.length ? h('ul', { class: 'alerts', id: 'alerts' }, alerts.map(a => h('li', {}, a))) : h('p', { id: 'alerts' }, 'No open alerts.'));
}

function backupNow(status) {
  const tier = select({ id: 'backup-tier' }, status.tiers.map(t => t.tier), 'T1');
  const line = h('p', { id: 'backup-status', role: 'status' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Back up now');
  const form = h('form', { onsubmit: async e => {
    e.preventDefault();
    button.disabled = true;
    try {
      const accepted = await post('backups', { tier: tier.value });
      const op = await follow(accepted.id, line, `Backup of ${tier.value}`);
      const s = op.output?.summary;
      line.textContent = `Backup of ${tier.value}: ${op.status}` + (s ? ` (captured ${s.captured}, unchanged ${s.unchanged}, failed ${s.failed}).` : '') + (op.failure ? ' ' + op.failure : '');
    } catch (err) { line.replaceChildren(problem(err)); } finally { button.disabled = false; }
  } }, h('div', { class: 'row' }, field('Tier', tier), button), line);
  return h('section', { class: 'card', 'aria-labelledby': 'backup-title' }, h('h2', { id: 'backup-title' }, 'Back up now'), form);
}

// ---- Find --------------------------------------------------------------------------------------------------------

async function find(view, params) {
  const [enumOf, space] = await Promise.all([enums(), spaces()]);
  const input = (id, label, type = 'text') => field(label, h('input', { id, name: id, type, value: params.get(id) ?? '' }));
  const results = h('div', { id: 'results' });
  const history = h('div', { id: 'history' });
  const form = h('form', { class: 'filters card', role: 'search', onsubmit: e => { e.preventDefault(); search(new FormData(form), results, history); } },
    input('name', 'Name contains'), input('ownerId', 'Owner id'),
    field('Space', select({ id: 'spaceId', name: 'spaceId' }, [['', 'any'], ...space.spaces.map(s => [s.spaceId, s.name])], params.get('spaceId') ?? '')),
    field('Kind', select({ id: 'kind', name: 'kind' }, [['', 'any'], ...enumOf('AssetKind')], params.get('kind') ?? '')),
    input('from', 'Captured from', 'datetime-local'), input('to', 'Captured to', 'datetime-local'),
    h('button', { type: 'submit', class: 'primary' }, 'Search'));
  view.append(h('h1', {}, 'Find recovery points'), form, results, history);
  if (params.get('asset')) await showHistory(params.get('kind'), params.get('asset'), history);
}

async function search(data, results, history) {
  const query = new URLSearchParams();
  for (const [k, v] of data) {
    if (!v) continue;
    query.set(k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v);
  }
  query.set('take', '100');
  results.replaceChildren(h('p', {}, 'Searching…'));
  try {
    const [points, space] = await Promise.all([get('recovery-points?' + query), spaces()]);
    results.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'results-title' },
      h('h2', { id: 'results-title' }, `${points.length} recovery point${points.length === 1 ? '' : 's'}`, points.length === 100 ? ' (the newest 100)' : ''),
      h('table', {},
        h('thead', {}, h('tr', {}, ['Name', 'Kind', 'Space', 'Owner', 'Captured', 'Status', 'Actions'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, points.map(p => h('tr', {},
          h('td', {}, p.name ?? p.assetId), h('td', {}, p.kind), h('td', {}, spaceName(space, p.spaceId)), h('td', { class: 'mono' }, p.ownerId ?? ''),
          h('td', {}, time(p.capturedAt)), h('td', {}, p.status),
          h('td', {}, h('button', { type: 'button', 'aria-label': `History of ${p.name ?? p.assetId}`,
            onclick: () => showHistory(p.kind, p.assetId, history) }, 'History'))))))));
    announce(`${points.length} recovery points found.`);
  } catch (err) { results.replaceChildren(problem(err)); }
}

/** An asset's versions, newest first, following its id lineage (a deleted app restored under a new id). */
async function showHistory(kind, assetId, history) {
  history.replaceChildren(h('p', {}, 'Loading history…'));
  try {
    const points = [];
    const seen = new Set();
    for (let id = assetId; id && !seen.has(id) && seen.size < 10;) {
      seen.add(id);
      const batch = await get(`assets/${q(kind)}/${q(id)}/history?take=100`);
      points.push(...batch);
      id = batch.find(p => p.restoredAsId)?.restoredAsId;
    }
    points.sort((a, b) => b.capturedAt.localeCompare(a.capturedAt));
    const name = points.find(p => p.name)?.name ?? assetId;
    const compareButton = h('button', { type: 'button', class: 'primary', id: 'compare-selected', disabled: true, onclick: () => {
      const [newer, older] = [...history.querySelectorAll('input[name="pick"]:checked')].map(c => c.value);
      location.hash = `#/compare?a=${q(older)}&b=${q(newer)}`;
    } }, 'Compare the two selected');
    const onPick = () => { compareButton.disabled = history.querySelectorAll('input[name="pick"]:checked').length !== 2; };
    history.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, `History of ${name}`, seen.size > 1 ? ` (ids ${[...seen].join(' → ')})` : ''),
      h('div', { class: 'row' }, compareButton),
      h('table', { id: 'history-table' },
        h('caption', {}, 'Newest first. Who changed it, when and from which client come from Qlik\'s audit events.'),
        h('thead', {}, h('tr', {}, ['Pick', 'Captured', 'Changed by', 'Changed at', 'From client', 'Status', 'Asset id', 'Actions'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, points.map(p => h('tr', { 'data-point': p.pointId },
          h('td', {}, h('input', { type: 'checkbox', name: 'pick', value: p.pointId, 'aria-label': `Pick the point of ${utc(p.capturedAt)}`,
            disabled: p.status !== 'Captured', onchange: onPick })),
          h('td', {}, time(p.capturedAt)), h('td', {}, p.changedBy ?? '—'), h('td', {}, p.changedAt ? time(p.changedAt) : '—'),
          h('td', {}, p.changedFromClient ?? '—'), h('td', {}, p.status, p.restoredAsId ? ` (restored as ${p.restoredAsId})` : ''),
          h('td', { class: 'mono' }, p.assetId),
          h('td', {}, p.status === 'Captured' ? [
            h('a', { href: `#/compare?a=${q(p.pointId)}`, 'aria-label': `Compare with live: the point of ${utc(p.capturedAt)}` }, 'Compare with live'), ' · ',
            h('a', { href: `#/restore?point=${q(p.pointId)}`, 'aria-label': `Restore… the point of ${utc(p.capturedAt)}` }, 'Restore…')] : '')))))));
  } catch (err) { history.replaceChildren(problem(err)); }
}

// ---- Compare -----------------------------------------------------------------------------------------------------

async function compare(view, params) {
  const a = h('input', { id: 'pointA', name: 'pointA', required: true, value: params.get('a') ?? '', class: 'mono' });
  const b = h('input', { id: 'pointB', name: 'pointB', value: params.get('b') ?? '', class: 'mono', placeholder: 'empty = the live asset' });
  const out = h('div', { id: 'comparison' });
  const form = h('form', { class: 'card', onsubmit: e => { e.preventDefault(); location.hash = `#/compare?a=${q(a.value.trim())}` + (b.value.trim() ? `&b=${q(b.value.trim())}` : ''); } },
    h('div', { class: 'row' }, field('Older point (left)', a), field('Newer point (right)', b), h('button', { type: 'submit', class: 'primary' }, 'Compare')));
  view.append(h('h1', {}, 'Compare'), form, out);
  if (!params.get('a')) return;
  out.append(h('p', {}, 'Comparing…'));
  const c = await get(`compare?pointA=${q(params.get('a'))}` + (params.get('b') ? `&pointB=${q(params.get('b'))}` : ''));
  const list = (title, items, id) => h('section', { class: 'card', id }, h('h2', {}, `${title} (${items.length})`),
    items.length ? h('ul', {}, items.map(i => h('li', { class: 'mono' }, i))) : h('p', { class: 'muted' }, 'None.'));
  out.replaceChildren(
    h('p', {}, h('strong', {}, 'Left: '), h('span', { class: 'mono' }, c.left), ' · ', h('strong', {}, 'Right: '), h('span', { class: 'mono' }, c.right),
      ` · ${c.unchanged} part(s) unchanged · `, h('a', { href: `#/restore?point=${q(params.get('a'))}`, id: 'restore-left' }, 'Restore the left point…')),
    h('div', { class: 'sides' }, list('Added', c.added, 'added'), list('Removed', c.removed, 'removed')),
    h('section', { class: 'card', id: 'changed' }, h('h2', {}, `Changed (${c.changed.length})`),
      c.changed.length === 0 ? h('p', { class: 'muted' }, 'None.') : c.changed.map(part => h('details', { open: c.changed.length <= 5 },
        h('summary', { class: 'mono' }, `${part.part} — ${part.changes.length ? part.changes.length + ' change(s)' : 'content differs'}`),
        part.changes.length === 0 ? h('p', { class: 'muted' }, part.part === 'script' ? 'See the line diff of the load script below.' : 'Not a JSON document: no field-level diff.') :
        h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'JSON path'), h('th', { scope: 'col' }, 'Left'), h('th', { scope: 'col' }, 'Right'))),
          h('tbody', {}, part.changes.map(ch => h('tr', {}, h('td', { class: 'mono' }, ch.path),
            h('td', { class: 'mono old' }, ch.old ?? '(absent)'), h('td', { class: 'mono new' }, ch.new ?? '(absent)')))))))),
    h('section', { class: 'card', id: 'script' }, h('h2', {}, 'Load script'),
      !c.script ? h('p', { class: 'muted' }, 'No load script, or unchanged.') : [
        h('p', {}, `${c.script.added} line(s) added, ${c.script.removed} removed.`),
        h('pre', { class: 'diff', 'aria-label': 'Line diff of the load script' }, c.script.lines.map(l => h('span', { class: l.kind },
          `${String(l.oldLine ?? '').padStart(4)} ${String(l.newLine ?? '').padStart(4)} ${l.kind === 'Added' ? '+' : l.kind === 'Removed' ? '-' : ' '} ${l.text}`)))]));
}

// ---- Restore -----------------------------------------------------------------------------------------------------

async function restore(view, params) {
  const [enumOf, space] = await Promise.all([enums(), spaces()]);
  const point = h('input', { id: 'point', required: true, value: params.get('point') ?? '', class: 'mono' });
  const scope = select({ id: 'scope' }, enumOf('RestoreScope'), 'App');
  const objectId = h('input', { id: 'objectId', class: 'mono' });
  const other = select({ id: 'target-space', 'aria-label': 'Other space' }, space.spaces.map(s => [s.spaceId, s.name]));
  const radio = (value, label, checked) => h('label', {}, h('input', { type: 'radio', name: 'target', value, checked }), label);
  const plan = h('div', { id: 'plan' });
  const form = h('form', { class: 'card', onsubmit: async e => {
    e.preventDefault();
    const target = form.querySelector('input[name="target"]:checked').value;
    const request = { scope: scope.value, pointId: point.value.trim(), dryRun: true,
      target: target === 'ValidationSpace' ? 'ValidationSpace' : 'InPlace',
      targetSpaceId: target === 'Other' ? other.value : undefined, objectId: objectId.value.trim() || undefined,
      // A validation space (Restore:ValidationSpacePrefix + the app's name) is made by the restore when missing.
      createTargetSpace: target === 'ValidationSpace' || undefined };
    plan.replaceChildren(h('p', {}, 'Planning…'));
    try { showPlan(await post('restores', request), plan); } catch (err) { plan.replaceChildren(problem(err)); }
  } },
    h('div', { class: 'row' }, field('Recovery point', point), field('Scope', scope), field('Object id (Object scope)', objectId)),
    h('fieldset', {}, h('legend', {}, 'Target'), radio('InPlace', 'In place', true), radio('ValidationSpace', 'Validation space'),
      radio('Other', 'Other space:'), other,
      h('p', { class: 'muted' }, 'In place writes over the live asset; a validation space (created when missing) takes a copy to check, then promote.')),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, 'Show the plan (dry run)')));
  view.append(h('h1', {}, 'Restore'), h('p', {}, 'Nothing changes in Qlik until you confirm the plan.'), form, plan);
}

const actionTable = (id, caption, actions) => h('table', { id }, h('caption', {}, caption),
  h('thead', {}, h('tr', {}, ['Action', 'Kind', 'Asset', 'What'].map(c => h('th', { scope: 'col' }, c)))),
  h('tbody', {}, actions.map(a => h('tr', {}, h('td', {}, a.kind), h('td', {}, a.assetKind), h('td', {}, a.name ?? a.assetId), h('td', {}, a.description)))));

function showPlan(p, out) {
  // What the restore changes first; what is already as at the point folded away.
  const changes = p.actions.filter(a => a.kind !== 'Skip'), skipped = p.actions.filter(a => a.kind === 'Skip');
  const line = h('p', { id: 'restore-status', role: 'status' });
  const after = h('div', { id: 'restore-result' });
  const confirm = h('button', { type: 'button', class: 'danger', id: 'confirm-restore', onclick: async () => {
    confirm.disabled = true;
    try {
      const accepted = await post(`restores/${q(p.restoreId)}/execute`);
      const op = await follow(accepted.id, line, 'Restore');
      showOutcome(p, op, after);
    } catch (err) { line.replaceChildren(problem(err)); confirm.disabled = false; }
  } }, 'Confirm and restore');
  out.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'plan-title' },
    h('h2', { id: 'plan-title' }, `Plan ${p.restoreId}`),
    h('p', { id: 'plan-summary' }, p.summary || 'Nothing to do.'),
    (p.targets || []).map(t => h('p', {}, `${t.kind} ${t.name ?? t.assetId} → ${t.targetSpace ?? t.targetSpaceId ?? 'its space'}`, t.validation ? ' (validation copy)' : '')),
    p.warnings.length ? h('ul', { class: 'error' }, p.warnings.map(w => h('li', {}, w))) : '',
    actionTable('plan-actions', `${changes.length} change(s)`, changes),
    skipped.length ? h('details', {}, h('summary', {}, `${skipped.length} already as at the point (skipped)`), actionTable('plan-skipped', 'Skipped', skipped)) : '',
    h('h3', {}, 'Reconfiguration checklist'),
    p.reconfigurationChecklist.length ? h('ol', { id: 'checklist' }, p.reconfigurationChecklist.map(c => h('li', {}, c))) : h('p', { id: 'checklist', class: 'muted' }, 'Nothing to reconfigure by hand.'),
    h('p', {}, confirm), line, after));
  out.querySelector('h2').focus?.();
}

function showOutcome(plan, op, out) {
  const result = op.output?.result;
  if (op.status !== 'Completed' || !result?.succeeded) {
    out.replaceChildren(h('p', { class: 'error', role: 'alert' }, result?.error ?? op.failure ?? `The restore ended ${op.status}.`));
    return;
  }
  const validation = plan.request.target === 'ValidationSpace';
  out.replaceChildren(h('p', { id: 'restore-done' }, badge(true, 'Restored', ''), ` ${result.done.length} action(s) done`,
    result.restoredAssetId ? [' · restored asset ', h('span', { class: 'mono' }, result.restoredAssetId)] : ''),
    (result.checklist || []).length ? h('ul', {}, result.checklist.map(c => h('li', {}, c))) : '',
    validation && result.restoredAssetId ? promote(result.restoredAssetId, plan.points[0]?.assetId) : '');
}

/** Puts a checked validation copy back into production (POST /api/promotions). */
function promote(validationAppId, productionAppId) {
  const line = h('p', { role: 'status', id: 'promote-status' });
  const button = h('button', { type: 'button', class: 'primary', id: 'promote', onclick: async () => {
    button.disabled = true;
    try {
      const r = await post('promotions', { validationAppId, productionAppId });
      line.replaceChildren(`Promoted by ${r.method} into ${r.productionAppId}: `, r.changes.length ? r.changes.join('; ') : 'nothing to change.');
    } catch (err) { line.replaceChildren(problem(err)); button.disabled = false; }
  } }, 'Promote the validation copy into production');
  return h('section', {}, h('h3', {}, 'Promote'), h('p', {}, 'When the copy checks out, replace the production app with it.'), button, line);
}

// ---- Drills ------------------------------------------------------------------------------------------------------

async function drills(view, params) {
  const [enumOf, space, list] = await Promise.all([enums(), spaces(), get('drills?take=50')]);
  const scope = select({ id: 'drill-scope' }, enumOf('DrillScope'), 'Sample');
  const tier = select({ id: 'drill-tier' }, enumOf('Tier'), 'T1');
  const spaceId = select({ id: 'drill-space' }, space.spaces.map(s => [s.spaceId, s.name]));
  const size = h('input', { id: 'drill-size', type: 'number', min: 1, max: 500, value: 3 });
  const line = h('p', { id: 'drill-status', role: 'status' });
  const report = h('div', { id: 'report' });
  const form = h('form', { class: 'card', onsubmit: async e => {
    e.preventDefault();
    try {
      const body = scope.value === 'Space' ? { scope: 'Space', spaceId: spaceId.value } : { scope: scope.value, tier: tier.value, sampleSize: +size.value };
      const accepted = await post('drills', body);
      const op = await follow(accepted.id, line, 'Drill');
      if (op.status === 'Completed') location.hash = `#/drills?open=${q(accepted.id)}`;
    } catch (err) { line.replaceChildren(problem(err)); }
  } }, h('h2', {}, 'Start a drill'),
    h('div', { class: 'row' }, field('Scope', scope), field('Tier (Sample, Tier)', tier), field('Space (Space)', spaceId), field('Sample size', size),
      h('button', { type: 'submit', class: 'primary' }, 'Start drill')), line);
  const open = id => {
    report.replaceChildren(h('section', { class: 'card' }, h('h2', {}, `Report of drill ${id}`),
      h('p', {}, h('a', { href: withKey(`drills/${q(id)}/report.html`), target: '_blank', rel: 'noopener' }, 'Open the report in a new tab')),
      h('iframe', { class: 'report', title: `Drill report ${id}`, src: withKey(`drills/${q(id)}/report.html`) })));
  };
  view.append(h('h1', {}, 'Drills'), form,
    h('section', { class: 'card', 'aria-labelledby': 'drills-title' }, h('h2', { id: 'drills-title' }, 'Reports'),
      list.length === 0 ? h('p', { class: 'muted' }, 'No drill yet.') :
        h('table', { id: 'drill-list' },
          h('thead', {}, h('tr', {}, ['Started', 'Scope', 'Tier', 'Result', 'Headline', 'Report'].map(c => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, list.map(d => h('tr', { 'data-drill': d.drillId }, h('td', {}, time(d.startedAt)), h('td', {}, d.scope), h('td', {}, d.tier),
            h('td', {}, badge(d.passed, 'passed', 'failed')), h('td', {}, d.headline),
            h('td', {}, h('button', { type: 'button', 'aria-label': `Open report of drill ${d.drillId}`, onclick: () => open(d.drillId) }, 'Open report'))))))),
    report);
  if (params.get('open')) open(params.get('open'));
}

// ---- Routing: #/page?params --------------------------------------------------------------------------------------

const pages = { overview, find, compare, restore, drills };
const titles = { overview: 'Overview', find: 'Find', compare: 'Compare', restore: 'Restore', drills: 'Drills' };

function route() {
  const m = /^#\/(\w+)(?:\?(.*))?$/.exec(location.hash);
  // Any other fragment (the skip link's #main) is an in-page anchor, not a page.
  if (!m && location.hash && location.hash !== '#/') return;
  const name = m && pages[m[1]] ? m[1] : 'overview';
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === '#/' + name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.title = `${titles[name]} · QlikBackup recovery console`;
  // Each view renders into its own element: a slow page that finishes after the user moved on writes into a detached one.
  const view = h('div', { 'data-page': name, 'aria-busy': 'true' });
  const main = document.getElementById('main');
  main.replaceChildren(view);
  pages[name](view, new URLSearchParams(m?.[2] ?? ''))
    .catch(err => view.append(problem(err)))
    .finally(() => view.setAttribute('aria-busy', 'false'));
}

window.addEventListener('hashchange', () => { route(); document.getElementById('main').focus({ preventScroll: true }); });
route();
