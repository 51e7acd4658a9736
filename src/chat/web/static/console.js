// The web console: channel list, live messages over server-sent events, threads, and message
// boxes. Everything shown comes from alerts and people, so it is set as text, never as HTML.

import { ChannelView, compareIds } from './channel-view.js';
import { el, renderMessage } from './render.js';

const $ = (id) => document.getElementById(id);
const state = {
  channel: 'alerts',
  channels: [],
  source: undefined,
  view: new ChannelView(),
  /** The message whose thread is open, by its first entry's id. */
  thread: undefined,
  /** Threads read whole already, or being read. */
  fetched: new Set(),
};

function channelFromHash() {
  let name = '';
  try {
    name = decodeURIComponent(location.hash.slice(1));
  } catch {
    // A hand-typed hash that is not valid percent-encoding: fall back to #alerts.
  }
  return /^[a-z0-9][a-z0-9._-]{0,79}$/.test(name) ? name : 'alerts';
}

function channelPath(suffix) {
  return `/api/channels/${encodeURIComponent(state.channel)}/${suffix}`;
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

/** A message in the channel, with the way into its thread. */
function renderChannelEntry(entry) {
  const item = renderEntry(entry);
  item.append(renderThreadButton(entry.id));
  return item;
}

function repliesLabel(count) {
  return `${count} ${count === 1 ? 'reply' : 'replies'}`;
}

function shortTime(at) {
  const date = new Date(at);
  return date.toDateString() === new Date().toDateString()
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

function renderThreadButton(id) {
  const summary = state.view.summary(id);
  const button = el('button', summary ? 'thread-open has-replies' : 'thread-open');
  button.type = 'button';
  button.setAttribute('aria-controls', 'thread');
  button.setAttribute('aria-expanded', String(state.thread === id));
  if (summary) {
    const latest = el('time', 'thread-latest', `last reply ${shortTime(summary.latestAt)}`);
    latest.dateTime = summary.latestAt;
    button.append(el('span', 'thread-count', repliesLabel(summary.count)), latest);
  } else {
    button.textContent = 'Reply in thread';
  }
  button.addEventListener('click', () => openThread(id));
  return button;
}

async function click(entry, index, button) {
  const error = $(entry.thread ? 'thread-error' : 'composer-error');
  button.disabled = true;
  error.textContent = '';
  try {
    const response = await fetch(channelPath('clicks'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entry: entry.version ?? entry.id, button: index, author: author() }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error ?? `the bot answered ${response.status}`);
    }
  } catch (failure) {
    error.textContent = `Not done: ${failure.message}`;
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

/** Puts an item in a list in the order of its message's id, or in the place of its older version. */
function place(list, item) {
  const earlier = list.querySelector(`li[data-id="${CSS.escape(item.dataset.id)}"]`);
  if (earlier) {
    earlier.replaceWith(item);
    return;
  }
  let after = list.lastElementChild;
  while (after && compareIds(after.dataset.id ?? '0-0', item.dataset.id) > 0)
    after = after.previousElementSibling;
  if (after) after.after(item);
  else list.prepend(item);
}

/** An entry from the stream or a thread read whole: shown in the channel, or in its thread. */
function take(entry) {
  const { shown, counted } = state.view.take(entry);
  if (shown?.thread) showReply(shown);
  else if (shown) showInChannel(shown);
  for (const root of counted) showCount(root);
}

function showInChannel(entry) {
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const item = renderChannelEntry(entry);
  place(list, item);
  if (atBottom && item === list.lastElementChild) list.scrollTop = list.scrollHeight;
  if (state.thread === entry.id) showThreadRoot();
}

function showReply(entry) {
  // A reply whose message this console has not seen (older than the history it was sent) brings
  // that message's thread, so the message shows with its count.
  if (!state.view.message(entry.thread)) readThread(entry.thread);
  if (state.thread !== entry.thread) return;
  const body = $('thread-body');
  const list = $('thread-replies');
  const atBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 40;
  const item = renderEntry(entry);
  place(list, item);
  if (atBottom && item === list.lastElementChild) body.scrollTop = body.scrollHeight;
}

function showCount(root) {
  const item = $('messages').querySelector(`li[data-id="${CSS.escape(root)}"]`);
  item?.querySelector(':scope > .thread-open')?.replaceWith(renderThreadButton(root));
  if (state.thread === root) showThreadCount();
}

function showThreadRoot() {
  const root = state.view.message(state.thread);
  $('thread-root').replaceChildren(...(root ? [renderEntry(root)] : []));
}

function showThreadCount() {
  const summary = state.view.summary(state.thread);
  $('thread-count').textContent = summary ? repliesLabel(summary.count) : 'No replies yet';
}

/** Reads a thread whole once: the stream sent only the channel's latest entries. */
async function readThread(root) {
  if (state.fetched.has(root)) return;
  state.fetched.add(root);
  const channel = state.channel;
  try {
    const response = await fetch(channelPath(`threads/${encodeURIComponent(root)}`));
    if (!response.ok) throw new Error(`the bot answered ${response.status}`);
    const { entries } = await response.json();
    if (channel !== state.channel) return;
    for (const entry of entries) take(entry);
  } catch {
    // Shown as far as the stream brings it; opening the thread again asks again.
    state.fetched.delete(root);
  }
}

function openThread(root) {
  const opener = $('messages').querySelector(`li[data-id="${CSS.escape(root)}"] > .thread-open`);
  if (state.thread !== undefined && state.thread !== root) closeThread(false);
  state.thread = root;
  $('thread').hidden = false;
  $('thread-error').textContent = '';
  showThreadRoot();
  showThreadCount();
  $('thread-replies').replaceChildren(...state.view.replies(root).map(renderEntry));
  $('thread-body').scrollTop = 0;
  opener?.setAttribute('aria-expanded', 'true');
  $('thread-text').focus();
  readThread(root);
}

function closeThread(returnFocus = true) {
  const root = state.thread;
  if (root === undefined) return;
  state.thread = undefined;
  $('thread').hidden = true;
  $('thread-root').replaceChildren();
  $('thread-replies').replaceChildren();
  const opener = $('messages').querySelector(`li[data-id="${CSS.escape(root)}"] > .thread-open`);
  opener?.setAttribute('aria-expanded', 'false');
  if (returnFocus) opener?.focus();
}

function open(channel) {
  state.source?.close();
  closeThread(false);
  state.channel = channel;
  state.view = new ChannelView();
  state.fetched.clear();
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
    if (entry.channel === state.channel) take(entry);
  });
}

// A stream refused or ended for want of a session retries in vain: ask the server why, and if it
// wants a sign-in, stop and say where.
async function checkSignedIn(source) {
  const response = await fetch('/api/channels').catch(() => undefined);
  if (response === undefined || (response.status !== 401 && response.status !== 403)) return;
  source.close();
  closeThread(false);
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

/** Posts what is typed in a box, in the channel or in the open thread. */
async function send(input, error, thread) {
  const text = input.value.trim();
  if (!text) return;
  error.textContent = '';
  localStorage.setItem('coxswain.author', author());
  try {
    const response = await fetch(channelPath('messages'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, author: author(), ...(thread ? { thread } : {}) }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error ?? `the bot answered ${response.status}`);
    }
    input.value = '';
  } catch (failure) {
    error.textContent = `Not sent: ${failure.message}`;
  }
}

function init() {
  $('author').value = localStorage.getItem('coxswain.author') ?? 'web-user';
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    send($('text'), $('composer-error'), undefined);
  });
  $('thread-composer').addEventListener('submit', (event) => {
    event.preventDefault();
    if (state.thread !== undefined) send($('thread-text'), $('thread-error'), state.thread);
  });
  $('thread-close').addEventListener('click', () => closeThread());
  $('thread').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeThread();
  });
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
