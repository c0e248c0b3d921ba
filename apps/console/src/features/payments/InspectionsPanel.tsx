import { INSPECTION_CAUSE_LABELS, ORDER_STATUS_LABELS } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Collapse, Descriptions, Empty, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { formatTime, type Locale } from '../../shared/format.ts';
import { useApiMutation } from '../../shared/hooks.ts';
import { labelOf, type TFunction, useLocale, useT } from '../../shared/i18n.tsx';
import { type InspectionView, KEYS, listInspections, runInspection } from '../../shared/payments/api.ts';
import { messages } from '../../shared/payments/messages.ts';
import { FIX_LABELS, QUERY_RESULT_LABELS, TRIGGER_LABELS } from '../../shared/payments/words.ts';
import { ErrorAlert, Time } from '../../shared/ui.tsx';

type Finding = InspectionView['findings'][number];

/** One automatic fix and its result, in words (codes with parameters; older reports carried English). */
export function fixText(
  f: { fix: string; result: string; params?: Record<string, string | number> },
  t: TFunction,
  locale: Locale,
): string {
  let result: string;
  if (f.fix === 'payment_query') result = labelOf(QUERY_RESULT_LABELS, f.result, locale);
  else if (f.fix === 'reservation_check') {
    const legacy = /^(\d+) unit\(s\) of (\d+) SKU\(s\) held$/.exec(f.result);
    if (f.result === 'held' && f.params)
      result = t('unitsHeld', {
        units: String(f.params['units'] ?? ''),
        skus: String(f.params['skus'] ?? ''),
      });
    else if (legacy) result = t('unitsHeld', { units: legacy[1]!, skus: legacy[2]! });
    else if (f.result === 'nothing_held' || f.result === 'nothing held') result = t('nothingHeld');
    else result = t('fixResultUnknown');
  } else result = t('fixResultUnknown');
  return t('fixResult', { fix: labelOf(FIX_LABELS, f.fix, locale), result });
}

/** The latest health inspection: every stuck order with its likely cause and the fixes tried. */
export function InspectionsPanel({ mayRun }: { mayRun: boolean }) {
  const t = useT(messages);
  const { locale, tz } = useLocale();
  const q = useQuery({ queryKey: KEYS.inspections, queryFn: listInspections });
  const run = useApiMutation(runInspection, { success: t('inspectionRan'), invalidate: [KEYS.inspections] });
  const [latest, ...earlier] = q.data ?? [];
  const summary = (i: InspectionView) =>
    t('inspectionSummary', {
      day: i.day,
      trigger: labelOf(TRIGGER_LABELS, i.trigger, locale),
      started: formatTime(i.startedAt, tz, false),
      n: i.stuckCount,
    });
  return (
    <Card
      size="small"
      title={t('latestInspection')}
      extra={
        mayRun ? (
          <Button onClick={() => run.run()} loading={run.busy} data-action="run-inspection">
            {t('runInspection')}
          </Button>
        ) : null
      }
      data-testid="inspection"
    >
      {q.error ? <ErrorAlert error={q.error} onRetry={() => q.refetch()} /> : null}
      {run.error ? <ErrorAlert error={run.error} /> : null}
      {!q.isPending && !latest ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noInspection')} />
      ) : null}
      {latest ? (
        <>
          <Alert
            type={latest.stuckCount ? 'warning' : 'success'}
            showIcon
            style={{ marginBottom: 12 }}
            message={summary(latest)}
            description={latest.stuckCount ? null : t('inspectionClean')}
            data-testid="inspection-summary"
          />
          {latest.findings.length ? <Findings findings={latest.findings} /> : null}
        </>
      ) : null}
      {earlier.length ? (
        <Collapse
          style={{ marginTop: 12 }}
          size="small"
          items={[
            {
              key: 'earlier',
              label: t('earlier'),
              children: (
                <Descriptions size="small" column={1}>
                  {earlier.map((i) => (
                    <Descriptions.Item key={i.id} label={<Time at={i.finishedAt} seconds={false} />}>
                      {summary(i)}
                    </Descriptions.Item>
                  ))}
                </Descriptions>
              ),
            },
          ]}
        />
      ) : null}
    </Card>
  );
}

function Findings({ findings }: { findings: Finding[] }) {
  const t = useT(messages);
  const { locale } = useLocale();
  return (
    <Table<Finding>
      rowKey="orderId"
      size="small"
      pagination={false}
      dataSource={findings}
      onRow={(f) => ({ 'data-finding': f.orderNo }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        {
          title: t('order'),
          dataIndex: 'orderNo',
          render: (no: string, f) => <Link to={`/orders/${f.orderId}`}>{no}</Link>,
        },
        {
          title: t('orderStatus'),
          dataIndex: 'status',
          render: (s: string) => labelOf(ORDER_STATUS_LABELS, s, locale),
        },
        {
          title: t('stuckSince'),
          dataIndex: 'since',
          render: (at: string) => <Time at={at} seconds={false} />,
        },
        {
          title: t('cause'),
          dataIndex: 'cause',
          render: (c: string) => <span data-cause={c}>{labelOf(INSPECTION_CAUSE_LABELS, c, locale)}</span>,
        },
        {
          title: t('fixes'),
          key: 'fixes',
          render: (_, f) =>
            f.fixes.length ? (
              <ul style={{ margin: 0, paddingLeft: 16 }}>
                {f.fixes.map((x) => (
                  <li key={x.fix}>{fixText(x, t, locale)}</li>
                ))}
              </ul>
            ) : (
              <Typography.Text type="secondary">{t('noFixes')}</Typography.Text>
            ),
        },
      ]}
    />
  );
}
