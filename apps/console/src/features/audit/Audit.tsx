import { Button, Card, DatePicker, Form, Input, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { actorText } from '../../shared/actor.ts';
import { api } from '../../shared/api.ts';
import { addDays, startOfLocalDay } from '../../shared/format.ts';
import { type CursorPage, useCursorPager } from '../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { EVENT_LABELS } from '../../shared/messages.ts';
import { OrderRef } from '../../shared/orderRef.tsx';
import { PagerButtons } from '../../shared/pager.tsx';
import { ErrorAlert, PageTitle, Time } from '../../shared/ui.tsx';
import { ACTION_LABELS, ENTITY_LABELS, SYSTEM_ACTOR_LABELS } from './labels.ts';
import { Summary } from './Summary.tsx';

/** An action in words: a known action, or an order's transition (`order.<event>`); else the code. */
function actionText(action: string, locale: 'zh-CN' | 'en-US'): string {
  if (ACTION_LABELS[action]) return labelOf(ACTION_LABELS, action, locale);
  const event = action.startsWith('order.') ? action.slice('order.'.length) : '';
  if (EVENT_LABELS[event]) return labelOf(EVENT_LABELS, event, locale);
  return action;
}

const M = {
  'zh-CN': {
    title: '审计日志',
    at: '时间',
    actor: '操作人',
    action: '动作（前缀）',
    actionCol: '动作',
    entity: '对象',
    entityId: '对象编号',
    summary: '内容',
    ip: 'IP',
  },
  'en-US': {
    title: 'Audit log',
    at: 'At',
    actor: 'Actor',
    action: 'Action (prefix)',
    actionCol: 'Action',
    entity: 'Entity',
    entityId: 'Entity id',
    summary: 'Summary',
    ip: 'IP',
  },
};

interface Row {
  id: string;
  at: string;
  actorName: string | null;
  actorType: string;
  ip: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  /** The order's human number, where the server sends it for order entries. */
  orderNo?: string | null;
  summary: unknown;
}

export default function Audit() {
  const t = useT(M);
  const { tz, locale } = useLocale();
  const [filter, setFilter] = useState<Record<string, string | undefined>>({});
  const pager = useCursorPager({
    queryKey: ['audit', filter],
    fetchPage: (cursor, signal) =>
      api<CursorPage<Row>>('/api/audit', { query: { ...filter, limit: 50, cursor }, signal }),
  });
  const list = pager.query;

  function search(v: {
    action?: string;
    entityType?: string;
    entityId?: string;
    range?: [Dayjs | null, Dayjs | null];
  }) {
    pager.first();
    setFilter({
      action: v.action?.trim() || undefined,
      entityType: v.entityType?.trim() || undefined,
      entityId: v.entityId?.trim() || undefined,
      from: v.range?.[0] ? startOfLocalDay(v.range[0].format('YYYY-MM-DD'), tz) : undefined,
      to: v.range?.[1] ? startOfLocalDay(addDays(v.range[1].format('YYYY-MM-DD'), 1), tz) : undefined,
    });
  }

  return (
    <div>
      <PageTitle>{t('title')}</PageTitle>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form layout="inline" onFinish={search}>
          <Form.Item name="action">
            <Input placeholder={t('action')} allowClear />
          </Form.Item>
          <Form.Item name="entityType">
            <Input placeholder={t('entity')} allowClear />
          </Form.Item>
          <Form.Item name="entityId">
            <Input placeholder={t('entityId')} allowClear />
          </Form.Item>
          <Form.Item name="range">
            <DatePicker.RangePicker />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            {t('search')}
          </Button>
        </Form>
      </Card>
      {list.error ? <ErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
      <Card size="small">
        <Table<Row>
          size="small"
          rowKey="id"
          loading={list.isFetching}
          pagination={false}
          dataSource={pager.items}
          data-testid="audit-table"
          columns={[
            { title: t('at'), render: (_, r) => <Time at={r.at} /> },
            {
              title: t('actor'),
              render: (_, r) => actorText(r.actorName, r.actorType, locale, SYSTEM_ACTOR_LABELS),
            },
            { title: t('ip'), dataIndex: 'ip' },
            {
              title: t('actionCol'),
              dataIndex: 'action',
              render: (a: string) => (
                <>
                  <div>{actionText(a, locale)}</div>
                  <Typography.Text code style={{ fontSize: 11 }}>
                    {a}
                  </Typography.Text>
                </>
              ),
            },
            {
              title: t('entity'),
              render: (_, r) =>
                r.entityType === 'order' && r.entityId ? (
                  <>
                    {labelOf(ENTITY_LABELS, 'order', locale)} <OrderRef id={r.entityId} orderNo={r.orderNo} />
                  </>
                ) : (
                  <>
                    {labelOf(ENTITY_LABELS, r.entityType, locale)}{' '}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {r.entityId ?? ''}
                    </Typography.Text>
                  </>
                ),
            },
            { title: t('summary'), render: (_, r) => <Summary summary={r.summary} /> },
          ]}
        />
        <PagerButtons pager={pager} />
      </Card>
    </div>
  );
}
