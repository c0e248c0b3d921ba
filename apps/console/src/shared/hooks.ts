/**
 * The two hooks every page shares: one write call (busy, last error, success message, refreshed
 * queries) and one keyset pager over the server's `{ items, nextCursor }` answers.
 */
import { errorMessage } from '@orderhub/contracts';
import {
  keepPreviousData,
  type QueryKey,
  type UseQueryResult,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { App } from 'antd';
import { useCallback, useRef, useState } from 'react';
import { ApiError } from './api.ts';
import {
  type CursorStep,
  type CursorTrail,
  cursorsUnder,
  FIRST_PAGE,
  filterKeyOf,
  stepCursors,
} from './cursors.ts';
import type { Locale } from './format.ts';
import { activeLocale } from './i18n.tsx';

export interface ApiMutationOptions<TArgs extends readonly unknown[], TResult> {
  /** A success message (`message.success`), or a function of the result and the call's arguments; none when empty. */
  success?: string | ((result: TResult, args: TArgs) => string | null | undefined);
  /** Query keys (prefixes) refreshed after a success, before `run` resolves. */
  invalidate?: readonly QueryKey[];
  /** Called after a success (and after the queries were refreshed). */
  onSuccess?: (result: TResult, args: TArgs) => void | Promise<void>;
  /** Called after a failure; the error is also kept in `error`. */
  onError?: (error: unknown, args: TArgs) => void;
  /** Also show a failure as a toast (`code: detail`), for places with no room for an error panel. */
  toastError?: boolean;
}

export interface ApiMutation<TArgs extends readonly unknown[], TResult> {
  /** Runs the call; resolves to its result, or to `undefined` when it failed (see `error`). */
  run: (...args: TArgs) => Promise<TResult | undefined>;
  busy: boolean;
  /** The arguments of the call in flight (which row or button is busy), else null. */
  running: TArgs | null;
  /** The last call's error; cleared when a call starts and by `reset`. */
  error: unknown;
  reset: () => void;
}

/** A short text for a toast: the stable code and the server's message. */
/**
 * An error in the reader's language: the code's message from the contracts with its parameters
 * (fields named in words), and the code for support — `可用库存不足（INVENTORY_INSUFFICIENT）`.
 */
export function errorText(e: unknown, locale: Locale = activeLocale()): string {
  if (e instanceof ApiError) {
    const text = errorMessage(e.code, e.details, locale, e.detail);
    return locale === 'zh-CN' ? `${text}（${e.code}）` : `${text} (${e.code})`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** One write call with busy state, last error, success message and query refresh. */
export function useApiMutation<TArgs extends readonly unknown[], TResult>(
  fn: (...args: TArgs) => Promise<TResult>,
  options: ApiMutationOptions<NoInfer<TArgs>, NoInfer<TResult>> = {},
): ApiMutation<TArgs, TResult> {
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [running, setRunning] = useState<TArgs | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The latest function and options, so that `run` stays the same between renders.
  const latest = useRef({ fn, options });
  latest.current = { fn, options };

  const run = useCallback(
    async (...args: TArgs): Promise<TResult | undefined> => {
      const { fn: call, options: o } = latest.current;
      setRunning(args);
      setError(null);
      try {
        const result = await call(...args);
        const text = typeof o.success === 'function' ? o.success(result, args) : o.success;
        if (text) message.success(text);
        if (o.invalidate?.length)
          await Promise.all(o.invalidate.map((queryKey) => qc.invalidateQueries({ queryKey })));
        await o.onSuccess?.(result, args);
        return result;
      } catch (e) {
        setError(e);
        if (o.toastError) message.error(errorText(e));
        o.onError?.(e, args);
        return undefined;
      } finally {
        setRunning(null);
      }
    },
    [message, qc],
  );
  const reset = useCallback(() => {
    setError(null);
  }, []);
  return { run, busy: running !== null, running, error, reset };
}

/** One page of a keyset-paged list endpoint. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CursorPagerOptions<T> {
  /** The query key of the list without the cursor; the cursor is appended. */
  queryKey: QueryKey;
  fetchPage: (cursor: string | undefined, signal: AbortSignal) => Promise<CursorPage<T>>;
  /** Paging starts again when this changes (compared as JSON); defaults to `queryKey`. */
  resetOn?: unknown;
  /** Keep showing the previous page while the next one loads. */
  keepPrevious?: boolean;
  enabled?: boolean;
}

export interface CursorPager<T> {
  query: UseQueryResult<CursorPage<T>>;
  items: T[];
  /** The cursor of the page shown (undefined on the first page). */
  cursor: string | undefined;
  /** 0 on the first page. */
  page: number;
  canPrev: boolean;
  canNext: boolean;
  next: () => void;
  prev: () => void;
  first: () => void;
}

/** Keyset paging with next / previous / first: the cursor of every page seen, reset by a new filter. */
export function useCursorPager<T>(opts: CursorPagerOptions<T>): CursorPager<T> {
  const key = filterKeyOf(opts.resetOn === undefined ? opts.queryKey : opts.resetOn);
  const [trail, setTrail] = useState<CursorTrail>({ key, cursors: FIRST_PAGE });
  const cursors = cursorsUnder(trail, key);
  const cursor = cursors.at(-1);
  const query = useQuery({
    queryKey: [...opts.queryKey, cursor],
    queryFn: ({ signal }) => opts.fetchPage(cursor, signal),
    ...(opts.keepPrevious ? { placeholderData: keepPreviousData } : {}),
    ...(opts.enabled === undefined ? {} : { enabled: opts.enabled }),
  });
  const nextCursor = query.data?.nextCursor ?? null;
  const step = (s: CursorStep) => setTrail((t) => stepCursors(t, key, s));
  return {
    query,
    items: query.data?.items ?? [],
    cursor,
    page: cursors.length - 1,
    canPrev: cursors.length > 1,
    canNext: nextCursor !== null,
    next: () => {
      if (nextCursor !== null) step({ type: 'next', cursor: nextCursor });
    },
    prev: () => step({ type: 'prev' }),
    first: () => step({ type: 'first' }),
  };
}
