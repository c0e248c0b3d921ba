import type { CountView } from '@orderhub/contracts';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../shared/api.ts';

export const ROWS_PER_PAGE = 100;
/**
 * A sheet being read by the server's job is asked about with `wait`: the server answers as soon as
 * the preview is there, or after this many seconds with the rows read so far (the progress shown),
 * and the next question follows at once.
 */
const WAIT_S = 1;
const NEXT_MS = 50;

const countPath = (id: string) => `/api/inventory/counts/${encodeURIComponent(id)}`;
const headKey = (id: string | null) => ['inventory', 'count', id, 'head'];
const rowsKey = (id: string | null, page: number) => ['inventory', 'count', id, 'rows', page];

/**
 * A count after its sheet was sent: its status (asked with `?rowsLimit=0&wait=1`, showing rows read,
 * while the server's job reads a large sheet) and its rows, a page at a time, once previewed.
 */
export function useCount() {
  const qc = useQueryClient();
  const [id, setId] = useState<string | null>(null);
  const [page, setPage] = useState(0);

  const head = useQuery({
    queryKey: headKey(id),
    queryFn: ({ signal }) =>
      api<CountView>(countPath(id!), { query: { rowsLimit: 0, wait: WAIT_S }, signal }),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.status === 'processing' ? NEXT_MS : false),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const status = head.data?.status;
  const ready = status === 'previewed' || status === 'applied';
  const rows = useQuery({
    queryKey: rowsKey(id, page),
    queryFn: ({ signal }) =>
      api<CountView>(countPath(id!), {
        query: { rowsOffset: page * ROWS_PER_PAGE, rowsLimit: ROWS_PER_PAGE },
        signal,
      }),
    enabled: id !== null && ready,
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
  });

  /** Starts showing a count from the server's answer (201 with its rows, or 202 processing). */
  function show(view: CountView) {
    qc.setQueryData(headKey(view.id), { ...view, rows: [] });
    if (view.status !== 'processing')
      qc.setQueryData(rowsKey(view.id, 0), { ...view, rows: view.rows.slice(0, ROWS_PER_PAGE) });
    setPage(0);
    setId(view.id);
  }
  /** The count after it was applied: its status changes, its rows stay. */
  function applied(view: CountView) {
    qc.setQueryData(headKey(view.id), { ...view, rows: [] });
  }
  function clear() {
    setId(null);
    setPage(0);
  }

  return { id, head, rows, page, setPage, show, applied, clear };
}
