// The dashboard: Status, Pending (cards with their buttons), History (the audit trail),
// Workflows, Incidents, and Feedback (👍 / 👎 on answers and reports, exportable as eval
// cases). Everything shown comes from clusters, alerts and people: set as text, never HTML.
import { loadIncidents } from '/dashboard/incidents.js';
import { el, renderMessage } from './render.js';

const $ = (id) => document.getElementById(id);
const VIEWS = ['status', 'pending', 'history', 'workflows', 'incidents', 'feedback'];
const TITLES = {
  status: 'Status',
  pending: 'Pending',
  history: 'History',
  workflows: 'Workflows',
  incidents: 'Incidents',
  feedback: 'Feedback',
};

function who() {
  return { 'x-coxswain-name': $('name').value.trim() || 'web-user' };
}

async function api(path, options = {}) {
  const headers = { ...who(), ...(options.headers ?? {}) };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    ...options,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    $('login').hidden = false;
    throw new Error(body.error ?? 'sign in first');
  }
  if (!response.ok) throw new Error(body.error ?? `the bot answered ${response.status}`);
  return body;
}

function show(error) {
  $('error').textContent = error ? String(error.message ?? error) : '';
}

function card(message, onButton) {
  const item = el('li', `entry card tone-${message.tone ?? 'neutral'}`);
  item.append(...renderMessage(message, onButton));
  return item;
}

function suspendedText(s) {
  const since = `${s.since.replace('T', ' ').slice(0, 16)} UTC`;
  return `Writes suspended since ${since} by ${s.by}${s.reason ? `: ${s.reason}` : ''}`;
}

// The suspend switch, above the clusters: what it says, and for approvers, the toggle.
function suspendBox({ suspended, mayToggle }) {
  const box = el('div', `suspend ${suspended ? 'on' : 'off'}`);
  box.id = 'suspend';
  box.append(
    el(
      'div',
      'headline',
      suspended ? suspendedText(suspended) : 'Writes allowed: approved actions run.',
    ),
  );
  if (!mayToggle) return box;
  const form = el('form');
  const reason = el('input');
  reason.name = 'reason';
  reason.maxLength = 500;
  reason.placeholder = 'reason';
  reason.setAttribute('aria-label', 'Reason');
  const button = el('button', '', suspended ? 'Resume writes' : 'Suspend writes');
  button.type = 'submit';
  if (!suspended) form.append(reason);
  form.append(button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      await api('/dashboard/api/suspend', {
        method: 'POST',
        body: { suspend: !suspended, reason: reason.value.trim() },
      });
      show();
      await loadStatus();
    } catch (error) {
      show(error);
      button.disabled = false;
    }
  });
  box.append(form);
  return box;
}

// How old a reading is, in words: "3 s", "4 min", "2 h".
function ageText(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

// The bot's clock minus this browser's, so that ages are right whatever the browser's clock says.
let clockSkew = 0;

function showAges() {
  for (const footer of document.querySelectorAll('#status .footer[data-at]')) {
    const at = Date.parse(footer.dataset.at);
    footer.textContent = `as of ${ageText(Date.now() + clockSkew - at)} ago`;
  }
}

function clusterCard(c) {
  const message = c.message ?? {
    headline: `Cluster ${c.cluster}: not readable`,
    text: c.error ?? '',
    tone: 'critical',
  };
  const item = card({ ...message, footer: 'as of' }, () => {});
  const footer = item.querySelector('.footer');
  footer.dataset.at = c.at;
  footer.title = `read ${new Date(c.at).toLocaleString()}`;
  return item;
}

// What Status shows last: its parts are rebuilt only when they change, so a reason half typed
// or text being selected survives the refreshes every few seconds.
const shown = { suspend: '', clusters: '' };

async function loadStatus() {
  const [{ now, clusters }, suspend] = await Promise.all([
    api('/dashboard/api/status'),
    api('/dashboard/api/suspend'),
  ]);
  clockSkew = Date.parse(now) - Date.now();
  const suspendKey = JSON.stringify(suspend);
  if (suspendKey !== shown.suspend || !$('suspend')) {
    const box = suspendBox(suspend);
    if ($('suspend')) $('suspend').replaceWith(box);
    else $('status').prepend(box);
    shown.suspend = suspendKey;
  }
  const clustersKey = JSON.stringify(clusters);
  if (clustersKey !== shown.clusters || !$('clusters')) {
    const list = el('ol', 'messages');
    list.id = 'clusters';
    if (clusters.length === 0)
      list.append(el('p', 'empty', 'No cluster status yet: a worker reads it as it starts.'));
    for (const c of clusters) list.append(clusterCard(c));
    if ($('clusters')) $('clusters').replaceWith(list);
    else $('status').append(list);
    shown.clusters = clustersKey;
  }
  showAges();
}

async function loadPending() {
  const { pending } = await api('/dashboard/api/pending');
  const list = el('ol', 'messages');
  if (pending.length === 0) list.append(el('p', 'empty', 'Nothing is waiting for a decision.'));
  for (const p of pending) {
    const item = list.appendChild(
      card(
        { ...p.card, footer: `${p.card.footer ?? ''} · ${p.channel}` },
        async (index, button) => {
          const verdict = p.card.buttons[index]?.action;
          button.disabled = true;
          try {
            await api(`/dashboard/api/proposals/${encodeURIComponent(p.id)}/${verdict}`, {
              method: 'POST',
              body: {},
            });
            show();
            await loadPending();
          } catch (error) {
            show(error);
            button.disabled = false;
          }
        },
      ),
    );
    item.id = `proposal-${p.id}`;
  }
  $('pending').replaceChildren(list);
  const linked =
    location.hash.startsWith('#proposal-') && document.getElementById(location.hash.slice(1));
  if (linked) {
    linked.classList.add('linked');
    linked.scrollIntoView();
  }
}

async function loadHistory() {
  const form = new FormData($('filters'));
  const query = new URLSearchParams();
  for (const [key, value] of form) if (value) query.set(key, String(value));
  const { entries } = await api(`/dashboard/api/history?${query}`);
  const rows = entries.map((e) => {
    const tr = el('tr');
    for (const text of [
      new Date(e.at).toLocaleString(),
      e.event,
      e.action.summary,
      e.agent,
      e.channel ?? '',
      e.approver ?? e.person ?? '',
      e.outcome,
    ])
      tr.append(el('td', '', text));
    return tr;
  });
  $('history-rows').replaceChildren(...rows);
}

async function loadWorkflows() {
  const { workflows } = await api('/dashboard/api/workflows');
  const boxes = workflows.map((w) => {
    const box = el('div', 'workflow');
    box.append(
      el('div', 'headline', w.name),
      el('div', 'text', w.description),
      el('div', 'trigger', `trigger: ${w.trigger.join(', ')}`),
      el('div', 'footer', w.file),
    );
    // Only a workflow run by hand has a Run form; the others start on their alerts or schedules.
    if (!w.trigger.includes('manual')) return box;
    const form = el('form');
    const channel = el('input');
    channel.name = 'channel';
    channel.placeholder = 'channel, e.g. web:ops';
    channel.required = true;
    form.append(channel);
    for (const input of w.inputs) {
      const field = el('input');
      field.name = input;
      field.placeholder = input;
      form.append(field);
    }
    const run = el('button', '', 'Run');
    run.type = 'submit';
    form.append(run);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const inputs = {};
      for (const input of w.inputs) inputs[input] = form.elements[input].value;
      try {
        await api(`/dashboard/api/workflows/${encodeURIComponent(w.name)}/run`, {
          method: 'POST',
          body: { channel: channel.value.trim(), inputs },
        });
        show();
        run.textContent = 'Queued';
        await loadRuns();
      } catch (error) {
        show(error);
      }
    });
    box.append(form);
    return box;
  });
  $('workflow-list').replaceChildren(
    ...(boxes.length ? boxes : [el('p', 'empty', 'No workflows.')]),
  );
  await loadRuns();
}

// States the stylesheet colours; anything else is shown as text only.
const RUN_STATES = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'stopped'];

function stateClass(state) {
  return RUN_STATES.includes(state) ? `state-${state}` : '';
}

function when(at) {
  return at ? new Date(at).toLocaleString() : '';
}

function runItem(r) {
  const item = el('li', `run ${stateClass(r.state)}`);
  item.dataset.runId = r.runId;
  const started = `started ${when(r.startedAt)}`;
  const finished = r.finishedAt ? ` · finished ${when(r.finishedAt)}` : '';
  item.append(
    el('div', 'headline', `${r.workflow}: ${r.state}`),
    el(
      'div',
      'footer',
      `${r.trigger} · ${started}${finished} · ${r.channel ?? 'no channel'} · ${r.cluster}`,
    ),
  );
  if (r.summary) item.append(el('div', 'text', r.summary));
  const steps = el('ol', 'steps');
  for (const s of r.steps) {
    const step = el('li', `step ${stateClass(s.state)}`);
    step.append(
      el('span', 'step-name', s.name),
      el('span', 'step-state', s.state),
      el('span', 'step-detail', s.detail),
    );
    steps.append(step);
  }
  item.append(steps);
  return item;
}

async function loadRuns() {
  const { runs } = await api('/dashboard/api/workflow-runs');
  $('workflow-runs').replaceChildren(
    ...(runs.length ? runs.map(runItem) : [el('p', 'empty', 'No workflow runs yet.')]),
  );
}

const MARKS = { up: '👍', down: '👎' };

function feedbackQuery() {
  const rating = new FormData($('feedback-filters')).get('rating');
  return rating ? `?${new URLSearchParams({ rating })}` : '';
}

// The answer as posted can be long: its first line shows, the rest on opening it.
function answerCell(answer) {
  const cell = el('td');
  const details = el('details');
  details.append(el('summary', '', answer.split('\n')[0] ?? ''), el('pre', 'answer', answer));
  cell.append(details);
  return cell;
}

async function loadFeedback() {
  const { feedback, total } = await api(`/dashboard/api/feedback${feedbackQuery()}`);
  const rows = feedback.map((f) => {
    const tr = el('tr', `rating-${f.rating === 'up' ? 'up' : 'down'}`);
    tr.dataset.runId = f.runId;
    for (const text of [
      new Date(f.at).toLocaleString(),
      `${MARKS[f.rating] ?? ''} ${f.kind}`,
      f.by,
      f.channel,
      f.question,
    ])
      tr.append(el('td', '', text));
    tr.append(answerCell(f.answer), el('td', '', f.specialists.join(', ')));
    return tr;
  });
  $('feedback-rows').replaceChildren(...rows);
  $('feedback-count').textContent =
    total === 0
      ? 'No feedback yet.'
      : `${total} ${total === 1 ? 'rating' : 'ratings'}${total > feedback.length ? `, newest ${feedback.length} shown` : ''}`;
}

// The export needs who is asking, as every API call does: fetched, then saved from memory.
async function exportFeedback() {
  const response = await fetch(`/dashboard/api/feedback.jsonl${feedbackQuery()}`, {
    headers: who(),
  });
  if (!response.ok) throw new Error(`the bot answered ${response.status}`);
  const link = el('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = 'coxswain-feedback.jsonl';
  link.click();
  // Revoked once the browser has taken the file; at once, some browsers save nothing.
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

const LOADERS = {
  status: loadStatus,
  pending: loadPending,
  history: loadHistory,
  workflows: loadWorkflows,
  incidents: () => loadIncidents(api),
  feedback: loadFeedback,
};

function current() {
  const view = location.hash.slice(1);
  // A chat card too large to decide there links to `#proposal-ID`: its place in Pending.
  if (view.startsWith('proposal-')) return 'pending';
  return VIEWS.includes(view) ? view : 'status';
}

async function open() {
  const view = current();
  $('title').textContent = TITLES[view];
  for (const v of VIEWS) $(v).hidden = v !== view;
  try {
    const me = await api('/dashboard/api/me');
    $('login').hidden = true;
    $('typed').hidden = me.signIn;
    $('who').textContent = me.signIn ? `Signed in as ${me.person.slice(4)}` : '';
    await LOADERS[view]();
    show();
  } catch (error) {
    show(error);
  }
}

function init() {
  $('name').value = localStorage.getItem('coxswain.author') ?? 'web-user';
  $('name').addEventListener('change', () => {
    localStorage.setItem('coxswain.author', $('name').value.trim());
    open();
  });
  $('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('/dashboard/login', {
        method: 'POST',
        body: { name: $('login-name').value.trim(), token: $('login-token').value },
      });
      $('login-token').value = '';
      await open();
    } catch (error) {
      show(error);
    }
  });
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    loadHistory().then(() => show(), show);
  });
  $('feedback-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    loadFeedback().then(() => show(), show);
  });
  $('feedback-export').addEventListener('click', () => exportFeedback().then(() => show(), show));
  window.addEventListener('hashchange', open);
  // Pending cards change as people decide, runs as their steps finish, incidents as alerts fire,
  // are diagnosed and resolve: keep the view fresh. Workflows refreshes only its runs, so a form
  // half filled in is left alone.
  setInterval(() => {
    if (document.hidden) return;
    if (['pending', 'incidents'].includes(current())) LOADERS[current()]().catch(show);
    if (current() === 'workflows') loadRuns().catch(show);
  }, 5_000);
  // Workers read a cluster again within seconds of a change; reading their snapshot is one
  // Redis hash, so Status asks every two seconds while it is in sight, and says how old it is.
  let asking = false;
  const refreshStatus = () => {
    if (document.hidden || current() !== 'status' || asking) return;
    asking = true;
    loadStatus()
      .catch(show)
      .finally(() => {
        asking = false;
      });
  };
  setInterval(refreshStatus, 2_000);
  setInterval(() => {
    if (!document.hidden && current() === 'status') showAges();
  }, 1_000);
  document.addEventListener('visibilitychange', refreshStatus);
  open();
}

init();
