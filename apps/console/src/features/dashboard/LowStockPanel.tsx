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
  const data = query.data as { items?: Record<string, unknown>[] } | Record<string, unknown>[];
  const rows = Array.isArray(data) ? data : (data?.items ?? []);
  if (!rows.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noData')} />;
  return (
    <ul style={{ paddingLeft: 18, margin: 0 }}>
      {rows.slice(0, 10).map((r) => (
        <li key={JSON.stringify(r)}>
          <Link to={`/inventory?sku=${encodeURIComponent(String(r['sku'] ?? ''))}`}>
            {String(r['sku'] ?? '')}
          </Link>{' '}
          {String(r['warehouse'] ?? r['warehouseCode'] ?? '')} · {String(r['available'] ?? '')}
        </li>
      ))}
    </ul>
  );
}
