// The browser side of `edfs ui`: talks to the local edfs ui process over /api (see its HTTP
// contract); all encryption happens in that process, never here.

const KEY_STORE = 'edfs-key';
const TEXT_LIMIT = 1024 * 1024;

const $ = (id) => document.getElementById(id);

/** An error answer of the local API, or a failure to reach it. */
class ApiError extends Error {
  constructor(status, reason, message, body = {}) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.body = body;
  }
}

const state = {
  key: null,
  me: null,
  view: 'loading',
  path: '/',
  folder: null,
  entries: [],
  shared: [],
  editor: null,
  signup: false,
  uploads: [],
  uploading: false,
  xhr: null,
};

// ---------------------------------------------------------------------------------------------
// API

function apiHeaders(extra = {}) {
  const h = { ...extra };
  if (state.key) h['X-Edfs-Key'] = state.key;
  return h;
}

async function api(method, url, body, { raw = false, contentType = 'application/json' } = {}) {
  const init = { method, headers: apiHeaders(), cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = contentType;
    init.body = raw ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'UI_DOWN', 'The edfs ui program on this computer is not answering. Is it still running?');
  }
  const text = await res.text();
  let data = {};
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = {};
    }
  }
  if (!res.ok) {
    throw new ApiError(res.status, data.error || 'HTTP_' + res.status, data.message || defaultMessage(data.error, res.status), data);
  }
  return data;
}

const get = (url) => api('GET', url);
const post = (url, body = {}) => api('POST', url, body);
const q = (params) => new URLSearchParams(params).toString();

function defaultMessage(reason, status) {
  switch (reason) {
    case 'UNREACHABLE':
    case 'UNAVAILABLE':
      return 'The server is not answering. Try again in a moment.';
    case 'NO_KEY':
    case 'LINK_USED':
    case 'LINK_EXPIRED':
    case 'LINK_INVALID':
      return 'This page needs a fresh link from edfs ui.';
    default:
      return `Something went wrong (HTTP ${status}).`;
  }
}

/**
 * Handles errors that change what the whole page shows; returns true if it did. Everything
 * else is for the caller to show where the user is looking.
 */
function handleGlobal(err) {
  if (!(err instanceof ApiError)) return false;
  if (['NO_KEY', 'LINK_USED', 'LINK_EXPIRED', 'LINK_INVALID', 'BAD_ORIGIN', 'UNAUTHENTICATED'].includes(err.reason)) cancelUploads();
  if (['NO_KEY', 'LINK_USED', 'LINK_EXPIRED', 'LINK_INVALID', 'BAD_ORIGIN'].includes(err.reason)) {
    closeAllDialogs();
    showLinkScreen(err.reason === 'NO_KEY' ? null : err.message);
    return true;
  }
  if (err.reason === 'UNAUTHENTICATED') {
    closeAllDialogs();
    state.me = { ...(state.me || {}), loggedIn: false, username: null };
    showAuth(false, err.message);
    return true;
  }
  return false;
}

/** The title line shown above a message, for the errors that need one. */
function errorTitle(err) {
  if (!(err instanceof ApiError)) return 'Something went wrong.';
  if (/not answering/i.test(err.message)) return '';
  switch (err.reason) {
    case 'UNREACHABLE':
    case 'UNAVAILABLE':
      return 'The server is not answering.';
    case 'UI_DOWN':
      return 'Lost contact.';
    case 'CERTIFICATE_CHANGED':
    case 'TAMPERED':
      return 'Security warning.';
    default:
      return '';
  }
}

function messageOf(err) {
  if (err instanceof ApiError) return err.message;
  console.error(err);
  return 'Something went wrong in this page. Reload it and try again.';
}

// ---------------------------------------------------------------------------------------------
// Paths: "/" is home, "/a/b" inside it; "@alice/NAME/sub" is inside what alice shared as NAME.

const isShared = (p) => p.startsWith('@');
const ownerOf = (p) => (isShared(p) ? p.slice(1).split('/')[0] : null);
function childPath(parent, name) {
  return parent === '/' ? '/' + name : parent + '/' + name;
}
function nameOf(p) {
  if (p === '/') return 'My files';
  return p.slice(p.lastIndexOf('/') + 1);
}
/** The parent folder, or null for home and for the root of something shared with me. */
function parentOf(p) {
  if (p === '/') return null;
  if (isShared(p)) {
    const parts = p.split('/');
    return parts.length <= 2 ? null : parts.slice(0, -1).join('/');
  }
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}
/** The top of the tree a path is in: home, or the shared item. */
function rootOf(p) {
  return isShared(p) ? p.split('/').slice(0, 2).join('/') : '/';
}
function validateName(name) {
  if (!name) return 'Enter a name.';
  if (name.includes('/')) return 'A name cannot contain “/”.';
  if (name === '.' || name === '..') return '“.” and “..” are not allowed as names.';
  if (name.trim() !== name) return 'A name cannot start or end with a space.';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function humanSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}

const fmtTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fmtDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fmtDate = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fmtFull = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

function humanTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return fmtTime.format(d);
  if (d.getFullYear() === now.getFullYear()) return fmtDay.format(d);
  return fmtDate.format(d);
}

function fullTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : fmtFull.format(d);
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
function icon(name, cls = 'icon') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  const use = document.createElementNS(SVG, 'use');
  use.setAttribute('href', '#i-' + name);
  svg.append(use);
  return svg;
}

function looksLikeText(name) {
  return /\.(txt|md|markdown|csv|tsv|json|xml|ya?ml|toml|ini|cfg|conf|log|html?|css|js|mjs|ts|java|kt|py|rb|go|rs|c|h|cpp|hpp|sh|sql|properties|gradle|tex|org|rst)$/i.test(name) || !name.includes('.');
}

function fileIcon(entry) {
  if (entry.folder) return 'folder';
  return looksLikeText(entry.name) ? 'text' : 'file';
}

// ---------------------------------------------------------------------------------------------
// Screens

function showScreen(id) {
  for (const s of ['screen-loading', 'screen-link', 'screen-auth', 'screen-main']) {
    $(s).hidden = s !== id;
  }
}

function showLinkScreen(message) {
  state.view = 'link';
  showScreen('screen-link');
  const m = $('link-message');
  m.hidden = !message;
  m.textContent = message || '';
  // the server's sentence already says where to get a new link
  $('link-help').hidden = !!message;
  document.title = 'edfs';
}

function showAuth(signup, message) {
  state.view = 'auth';
  state.signup = signup;
  showScreen('screen-auth');
  $('auth-title').textContent = signup ? 'Create your account' : 'Log in';
  $('auth-submit').textContent = signup ? 'Sign up' : 'Log in';
  $('auth-switch-text').textContent = signup ? 'Already have an account?' : 'New to edfs?';
  $('auth-switch').textContent = signup ? 'Log in instead' : 'Create an account';
  $('auth-password').autocomplete = signup ? 'new-password' : 'current-password';
  $('auth-again-field').hidden = !signup;
  $('auth-again').value = '';
  setFormError('auth-error', message && message !== 'UNAUTHENTICATED' ? message : null);
  const servers = state.me?.servers || [];
  $('auth-server').hidden = servers.length === 0;
  $('auth-server').textContent = servers.length ? 'Server: ' + servers.join(', ') : '';
  document.title = (signup ? 'Sign up' : 'Log in') + ' · edfs';
  $('auth-username').focus();
}

function showMain() {
  showScreen('screen-main');
  $('current-user').textContent = state.me.username;
  $('user-avatar').textContent = (state.me.username || '?').slice(0, 1).toUpperCase();
}

function setView(view) {
  // the editor's state goes only once another view is up: a failed navigation leaves it working
  if (view !== 'editor') state.editor = null;
  state.view = view;
  $('view-files').hidden = view !== 'files';
  $('view-shared').hidden = view !== 'shared';
  $('view-editor').hidden = view !== 'editor';
  const inShared = view === 'shared' || (view === 'files' && isShared(state.path)) || (view === 'editor' && state.editor && isShared(state.editor.path));
  $('nav-files').setAttribute('aria-current', inShared ? 'false' : 'page');
  $('nav-shared').setAttribute('aria-current', inShared ? 'page' : 'false');
  document.body.classList.toggle('editing', view === 'editor');
}

function setFormError(id, message) {
  const el = $(id);
  el.hidden = !message;
  el.textContent = message || '';
}

// ---------------------------------------------------------------------------------------------
// Banner and toast

function showError(err) {
  if (handleGlobal(err)) return;
  $('banner-title').textContent = errorTitle(err);
  $('banner-message').textContent = messageOf(err);
  $('banner').hidden = false;
}

function clearError() {
  $('banner').hidden = true;
}

let toastTimer = 0;
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), 3500);
}

// ---------------------------------------------------------------------------------------------
// Start-up and accounts

async function start() {
  wire();
  // a link pasted into a tab already showing this page changes only the hash
  window.addEventListener('hashchange', () => {
    if (new URLSearchParams(location.hash.slice(1)).has('token')) enter();
  });
  await enter();
}

async function enter() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const token = hash.get('token');
  if (token) {
    history.replaceState(null, '', '/');
    try {
      const { key } = await post('/api/session', { token });
      localStorage.setItem(KEY_STORE, key);
    } catch (err) {
      if (err instanceof ApiError && ['LINK_USED', 'LINK_EXPIRED', 'LINK_INVALID'].includes(err.reason)) {
        // a reload of a spent link still works while this browser holds the key it got for it
        if (!localStorage.getItem(KEY_STORE)) {
          showLinkScreen(err.message);
          return;
        }
      } else {
        showLinkScreen(messageOf(err));
        return;
      }
    }
  }
  state.key = localStorage.getItem(KEY_STORE);
  if (!state.key) {
    showLinkScreen(null);
    return;
  }
  await loadMe();
}

async function loadMe() {
  try {
    state.me = await get('/api/me');
  } catch (err) {
    if (handleGlobal(err)) return;
    showLinkScreen(messageOf(err));
    return;
  }
  if (state.me.loggedIn) {
    showMain();
    await openFolder('/');
  } else {
    showAuth(false);
  }
}

async function submitAuth(ev) {
  ev.preventDefault();
  const username = $('auth-username').value.trim();
  const password = $('auth-password').value;
  if (!username || !password) {
    setFormError('auth-error', 'Enter your user name and password.');
    return;
  }
  if (state.signup && $('auth-again').value !== password) {
    setFormError('auth-error', 'The two passwords differ. Type the same password twice: nobody can reset it.');
    $('auth-again').focus();
    return;
  }
  const btn = $('auth-submit');
  btn.disabled = true;
  btn.classList.add('busy');
  setFormError('auth-error', null);
  try {
    state.me = await post(state.signup ? '/api/signup' : '/api/login', { username, password });
    $('auth-password').value = '';
    $('auth-again').value = '';
    showMain();
    clearError();
    await openFolder('/');
  } catch (err) {
    if (err instanceof ApiError && ['NO_KEY', 'LINK_USED', 'LINK_EXPIRED', 'LINK_INVALID', 'BAD_ORIGIN'].includes(err.reason)) {
      handleGlobal(err);
    } else {
      setFormError('auth-error', (errorTitle(err) ? errorTitle(err) + ' ' : '') + messageOf(err));
    }
  } finally {
    btn.disabled = false;
    btn.classList.remove('busy');
  }
}

async function logout() {
  if (!(await leaveEditor())) return;
  if (state.uploading && !(await confirmDialog({ title: 'Cancel uploads?', message: 'Files are still uploading. Logging out cancels them.', ok: 'Log out', cancel: 'Keep uploading', danger: true }))) {
    return;
  }
  cancelUploads();
  try {
    state.me = await post('/api/logout');
  } catch (err) {
    if (handleGlobal(err)) return;
    showError(err);
    return;
  }
  state.entries = [];
  state.editor = null;
  $('file-list').replaceChildren();
  showAuth(false);
}

// ---------------------------------------------------------------------------------------------
// Folder view

function canWrite(entry) {
  return entry && (entry.access === 'OWNER' || entry.access === 'WRITE');
}

function sortEntries(entries) {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return [...entries].sort((a, b) => (a.folder === b.folder ? collator.compare(a.name, b.name) : a.folder ? -1 : 1));
}

async function openFolder(path, { focusName = null, keepError = false } = {}) {
  if (!keepError) clearError();
  let data;
  try {
    data = await get('/api/list?' + q({ path }));
  } catch (err) {
    showError(err);
    return false;
  }
  state.path = data.path || path;
  state.folder = data.entry;
  state.entries = sortEntries(data.entries || []);
  setView('files');
  renderFolder();
  if (focusName) {
    const row = [...$('file-list').children].find((r) => r.dataset.name === focusName);
    row?.querySelector('.row-main')?.focus();
  }
  return true;
}

async function refreshFolder(focusName) {
  if (state.view === 'files') await openFolder(state.path, { focusName, keepError: true });
}

function renderCrumbs(ol, path, { onFolder, onShared, last = true }) {
  const items = [];
  if (isShared(path)) {
    const [owner, ...rest] = path.slice(1).split('/');
    items.push({ label: 'Shared with me', go: () => onShared(null) });
    items.push({ label: owner, go: () => onShared(owner) });
    let p = '@' + owner;
    for (const part of rest) {
      p += '/' + part;
      const target = p;
      items.push({ label: part, go: () => onFolder(target) });
    }
  } else {
    items.push({ label: 'My files', go: () => onFolder('/') });
    let p = '';
    for (const part of path.split('/').filter(Boolean)) {
      p += '/' + part;
      const target = p;
      items.push({ label: part, go: () => onFolder(target) });
    }
  }
  ol.replaceChildren(
    ...items.map((it, i) => {
      const isLast = i === items.length - 1 && last;
      const li = h('li');
      if (i > 0) li.append(icon('chevron', 'crumb-sep'));
      li.append(
        isLast
          ? h('span', { class: 'crumb current', 'aria-current': 'page', 'data-test': 'crumb', text: it.label })
          : h('button', { type: 'button', class: 'crumb', 'data-test': 'crumb', text: it.label, onclick: it.go }),
      );
      return li;
    }),
  );
}

function renderFolder() {
  const path = state.path;
  const writable = canWrite(state.folder);
  renderCrumbs($('crumbs'), path, { onFolder: (p) => guard(() => openFolder(p)), onShared: (owner) => guard(() => openShared(owner)) });
  $('folder-title').textContent = nameOf(path);
  document.title = nameOf(path) + ' · edfs';
  for (const id of ['new-folder', 'new-file', 'upload']) $(id).hidden = !writable;
  const note = $('folder-note');
  if (isShared(path)) {
    note.hidden = false;
    note.replaceChildren(
      icon(writable ? 'users' : 'lock'),
      h('span', { text: writable ? `Shared by ${ownerOf(path)}: you can edit` : `Read only (shared by ${ownerOf(path)})` }),
    );
    note.classList.toggle('read-only', !writable);
  } else {
    note.hidden = true;
  }
  const list = $('file-list');
  list.replaceChildren(...state.entries.map((e) => fileRow(e)));
  $('empty-folder').hidden = state.entries.length > 0;
  $('empty-folder-text').textContent = writable ? 'This folder is empty. Drop files here, or use Upload.' : 'This folder is empty.';
  $('drop-text').textContent = `Drop files to upload to ${nameOf(path)}`;
}

function fileRow(entry) {
  const sizeText = entry.folder ? '—' : humanSize(entry.size);
  const label = entry.folder ? `${entry.name}, folder` : `${entry.name}, ${sizeText}`;
  const main = h(
    'button',
    { type: 'button', class: 'row-main', 'data-test': 'row-open', 'aria-label': `Open ${label}`, onclick: () => guard(() => openEntry(entry)) },
    h('span', { class: 'col-name' }, icon(fileIcon(entry), 'icon kind-' + fileIcon(entry)), h('span', { class: 'name', 'data-test': 'row-name', text: entry.name }),
      entry.shared ? h('span', { class: 'badge badge-shared', 'data-test': 'shared-badge', title: 'You shared this' }, icon('share', 'icon icon-sm'), h('span', { text: 'Shared' })) : null),
    h('span', { class: 'col-size', 'data-test': 'row-size', text: sizeText }),
    h('span', { class: 'col-modified', 'data-test': 'row-modified', title: fullTime(entry.modified), text: humanTime(entry.modified) }),
    h('span', { class: 'meta-mobile', 'aria-hidden': 'true', text: entry.folder ? humanTime(entry.modified) : `${sizeText} · ${humanTime(entry.modified)}` }),
  );
  const more = h(
    'button',
    { type: 'button', class: 'icon-btn row-more', 'data-test': 'row-menu', 'aria-label': `Actions for ${entry.name}`, 'aria-haspopup': 'menu', onclick: (ev) => openRowMenu(ev.currentTarget, entry) },
    icon('more'),
  );
  return h('li', { class: 'row', 'data-test': 'row', dataset: { name: entry.name, kind: entry.folder ? 'folder' : 'file' } }, main, h('span', { class: 'col-actions' }, more));
}

async function openEntry(entry) {
  if (entry.folder) return openFolder(entry.path);
  return openFile(entry);
}

// ---------------------------------------------------------------------------------------------
// Row menu (a popover: Esc and a click outside close it)

let menuReturn = null;

function openRowMenu(button, entry, { inShared = false } = {}) {
  const menu = $('row-menu');
  const writable = canWrite(entry) && !inShared;
  const owner = entry.access === 'OWNER';
  const items = [];
  items.push(['open', entry.folder ? 'Open' : 'Open', () => openEntry(entry)]);
  if (!entry.folder) items.push(['download', 'Download', () => download(entry.path)]);
  if (writable) {
    items.push(['rename', 'Rename…', () => renameEntry(entry)]);
    items.push(['move', 'Move…', () => moveEntry(entry)]);
  }
  if (owner) items.push(['share', 'Share…', () => shareEntry(entry)]);
  if (writable) items.push(['delete', 'Delete…', () => deleteEntry(entry), 'danger']);
  menu.replaceChildren(
    ...items.map(([test, text, fn, cls]) =>
      h('button', {
        type: 'button',
        role: 'menuitem',
        class: 'menu-item' + (cls ? ' ' + cls : ''),
        'data-test': 'action-' + test,
        text,
        onclick: () => {
          const back = menuReturn;
          menuReturn = null;
          menu.hidePopover();
          back?.focus();
          guard(fn);
        },
      }),
    ),
  );
  menuReturn = button;
  menu.showPopover();
  positionMenu(menu, button);
  menu.querySelector('button')?.focus();
}

function positionMenu(menu, anchor) {
  const r = anchor.getBoundingClientRect();
  const mw = menu.offsetWidth;
  const mh = menu.offsetHeight;
  let left = Math.min(r.right - mw, window.innerWidth - mw - 8);
  left = Math.max(8, left);
  let top = r.bottom + 4;
  if (top + mh > window.innerHeight - 8) top = Math.max(8, r.top - mh - 4);
  menu.style.left = `${left}px`;
  menu.style.top = `${top}px`;
}

function menuKeys(ev) {
  const items = [...$('row-menu').querySelectorAll('button')];
  const i = items.indexOf(document.activeElement);
  if (ev.key === 'ArrowDown') {
    items[(i + 1) % items.length]?.focus();
    ev.preventDefault();
  } else if (ev.key === 'ArrowUp') {
    items[(i - 1 + items.length) % items.length]?.focus();
    ev.preventDefault();
  } else if (ev.key === 'Home') {
    items[0]?.focus();
    ev.preventDefault();
  } else if (ev.key === 'End') {
    items.at(-1)?.focus();
    ev.preventDefault();
  } else if (ev.key === 'Tab') {
    $('row-menu').hidePopover();
  }
}

// ---------------------------------------------------------------------------------------------
// Dialogs

function closeAllDialogs() {
  for (const d of document.querySelectorAll('dialog[open]')) d.close('cancel');
  try {
    $('row-menu').hidePopover();
  } catch {
    // not open
  }
}

/** Shows a modal dialog and resolves with the value of the button that closed it. */
function modal(dialog, focus) {
  return new Promise((resolve) => {
    const back = document.activeElement;
    dialog.returnValue = 'cancel';
    dialog.showModal();
    (focus || dialog.querySelector('[autofocus]') || dialog.querySelector('input, select, .btn-primary'))?.focus();
    dialog.addEventListener(
      'close',
      () => {
        if (back && back.isConnected) back.focus();
        resolve(dialog.returnValue || 'cancel');
      },
      { once: true },
    );
  });
}

let confirmQueue = Promise.resolve();

/** Asks a yes/no question; resolves true for OK. One question at a time (uploads ask too). */
function confirmDialog(question) {
  const asked = confirmQueue.then(() => askOnce(question));
  confirmQueue = asked.catch(() => {});
  return asked;
}

async function askOnce({ title, message, ok = 'OK', danger = false, cancel = 'Cancel' }) {
  $('confirm-title').textContent = title;
  $('confirm-message').textContent = message;
  const okBtn = $('confirm-ok');
  okBtn.textContent = ok;
  okBtn.classList.toggle('btn-danger', danger);
  okBtn.classList.toggle('btn-primary', !danger);
  $('confirm-cancel').textContent = cancel;
  return (await modal($('dlg-confirm'), danger ? $('confirm-cancel') : okBtn)) === 'ok';
}

/**
 * Asks for a name; `act(name)` runs while the dialog stays open, so a refusal (NAME_EXISTS...)
 * shows in the dialog and the user can correct it. Resolves with act's result, or null.
 */
function promptName({ title, label = 'Name', value = '', ok = 'OK', selectStem = false, act }) {
  const dialog = $('dlg-prompt');
  const form = $('prompt-form');
  const input = $('prompt-input');
  $('prompt-title').textContent = title;
  $('prompt-label').textContent = label;
  $('prompt-ok').textContent = ok;
  input.value = value;
  setFormError('prompt-error', null);
  return new Promise((resolve) => {
    let result = null;
    const onSubmit = async (ev) => {
      ev.preventDefault();
      const name = input.value.trim();
      const problem = validateName(name);
      if (problem) {
        setFormError('prompt-error', problem);
        input.focus();
        return;
      }
      $('prompt-ok').disabled = true;
      try {
        result = await act(name);
        dialog.close('ok');
      } catch (err) {
        if (handleGlobal(err)) return;
        setFormError('prompt-error', messageOf(err));
        input.focus();
      } finally {
        $('prompt-ok').disabled = false;
      }
    };
    const onCancel = () => dialog.close('cancel');
    form.addEventListener('submit', onSubmit);
    $('prompt-cancel').addEventListener('click', onCancel);
    modal(dialog, input).then(() => {
      form.removeEventListener('submit', onSubmit);
      $('prompt-cancel').removeEventListener('click', onCancel);
      resolve(result);
    });
    const dot = value.lastIndexOf('.');
    if (selectStem && dot > 0) input.setSelectionRange(0, dot);
    else input.select();
  });
}

// ---------------------------------------------------------------------------------------------
// Folder actions

async function newFolder() {
  const parent = state.path;
  const entry = await promptName({ title: 'New folder', ok: 'Create', value: '', act: (name) => post('/api/mkdir', { path: childPath(parent, name) }) });
  if (entry) {
    toast(`Created folder ${entry.name}`);
    await refreshFolder(entry.name);
  }
}

async function newTextFile() {
  const parent = state.path;
  const entry = await promptName({
    title: 'New text file',
    value: 'untitled.txt',
    ok: 'Create',
    selectStem: true,
    act: (name) => uploadBlob(childPath(parent, name), new Blob([], { type: 'text/plain' }), false),
  });
  if (entry) await openFile(entry);
}

async function renameEntry(entry) {
  const moved = await promptName({
    title: `Rename ${entry.folder ? 'folder' : 'file'}`,
    label: 'New name',
    value: entry.name,
    ok: 'Rename',
    selectStem: !entry.folder,
    act: async (name) => (name === entry.name ? entry : post('/api/rename', { path: entry.path, name })),
  });
  if (moved && moved.name !== entry.name) {
    toast(`Renamed to ${moved.name}`);
    await refreshFolder(moved.name);
  }
}

async function deleteEntry(entry) {
  const ok = await confirmDialog({
    title: `Delete ${entry.name}?`,
    message: entry.folder
      ? `The folder “${entry.name}” and everything in it will be deleted. This cannot be undone.`
      : `The file “${entry.name}” will be deleted. This cannot be undone.`,
    ok: 'Delete',
    danger: true,
  });
  if (!ok) return;
  await post('/api/delete', { path: entry.path, recursive: entry.folder });
  toast(`Deleted ${entry.name}`);
  await refreshFolder();
}

async function download(path) {
  const { url } = await post('/api/download', { path });
  const a = h('a', { href: url, download: nameOf(path), class: 'visually-hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  toast(`Downloading ${nameOf(path)}`);
}

// ---------------------------------------------------------------------------------------------
// Move: browse to a folder of the same tree, then "Move here"

async function moveEntry(entry) {
  const dialog = $('dlg-move');
  const from = entry.path;
  const oldParent = parentOf(from);
  let at = oldParent;
  $('move-title').textContent = `Move ${entry.name}`;
  setFormError('move-error', null);

  const go = async (path) => {
    let data;
    try {
      data = await get('/api/list?' + q({ path }));
    } catch (err) {
      if (handleGlobal(err)) return;
      setFormError('move-error', messageOf(err));
      return;
    }
    at = data.path || path;
    setFormError('move-error', null);
    const root = rootOf(from);
    renderMoveCrumbs(at, root, go);
    const folders = sortEntries(data.entries || []).filter((e) => e.folder);
    const list = $('move-list');
    list.replaceChildren(
      ...folders.map((f) => {
        const self = f.path === from;
        return h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'picker-row', 'data-test': 'move-folder', 'data-name': f.name, disabled: self, title: self ? 'This is the folder being moved' : null, onclick: () => go(f.path) },
            icon('folder', 'icon kind-folder'),
            h('span', { class: 'name', text: f.name }),
            self ? null : icon('chevron', 'icon icon-sm muted'),
          ),
        );
      }),
    );
    if (folders.length === 0) list.append(h('li', { class: 'picker-empty muted', text: 'No folders here.' }));
    const here = $('move-here');
    const same = at === oldParent;
    here.disabled = same;
    here.textContent = same ? 'Already here' : `Move here`;
    here.title = same ? `${entry.name} is already in this folder` : `Move ${entry.name} to ${nameOf(at)}`;
  };

  const onHere = async () => {
    $('move-here').disabled = true;
    try {
      await post('/api/move', { from, to: at });
      dialog.close('ok');
    } catch (err) {
      if (handleGlobal(err)) return;
      setFormError('move-error', messageOf(err));
      $('move-here').disabled = false;
    }
  };
  $('move-here').addEventListener('click', onHere);
  await go(at);
  if (state.view === 'link' || state.view === 'auth') {
    $('move-here').removeEventListener('click', onHere);
    return;
  }
  const result = await modal(dialog, $('move-list').querySelector('button:not(:disabled)') || $('move-here'));
  $('move-here').removeEventListener('click', onHere);
  if (result === 'ok') {
    toast(`Moved ${entry.name} to ${nameOf(at)}`);
    await refreshFolder();
  }
}

function renderMoveCrumbs(path, root, go) {
  const items = [];
  if (root === '/') {
    items.push(['My files', '/']);
  } else {
    items.push([nameOf(root), root]);
  }
  const rest = path.slice(root.length).split('/').filter(Boolean);
  let p = root;
  for (const part of rest) {
    p = childPath(p, part);
    items.push([part, p]);
  }
  $('move-crumbs').replaceChildren(
    ...items.map(([label, target], i) => {
      const li = h('li');
      if (i > 0) li.append(icon('chevron', 'crumb-sep'));
      li.append(
        i === items.length - 1
          ? h('span', { class: 'crumb current', 'aria-current': 'location', text: label })
          : h('button', { type: 'button', class: 'crumb', 'data-test': 'move-crumb', text: label, onclick: () => go(target) }),
      );
      return li;
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Share

async function shareEntry(entry) {
  const dialog = $('dlg-share');
  $('share-title').textContent = `Share ${entry.name}`;
  $('share-user').value = '';
  $('share-mode').value = 'READ';
  setFormError('share-error', null);
  let changed = false;

  const render = (grants) => {
    $('grants-empty').hidden = grants.length > 0;
    $('grant-list').replaceChildren(
      ...grants.map((g) =>
        h(
          'li',
          { class: 'grant', 'data-test': 'grant', 'data-user': g.user },
          h('span', { class: 'avatar avatar-sm', 'aria-hidden': 'true', text: g.user.slice(0, 1).toUpperCase() }),
          h('span', { class: 'grant-user', text: g.user }),
          h('span', { class: 'badge badge-' + g.mode.toLowerCase(), 'data-test': 'grant-mode', text: g.mode }),
          h('span', { class: 'grant-since muted small', title: fullTime(g.sharedAt), text: g.sharedAt ? 'since ' + humanTime(g.sharedAt) : '' }),
          h('button', { type: 'button', class: 'btn btn-small', 'data-test': 'revoke', 'aria-label': `Revoke ${g.user}'s access`, onclick: () => revoke(g.user) }, 'Revoke'),
        ),
      ),
    );
  };
  const fail = (err) => {
    if (handleGlobal(err)) return;
    setFormError('share-error', messageOf(err));
  };
  const revoke = async (user) => {
    try {
      render((await post('/api/unshare', { path: entry.path, user })).grants || []);
      changed = true;
      setFormError('share-error', null);
      toast(`${user} no longer has access to ${entry.name}`);
      $('share-user').focus();
    } catch (err) {
      fail(err);
    }
  };
  const onSubmit = async (ev) => {
    ev.preventDefault();
    const user = $('share-user').value.trim();
    if (!user) {
      setFormError('share-error', 'Enter the user name of the person to share with.');
      $('share-user').focus();
      return;
    }
    const mode = $('share-mode').value;
    $('share-submit').disabled = true;
    try {
      render((await post('/api/share', { path: entry.path, user, mode })).grants || []);
      changed = true;
      setFormError('share-error', null);
      $('share-user').value = '';
      toast(`Shared ${entry.name} with ${user} (${mode})`);
    } catch (err) {
      fail(err);
    } finally {
      $('share-submit').disabled = false;
      $('share-user').focus();
    }
  };
  const onDone = () => dialog.close('ok');

  try {
    render((await get('/api/grants?' + q({ path: entry.path }))).grants || []);
  } catch (err) {
    showError(err);
    return;
  }
  $('share-form').addEventListener('submit', onSubmit);
  $('share-done').addEventListener('click', onDone);
  await modal(dialog, $('share-user'));
  $('share-form').removeEventListener('submit', onSubmit);
  $('share-done').removeEventListener('click', onDone);
  if (changed) await refreshFolder(entry.name);
}

// ---------------------------------------------------------------------------------------------
// Shared with me

async function openShared(owner = null) {
  if (!(await leaveEditor())) return;
  clearError();
  let data;
  try {
    data = await get('/api/shared');
  } catch (err) {
    showError(err);
    return;
  }
  state.shared = data.owners || [];
  setView('shared');
  document.title = 'Shared with me · edfs';
  const groups = $('shared-groups');
  groups.replaceChildren(
    ...state.shared.map((g) =>
      h(
        'section',
        { class: 'owner-group', 'data-test': 'shared-owner', 'data-owner': g.owner, 'aria-label': `Shared by ${g.owner}` },
        h('h2', { class: 'owner-head' }, h('span', { class: 'avatar avatar-sm', 'aria-hidden': 'true', text: g.owner.slice(0, 1).toUpperCase() }), h('span', { text: g.owner })),
        h('ul', { class: 'rows' }, ...g.items.map((it) => sharedRow(g.owner, it))),
      ),
    ),
  );
  $('empty-shared').hidden = state.shared.length > 0;
  if (owner) {
    const sec = groups.querySelector(`[data-owner="${CSS.escape(owner)}"]`);
    sec?.scrollIntoView({ block: 'start' });
    sec?.querySelector('.row-main')?.focus();
  }
}

function sharedRow(owner, item) {
  const entry = { name: item.name, path: item.path, folder: item.folder, access: item.mode, size: 0, modified: item.sharedAt };
  const main = h(
    'button',
    { type: 'button', class: 'row-main', 'data-test': 'row-open', 'aria-label': `Open ${item.name}, ${item.folder ? 'folder' : 'file'} shared by ${owner}, ${item.mode}`, onclick: () => guard(() => openSharedItem(entry)) },
    h('span', { class: 'col-name' }, icon(fileIcon(item), 'icon kind-' + fileIcon(item)), h('span', { class: 'name', 'data-test': 'row-name', text: item.name }),
      h('span', { class: 'badge badge-' + item.mode.toLowerCase(), 'data-test': 'mode-badge', title: item.mode === 'READ' ? 'You can view' : 'You can edit', text: item.mode })),
    h('span', { class: 'col-size', text: item.folder ? 'Folder' : 'File' }),
    h('span', { class: 'col-modified', title: fullTime(item.sharedAt), text: item.sharedAt ? 'Shared ' + humanTime(item.sharedAt) : '' }),
    h('span', { class: 'meta-mobile', 'aria-hidden': 'true', text: item.sharedAt ? 'Shared ' + humanTime(item.sharedAt) : '' }),
  );
  const more = h(
    'button',
    { type: 'button', class: 'icon-btn row-more', 'data-test': 'row-menu', 'aria-label': `Actions for ${item.name}`, 'aria-haspopup': 'menu', onclick: (ev) => openRowMenu(ev.currentTarget, entry, { inShared: true }) },
    icon('more'),
  );
  return h('li', { class: 'row', 'data-test': 'row', dataset: { name: item.name, kind: item.folder ? 'folder' : 'file', owner } }, main, h('span', { class: 'col-actions' }, more));
}

async function openSharedItem(entry) {
  if (entry.folder) return openFolder(entry.path);
  return openFile(entry);
}

// ---------------------------------------------------------------------------------------------
// Editor

async function openFile(entry) {
  if (!entry.folder && entry.size > TEXT_LIMIT) {
    return offerDownload(entry, `${entry.name} is ${humanSize(entry.size)}, too large to open here.`);
  }
  let data;
  try {
    data = await get('/api/text?' + q({ path: entry.path }));
  } catch (err) {
    if (err instanceof ApiError && (err.reason === 'NOT_TEXT' || err.reason === 'TOO_LARGE')) {
      return offerDownload(entry, err.reason === 'NOT_TEXT' ? `${entry.name} is not a text file, so it cannot be opened here.` : err.message);
    }
    throw err;
  }
  clearError();
  const e = data.entry;
  const readOnly = !canWrite(e);
  state.editor = { path: e.path || entry.path, entry: e, versionId: e.versionId, readOnly, dirty: false, saving: false, crlf: data.text.includes('\r\n') };
  const ta = $('editor-text');
  ta.value = data.text;
  ta.readOnly = readOnly;
  $('editor-name').textContent = e.name;
  $('editor-save').hidden = readOnly;
  const ro = $('editor-readonly');
  ro.hidden = !readOnly;
  $('editor-readonly-text').textContent = readOnly ? `Read only (shared by ${ownerOf(state.editor.path) || 'its owner'})` : '';
  renderCrumbs($('editor-crumbs'), state.editor.path, {
    onFolder: (p) => guard(async () => (await leaveEditor()) && openFolder(p)),
    onShared: (owner) => guard(() => openShared(owner)),
  });
  setDirty(false);
  $('editor-state').textContent = describeVersion(e);
  setView('editor');
  ta.setSelectionRange(0, 0);
  ta.scrollTop = 0;
  ta.focus();
}

function describeVersion(e) {
  return e.modified ? `Last saved ${humanTime(e.modified)}` : '';
}

async function offerDownload(entry, message) {
  $('download-title').textContent = `Download ${entry.name}?`;
  $('download-message').textContent = message;
  if ((await modal($('dlg-download'))) === 'ok') await download(entry.path);
}

function setDirty(dirty) {
  if (!state.editor) return;
  state.editor.dirty = dirty;
  $('editor-dirty').hidden = !dirty;
  $('editor-save').disabled = !dirty || state.editor.saving;
  document.title = (dirty ? '• ' : '') + state.editor.entry.name + ' · edfs';
}

/** Saves the editor's text over version {@code base} (none: only as a new file). */
async function save(base) {
  const ed = state.editor;
  if (!ed || ed.readOnly || ed.saving) return;
  ed.saving = true;
  $('editor-save').disabled = true;
  $('editor-state').textContent = 'Saving…';
  const text = $('editor-text').value;
  const params = { path: ed.path };
  if (base) params.base = base;
  try {
    // a textarea turns CRLF into LF: a file that had CRLF gets it back
    const body = ed.crlf ? text.replace(/\r?\n/g, '\r\n') : text;
    const entry = await api('PUT', '/api/text?' + q(params), body, { raw: true, contentType: 'text/plain;charset=utf-8' });
    ed.entry = entry;
    ed.versionId = entry.versionId;
    ed.saving = false;
    setDirty($('editor-text').value !== text);
    $('editor-state').textContent = 'Saved';
    clearError();
  } catch (err) {
    ed.saving = false;
    $('editor-state').textContent = describeVersion(ed.entry);
    setDirty(true);
    if (err instanceof ApiError && err.reason === 'VERSION_CONFLICT') {
      await resolveConflict(err.body.currentVersionId ?? null);
    } else {
      showError(err);
    }
  }
}

async function resolveConflict(currentVersionId) {
  const ed = state.editor;
  $('conflict-message').textContent = currentVersionId
    ? `Someone else saved a newer version of ${ed.entry.name} while you were editing.`
    : `Someone else deleted ${ed.entry.name} while you were editing. Keep mine saves your text as the file again.`;
  const choice = await modal($('dlg-conflict'));
  if (choice === 'keep') {
    await save(currentVersionId);
  } else if (choice === 'reload') {
    await reloadEditor();
  } else {
    $('editor-text').focus();
  }
}

async function reloadEditor() {
  const ed = state.editor;
  try {
    const data = await get('/api/text?' + q({ path: ed.path }));
    ed.entry = data.entry;
    ed.versionId = data.entry.versionId;
    ed.crlf = data.text.includes('\r\n');
    $('editor-text').value = data.text;
    setDirty(false);
    $('editor-state').textContent = describeVersion(data.entry);
    $('editor-text').focus();
  } catch (err) {
    showError(err);
  }
}

/** Leaves the editor if it is open, asking first about unsaved changes; false if the user stays. */
async function leaveEditor() {
  const ed = state.editor;
  if (!ed || state.view !== 'editor') return true;
  if (ed.dirty) {
    const ok = await confirmDialog({
      title: 'Discard changes?',
      message: `Your changes to ${ed.entry.name} are not saved.`,
      ok: 'Discard changes',
      cancel: 'Keep editing',
      danger: true,
    });
    if (!ok) {
      $('editor-text').focus();
      return false;
    }
    // discarded: a failed navigation from here leaves the text, but no longer asks again
    ed.dirty = false;
  }
  return true;
}

async function closeEditor() {
  const ed = state.editor;
  if (!ed) return;
  if (!(await leaveEditor())) return;
  const parent = parentOf(ed.path);
  if (parent === null) await openShared(ownerOf(ed.path));
  else await openFolder(parent, { focusName: nameOf(ed.path) });
}

// ---------------------------------------------------------------------------------------------
// Uploads

/** Sends a blob with XMLHttpRequest (for progress); resolves with the new Entry. */
function uploadBlob(path, blob, replace, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', '/api/upload?' + q({ path, replace: String(replace) }));
    state.xhr = xhr;
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (state.key) xhr.setRequestHeader('X-Edfs-Key', state.key);
    if (onProgress) xhr.upload.addEventListener('progress', (e) => e.lengthComputable && onProgress(e.loaded, e.total));
    xhr.addEventListener('load', () => {
      let data = {};
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : {};
      } catch {
        data = {};
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data.error || 'HTTP_' + xhr.status, data.message || defaultMessage(data.error, xhr.status), data));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'UI_DOWN', 'The edfs ui program on this computer is not answering. Is it still running?')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'ABORTED', 'Upload cancelled.')));
    xhr.send(blob);
  });
}

function queueUploads(files) {
  if (!files.length) return;
  if (!canWrite(state.folder)) {
    showError(new ApiError(403, 'FORBIDDEN', `You can only view ${nameOf(state.path)}; uploading is not allowed.`));
    return;
  }
  const folder = state.path;
  for (const file of files) {
    const problem = validateName(file.name);
    const progress = h('progress', { max: '100', value: '0', 'data-test': 'upload-progress', 'aria-label': `Upload of ${file.name}` });
    const status = h('span', { class: 'upload-status', 'data-test': 'upload-status', text: 'Waiting' });
    const li = h(
      'li',
      { class: 'upload-item', 'data-test': 'upload-item', 'data-name': file.name },
      h('div', { class: 'upload-line' }, icon(looksLikeText(file.name) ? 'text' : 'file', 'icon icon-sm'), h('span', { class: 'upload-name', text: file.name }), h('span', { class: 'upload-size muted small', text: humanSize(file.size) })),
      progress,
      status,
    );
    $('upload-list').prepend(li);
    const job = { file, folder, li, progress, status, problem };
    state.uploads.push(job);
  }
  $('uploads').hidden = false;
  if (!state.uploading) runUploads();
}

/** Stops the running upload and drops the queue: they belong to a session that ended. */
function cancelUploads() {
  for (const job of state.uploads.splice(0)) {
    job.li.classList.add('failed');
    job.status.textContent = 'Cancelled';
  }
  if (state.xhr) state.xhr.abort();
}

async function runUploads() {
  state.uploading = true;
  let done = 0;
  while (state.uploads.length) {
    const job = state.uploads.shift();
    if (await uploadOne(job)) done++;
  }
  state.uploading = false;
  if (done) toast(done === 1 ? 'Upload complete' : `${done} uploads complete`);
}

async function uploadOne(job) {
  const { file, folder, li, progress, status } = job;
  const finish = (cls, text) => {
    li.classList.add(cls);
    status.textContent = text;
  };
  if (job.problem) {
    finish('failed', job.problem);
    return false;
  }
  const path = childPath(folder, file.name);
  let replace = false;
  for (;;) {
    li.classList.add('active');
    status.textContent = 'Uploading…';
    try {
      await uploadBlob(path, file, replace, (loaded, total) => {
        const pct = total ? Math.round((loaded / total) * 100) : 100;
        progress.value = pct;
        status.textContent = `${pct}%`;
      });
      progress.value = 100;
      li.classList.remove('active');
      finish('done', 'Done');
      if (state.view === 'files' && state.path === folder) await refreshFolder();
      return true;
    } catch (err) {
      li.classList.remove('active');
      if (err instanceof ApiError && err.reason === 'NAME_EXISTS' && !replace) {
        const yes = await confirmDialog({
          title: `Replace ${file.name}?`,
          message: `A file named “${file.name}” already exists in ${nameOf(folder)}. Replacing it overwrites its content.`,
          ok: 'Replace',
        });
        if (yes) {
          replace = true;
          progress.value = 0;
          continue;
        }
        finish('skipped', 'Skipped');
        return false;
      }
      if (handleGlobal(err)) {
        finish('failed', 'Failed');
        return false;
      }
      finish('failed', messageOf(err));
      return false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Drag and drop onto the file list

function wireDrop() {
  const zone = $('drop-zone');
  const overlay = $('drop-overlay');
  let depth = 0;
  const hasFiles = (ev) => [...(ev.dataTransfer?.types || [])].includes('Files');
  const canDrop = () => state.view === 'files' && canWrite(state.folder);
  zone.addEventListener('dragenter', (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    depth++;
    overlay.hidden = !canDrop();
  });
  zone.addEventListener('dragover', (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = canDrop() ? 'copy' : 'none';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    depth = 0;
    overlay.hidden = true;
    if (!canDrop()) return;
    queueUploads([...(ev.dataTransfer?.files || [])]);
  });
  // a file dropped anywhere else must not replace the page
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (ev) => ev.preventDefault());
}

// ---------------------------------------------------------------------------------------------
// Wiring

/** Runs an action and shows any failure in the banner. */
async function guard(fn) {
  try {
    await fn();
  } catch (err) {
    showError(err);
  }
}

function wire() {
  $('auth-form').addEventListener('submit', submitAuth);
  $('auth-switch').addEventListener('click', () => showAuth(!state.signup));
  $('logout').addEventListener('click', () => guard(logout));
  $('nav-files').addEventListener('click', () => guard(async () => (await leaveEditor()) && openFolder('/')));
  $('nav-shared').addEventListener('click', () => guard(() => openShared()));
  $('banner-close').addEventListener('click', clearError);
  $('new-folder').addEventListener('click', () => guard(newFolder));
  $('new-file').addEventListener('click', () => guard(newTextFile));
  $('upload').addEventListener('click', () => $('upload-input').click());
  $('upload-input').addEventListener('change', (ev) => {
    queueUploads([...ev.target.files]);
    ev.target.value = '';
  });
  $('uploads-close').addEventListener('click', () => {
    $('uploads').hidden = true;
    for (const li of [...$('upload-list').children]) if (!li.classList.contains('active') && li.querySelector('.upload-status').textContent !== 'Waiting') li.remove();
  });
  $('editor-text').addEventListener('input', () => state.editor && !state.editor.readOnly && setDirty(true));
  $('editor-save').addEventListener('click', () => guard(() => save(state.editor?.versionId)));
  $('editor-close').addEventListener('click', () => guard(closeEditor));
  $('row-menu').addEventListener('keydown', menuKeys);
  $('row-menu').addEventListener('toggle', (ev) => {
    if (ev.newState === 'closed' && menuReturn?.isConnected) menuReturn.focus();
    if (ev.newState === 'closed') menuReturn = null;
  });
  document.addEventListener('keydown', (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && ev.key.toLowerCase() === 's' && state.view === 'editor') {
      ev.preventDefault();
      if (!document.querySelector('dialog[open]')) guard(() => save(state.editor?.versionId));
    }
  });
  window.addEventListener('beforeunload', (ev) => {
    if ((state.view === 'editor' && state.editor?.dirty) || state.uploading) ev.preventDefault();
  });
  // the menu is placed where its button was: it closes when that moves
  for (const type of ['resize', 'scroll']) {
    window.addEventListener(type, () => {
      if ($('row-menu').matches(':popover-open')) $('row-menu').hidePopover();
    });
  }
  wireDrop();
}

start().catch((err) => {
  console.warn(err);
  showLinkScreen(messageOf(err));
});
