// vw-catalogue.js: the catalogue of service items (事项清单), GET
// /api/catalogue (public, no sign-in), shared by the pages.
//
// Since routing by item (issue 6) the protocol and the session records name
// an item by its CODE (e.g. "QY-SL-001"); people read its name (企业设立).
//
//   import { loadCatalogue, itemName, itemsIn } from '/js/vw-catalogue.js';
//   const items = await loadCatalogue();         // [] when it cannot be read
//   itemName('QY-SL-001')                        // '企业设立' once loaded, else the code
//   itemsIn(items, 'anhui')                      // remote items handled in Anhui
//
// The catalogue is read once per page (a cached promise); a failure is not
// cached, so a later call tries again.

let cached = null;      // Promise of the items
let byCode = new Map(); // code -> item, once loaded

/** The items of GET /api/catalogue (an array, [] if it cannot be read). */
export function loadCatalogue({ fresh = false } = {}) {
  if (cached && !fresh)
    return cached;
  cached = fetch('/api/catalogue', { headers: { Accept: 'application/json' }, cache: 'no-store' })
    .then((res) => {
      if (!res.ok)
        throw new Error(`HTTP ${res.status}`);
      return res.json();
    })
    .then((body) => {
      if (!body || !Array.isArray(body.items))
        throw new Error('no items');
      byCode = new Map(body.items.map((it) => [it.code, it]));
      return body.items;
    })
    .catch((err) => {
      console.warn('catalogue:', err);
      cached = null;
      return [];
    });
  return cached;
}

/** The item of @code once the catalogue is loaded, or null. */
export function itemByCode(code) {
  return byCode.get(code) || null;
}

/**
 * What to show for an item: @name when the server gave one (e.g. a
 * session's `item_name`), else the catalogue's name for @code, else the
 * code itself (an item since removed from the catalogue, or an old session
 * that stored a name).
 */
export function itemName(code, name) {
  if (name)
    return name;
  const it = byCode.get(code);
  return it ? it.name : (code || '');
}

/** The items handled through the remote window (mode "remote") in @province. */
export function itemsIn(items, province) {
  return (items || []).filter((it) => (it.mode || 'remote') === 'remote'
    && Array.isArray(it.provinces) && it.provinces.includes(province));
}
