// The Incidents view: the charts, the incidents newest first, and the report of the one clicked.
// Alert names, causes, evidence and timelines come from alerts, clusters and models: set as
// text, never HTML.
import { el } from '/render.js';

const $ = (id) => document.getElementById(id);

// The incident whose report is open, and what was last drawn of it, so a refresh every few
// seconds redraws it only when it changed (a resolve, a diagnosis) and keeps it open.
let selected;
let shownReport = '';

/** "45s", "12m 3s", "2h 5m", "3d 4h": a duration at a glance. */
function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const parts =
    s < 3_600
      ? [Math.floor(s / 60), 'm', s % 60, 's']
      : s < 86_400
        ? [Math.floor(s / 3_600), 'h', Math.floor((s % 3_600) / 60), 'm']
        : [Math.floor(s / 86_400), 'd', Math.floor((s % 86_400) / 3_600), 'h'];
  return parts[2] === 0
    ? `${parts[0]}${parts[1]}`
    : `${parts[0]}${parts[1]} ${parts[2]}${parts[3]}`;
}

function when(at) {
  return at ? new Date(at).toLocaleString() : '';
}

function timeToResolve(incident) {
  if (incident.resolvedAt === undefined) return '';
  return duration((Date.parse(incident.resolvedAt) - Date.parse(incident.firedAt)) / 1_000);
}

function stateBadge(state) {
  // Only the two states the API names are coloured; anything else is plain text.
  const known = state === 'firing' || state === 'resolved';
  return el('span', known ? `incident-state state-${state}` : 'incident-state', state);
}

function row(incident) {
  const tr = el('tr', incident.id === selected ? 'selected' : '');
  tr.dataset.incidentId = incident.id;
  const state = el('td');
  state.append(stateBadge(incident.state));
  const name = el('td');
  const open = el('button', 'link', incident.alertname);
  open.type = 'button';
  name.append(open);
  tr.append(
    state,
    name,
    el('td', '', incident.namespace ?? ''),
    el('td', '', when(incident.firedAt)),
    el('td', '', when(incident.resolvedAt)),
    el('td', '', timeToResolve(incident)),
    el('td', 'cause', incident.cause ?? ''),
  );
  tr.addEventListener('click', () => {
    selected = incident.id;
    shownReport = '';
    for (const other of $('incident-rows').children)
      other.classList.toggle('selected', other === tr);
    showReport(incident);
  });
  return tr;
}

function field(list, label, value) {
  const item = el('div', 'field');
  item.append(el('dt', '', label), el('dd', '', value));
  list.append(item);
}

function timesOf(report) {
  const times = el('dl', 'fields');
  field(times, 'Time to resolve', duration(report.timeToResolveSeconds));
  field(
    times,
    'Time to diagnose',
    report.timeToDiagnoseSeconds === undefined
      ? 'not diagnosed'
      : duration(report.timeToDiagnoseSeconds),
  );
  field(
    times,
    'Time to mitigate',
    report.timeToMitigateSeconds === undefined
      ? 'no change through Coxswain'
      : duration(report.timeToMitigateSeconds),
  );
  field(times, 'Fixed through Coxswain', report.automated ? 'yes' : 'no');
  if (report.diagnosedBy) field(times, 'Diagnosed by', report.diagnosedBy);
  return times;
}

function timelineOf(report) {
  const list = el('ol', 'timeline');
  for (const entry of report.timeline) {
    const item = el('li');
    item.append(el('time', '', when(entry.at)), el('span', 'what', entry.what));
    list.append(item);
  }
  return list;
}

function actionsOf(report) {
  if (report.actions.length === 0) return el('p', 'empty', 'None through Coxswain.');
  const table = el('table', 'actions');
  const head = el('tr');
  for (const title of ['Action', 'State', 'Decided by', 'Decided', 'Applied'])
    head.append(el('th', '', title));
  table.append(head);
  for (const action of report.actions) {
    const tr = el('tr');
    for (const text of [
      action.summary,
      action.state,
      action.decidedBy ?? '',
      when(action.decidedAt),
      when(action.appliedAt),
    ])
      tr.append(el('td', '', text));
    table.append(tr);
  }
  return table;
}

function titled(title, ...content) {
  const box = el('section', 'report-part');
  box.append(el('h3', '', title), ...content);
  return box;
}

function causeLine(incident) {
  const cause = incident.report?.cause ?? incident.cause;
  if (cause) return el('p', 'report-cause', `Cause: ${cause}`);
  return el(
    'p',
    'report-cause empty',
    incident.state === 'firing' ? 'Not diagnosed yet.' : 'Cause: not diagnosed before it resolved.',
  );
}

function showReport(incident) {
  const key = JSON.stringify(incident);
  if (key === shownReport) return;
  shownReport = key;
  const where = [incident.cluster, incident.namespace, incident.severity].filter(Boolean);
  const parts = [
    el('h2', 'report-title', incident.alertname),
    el('div', 'footer', [`${incident.state}`, ...where, `incident ${incident.id}`].join(' · ')),
    causeLine(incident),
  ];
  const report = incident.report;
  if (report === undefined) {
    // The report is kept a moment after the incident closes; the next refresh brings it.
    parts.push(
      el(
        'p',
        'empty',
        incident.state === 'firing'
          ? 'Still firing: the report is written when it resolves.'
          : 'Resolved: the report is on its way.',
      ),
    );
  } else {
    parts.push(timesOf(report), titled('Timeline', timelineOf(report)));
    if (report.evidence) parts.push(titled('Evidence', el('pre', 'code', report.evidence)));
    parts.push(titled('Actions', actionsOf(report)));
  }
  $('incident-report').replaceChildren(...parts);
  $('incident-report').hidden = false;
}

function showList(incidents) {
  $('incident-rows').replaceChildren(...incidents.map(row));
  $('incidents-empty').hidden = incidents.length > 0;
  const open = incidents.find((incident) => incident.id === selected);
  if (open) showReport(open);
  else {
    selected = undefined;
    shownReport = '';
    $('incident-report').hidden = true;
  }
}

/** Draws the view from `/dashboard/api/incidents`, read with the dashboard's `api`. */
export async function loadIncidents(api) {
  const [data, charts] = await Promise.all([
    api('/dashboard/api/incidents'),
    // The chart library loads with this view only: the other views never wait for it.
    import('/dashboard/incident-charts.js'),
  ]);
  showList(data.incidents);
  charts.drawCharts($('incident-charts'), data);
}
