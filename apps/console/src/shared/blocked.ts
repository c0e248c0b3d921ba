/**
 * Why an action is blocked, in the UI language, for the codes every page shares: a permission the
 * role lacks (named in words), a code with a message of its own in the contracts, and otherwise a
 * plain sentence in the Chinese UI and the server's own message in the English one (the code stays
 * in the button's data attribute for support). Pages put their own codes' words in front of this.
 */
import { ERROR_MESSAGES, errorMessage } from '@orderhub/contracts';
import type { Locale } from './format.ts';
import { PERMISSION_LABELS } from './permissions.ts';

const T = {
  'zh-CN': {
    forbidden: '您的角色无权操作（需要「{permission}」权限）',
    forbiddenBare: '您的角色无权操作',
    blocked: '当前不能执行此操作',
  },
  'en-US': {
    forbidden: 'Your role may not do this (needs “{permission}”)',
    forbiddenBare: 'Your role may not do this',
    blocked: 'This cannot be done now',
  },
} as const;

export interface Blocked {
  code: string;
  message: string;
  details?: unknown;
}

export function blockedGeneric(blockedBy: Blocked, locale: Locale): string {
  const w = T[locale];
  if (blockedBy.code === 'FORBIDDEN') {
    const p = (blockedBy.details as { permission?: unknown } | undefined)?.permission;
    const l =
      typeof p === 'string' && Object.hasOwn(PERMISSION_LABELS, p)
        ? PERMISSION_LABELS[p as keyof typeof PERMISSION_LABELS]
        : undefined;
    if (!l) return w.forbiddenBare;
    return w.forbidden.replace('{permission}', locale === 'zh-CN' ? l.zh : l.en);
  }
  if (Object.hasOwn(ERROR_MESSAGES, blockedBy.code))
    return errorMessage(blockedBy.code, blockedBy.details, locale);
  return locale === 'zh-CN' ? w.blocked : blockedBy.message;
}
