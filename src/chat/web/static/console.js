// The web console: channel list, live messages over server-sent events, and a message box.
// Everything shown comes from alerts and people, so it is set as text, never as HTML.

import { el, renderMessage } from './render.js';

const $ = (id) => document.getElementById(id);
const state = { channel: 'alerts', channels: [], source: undefined, seen: new Set() };

function channelFromHash() {
  let name = '';
  try {
    name = decodeURIComponent(location.hash.slice(1));
  } catch {
    // A hand-typed hash that is not valid percent-encoding: fall back to #alerts.
  }
  return /^[a-z0-9][a-z0-9._-]{0,79}$/.test(name) ? name : 'alerts';
}

function renderEntry(entry) {
  const message = entry.message;
  const item = el('li', `entry tone-${message.tone ?? 'neutral'}${entry.bot ? '' : ' human'}`);
  item.dataset.id = entry.id;
  const meta = el('div', 'meta');
  meta.append(
    el('span', 'author', entry.author),
    el('time', '', new Date(entry.at).toLocaleString()),
  );
  item.append(meta, ...renderMessage(message, (index, button) => click(entry, index, button)));
  return item;
}

async function click(entry, index, button) {
  button.disabled = true;
  $('composer-error').textContent = '';
  try {
    const response = await fetch(`/api/channels/${encodeURIComponent(state.channel)}/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entry: entry.version ?? entry.id, button: index, author: author() }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error ?? `the bot answered ${response.status}`);
    }
  } catch (error) {
    $('composer-error').textContent = `Not done: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

function author() {
  return $('author').value.trim() || 'web-user';
}

function renderChannels() {
  const list = $('channels');
  list.replaceChildren();
  for (const name of state.channels) {
    const li = el('li');
    const a = el('a', '', `#${name}`);
    a.href = `#${name}`;
    a.setAttribute('aria-current', String(name === state.channel));
    li.append(a);
    list.append(li);
  }
}

function addChannel(name) {
  if (state.channels.includes(name)) return;
  state.channels.push(name);
  renderChannels();
}

function setLive(status, label) {
  $('live').dataset.state = status;
  $('live').textContent = label;
}

function open(channel) {
  state.source?.close();
  state.channel = channel;
  state.seen.clear();
  $('messages').replaceChildren();
  $('channel-title').textContent = `#${channel}`;
  addChannel(channel);
  renderChannels();
  setLive('connecting', 'connecting…');
  const source = new EventSource(`/api/stream?channel=${encodeURIComponent(channel)}`);
  state.source = source;
  source.onopen = () => setLive('live', 'live');
  source.onerror = () => {
    setLive('down', 'reconnecting…');
    checkSignedIn(source);
  };
  source.addEventListener('channels', (event) => {
    for (const name of JSON.parse(event.data)) addChannel(name);
  });
  source.addEventListener('channel', (event) => addChannel(JSON.parse(event.data)));
  source.addEventListener('message', (event) => {
    const entry = JSON.parse(event.data);
    if (entry.channel !== state.channel || state.seen.has(entry.id)) return;
    state.seen.add(entry.id);
    const list = $('messages');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    // An edit (a run's status as it goes) takes the place of the message it replaces.
    const earlier = entry.replaces
      ? list.querySelector(`li[data-id="${CSS.escape(entry.replaces)}"]`)
      : null;
    if (earlier) {
      const updated = renderEntry({ ...entry, id: entry.replaces, version: entry.id });
      earlier.replaceWith(updated);
      return;
    }
    list.append(renderEntry(entry));
    if (atBottom) list.scrollTop = list.scrollHeight;
  });
}

// A stream refused or ended for want of a session retries in vain: ask the server why, and if it
// wants a sign-in, stop and say where.
async function checkSignedIn(source) {
  const response = await fetch('/api/channels').catch(() => undefined);
  if (response === undefined || (response.status !== 401 && response.status !== 403)) return;
  source.close();
  const body = await response.json().catch(() => ({}));
  setLive('down', 'not signed in');
  const notice = el('li', 'entry tone-warning sign-in');
  const link = el('a', '', 'Sign in on the dashboard');
  link.href = '/dashboard';
  notice.append(el('p', 'text', body.error ?? 'This console needs a sign-in.'), link);
  $('messages').replaceChildren(notice);
}

// Signed in (through the dashboard), the console speaks as that person, whatever name is typed.
async function showSignedInName() {
  const response = await fetch('/dashboard/api/me').catch(() => undefined);
  if (!response?.ok) return;
  const me = await response.json();
  if (!me.signIn) return;
  $('author').value = me.person.replace(/^web:/, '');
  $('author').readOnly = true;
  $('author').title = 'Signed in on the dashboard';
}

async function send(event) {
  event.preventDefault();
  const input = $('text');
  const text = input.value.trim();
  if (!text) return;
  $('composer-error').textContent = '';
  localStorage.setItem('coxswain.author', author());
  try {
    const response = await fetch(`/api/channels/${encodeURIComponent(state.channel)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, author: author() }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error ?? `the bot answered ${response.status}`);
    }
    input.value = '';
  } catch (error) {
    $('composer-error').textContent = `Not sent: ${error.message}`;
  }
}

function init() {
  $('author').value = localStorage.getItem('coxswain.author') ?? 'web-user';
  $('composer').addEventListener('submit', send);
  $('new-channel').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('new-channel-name').value.trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9._-]{0,79}$/.test(name)) return;
    $('new-channel-name').value = '';
    location.hash = name;
  });
  window.addEventListener('hashchange', () => open(channelFromHash()));
  open(channelFromHash());
  showSignedInName();
}

init();
