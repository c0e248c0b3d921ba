/**
 * Platform JSON carries 64-bit ids as bare numbers (Shopify order ids, Douyin `p_id`), which
 * `JSON.parse` rounds past 2^53. This parser quotes every integer literal of 16 digits or more
 * before parsing, so such ids arrive as their exact decimal strings; everything else is untouched.
 * Strings are skipped with their escapes, so digits inside them never change.
 */
export function parsePlatformJson(text: string): unknown {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      if (c === 45) i++;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      const intEnd = i;
      while (i < n && /[0-9.eE+-]/.test(text[i]!)) i++;
      const digits = intEnd - start - (c === 45 ? 1 : 0);
      if (i === intEnd && digits >= 16) {
        out += `${text.slice(last, start)}"${text.slice(start, intEnd)}"`;
        last = intEnd;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(last === 0 ? text : out + text.slice(last));
}

/** Field paths and JSON types of a value (`a.b[].c` → `string`), for the drift watch. */
export function shapeOf(
  value: unknown,
  into: Record<string, string> = {},
  prefix = '',
): Record<string, string> {
  const add = (path: string, type: string) => {
    const seen = into[path];
    if (seen === undefined) into[path] = type;
    else if (!seen.split('|').includes(type)) into[path] = [...seen.split('|'), type].sort().join('|');
  };
  if (Array.isArray(value)) {
    add(prefix || '$', 'array');
    for (const v of value) shapeOf(v, into, `${prefix}[]`);
  } else if (value !== null && typeof value === 'object') {
    if (prefix) add(prefix, 'object');
    for (const [k, v] of Object.entries(value)) shapeOf(v, into, prefix ? `${prefix}.${k}` : k);
  } else {
    add(prefix || '$', value === null ? 'null' : typeof value);
  }
  return into;
}
