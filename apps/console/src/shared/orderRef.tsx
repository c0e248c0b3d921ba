import type { OrderView } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Typography } from 'antd';
import { Link } from 'react-router';
import { api } from './api.ts';

/** The number people read for an order: its orderNo, else (older servers) the channel's order id. */
export function orderNoOf(o: Pick<OrderView, 'orderNo' | 'externalOrderId'>): string {
  return o.orderNo || o.externalOrderId;
}

/**
 * Finds the orderNo of an order known only by its id (ledger sources, audit entries). The list's
 * exact search matches the id too; each order is asked once and kept.
 */
export function useOrderNo(id: string | null | undefined, known?: string | null) {
  const q = useQuery({
    queryKey: ['orders', 'orderNo', id],
    enabled: !!id && !known,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
    queryFn: async ({ signal }) => {
      const page = await api<{ items: OrderView[] }>('/api/orders', {
        query: { orderNo: id!, limit: 1 },
        signal,
      });
      const o = page.items.find((x) => x.id === id);
      return o ? orderNoOf(o) : null;
    },
  });
  return known || q.data || null;
}

/** A link to an order, named by its orderNo; the id stays in the URL. */
export function OrderRef({ id, orderNo }: { id: string; orderNo?: string | null }) {
  const no = useOrderNo(id, orderNo);
  return (
    <Link to={`/orders/${encodeURIComponent(id)}`} data-order-link={id}>
      {no ?? <Typography.Text type="secondary">{id}</Typography.Text>}
    </Link>
  );
}
