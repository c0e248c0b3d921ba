import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { browserTimeZone, type Locale } from './format.ts';
import { COMMON_MESSAGES } from './messages.ts';

export type Messages = Record<string, string>;
export interface MessageBundle {
  'zh-CN': Messages;
  'en-US': Messages;
}

const LOCALE_KEY = 'orderhub.locale';

/** The language now shown, for code outside components (error texts in toasts). */
let currentLocale: Locale | null = null;
export function activeLocale(): Locale {
  return currentLocale ?? initialLocale();
}

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(LOCALE_KEY);
    if (saved === 'zh-CN' || saved === 'en-US') return saved;
  } catch {
    // storage unavailable
  }
  return 'zh-CN';
}

interface LocaleState {
  locale: Locale;
  setLocale(l: Locale): void;
  tz: string;
}

const LocaleContext = createContext<LocaleState>({ locale: 'zh-CN', setLocale: () => undefined, tz: 'UTC' });

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  currentLocale = locale;
  const setLocale = useCallback((l: Locale) => {
    currentLocale = l;
    setLocaleState(l);
    try {
      localStorage.setItem(LOCALE_KEY, l);
    } catch {
      // storage unavailable
    }
    document.documentElement.lang = l;
  }, []);
  const value = useMemo(() => ({ locale, setLocale, tz: browserTimeZone() }), [locale, setLocale]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale() {
  return useContext(LocaleContext);
}

/** Replaces `{name}` placeholders. */
export function interpolate(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export type TFunction = (key: string, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale, bundle?: MessageBundle): TFunction {
  return (key, vars) =>
    interpolate(
      bundle?.[locale][key] ?? COMMON_MESSAGES[locale][key] ?? COMMON_MESSAGES['en-US'][key] ?? key,
      vars,
    );
}

/** `t` for a feature's own messages, falling back to the common ones. */
export function useT(bundle?: MessageBundle): TFunction {
  const { locale } = useLocale();
  return useMemo(() => translator(locale, bundle), [locale, bundle]);
}

/** Picks the zh or en text of a contracts label ({ zh, en }), falling back to the code itself. */
export function labelOf(
  labels: Record<string, { zh: string; en: string }>,
  code: string | null | undefined,
  locale: Locale,
): string {
  if (!code) return '';
  const l = labels[code];
  if (!l) return code;
  return locale === 'zh-CN' ? l.zh : l.en;
}
