import type { OrderView } from '@orderhub/contracts';
import { Alert, App, Button, Empty, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../shared/api.ts';
import { formatDuration } from '../../shared/format.ts';
import { type CursorPage, useApiMutation, useCursorPager } from '../../shared/hooks.ts';
import { useLocale, useT } from '../../shared/i18n.tsx';
import { orderNoOf } from '../../shared/orderRef.tsx';
import { PagerButtons } from '../../shared/pager.tsx';
import { shortItemsText } from '../../shared/stock.ts';
import { ChannelName, ErrorAlert, Money, Time } from '../../shared/ui.tsx';
import { Decisions, retryReservation, transition } from './Decisions.tsx';
import { batchActionsFor, OUT_OF_STOCK, planBatch, type QueueAction, type SkipReason } from './decide.ts';
import { messages } from './messages.ts';
import { errorWords } from './words.ts';

const ACTION_LABEL: Record<QueueAction, string> = {
  retry: 'batchRetry',
  cancelOutOfStock: 'batchCancelOos',
  release: 'batchRelease',
};

interface BatchReport {
  action: QueueAction;
  ok: number;
  skipped: { orderNo: string; reason: SkipReason }[];
  failed: { orderNo: string; words: string }[];
  /** Reserved again but still short of stock (an answer, not a failure). */
  short: { orderNo: string; words: string }[];
}

/** One hold reason's orders, oldest first, with the decisions for each and batch actions. */
export function Queue({ reason, oldest }: { reason: string; oldest: number | null }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const { modal } = App.useApp();
  const [report, setReport] = useState<BatchReport | null>(null);
  const list = useCursorPager({
    queryKey: ['orders', 'list', 'holds', reason],
    fetchPage: (cursor, signal) =>
      api<CursorPage<OrderView>>('/api/orders', {
        query: { status: 'on_hold', holdReason: reason, limit: 20, cursor, sort: 'updatedAt:asc' },
        signal,
      }),
  });
  // A selection belongs to the page it was made on.
  const [selection, setSelection] = useState<{ cursor: string | undefined; rows: OrderView[] }>({
    cursor: undefined,
    rows: [],
  });
  const selected = selection.cursor === list.cursor ? selection.rows : [];
  const setSelected = (rows: OrderView[]) => setSelection({ cursor: list.cursor, rows });
  const batch = useApiMutation(
    async (action: QueueAction, orders: OrderView[]): Promise<BatchReport> => {
      const plan = planBatch(action, orders);
      const out: BatchReport = {
        action,
        ok: 0,
        skipped: plan.skip.map((s) => ({ orderNo: orderNoOf(s.order), reason: s.reason })),
        failed: [],
        short: [],
      };
      for (const o of plan.run) {
        try {
          if (action === 'retry') {
            const r = await retryReservation(o);
            if (!r.whole) {
              out.short.push({ orderNo: orderNoOf(o), words: shortItemsText(r.short, locale) });
              continue;
            }
          } else if (action === 'cancelOutOfStock') await transition(o, 'cancel', OUT_OF_STOCK);
          else await transition(o, 'release');
          out.ok++;
        } catch (e) {
          out.failed.push({ orderNo: orderNoOf(o), words: errorWords(e, t) });
        }
      }
      return out;
    },
    {
      invalidate: [['orders'], ['metrics']],
      onSuccess: (r) => {
        setReport(r);
        setSelected([]);
      },
    },
  );

  function start(action: QueueAction) {
    setReport(null);
    if (action !== 'cancelOutOfStock') return void batch.run(action, selected);
    modal.confirm({
      title: t('batchCancelOos'),
      content: t('batchCancelConfirm', { n: selected.length }),
      okButtonProps: { danger: true, 'data-testid': 'batch-cancel-oos-ok' } as never,
      onOk: () => batch.run(action, selected),
    });
  }

  const { query } = list;
  if (query.error) return <ErrorAlert error={query.error} onRetry={() => query.refetch()} />;
  return (
    <>
      <Space direction="vertical" style={{ width: '100%' }}>
        {oldest !== null ? (
          <Typography.Text type="secondary">
            {t('oldest', { age: formatDuration(oldest, locale) })}
          </Typography.Text>
        ) : null}
        {reason === OUT_OF_STOCK ? (
          <Typography.Text type="secondary" data-testid="oos-hint">
            {t('oosHint')}
          </Typography.Text>
        ) : null}
        <Space wrap data-testid="queue-batch">
          <Typography.Text>{t('selected', { n: selected.length })}</Typography.Text>
          {batchActionsFor(reason).map((a) => (
            <Button
              key={a}
              size="small"
              type={a === 'retry' ? 'primary' : 'default'}
              danger={a === 'cancelOutOfStock'}
              disabled={!selected.length}
              loading={batch.busy && batch.running?.[0] === a}
              onClick={() => start(a)}
              data-batch={a}
            >
              {t(ACTION_LABEL[a])}
            </Button>
          ))}
        </Space>
        {batch.error ? <ErrorAlert error={batch.error} /> : null}
        {report ? <ReportAlert report={report} onClose={() => setReport(null)} /> : null}
      </Space>
      <Table<OrderView>
        size="small"
        rowKey="id"
        loading={query.isFetching}
        pagination={false}
        dataSource={list.items}
        rowSelection={{
          selectedRowKeys: selected.map((o) => o.id),
          onChange: (_keys, rows) => setSelected(rows),
        }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('empty')} /> }}
        data-testid="queue"
        columns={[
          {
            title: t('orderNo'),
            render: (_, o) => (
              <Link to={`/orders/${o.id}`} data-order-link={o.id}>
                {orderNoOf(o)}
              </Link>
            ),
          },
          { title: t('channel'), render: (_, o) => <ChannelName channel={o.channel} /> },
          {
            title: t('total'),
            align: 'right',
            render: (_, o) => <Money minor={o.total} currency={o.currency} />,
          },
          { title: t('placedAt'), render: (_, o) => <Time at={o.placedAt} /> },
          { title: t('decisions'), render: (_, o) => <Decisions orderId={o.id} /> },
        ]}
      />
      <PagerButtons pager={list} />
    </>
  );
}

function ReportAlert({ report, onClose }: { report: BatchReport; onClose: () => void }) {
  const t = useT(messages);
  const lines = [
    ...report.skipped.map((s) =>
      t('reportLine', { kind: t('skipped'), orderNo: s.orderNo, why: t(s.reason) }),
    ),
    ...report.short.map((f) => t('reportLine', { kind: t('stillShort'), orderNo: f.orderNo, why: f.words })),
    ...report.failed.map((f) => t('reportLine', { kind: t('failed'), orderNo: f.orderNo, why: f.words })),
  ];
  return (
    <Alert
      type={
        report.failed.length || report.short.length ? 'warning' : report.skipped.length ? 'info' : 'success'
      }
      showIcon
      closable
      onClose={onClose}
      data-testid="batch-report"
      message={t(report.action === 'retry' ? 'batchSummaryRetry' : 'batchSummary', {
        action: t(ACTION_LABEL[report.action]),
        ok: report.ok,
        short: report.short.length,
        skipped: report.skipped.length,
        failed: report.failed.length,
      })}
      description={
        lines.length ? (
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        ) : undefined
      }
    />
  );
}
