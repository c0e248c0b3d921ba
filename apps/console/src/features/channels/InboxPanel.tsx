import { App, Button, Card, Descriptions, Select, Space, Table, Tooltip, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../shared/api.ts';
import { type CursorPage, useApiMutation, useCursorPager } from '../../shared/hooks.ts';
import { useT } from '../../shared/i18n.tsx';
import { PagerButtons } from '../../shared/pager.tsx';
import { ErrorAlert, Time } from '../../shared/ui.tsx';
import { INBOX_STATUSES, type InboxMessage, type InboxStatus, KEYS, useAccounts } from './api.ts';
import { CodeBlock, ErrorText, RawBody, StatusWord } from './bits.tsx';
import { messages } from './messages.ts';

/** Pushed messages as received: filter by shop and status, the raw body, errors, attempts, replay. */
export function InboxPanel({ mayManage }: { mayManage: boolean }) {
  const t = useT(messages);
  const { modal } = App.useApp();
  const [params, setParams] = useSearchParams();
  const accounts = useAccounts();
  const account = params.get('inboxAccount') ?? undefined;
  const statusParam = params.get('inboxStatus');
  const status = (INBOX_STATUSES as readonly string[]).includes(statusParam ?? '')
    ? (statusParam as InboxStatus)
    : undefined;
  const setFilter = (key: string, value: string | undefined) =>
    setParams((p) => {
      const n = new URLSearchParams(p);
      n.set('tab', 'inbox');
      if (value) n.set(key, value);
      else n.delete(key);
      return n;
    });
  const pager = useCursorPager<InboxMessage>({
    queryKey: [...KEYS.inbox, account ?? '', status ?? ''],
    keepPrevious: true,
    fetchPage: (cursor, signal) =>
      api<CursorPage<InboxMessage>>('/api/inbox', { query: { account, status, cursor, limit: 50 }, signal }),
  });
  const replay = useApiMutation(
    (id: string) =>
      api<InboxMessage>(`/api/inbox/${encodeURIComponent(id)}/replay`, { method: 'POST', body: {} }),
    { success: t('replayQueued'), invalidate: [KEYS.inbox], toastError: true },
  );
  const names = new Map((accounts.data ?? []).map((a) => [a.id, a.name]));

  const confirmReplay = (m: InboxMessage) =>
    modal.confirm({
      title: t('replayConfirmTitle'),
      content: t('replayConfirmText', { id: m.messageId }),
      okText: t('replay'),
      cancelText: t('cancel'),
      okButtonProps: { 'data-action': 'confirm-replay' } as Record<string, string>,
      onOk: () => replay.run(m.id),
    });

  return (
    <Card size="small" data-testid="inbox-panel">
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          id="inbox-account"
          allowClear
          style={{ width: 220 }}
          placeholder={t('allAccounts')}
          value={account}
          onChange={(v?: string) => setFilter('inboxAccount', v)}
          options={(accounts.data ?? []).map((a) => ({ value: a.id, label: `${a.name}（${a.code}）` }))}
        />
        <Select
          id="inbox-status"
          allowClear
          style={{ width: 160 }}
          placeholder={t('allStatuses')}
          value={status}
          onChange={(v?: string) => setFilter('inboxStatus', v)}
          options={INBOX_STATUSES.map((s) => ({ value: s, label: t(`inbox.${s}`) }))}
        />
        <Button onClick={() => pager.query.refetch()}>{t('refresh')}</Button>
      </Space>
      {pager.query.error ? (
        <ErrorAlert error={pager.query.error} onRetry={() => pager.query.refetch()} />
      ) : null}
      <Table<InboxMessage>
        data-testid="inbox-table"
        rowKey="id"
        size="middle"
        loading={pager.query.isFetching}
        dataSource={pager.items}
        pagination={false}
        onRow={(m) =>
          ({ 'data-message': m.messageId, 'data-inbox-status': m.status }) as Record<string, string>
        }
        expandable={{
          expandedRowRender: (m) => (
            <div data-testid="inbox-detail">
              <Descriptions size="small" column={2} style={{ marginBottom: 8 }}>
                <Descriptions.Item label={t('messageId')}>
                  <Typography.Text code>{m.messageId}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('processedAt')}>
                  <Time at={m.processedAt} />
                </Descriptions.Item>
                {m.error ? (
                  <Descriptions.Item label={t('technicalDetail')} span={2}>
                    <Typography.Text type="secondary" style={{ wordBreak: 'break-all' }}>
                      {m.error}
                    </Typography.Text>
                  </Descriptions.Item>
                ) : null}
              </Descriptions>
              <Typography.Text strong>{t('rawBody')}</Typography.Text>
              <RawBody message={m} />
              <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>
                {t('headers')}
              </Typography.Text>
              <CodeBlock
                maxHeight={160}
                text={Object.entries(m.headers)
                  .map(([k, v]) => `${k}: ${v}`)
                  .join('\n')}
              />
            </div>
          ),
        }}
        // The shop under the time, the message id under the status, the orders beside the
        // attempts: replay stays on a 1024 px screen in both languages.
        columns={[
          {
            title: t('receivedAt'),
            key: 'receivedAt',
            width: 170,
            render: (_, m) => (
              <div>
                <Time at={m.receivedAt} />
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {names.get(m.accountId) ?? m.accountId}
                  </Typography.Text>
                </div>
              </div>
            ),
          },
          {
            title: t('status'),
            key: 'status',
            width: 150,
            render: (_, m) => (
              <div>
                <StatusWord prefix="inbox" status={m.status} />
                <div
                  title={m.messageId}
                  style={{
                    fontSize: 12,
                    maxWidth: 134,
                    overflow: 'hidden',
                    textOverflow: 'ellipsis',
                    whiteSpace: 'nowrap',
                  }}
                >
                  <Typography.Text type="secondary">{m.messageId}</Typography.Text>
                </div>
              </div>
            ),
          },
          {
            title: t('error'),
            dataIndex: 'error',
            render: (e: string | null) => <ErrorText raw={e} testId="inbox-error" />,
          },
          {
            title: `${t('attempts')} / ${t('orders')}`,
            key: 'attempts',
            width: 110,
            render: (_, m) => (
              <Space size={4} wrap>
                <span data-attempts={m.attempts}>{m.attempts}</span>
                {m.orderIds.slice(0, 3).map((id, i) => (
                  <Link key={id} to={`/orders/${encodeURIComponent(id)}`} data-order-link={id}>
                    #{i + 1}
                  </Link>
                ))}
                {m.orderIds.length > 3 ? `+${m.orderIds.length - 3}` : null}
              </Space>
            ),
          },
          ...(mayManage
            ? [
                {
                  title: t('actions'),
                  key: 'actions',
                  render: (_: unknown, m: InboxMessage) =>
                    m.status === 'rejected' ? (
                      <Tooltip title={t('notReplayable')}>
                        <Button size="small" disabled>
                          {t('replay')}
                        </Button>
                      </Tooltip>
                    ) : (
                      <Button
                        size="small"
                        data-action="replay"
                        loading={replay.running?.[0] === m.id}
                        onClick={() => confirmReplay(m)}
                      >
                        {t('replay')}
                      </Button>
                    ),
                },
              ]
            : []),
        ]}
      />
      <PagerButtons pager={pager as never} testId="inbox-pager" />
    </Card>
  );
}
