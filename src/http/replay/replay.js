/* global document, sessionStorage, fetch, location, requestAnimationFrame, performance */
/**
 * Session replay page (docs/playback.md), loaded as a module (its own scope, strict). Loads GET /sessions/:id/playback
 * with the analyst's access token, animates the frames (text deltas) along a scrubber, and shows the timeline events
 * as markers. Seeking (scrubber release, marker or event click) asks GET /sessions/:id/code?at= for the exact code of
 * that millisecond.
 */
const TOKEN_KEY = 'syncode.replay.token';
const KEYFRAME_EVERY = 200;
const $ = (id) => document.getElementById(id);
const sessionId = decodeURIComponent(location.pathname.replace(/\/+$/, '').split('/').pop() || '');

const state = {
  playback: null,
  duration: 0,
  position: 0,
  playing: false,
  speed: 1,
  lastTick: 0,
  keyframes: [], // [{index, text}] text after applying frames[0..index)
  seekSeq: 0,
};

function setStatus(text, isError) {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', Boolean(isError));
}

function fmt(ms) {
  const total = Math.max(0, Math.round(ms));
  const m = Math.floor(total / 60000);
  const s = Math.floor((total % 60000) / 1000);
  const rest = total % 1000;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(rest).padStart(3, '0')}`;
}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(body.message || `HTTP ${res.status}`);
    err.status = res.status;
    err.code = body.code;
    throw err;
  }
  return body;
}

function applyDelta(text, delta) {
  let out = '';
  let at = 0;
  for (const op of delta) {
    if (op.retain !== undefined) {
      out += text.slice(at, at + op.retain);
      at += op.retain;
    } else if (op.delete !== undefined) at += op.delete;
    else if (op.insert !== undefined) out += op.insert;
  }
  return out + text.slice(at);
}

function buildKeyframes() {
  const frames = state.playback.frames;
  let text = '';
  state.keyframes = [{ index: 0, text: '' }];
  for (let i = 0; i < frames.length; i++) {
    text = applyDelta(text, frames[i].delta);
    if ((i + 1) % KEYFRAME_EVERY === 0) state.keyframes.push({ index: i + 1, text });
  }
}

/** The code and the last frame at `t` (ms since the start), from the frames. */
function frameStateAt(t) {
  const frames = state.playback.frames;
  let hi = 0;
  while (hi < frames.length && frames[hi].t <= t) hi++;
  let key = state.keyframes[0];
  for (const k of state.keyframes) if (k.index <= hi) key = k;
  let text = key.text;
  for (let i = key.index; i < hi; i++) text = applyDelta(text, frames[i].delta);
  let language = state.playback.language;
  for (let i = 0; i < hi; i++) if (frames[i].language) language = frames[i].language;
  return { text, last: hi > 0 ? frames[hi - 1] : null, language };
}

function render(t, exact) {
  state.position = Math.min(Math.max(t, 0), state.duration);
  $('scrubber').value = String(Math.round(state.position));
  $('clock').textContent = fmt(state.position);
  const code = $('code');
  if (exact) {
    code.textContent = exact.code;
    code.dataset.at = exact.at;
    code.dataset.source = 'exact';
    $('language').textContent = exact.language || '';
    return;
  }
  const s = frameStateAt(state.position);
  code.textContent = s.text;
  code.dataset.at = new Date(Date.parse(state.playback.startedAt) + state.position).toISOString();
  code.dataset.source = 'frames';
  $('language').textContent = s.language || '';
  $('author').textContent = s.last && s.last.userId ? `last edit by ${s.last.userId.slice(0, 8)}` : '';
}

/** Jump to `t` and show the exact code of that instant (ms resolution, from the server). */
async function seek(t) {
  render(t);
  const seq = ++state.seekSeq;
  const at = new Date(Date.parse(state.playback.startedAt) + Math.round(state.position)).toISOString();
  try {
    const exact = await api(`/sessions/${encodeURIComponent(sessionId)}/code?at=${encodeURIComponent(at)}`);
    if (seq === state.seekSeq && !state.playing) render(state.position, exact);
  } catch (err) {
    setStatus(`Could not load the code at ${at}: ${err.message}`, true);
  }
}

function tick(now) {
  if (!state.playing) return;
  const dt = now - state.lastTick;
  state.lastTick = now;
  const next = state.position + dt * state.speed;
  if (next >= state.duration) {
    render(state.duration);
    setPlaying(false);
    return;
  }
  render(next);
  requestAnimationFrame(tick);
}

function setPlaying(on) {
  state.playing = on;
  $('play').textContent = on ? 'Pause' : 'Play';
  $('play').setAttribute('aria-label', on ? 'Pause' : 'Play');
  if (on) {
    state.seekSeq++;
    if (state.position >= state.duration) render(0);
    state.lastTick = performance.now();
    requestAnimationFrame(tick);
  }
}

/** Timeline events worth a marker, with submissions labelled by their verdict. */
function markersOf(events) {
  const completed = new Map();
  for (const e of events) if (e.eventType === 'submission_completed' && e.metadata) completed.set(e.metadata.submissionId, e.metadata);
  const out = [];
  for (const e of events) {
    const m = e.metadata || {};
    if (e.eventType === 'phase_changed') out.push({ e, kind: 'phase', label: `Phase: ${m.from} → ${m.to}` });
    else if (e.eventType === 'code_run') out.push({ e, kind: 'run', label: 'Run' });
    else if (e.eventType === 'code_submitted') {
      const done = completed.get(m.submissionId);
      if (!done) out.push({ e, kind: 'submission pending', label: 'Submission (pending)', verdict: 'pending' });
      else {
        const pass = done.total > 0 && done.passed === done.total;
        const verdict = pass ? 'passed' : 'failed';
        out.push({ e, kind: `submission ${pass ? 'pass' : 'fail'}`, label: `Submission: ${verdict} (${done.passed}/${done.total})`, verdict });
      }
    } else if (e.eventType.startsWith('hint_')) out.push({ e, kind: 'hint', label: `Hint${m.level ? ` (${m.level})` : ''}` });
    else if (e.eventType === 'role_swap_accepted') out.push({ e, kind: 'swap', label: 'Role swap' });
  }
  return out;
}

function renderTimeline() {
  const { events } = state.playback;
  const markers = $('markers');
  markers.replaceChildren();
  for (const mk of markersOf(events)) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `marker ${mk.kind}`;
    b.title = `${fmt(mk.e.t)} ${mk.label}`;
    b.setAttribute('aria-label', mk.label);
    b.dataset.type = mk.e.eventType;
    b.dataset.t = String(mk.e.t);
    if (mk.verdict) b.dataset.verdict = mk.verdict;
    b.style.left = `${state.duration > 0 ? (Math.min(mk.e.t, state.duration) / state.duration) * 100 : 0}%`;
    b.addEventListener('click', () => {
      setPlaying(false);
      void seek(mk.e.t);
    });
    markers.appendChild(b);
  }
  const list = $('events');
  list.replaceChildren();
  for (const e of events) {
    const li = document.createElement('li');
    li.textContent = `${fmt(e.t)}  ${e.eventType}${e.userId ? `  ${e.userId.slice(0, 8)}` : ''}${e.metadata ? `  ${JSON.stringify(e.metadata)}` : ''}`;
    li.addEventListener('click', () => {
      setPlaying(false);
      void seek(Math.max(0, e.t));
    });
    list.appendChild(li);
  }
}

async function load() {
  setStatus('Loading…');
  try {
    state.playback = await api(`/sessions/${encodeURIComponent(sessionId)}/playback`);
  } catch (err) {
    if (err.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignin();
    }
    setStatus(`Could not load the session: ${err.message}`, true);
    return;
  }
  const pb = state.playback;
  const end = Date.parse(pb.finishedAt || pb.to);
  state.duration = Math.max(0, end - Date.parse(pb.startedAt));
  buildKeyframes();
  $('signin').hidden = true;
  $('signout').hidden = false;
  $('player').hidden = false;
  $('scrubber').max = String(state.duration);
  $('duration').textContent = fmt(state.duration);
  renderTimeline();
  render(0);
  setStatus(`${pb.frames.length} frames, ${pb.events.length} events`);
  document.body.dataset.ready = 'true';
}

function showSignin() {
  $('signin').hidden = false;
  $('player').hidden = true;
  $('signout').hidden = true;
}

function start() {
  $('session-label').textContent = sessionId;
  $('signin').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = $('token').value.trim().replace(/^Bearer\s+/i, '');
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    void load();
  });
  $('signout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setPlaying(false);
    showSignin();
    setStatus('Signed out');
  });
  $('play').addEventListener('click', () => setPlaying(!state.playing));
  $('speed').addEventListener('change', () => {
    state.speed = Number($('speed').value) || 1;
  });
  $('scrubber').addEventListener('input', () => {
    setPlaying(false);
    render(Number($('scrubber').value));
  });
  $('scrubber').addEventListener('change', () => void seek(Number($('scrubber').value)));

  if (sessionStorage.getItem(TOKEN_KEY)) void load();
  else showSignin();
}

start();
