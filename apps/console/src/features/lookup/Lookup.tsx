import { HOLD_REASON_LABELS, type OrderDetailView, type OrderView } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../shared/api.ts';
import { formatDuration } from '../../shared/format.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { orderNoOf } from '../../shared/orderRef.tsx';
import { useSession } from '../../shared/session.tsx';
import { listAnomaly } from '../../shared/sla.ts';
import { ChannelName, ErrorAlert, Money, PageTitle, StatusTag, Time } from '../../shared/ui.tsx';
import { classifyLookup, LOOKUP_KINDS, type LookupBy, tooManyNumbers } from './classify.ts';

const M = {
  'zh-CN': {
    title: '客服查询',
    placeholder: '手机号（完整或后 4 位）、订单号（可粘贴多个）、收货人、买家昵称、SKU 或商品名',
    hint: '按手机号或订单号查询时，显示该客户近 30 天在所有渠道的订单；其他条件显示近 30 天匹配的订单',
    by_auto: '自动识别',
    by_orderNo: '订单号',
    by_phone: '手机号 / 后 4 位',
    by_receiverName: '收货人',
    by_buyerNick: '买家昵称',
    by_sku: 'SKU',
    by_title: '商品名称',
    tooMany: '一次最多查 {max} 个订单号，当前 {n} 个，请分批查询',
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
    placeholder:
      'Phone (full or last 4 digits), order numbers (paste many), receiver, buyer nickname, SKU or product title',
    hint: 'By phone or order number: every order of the customer in the last 30 days, across channels; otherwise the matching orders of the last 30 days',
    by_auto: 'Detect',
    by_orderNo: 'Order no.',
    by_phone: 'Phone / last 4',
    by_receiverName: 'Receiver',
    by_buyerNick: 'Buyer nickname',
    by_sku: 'SKU',
    by_title: 'Product title',
    tooMany: 'At most {max} order numbers per search; you pasted {n}. Search in smaller batches',
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
  const byParam = params.get('by') as LookupBy | null;
  const by: LookupBy = byParam && (LOOKUP_KINDS as readonly string[]).includes(byParam) ? byParam : 'auto';
  const [choice, setChoice] = useState<LookupBy>(by);
  const [text, setText] = useState(q);
  const parsed = classifyLookup(q, by);
  const tooMany = tooManyNumbers(parsed);
  const input = tooMany ? null : parsed;

  const result = useQuery({
    queryKey: ['orders', 'lookup', by, q],
    enabled: input !== null,
    queryFn: async (): Promise<Found> => {
      const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const byPhone = (phone: string) =>
        api<{ items: OrderView[] }>('/api/orders', { query: { phone, placedFrom: since, limit: 200 } });
      const i = input!;
      if (i.kind === 'phone') return { orders: (await byPhone(i.value)).items };
      if (i.kind === 'orderNos')
        return {
          orders: (
            await api<{ items: OrderView[] }>('/api/orders', {
              query: { orderNos: i.value.join(','), limit: 200 },
            })
          ).items,
        };
      if (i.kind !== 'orderNo')
        return {
          orders: (
            await api<{ items: OrderView[] }>('/api/orders', {
              query: { [i.kind]: i.value, placedFrom: since, limit: 200 },
            })
          ).items,
        };
      const hit = await api<{ items: OrderView[] }>('/api/orders', {
        query: { orderNo: i.value, limit: 20 },
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

  function search() {
    const v = text.trim();
    const next: Record<string, string> = {};
    if (v) next['q'] = v;
    if (v && choice !== 'auto') next['by'] = choice;
    setParams(next);
  }

  const now = new Date();
  return (
    <div>
      <PageTitle>{t('title')}</PageTitle>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space.Compact style={{ width: '100%', marginBottom: 4 }}>
          <Select
            size="large"
            value={choice}
            onChange={setChoice}
            style={{ width: 170 }}
            popupMatchSelectWidth={false}
            data-testid="lookup-by"
            options={LOOKUP_KINDS.map((k) => ({ value: k, label: t(`by_${k}`) }))}
          />
          <Input.TextArea
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t('placeholder')}
            autoSize={{ minRows: 1, maxRows: 6 }}
            allowClear
            id="lookup-input"
            style={{ fontSize: 16 }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                search();
              }
            }}
          />
          <Button size="large" type="primary" onClick={search} data-testid="lookup-search">
            {t('search')}
          </Button>
        </Space.Compact>
        {tooMany ? (
          <Alert
            type="error"
            showIcon
            message={t('tooMany', tooMany)}
            style={{ marginBottom: 8 }}
            data-testid="lookup-too-many"
          />
        ) : null}
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
                    <ChannelName channel={o.channel} /> ·{' '}
                    <span title={o.channelAccount}>{o.channelAccountName}</span>
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
