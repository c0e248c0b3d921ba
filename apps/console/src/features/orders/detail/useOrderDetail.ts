import type { OrderDetailView, ReservationView, WarehouseView } from '@orderhub/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useMemo, useState } from 'react';
import { ApiError, api } from '../../../shared/api.ts';
import { useApiMutation } from '../../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import { EVENT_LABELS } from '../../../shared/messages.ts';
import { useSession } from '../../../shared/session.tsx';
import { type ShortLine, shortLinesOf, shortText } from '../../../shared/stock.ts';
import { messages } from '../messages.ts';

export type NextEvent = OrderDetailView['nextEvents'][number];
type RetryOutcome = { whole: true; order: OrderDetailView } | { whole: false; short: ShortLine[] };
export type Receiver = OrderDetailView['receiver'];

const orderPath = (id: string) => `/api/orders/${encodeURIComponent(id)}`;

/** The order, its reservations, warehouse names, and the calls the detail page makes. */
export function useOrderDetail(id: string) {
  const t = useT(messages);
  const { locale } = useLocale();
  const { can } = useSession();
  const qc = useQueryClient();
  const detailKey = ['orders', 'detail', id];
  const [revealed, setRevealed] = useState<Receiver | null>(null);

  const order = useQuery({
    queryKey: detailKey,
    queryFn: ({ signal }) => api<OrderDetailView>(orderPath(id), { signal }),
  });
  const reservations = useQuery({
    queryKey: ['orders', 'reservations', id],
    queryFn: ({ signal }) => api<ReservationView[]>(`${orderPath(id)}/reservations`, { signal }),
    retry: false,
  });
  const warehouses = useQuery({
    queryKey: ['inventory', 'warehouses'],
    queryFn: ({ signal }) => api<WarehouseView[]>('/api/warehouses', { signal }),
    enabled: can('inventory:read'),
    staleTime: 300_000,
    retry: false,
  });
  const warehouseNames = useMemo(
    () => new Map((warehouses.data ?? []).map((w) => [w.code, w.name])),
    [warehouses.data],
  );

  // Every write answers the order detail: show it at once, refresh what depends on it.
  const settle = (next: OrderDetailView) => {
    qc.setQueryData(detailKey, next);
    void qc.invalidateQueries({ queryKey: ['orders', 'list'] });
    void qc.invalidateQueries({ queryKey: ['orders', 'reservations', id] });
    void qc.invalidateQueries({ queryKey: ['metrics'] });
  };
  const onConflict = (e: unknown) => {
    if (e instanceof ApiError && e.code === 'ORDER_VERSION_CONFLICT') void order.refetch();
  };

  const transition = useApiMutation<[ev: NextEvent, reasonCode?: string, note?: string], OrderDetailView>(
    (ev, reasonCode, note) =>
      api<OrderDetailView>(`${orderPath(id)}/transitions`, {
        method: 'POST',
        body: {
          event: ev.event,
          version: order.data?.version,
          ...(reasonCode ? { reasonCode } : {}),
          ...(note ? { note } : {}),
        },
      }),
    {
      success: (_r, [ev]) => t('transitionDone', { event: labelOf(EVENT_LABELS, ev.event, locale) }),
      onSuccess: settle,
      onError: onConflict,
    },
  );
  // Reserving again either makes the order whole (200, the order) or finds it still short (409
  // ORDER_STOCK_NOT_RESERVED with the lines): an answer to show, not an error.
  const [stillShort, setStillShort] = useState<ShortLine[] | null>(null);
  const { message } = App.useApp();
  const retryReservations = useApiMutation(
    async (): Promise<RetryOutcome> => {
      try {
        const next = await api<OrderDetailView>(`${orderPath(id)}/reservations:retry`, {
          method: 'POST',
          body: {},
        });
        return { whole: true, order: next };
      } catch (e) {
        if (e instanceof ApiError && e.code === 'ORDER_STOCK_NOT_RESERVED')
          return { whole: false, short: shortLinesOf(e.details) ?? [] };
        throw e;
      }
    },
    {
      onSuccess: (r) => {
        if (r.whole) {
          setStillShort(null);
          message.success(r.order.holdReason === 'OUT_OF_STOCK' ? t('retryStillShort') : t('retryWhole'));
          settle(r.order);
        } else {
          setStillShort(r.short);
          message.warning(shortText(r.short, locale, 'stillShort'));
          void order.refetch();
          void qc.invalidateQueries({ queryKey: ['orders', 'reservations', id] });
        }
      },
      onError: onConflict,
    },
  );
  const reveal = useApiMutation(() => api<OrderDetailView>(orderPath(id), { query: { reveal: true } }), {
    success: t('revealed'),
    onSuccess: (full) => setRevealed(full.receiver),
  });

  return {
    order,
    reservations,
    warehouses,
    warehouseNames,
    transition,
    retryReservations,
    stillShort,
    reveal,
    revealed,
  };
}

export type OrderDetailState = ReturnType<typeof useOrderDetail>;
