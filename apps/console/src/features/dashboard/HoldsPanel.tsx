import { HOLD_REASON_LABELS } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Card, Empty, Space } from 'antd';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../shared/api.ts';
import { EChart } from '../../shared/EChart.tsx';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { messages } from './messages.ts';

/** Orders on hold by reason; a reason opens its exception queue. */
export function HoldsPanel() {
  const t = useT(messages);
  const { locale } = useLocale();
  const navigate = useNavigate();
  const holds = useQuery({
    queryKey: ['metrics', 'holds'],
    queryFn: () => api<{ total: number; reasons: { reason: string; count: number }[] }>('/api/orders/holds'),
  });
  const reasons = useMemo(() => (holds.data?.reasons ?? []).filter((r) => r.count > 0), [holds.data]);
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 110, right: 24, top: 10, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: reasons.map((r) => labelOf(HOLD_REASON_LABELS, r.reason, locale)) },
      series: [
        {
          type: 'bar',
          data: reasons.map((r) => ({ value: r.count, id: r.reason })),
          itemStyle: { color: '#fa541c' },
        },
      ],
    }),
    [reasons, locale],
  );
  return (
    <Card size="small" title={t('exceptions')} style={{ marginBottom: 16 }}>
      {holds.error ? <ErrorAlert error={holds.error} /> : null}
      <Space wrap style={{ marginBottom: 8 }}>
        {reasons.map((r) => (
          <Link key={r.reason} to={`/exceptions?reason=${r.reason}`} data-hold-count={r.reason}>
            {labelOf(HOLD_REASON_LABELS, r.reason, locale)} {r.count}
          </Link>
        ))}
      </Space>
      {reasons.length ? (
        <EChart
          option={option}
          height={200}
          onClick={(p) => {
            const id = (p.data as { id?: string } | undefined)?.id;
            if (id) navigate(`/exceptions?reason=${id}`);
          }}
        />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noData')} />
      )}
    </Card>
  );
}
