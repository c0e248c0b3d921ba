import { HOLD_REASON_LABELS } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Badge, Card, Space, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { api } from '../../shared/api.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert, PageTitle } from '../../shared/ui.tsx';
import { messages } from './messages.ts';
import { Queue } from './Queue.tsx';

interface Holds {
  total: number;
  reasons: { reason: string; count: number; oldestAgeSeconds: number | null }[];
}

/** One tab per hold reason the server reports: a new reason is a new queue, with no console change. */
export default function Exceptions() {
  const t = useT(messages);
  const { locale } = useLocale();
  const [params, setParams] = useSearchParams();
  const holds = useQuery({ queryKey: ['metrics', 'holds'], queryFn: () => api<Holds>('/api/orders/holds') });
  const reasons = holds.data?.reasons ?? [];
  const active = params.get('reason') ?? reasons.find((r) => r.count > 0)?.reason ?? reasons[0]?.reason;

  return (
    <div>
      <PageTitle>{t('title')}</PageTitle>
      {holds.error ? <ErrorAlert error={holds.error} onRetry={() => holds.refetch()} /> : null}
      <Card size="small">
        <Tabs
          activeKey={active}
          onChange={(k) => setParams({ reason: k })}
          items={reasons.map((r) => ({
            key: r.reason,
            label: (
              <Space data-queue={r.reason}>
                {labelOf(HOLD_REASON_LABELS, r.reason, locale)}
                <Badge
                  count={r.count}
                  showZero
                  color={r.count ? '#fa541c' : '#d9d9d9'}
                  overflowCount={99999}
                />
              </Space>
            ),
          }))}
        />
        {active ? (
          <Queue
            key={active}
            reason={active}
            oldest={reasons.find((r) => r.reason === active)?.oldestAgeSeconds ?? null}
          />
        ) : null}
      </Card>
    </div>
  );
}
