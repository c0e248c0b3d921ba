/**
 * The field set of a payload for drift watch: each leaf's path (array items as `[]`) and JSON
 * type. Nested objects are walked to a bounded depth; arrays are sampled by their first items.
 */
export function shapeOf(value: unknown, maxDepth = 6): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown, path: string, depth: number) => {
    const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
    if (type === 'object' && depth < maxDepth) {
      if (path) out[path] = 'object';
      for (const [k, child] of Object.entries(v as Record<string, unknown>))
        walk(child, path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    if (type === 'array' && depth < maxDepth) {
      out[path] = 'array';
      for (const item of (v as unknown[]).slice(0, 5)) walk(item, `${path}[]`, depth + 1);
      return;
    }
    if (path) out[path] = type;
  };
  walk(value, '', 0);
  return out;
}
