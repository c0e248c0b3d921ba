/** What the agent typed: a phone number (any notation) or an order number. */
export function classifyLookup(input: string): { kind: 'phone' | 'orderNo'; value: string } | null {
  const v = input.trim();
  if (!v) return null;
  const digits = v.replace(/[\s()+-]/g, '');
  if (/^\d{7,15}$/.test(digits) && /^[+\d][\d\s()-]*$/.test(v)) return { kind: 'phone', value: v };
  return { kind: 'orderNo', value: v };
}
