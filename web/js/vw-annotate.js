// vw-annotate.js: a snapshot with its annotations (PROTOCOL.md §8) drawn on
// a <canvas>, for the pages that show them.
//
//   import { drawAnnotated } from '/js/vw-annotate.js';
//   await drawAnnotated(canvas, snapshot.blob, [{x, y, w, h, note}]);
//
// drawAnnotated(canvas, image, annotations)
//   image: a Blob (PNG/JPEG), ImageBitmap or canvas.  The canvas takes the
//   image's full resolution (style it with max-width: 100% to fit); every
//   annotation is a red rectangle in image pixels, numbered, with its note in
//   a label above it (below it at the top edge).  Resolves {width, height}.
//   (A canvas needs no img-src: the pages' CSP stays 'self' only.)

const RED = '#d4141c';

function wrapLines(ctx, text, maxWidth) {
  const lines = [];
  let line = '';
  for (const ch of Array.from(text)) {
    if (ch === '\n' || (line && ctx.measureText(line + ch).width > maxWidth)) {
      lines.push(line);
      line = ch === '\n' ? '' : ch;
    } else {
      line += ch;
    }
  }
  if (line)
    lines.push(line);
  return lines;
}

export async function drawAnnotated(canvas, image, annotations = []) {
  const bitmap = image instanceof Blob ? await createImageBitmap(image) : image;
  const width = bitmap.width;
  const height = bitmap.height;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  if (image instanceof Blob)
    bitmap.close();

  // Sizes in image pixels, so the marks read the same at any zoom.
  const unit = Math.max(width, height) / 100;
  const line = Math.max(2, Math.round(unit * 0.35));
  const font = Math.max(14, Math.round(unit * 1.8));
  ctx.font = `600 ${font}px "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif`;
  ctx.textBaseline = 'top';
  annotations.forEach((a, i) => {
    ctx.lineWidth = line;
    ctx.strokeStyle = RED;
    ctx.strokeRect(a.x + line / 2, a.y + line / 2, Math.max(1, a.w - line), Math.max(1, a.h - line));
    const label = `${i + 1}. ${a.note || '请核对此处'}`;
    const pad = Math.round(font * 0.35);
    const maxText = Math.max(font * 6, Math.min(width - 2 * pad, Math.max(a.w, width * 0.45)));
    const lines = wrapLines(ctx, label, maxText);
    const boxW = Math.min(width, Math.max(...lines.map((l) => ctx.measureText(l).width)) + 2 * pad);
    const boxH = lines.length * font * 1.25 + 2 * pad;
    const bx = Math.min(Math.max(0, a.x), Math.max(0, width - boxW));
    let by = a.y - boxH - line;
    if (by < 0)
      by = Math.min(height - boxH, a.y + a.h + line);
    by = Math.max(0, by);
    ctx.fillStyle = 'rgba(212, 20, 28, 0.92)';
    ctx.fillRect(bx, by, boxW, boxH);
    ctx.fillStyle = '#fff';
    lines.forEach((l, j) => ctx.fillText(l, bx + pad, by + pad + j * font * 1.25));
  });
  return { width, height };
}
