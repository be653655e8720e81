// vw-dom.js: building DOM nodes without innerHTML (the pages' CSP allows no
// inline script, and text from the server must never become markup).
//
//   el('td', { class: 'x', dataset: { id: '3' }, onclick: fn }, 'text', node)
//
// Props: `class`, `dataset` (an object), `on<event>` (a function: a
// listener), a DOM property for a non-string value (`checked: true`),
// otherwise an attribute (`true` as an empty one); undefined, null and
// false are left out.  Children: nodes, or anything else as text; arrays
// are flattened and undefined, null and false left out.

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false)
      continue;
    if (k === 'class')
      node.className = v;
    else if (k === 'dataset')
      Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function')
      node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== 'string')
      node[k] = v;
    else
      node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false)
      continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}
