// playback.js: several recorded tracks of one session played in step.
//
// Every track is a separate WebM whose time stamps start at 0; `offsetMs`
// places it on the session's timeline.  One clock (the session position)
// drives every element: a track whose offset has not come yet stays paused
// and blank, a track past its end stays paused on its last frame, and an
// element that drifts more than DRIFT_MS from where it should be is put back.
// While an element that should be playing has no data to play, the clock
// waits for it (at most STALL_LIMIT_MS at a time).
//
//   const player = new SyncPlayer(tracks, { durationMs });
//   player.addEventListener('update', ...);   // position, playing, stalled
//   player.play(); player.pause(); player.seek(ms); player.destroy();
//
// tracks: [{ element (HTMLMediaElement), offsetMs, durationMs, tile? }]; the
// tile (nullable) gets the class `is-waiting` while its track has not begun,
// and its `.vw-media-state` element a short note.

const TICK_MS = 100;
const DRIFT_MS = 300;
const CORRECTION_GAP_MS = 1000;
const STALL_LIMIT_MS = 3000;
const END_SLACK_MS = 250;

export function formatClock(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export class SyncPlayer extends EventTarget {
  constructor(tracks, { durationMs } = {}) {
    super();
    this.tracks = tracks.map((t) => ({
      element: t.element,
      offsetMs: Math.max(0, Number(t.offsetMs) || 0),
      durationMs: Math.max(0, Number(t.durationMs) || 0),
      tile: t.tile || null,
      lastCorrection: -Infinity,
      failed: false,
      phase: null,
    }));
    const ends = this.tracks.map((t) => t.offsetMs + t.durationMs);
    this.durationMs = Math.max(Number(durationMs) || 0, ...ends, 0);
    this.playing = false;
    this.stalled = false;
    this.stallSince = 0;
    this.ignoreStallsUntil = 0;
    this.basePos = 0;
    this.baseWall = performance.now();
    this.timer = null;
    this.destroyed = false;

    for (const t of this.tracks) {
      t.element.preload = 'auto';
      t.onError = () => {
        t.failed = true;
        this.setNote(t, '无法加载此轨录像');
        this.dispatchEvent(new CustomEvent('trackerror', { detail: { track: t } }));
      };
      t.element.addEventListener('error', t.onError);
    }
    this.sync(true);
  }

  get position() {
    if (!this.playing || this.stalled)
      return this.basePos;
    return Math.min(this.durationMs, this.basePos + (performance.now() - this.baseWall));
  }

  play() {
    if (this.destroyed || this.durationMs <= 0)
      return;
    if (this.position >= this.durationMs)
      this.basePos = 0;
    this.basePos = this.position;
    this.baseWall = performance.now();
    this.playing = true;
    this.stalled = false;
    this.ignoreStallsUntil = 0;
    this.sync(true);
    if (!this.timer)
      this.timer = setInterval(() => this.tick(), TICK_MS);
    this.emit();
  }

  pause() {
    this.basePos = this.position;
    this.baseWall = performance.now();
    this.playing = false;
    this.stalled = false;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.sync(false);
    this.emit();
  }

  toggle() {
    if (this.playing)
      this.pause();
    else
      this.play();
  }

  seek(ms) {
    this.basePos = Math.max(0, Math.min(this.durationMs, Number(ms) || 0));
    this.baseWall = performance.now();
    this.stalled = false;
    this.ignoreStallsUntil = 0;
    for (const t of this.tracks)
      t.lastCorrection = -Infinity;
    this.sync(true);
    this.emit();
  }

  destroy() {
    this.destroyed = true;
    if (this.timer)
      clearInterval(this.timer);
    this.timer = null;
    for (const t of this.tracks) {
      t.element.removeEventListener('error', t.onError);
      t.element.pause();
      // Stop any download still going on.
      t.element.removeAttribute('src');
      t.element.load();
    }
  }

  // ---- internals ----

  emit() {
    this.dispatchEvent(new CustomEvent('update', {
      detail: { position: this.position, durationMs: this.durationMs,
        playing: this.playing, stalled: this.stalled },
    }));
  }

  setNote(t, text) {
    const note = t.tile && t.tile.querySelector('.vw-media-state');
    if (note && note.textContent !== text)
      note.textContent = text;
  }

  setPhase(t, phase, note) {
    if (t.tile) {
      t.tile.classList.toggle('is-waiting', phase === 'before');
      t.tile.dataset.phase = phase;
    }
    t.phase = phase;
    if (!t.failed)
      this.setNote(t, note);
  }

  tick() {
    if (this.destroyed)
      return;
    const now = performance.now();
    if (this.playing) {
      const stalledTracks = this.tracks.filter((t) => this.isStalled(t));
      if (stalledTracks.length > 0 && now >= this.ignoreStallsUntil) {
        if (!this.stalled) {
          this.basePos = this.position;
          this.stalled = true;
          this.stallSince = now;
        } else if (now - this.stallSince > STALL_LIMIT_MS) {
          // Carry on without it; it catches up by a correction.
          this.ignoreStallsUntil = now + STALL_LIMIT_MS;
          this.stalled = false;
          this.baseWall = now;
        }
      } else if (this.stalled) {
        this.stalled = false;
        this.baseWall = now;
      }
      if (this.position >= this.durationMs) {
        this.pause();
        return;
      }
    }
    this.sync(false);
    this.emit();
  }

  // An element that should be playing but has nothing to play yet.
  isStalled(t) {
    if (t.failed)
      return false;
    const local = this.position - t.offsetMs;
    if (local < 0 || (t.durationMs > 0 && local >= t.durationMs - END_SLACK_MS))
      return false;
    const el = t.element;
    return !el.ended && (el.seeking || el.readyState < HTMLMediaElement.HAVE_FUTURE_DATA);
  }

  sync(forceSeek) {
    const pos = this.position;
    const now = performance.now();
    for (const t of this.tracks) {
      const el = t.element;
      const local = pos - t.offsetMs;
      if (local < 0) {
        if (!el.paused)
          el.pause();
        if (forceSeek && el.readyState > 0 && el.currentTime !== 0)
          el.currentTime = 0;
        this.setPhase(t, 'before', `${formatClock(-local + 999)} 后开始`);
        continue;
      }
      if (t.durationMs > 0 && local >= t.durationMs) {
        if (!el.paused)
          el.pause();
        if (forceSeek)
          this.setTime(t, t.durationMs);
        this.setPhase(t, 'after', '');
        continue;
      }
      this.setPhase(t, 'active', '');
      const drift = Math.abs(el.currentTime * 1000 - local);
      if (forceSeek || (drift > DRIFT_MS && now - t.lastCorrection > CORRECTION_GAP_MS)) {
        this.setTime(t, local);
        t.lastCorrection = now;
      }
      const shouldPlay = this.playing && !this.stalled;
      if (shouldPlay && el.paused && !t.failed) {
        const p = el.play();
        if (p && p.catch) {
          p.catch((err) => {
            if (err && err.name === 'NotAllowedError')
              this.dispatchEvent(new CustomEvent('blocked', { detail: { track: t } }));
          });
        }
      } else if (!shouldPlay && !el.paused) {
        el.pause();
      }
    }
  }

  setTime(t, ms) {
    const el = t.element;
    // Before metadata, currentTime is remembered as the start position.
    try {
      el.currentTime = Math.max(0, ms) / 1000;
    } catch (e) {
      // Not seekable yet; the next correction tries again.
    }
  }
}
