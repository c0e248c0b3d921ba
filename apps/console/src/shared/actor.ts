import type { Locale } from './format.ts';

/**
 * An actor as the server labels it (`name` or `name (token tok_…)`), said in the UI language. System
 * actors are named by their own words (`systemNames`), falling back to the server's label.
 */
export function actorText(
  label: string | null | undefined,
  type: string,
  locale: Locale,
  systemNames: Record<string, { zh: string; en: string }> = {},
): string {
  const name = label ?? type;
  if (type === 'system') {
    const l = systemNames[name];
    if (l) return locale === 'zh-CN' ? l.zh : l.en;
  }
  const m = /^(.*) \(token (\S+)\)$/.exec(name);
  if (!m) return name;
  return locale === 'zh-CN' ? `${m[1]}（令牌 ${m[2]}）` : name;
}
