// vw-markup.js: mark a rectangle on a snapshot (标注), for the agent console.
//
// Shows an image (an ImageBitmap, e.g. from createImageBitmap(blob)) at its
// full resolution on a <canvas> that CSS scales down to fit, and lets the
// user draw one rectangle on it with the mouse, a pen or a finger (pointer
// events).  The rectangle is kept in the IMAGE's pixels (origin top left),
// whatever size the canvas is shown at, so it can be sent as is in
// `annotate {x, y, w, h}` (signaling/PROTOCOL.md, section 8).
//
//   import { VwMarkup } from '/js/vw-markup.js';
//   const markup = new VwMarkup(document.querySelector('#snapshot-stage'));
//   markup.addEventListener('change', (e) => show(e.detail));   // {x, y, w, h} or null
//   markup.setImage(bitmap);            // shows it; clears the rectangle
//   markup.setRect({x: 10, y: 20, w: 300, h: 120});   // e.g. typed in
//   markup.rect                         // the rectangle, or null
//   markup.clear();
//   markup.setMarks([{x, y, w, h, note}])   // rectangles already sent, numbered
//
// The container gets a frame (div.vw-markup-frame) with two canvases: the
// image (canvas.vw-markup-image), and above it an overlay
// (canvas.vw-markup-overlay, the same size in image pixels) on which the
// rectangle is drawn.  Style: the frame position: relative, the overlay
// absolute over all of it (style.css).  No image data
// leaves the page; no blob: URL is made (the pages' CSP allows img-src
// 'self' only).

/** A drag shorter than this (CSS pixels) on both axes is a click, not a rectangle. */
const MIN_DRAG_CSS_PX = 4;

export class VwMarkup extends EventTarget {
  /** @param {HTMLElement} container  an empty element; the canvases go in it */
  constructor(container) {
    super();
    this.container = container;
    this.container.classList.add('vw-markup');
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'vw-markup-image';
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'vw-markup-overlay';
    this.overlay.setAttribute('aria-hidden', 'true');
    // The frame is as large as the picture shown, and the overlay covers it.
    this.frame = document.createElement('div');
    this.frame.className = 'vw-markup-frame';
    this.frame.append(this.canvas, this.overlay);
    this.container.replaceChildren(this.frame);
    this.width = 0;
    this.height = 0;
    this.rect = null;      // {x, y, w, h} in image pixels
    this.drag = null;      // {pointerId, x0, y0, cx0, cy0}
    this.label = '';       // drawn next to the rectangle (the note)
    this.marks = [];       // rectangles already sent: [{x, y, w, h, note}]

    this.overlay.addEventListener('pointerdown', (e) => this._down(e));
    this.overlay.addEventListener('pointermove', (e) => this._move(e));
    this.overlay.addEventListener('pointerup', (e) => this._up(e));
    this.overlay.addEventListener('pointercancel', (e) => this._cancel(e));
    // Lines and labels keep their size on screen when the picture is resized.
    if (typeof ResizeObserver !== 'undefined')
      new ResizeObserver(() => this._draw()).observe(this.canvas);
    // Keep a touch drag from scrolling or zooming the page.
    this.overlay.addEventListener('touchstart', (e) => e.preventDefault(), { passive: false });
  }

  /** Shows @bitmap (ImageBitmap, HTMLImageElement or canvas) at full resolution; clears the rectangle. */
  setImage(bitmap) {
    this.width = bitmap.width;
    this.height = bitmap.height;
    for (const c of [this.canvas, this.overlay]) {
      c.width = this.width;
      c.height = this.height;
    }
    const ctx = this.canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    this.rect = null;
    this.drag = null;
    this.marks = [];
    this._draw();
    this._changed();
  }

  /** Removes the image and the rectangle. */
  reset() {
    this.width = 0;
    this.height = 0;
    for (const c of [this.canvas, this.overlay]) {
      c.width = 0;
      c.height = 0;
    }
    this.rect = null;
    this.drag = null;
  }

  get hasImage() {
    return this.width > 0 && this.height > 0;
  }

  /** Removes the rectangle. */
  clear() {
    this.rect = null;
    this.drag = null;
    this._draw();
    this._changed();
  }

  /** Sets the rectangle (image pixels), clamped to the image; null clears it. */
  setRect(r) {
    this.rect = r ? this._clampRect(r) : null;
    this._draw();
    this._changed();
  }

  /** Rectangles drawn for good (e.g. the annotations sent), numbered 1, 2, … */
  setMarks(marks) {
    this.marks = (marks || []).map((m) => ({ ...this._clampRect(m), note: String(m.note || '') }));
    this._draw();
  }

  /** Text drawn with the rectangle (e.g. the note being typed). */
  setLabel(text) {
    this.label = String(text || '');
    this._draw();
  }

  /** Converts a point in CSS pixels of the viewport to image pixels (clamped to the image). */
  toImage(clientX, clientY) {
    const box = this.canvas.getBoundingClientRect();
    if (box.width <= 0 || box.height <= 0)
      return { x: 0, y: 0 };
    const x = ((clientX - box.left) * this.width) / box.width;
    const y = ((clientY - box.top) * this.height) / box.height;
    return { x: clamp(x, 0, this.width), y: clamp(y, 0, this.height) };
  }

  /** How many image pixels one CSS pixel covers as shown now. */
  get scale() {
    const box = this.canvas.getBoundingClientRect();
    return box.width > 0 ? this.width / box.width : 1;
  }

  // ---- pointer handling

  _down(e) {
    if (!this.hasImage || (e.pointerType === 'mouse' && e.button !== 0))
      return;
    e.preventDefault();
    this.overlay.setPointerCapture(e.pointerId);
    const p = this.toImage(e.clientX, e.clientY);
    this.drag = { pointerId: e.pointerId, x0: p.x, y0: p.y, cx0: e.clientX, cy0: e.clientY, previous: this.rect };
    this.rect = null;
    this._draw();
  }

  _move(e) {
    if (!this.drag || e.pointerId !== this.drag.pointerId)
      return;
    e.preventDefault();
    const p = this.toImage(e.clientX, e.clientY);
    this.rect = this._fromCorners(this.drag.x0, this.drag.y0, p.x, p.y);
    this._draw();
  }

  _up(e) {
    if (!this.drag || e.pointerId !== this.drag.pointerId)
      return;
    e.preventDefault();
    const d = this.drag;
    this.drag = null;
    if (Math.abs(e.clientX - d.cx0) < MIN_DRAG_CSS_PX && Math.abs(e.clientY - d.cy0) < MIN_DRAG_CSS_PX) {
      // A click: keep the rectangle there was.
      this.rect = d.previous;
    } else {
      const p = this.toImage(e.clientX, e.clientY);
      this.rect = this._fromCorners(d.x0, d.y0, p.x, p.y);
    }
    this._draw();
    this._changed();
  }

  _cancel(e) {
    if (!this.drag || e.pointerId !== this.drag.pointerId)
      return;
    this.rect = this.drag.previous;
    this.drag = null;
    this._draw();
  }

  // ---- geometry

  // The smallest whole-pixel rectangle that covers both corners, inside the image.
  _fromCorners(x0, y0, x1, y1) {
    const left = Math.floor(Math.min(x0, x1));
    const top = Math.floor(Math.min(y0, y1));
    const right = Math.ceil(Math.max(x0, x1));
    const bottom = Math.ceil(Math.max(y0, y1));
    return this._clampRect({ x: left, y: top, w: right - left, h: bottom - top });
  }

  _clampRect(r) {
    let x = Math.round(Number(r.x) || 0);
    let y = Math.round(Number(r.y) || 0);
    x = clamp(x, 0, Math.max(0, this.width - 1));
    y = clamp(y, 0, Math.max(0, this.height - 1));
    const w = clamp(Math.round(Number(r.w) || 1), 1, this.width - x);
    const h = clamp(Math.round(Number(r.h) || 1), 1, this.height - y);
    return { x, y, w, h };
  }

  // ---- drawing

  _draw() {
    const ctx = this.overlay.getContext('2d');
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (!this.hasImage)
      return;
    this.marks.forEach((m, i) => this._drawRect(ctx, m, `${i + 1}. ${m.note || ''}`, '#0b5cad', 0.06));
    if (this.rect)
      this._drawRect(ctx, this.rect, this.label, '#c0262d', 0.12);
  }

  // One rectangle with its label; lines and text the same size on screen
  // whatever the image's size.
  _drawRect(ctx, r, label, colour, fill) {
    const s = this.scale;
    const line = Math.max(1, 3 * s);
    ctx.save();
    ctx.globalAlpha = 1;
    ctx.fillStyle = colour;
    ctx.globalAlpha = fill;
    ctx.fillRect(r.x, r.y, r.w, r.h);
    ctx.globalAlpha = 1;
    const inset = (k) => [r.x + k / 2, r.y + k / 2, Math.max(0, r.w - k), Math.max(0, r.h - k)];
    ctx.lineWidth = line;
    ctx.strokeStyle = '#ffffff';
    ctx.strokeRect(...inset(line));
    ctx.lineWidth = line * 0.6;
    ctx.strokeStyle = colour;
    ctx.strokeRect(...inset(line));
    if (label) {
      const size = Math.round(14 * s);
      ctx.font = `${size}px "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif`;
      const chars = Array.from(label);
      const text = chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : label;
      const pad = Math.round(4 * s);
      const tw = ctx.measureText(text).width + 2 * pad;
      const th = size + 2 * pad;
      let ty = r.y - th;
      if (ty < 0)
        ty = Math.min(this.height - th, r.y + r.h);
      const tx = clamp(r.x, 0, Math.max(0, this.width - tw));
      ctx.fillStyle = colour;
      ctx.fillRect(tx, ty, tw, th);
      ctx.fillStyle = '#ffffff';
      ctx.textBaseline = 'top';
      ctx.fillText(text, tx + pad, ty + pad);
    }
    ctx.restore();
  }

  _changed() {
    this.dispatchEvent(new CustomEvent('change', { detail: this.rect ? { ...this.rect } : null }));
  }
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}
