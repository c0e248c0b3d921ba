import { errorMessage } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Card, Select, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../shared/api.ts';
import { labelOf, type MessageBundle, useLocale, useT } from '../../shared/i18n.tsx';
import { CHANNEL_LABELS } from '../../shared/messages.ts';
import { useSession } from '../../shared/session.tsx';
import { ErrorAlert, Time } from '../../shared/ui.tsx';

const messages: MessageBundle = {
  'zh-CN': {
    title: '渠道库存回传',
    hint: '每个店铺每个 SKU 最近一次推给平台的可售库存；多次失败的会被搁置并在渠道页预警。',
    account: '店铺',
    chooseAccount: '选择店铺',
    sku: 'SKU',
    status: '状态',
    wanted: '应推送可售数',
    pushed: '最近推送值',
    pushedAt: '推送时间',
    attempts: '尝试次数',
    error: '最近错误',
    pending: '待推送',
    pushedStatus: '已推送',
    failed: '失败待重试',
    parked: '已搁置',
    failedGeneric: '推送失败（悬停查看详情）',
    unknownSku: '平台不认识这个 SKU',
    empty: '该店铺还没有库存回传记录',
  },
  'en-US': {
    title: 'Stock pushed to channels',
    hint: 'The sellable stock last pushed to each shop per SKU; pushes that keep failing are parked and flagged on the channels page.',
    account: 'Shop',
    chooseAccount: 'Choose a shop',
    sku: 'SKU',
    status: 'Status',
    wanted: 'Sellable to push',
    pushed: 'Last pushed',
    pushedAt: 'Pushed at',
    attempts: 'Attempts',
    error: 'Last error',
    pending: 'Pending',
    pushedStatus: 'Pushed',
    failed: 'Failed, retrying',
    parked: 'Parked',
    failedGeneric: 'Push failed (hover for details)',
    unknownSku: 'The platform does not know this SKU',
    empty: 'No stock pushes for this shop yet',
  },
};

interface Account {
  id: string;
  code: string;
  name: string;
  channel: string;
  connection: { credentialFields: string[] };
}
interface Push {
  sku: string;
  wantedValue: number;
  pushedValue: number | null;
  pushedAt: string | null;
  status: 'pending' | 'pushed' | 'failed' | 'parked';
  attempts: number;
  lastError: string | null;
}

const COLORS = { pending: 'blue', pushed: 'green', failed: 'red', parked: 'magenta' } as const;

/** The channel stock push status per (shop, SKU), for readers who may see the channels. */
export function ChannelStockPushes() {
  const { can } = useSession();
  if (!can('channels:read')) return null;
  return <PushesCard />;
}

function PushesCard() {
  const t = useT(messages);
  const { locale } = useLocale();
  const accounts = useQuery({
    queryKey: ['channels', 'accounts'],
    queryFn: ({ signal }) => api<Account[]>('/api/channel-accounts', { signal }),
  });
  const connected = (accounts.data ?? []).filter((a) => a.connection.credentialFields.length > 0);
  const [chosen, setChosen] = useState<string | undefined>();
  const accountId = chosen ?? connected[0]?.id;
  const pushes = useQuery({
    queryKey: ['channels', 'stock-pushes', accountId ?? '', 'all'],
    enabled: Boolean(accountId),
    queryFn: ({ signal }) =>
      api<Push[]>(`/api/channel-accounts/${encodeURIComponent(accountId!)}/stock-pushes`, { signal }),
  });
  if (accounts.isSuccess && connected.length === 0) return null;
  const errorCell = (raw: string | null) => {
    if (!raw) return '—';
    const m = /^([A-Z][A-Z0-9_]{2,}):\s*/.exec(raw);
    const text = m
      ? errorMessage(m[1]!, undefined, locale, t('failedGeneric'))
      : /unknown sku|no such sku/i.test(raw)
        ? t('unknownSku')
        : t('failedGeneric');
    return (
      <Tooltip title={raw}>
        <Typography.Text type="danger">{text}</Typography.Text>
      </Tooltip>
    );
  };
  return (
    <Card
      size="small"
      style={{ marginTop: 16 }}
      data-testid="inventory-channel-pushes"
      title={t('title')}
      extra={
        <Select
          style={{ width: 240 }}
          placeholder={t('chooseAccount')}
          value={accountId}
          onChange={setChosen}
          options={connected.map((a) => ({
            value: a.id,
            label: `${a.name} · ${labelOf(CHANNEL_LABELS, a.channel, locale)}`,
          }))}
        />
      }
    >
      <Typography.Paragraph type="secondary">{t('hint')}</Typography.Paragraph>
      {accounts.error ? <ErrorAlert error={accounts.error} /> : null}
      {pushes.error ? <ErrorAlert error={pushes.error} onRetry={() => pushes.refetch()} /> : null}
      <Table<Push>
        rowKey="sku"
        size="small"
        loading={pushes.isFetching}
        dataSource={pushes.data ?? []}
        locale={{ emptyText: t('empty') }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        onRow={(r) => ({ 'data-sku': r.sku }) as Record<string, string>}
        columns={[
          { title: t('sku'), dataIndex: 'sku' },
          {
            title: t('status'),
            dataIndex: 'status',
            render: (s: Push['status']) => (
              <Tag color={COLORS[s]} data-status={s}>
                {t(s === 'pushed' ? 'pushedStatus' : s)}
              </Tag>
            ),
          },
          { title: t('wanted'), dataIndex: 'wantedValue', align: 'right' },
          {
            title: t('pushed'),
            dataIndex: 'pushedValue',
            align: 'right',
            render: (v: number | null) => (v === null ? '—' : v),
          },
          { title: t('pushedAt'), dataIndex: 'pushedAt', render: (v: string | null) => <Time at={v} /> },
          { title: t('attempts'), dataIndex: 'attempts', align: 'right' },
          { title: t('error'), dataIndex: 'lastError', render: errorCell },
        ]}
      />
    </Card>
  );
}
