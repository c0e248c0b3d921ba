import { ORDER_STATUS_LABELS } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Card, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../shared/api.ts';
import { formatDuration } from '../../shared/format.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { messages } from './messages.ts';

interface Stage {
  status: string;
  count: number;
  avgAgeSeconds: number | null;
  maxAgeSeconds: number | null;
}

/** Orders waiting per stage, with the average and longest wait; a count opens that list. */
export function StagesPanel() {
  const t = useT(messages);
  const { locale } = useLocale();
  const stages = useQuery({
    queryKey: ['metrics', 'stages'],
    queryFn: () => api<{ stages: Stage[] }>('/api/metrics/stages'),
  });
  return (
    <Card size="small" title={t('stages')} style={{ marginBottom: 16 }}>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 4 }}>
        {t('stagesHint')}
      </Typography.Paragraph>
      {stages.error ? <ErrorAlert error={stages.error} /> : null}
      <Table<Stage>
        size="small"
        rowKey="status"
        pagination={false}
        loading={stages.isPending}
        dataSource={stages.data?.stages ?? []}
        data-testid="stages"
        columns={[
          {
            title: t('status'),
            dataIndex: 'status',
            render: (s: string) => labelOf(ORDER_STATUS_LABELS, s, locale),
          },
          {
            title: t('count'),
            dataIndex: 'count',
            align: 'right',
            render: (n: number, s) => (
              <Link to={`/orders?status=${s.status}`} data-stage-count={s.status}>
                {n}
              </Link>
            ),
          },
          {
            title: t('avgAge'),
            dataIndex: 'avgAgeSeconds',
            align: 'right',
            render: (v: number | null) => formatDuration(v, locale),
          },
          {
            title: t('maxAge'),
            dataIndex: 'maxAgeSeconds',
            align: 'right',
            render: (v: number | null) => formatDuration(v, locale),
          },
        ]}
      />
    </Card>
  );
}
