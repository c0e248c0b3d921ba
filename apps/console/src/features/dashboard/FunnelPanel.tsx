import { ORDER_STATUS_LABELS } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Card, Typography } from 'antd';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../shared/api.ts';
import { EChart } from '../../shared/EChart.tsx';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { messages } from './messages.ts';
import type { DashboardRange } from './range.ts';

/** Fulfilment funnel of the orders placed in the window; a step opens that list. */
export function FunnelPanel({ range }: { range: DashboardRange }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const navigate = useNavigate();
  const { fromDay, toDay } = range;
  const funnel = useQuery({
    queryKey: ['metrics', 'funnel', range.days],
    queryFn: () =>
      api<{ placed: number; steps: { status: string; count: number }[] }>('/api/metrics/funnel', {
        query: { from: range.from, to: range.to },
      }),
  });
  const option = useMemo(() => {
    const steps = funnel.data?.steps ?? [];
    return {
      tooltip: { trigger: 'item' },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          left: '10%',
          width: '80%',
          label: { formatter: '{b}: {c}' },
          data: steps.map((s) => ({
            name: labelOf(ORDER_STATUS_LABELS, s.status, locale),
            value: s.count,
            id: s.status,
          })),
        },
      ],
    };
  }, [funnel.data, locale]);
  return (
    <Card size="small" title={t('funnel')} style={{ marginBottom: 16 }}>
      {funnel.error ? <ErrorAlert error={funnel.error} /> : null}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 4 }}>
        {t('funnelHint')}
      </Typography.Paragraph>
      <Typography.Text type="secondary">
        {t('placed')}: <Link to={`/orders?from=${fromDay}&to=${toDay}`}>{funnel.data?.placed ?? '—'}</Link>
      </Typography.Text>
      <EChart
        testId="chart-funnel"
        option={option}
        height={240}
        onClick={(p) => {
          const id = (p.data as { id?: string } | undefined)?.id;
          if (id) navigate(`/orders?status=${id}&from=${fromDay}&to=${toDay}`);
        }}
      />
    </Card>
  );
}
