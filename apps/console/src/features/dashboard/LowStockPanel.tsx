import { useQuery } from '@tanstack/react-query';
import { Card, Empty, Typography } from 'antd';
import { Link } from 'react-router';
import { ApiError, api } from '../../shared/api.ts';
import { useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { messages } from './messages.ts';

/** Low-stock alerts from the inventory module; says so when the role may not read them. */
export function LowStockPanel() {
  const t = useT(messages);
  const lowStock = useQuery({
    queryKey: ['metrics', 'low-stock'],
    queryFn: () => api<unknown>('/api/inventory/alerts'),
    retry: false,
  });
  return (
    <Card size="small" title={t('lowStock')} style={{ marginBottom: 16 }}>
      <LowStock query={lowStock} />
    </Card>
  );
}

function LowStock({ query }: { query: { data?: unknown; error: unknown; isPending: boolean } }) {
  const t = useT(messages);
  if (query.isPending) return null;
  if (query.error instanceof ApiError && (query.error.code === 'NOT_FOUND' || query.error.status === 403))
    return <Typography.Text type="secondary">{t('unavailable')}</Typography.Text>;
  if (query.error) return <ErrorAlert error={query.error} />;
  const rows = (query.data ?? []) as {
    id: string;
    sku: string;
    title: string | null;
    warehouseName: string;
    availableNow: number;
    safetyStock: number;
  }[];
  if (!rows.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noData')} />;
  return (
    <ul style={{ paddingLeft: 18, margin: 0 }} data-testid="low-stock">
      {rows.slice(0, 10).map((r) => (
        <li key={r.id}>
          <Link to={`/inventory?sku=${encodeURIComponent(r.sku)}`}>
            {r.title ? `${r.title} · ${r.sku}` : r.sku}
          </Link>{' '}
          {r.warehouseName} · {t('lowStockLine', { available: r.availableNow, safety: r.safetyStock })}
        </li>
      ))}
    </ul>
  );
}
