import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../../shared/api.ts';
import { localDayOf } from '../../shared/format.ts';

/** The dashboard's window: the last `days` days as instants, and its first and last local day. */
export interface DashboardRange {
  days: number;
  from: string;
  to: string;
  fromDay: string;
  toDay: string;
  tz: string;
}

export function useDashboardRange(days: number, tz: string): DashboardRange {
  const instants = useMemo(() => {
    const to = new Date();
    const from = new Date(to.getTime() - days * 86_400_000);
    return { from: from.toISOString(), to: to.toISOString() };
  }, [days]);
  return {
    days,
    ...instants,
    fromDay: localDayOf(instants.from, tz),
    toDay: localDayOf(instants.to, tz),
    tz,
  };
}

export interface Figure {
  key: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  target: { op: string; value: number };
  missed: boolean;
  reason: string | null;
}

/** Order-health figures; the health panel and the sync-health card share this query. */
export function useHealth(range: DashboardRange) {
  return useQuery({
    queryKey: ['metrics', 'health', range.days],
    queryFn: () =>
      api<{ figures: Figure[] }>('/api/metrics/health', { query: { from: range.from, to: range.to } }),
  });
}
