import { HOLD_REASON_LABELS, type OrderDetailView, type OrderView } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Input, Space, Table, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../shared/api.ts';
import { formatDuration } from '../../shared/format.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { orderNoOf } from '../../shared/orderRef.tsx';
import { useSession } from '../../shared/session.tsx';
import { listAnomaly } from '../../shared/sla.ts';
import { ChannelName, ErrorAlert, Money, PageTitle, StatusTag, Time } from '../../shared/ui.tsx';
import { classifyLookup } from './classify.ts';

const M = {
  'zh-CN': {
    title: '客服查询',
    placeholder: '输入手机号或订单号（含渠道单号）',
    hint: '显示该客户近 30 天在所有渠道的订单',
    anomaly: '当前异常',
    none: '无',
    stuck: '超时 {age}',
    notFoundOrder: '没有找到这个订单号',
    viaOrder: '通过订单 {id} 找到客户（已记录审计）',
    noReveal: '你的角色不能查看手机号，只显示这个订单',
    count: '共 {n} 单',
  },
  'en-US': {
    title: 'Customer lookup',
    placeholder: 'Phone number or order number (channel order no. too)',
    hint: 'Every order of the customer in the last 30 days, across channels',
    anomaly: 'Current anomaly',
    none: 'none',
    stuck: 'late by {age}',
    notFoundOrder: 'No order with this number',
    viaOrder: 'Customer found through order {id} (audited)',
    noReveal: 'Your role may not see phone numbers: showing this order only',
    count: '{n} orders',
  },
};

interface Found {
  orders: OrderView[];
  via?: string;
  limited?: boolean;
}

export default function Lookup() {
  const t = useT(M);
  const { locale } = useLocale();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const input = classifyLookup(q);

  const result = useQuery({
    queryKey: ['orders', 'lookup', q],
    enabled: input !== null,
    queryFn: async (): Promise<Found> => {
      const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const byPhone = (phone: string) =>
        api<{ items: OrderView[] }>('/api/orders', { query: { phone, placedFrom: since, limit: 200 } });
      if (input!.kind === 'phone') return { orders: (await byPhone(input!.value)).items };
      const hit = await api<{ items: OrderView[] }>('/api/orders', {
        query: { orderNo: input!.value, limit: 20 },
      });
      const first = hit.items[0];
      if (!first) return { orders: [] };
      // The list shows phones masked; finding the same customer needs the number, through an audited reveal.
      if (!can('pii:read')) return { orders: hit.items, limited: true };
      const full = await api<OrderDetailView>(`/api/orders/${encodeURIComponent(first.id)}`, {
        query: { reveal: true },
      });
      if (!full.receiver.phone) return { orders: hit.items };
      const same = await byPhone(full.receiver.phone);
      const seen = new Set(same.items.map((o) => o.id));
      return { orders: [...same.items, ...hit.items.filter((o) => !seen.has(o.id))], via: orderNoOf(first) };
    },
  });

  const now = new Date();
  return (
    <div>
      <PageTitle>{t('title')}</PageTitle>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Input.Search
          size="large"
          enterButton={t('search')}
          placeholder={t('placeholder')}
          defaultValue={q}
          allowClear
          onSearch={(v) => setParams(v.trim() ? { q: v.trim() } : {})}
          id="lookup-input"
        />
        <Typography.Text type="secondary">{t('hint')}</Typography.Text>
      </Card>
      {result.error ? <ErrorAlert error={result.error} onRetry={() => result.refetch()} /> : null}
      {result.data ? (
        <Card size="small" title={t('count', { n: result.data.orders.length })}>
          {result.data.via ? (
            <Alert
              type="info"
              showIcon
              message={t('viaOrder', { id: result.data.via })}
              style={{ marginBottom: 8 }}
            />
          ) : null}
          {result.data.limited ? (
            <Alert type="warning" showIcon message={t('noReveal')} style={{ marginBottom: 8 }} />
          ) : null}
          {!result.data.orders.length && input?.kind === 'orderNo' ? (
            <Alert type="warning" message={t('notFoundOrder')} />
          ) : null}
          <Table<OrderView>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={result.data.orders}
            data-testid="lookup-results"
            columns={[
              {
                title: t('orderNo'),
                render: (_, o) => (
                  <Link to={`/orders/${o.id}`} data-order-link={o.id}>
                    {orderNoOf(o)}
                  </Link>
                ),
              },
              {
                title: t('channel'),
                render: (_, o) => (
                  <>
                    <ChannelName channel={o.channel} /> · {o.channelAccount}
                  </>
                ),
              },
              { title: t('status'), render: (_, o) => <StatusTag status={o.status} /> },
              {
                title: t('anomaly'),
                render: (_, o) => {
                  const a = listAnomaly(o, now);
                  if (!a) return <Typography.Text type="secondary">{t('none')}</Typography.Text>;
                  if (a.code === 'ON_HOLD')
                    return <Tag color="volcano">{labelOf(HOLD_REASON_LABELS, a.detail, locale)}</Tag>;
                  return (
                    <Tag color="orange">{t('stuck', { age: formatDuration(a.ageSeconds, locale) })}</Tag>
                  );
                },
              },
              {
                title: t('total'),
                align: 'right',
                render: (_, o) => <Money minor={o.total} currency={o.currency} />,
              },
              { title: t('phone'), render: (_, o) => o.receiver.phone },
              { title: t('placedAt'), render: (_, o) => <Time at={o.placedAt} /> },
            ]}
          />
          <Space />
        </Card>
      ) : null}
    </div>
  );
}
