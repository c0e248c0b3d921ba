import { ExclamationCircleOutlined, EyeOutlined } from '@ant-design/icons';
import {
  HOLD_REASON_LABELS,
  ORDER_STATUS_LABELS,
  type OrderDetailView,
  type TimelineEntryView,
} from '@orderhub/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api } from '../../shared/api.ts';
import { formatDuration } from '../../shared/format.ts';
import { labelOf, type TFunction, useLocale, useT } from '../../shared/i18n.tsx';
import { EVENT_LABELS } from '../../shared/messages.ts';
import { useSession } from '../../shared/session.tsx';
import type { Anomaly } from '../../shared/sla.ts';
import {
  ChannelName,
  ErrorAlert,
  HoldReasonTag,
  Money,
  PageTitle,
  StatusTag,
  Time,
} from '../../shared/ui.tsx';
import { entryErrorCode, orderAnomalies, statusFlow } from './anomalies.ts';
import { messages } from './messages.ts';

type NextEvent = OrderDetailView['nextEvents'][number];
type Receiver = OrderDetailView['receiver'];

export default function OrderDetail() {
  const { id = '' } = useParams();
  const t = useT(messages);
  const { locale } = useLocale();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [revealed, setRevealed] = useState<Receiver | null>(null);
  const [asking, setAsking] = useState<NextEvent | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const order = useQuery({
    queryKey: ['orders', 'detail', id],
    queryFn: () => api<OrderDetailView>(`/api/orders/${encodeURIComponent(id)}`),
  });
  const reservations = useQuery({
    queryKey: ['orders', 'reservations', id],
    queryFn: () => api<unknown>(`/api/orders/${encodeURIComponent(id)}/reservations`),
    retry: false,
  });

  if (order.isPending) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (order.error) return <ErrorAlert error={order.error} onRetry={() => order.refetch()} />;
  const o = order.data;
  const anomalies = orderAnomalies(o, new Date());
  const receiver = revealed ?? o.receiver;

  async function reveal() {
    try {
      const full = await api<OrderDetailView>(`/api/orders/${encodeURIComponent(id)}`, {
        query: { reveal: true },
      });
      setRevealed(full.receiver);
      message.info(t('revealed'));
    } catch (e) {
      setActionError(e);
    }
  }

  async function transition(ev: NextEvent, reasonCode?: string, note?: string) {
    setBusy(ev.event);
    setActionError(null);
    try {
      const next = await api<OrderDetailView>(`/api/orders/${encodeURIComponent(id)}/transitions`, {
        method: 'POST',
        body: {
          event: ev.event,
          version: o.version,
          ...(reasonCode ? { reasonCode } : {}),
          ...(note ? { note } : {}),
        },
      });
      qc.setQueryData(['orders', 'detail', id], next);
      void qc.invalidateQueries({ queryKey: ['orders', 'list'] });
      void qc.invalidateQueries({ queryKey: ['metrics'] });
      message.success(t('transitionDone', { event: labelOf(EVENT_LABELS, ev.event, locale) }));
    } catch (e) {
      setActionError(e);
      if (e instanceof ApiError && e.code === 'ORDER_VERSION_CONFLICT') void order.refetch();
    } finally {
      setBusy(null);
    }
  }

  return (
    <div data-testid="order-detail">
      <PageTitle extra={<Link to="/orders">← {t('title')}</Link>}>
        <Space wrap>
          <span>
            {t('detailTitle')} {o.id}
          </span>
          <StatusTag status={o.status} />
          <HoldReasonTag reason={o.holdReason} />
        </Space>
      </PageTitle>

      {anomalies.length ? (
        <Alert
          type="warning"
          showIcon
          icon={<ExclamationCircleOutlined />}
          style={{ marginBottom: 16 }}
          message={t('anomalies')}
          data-testid="anomalies"
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {anomalies.map((a) => (
                <li key={a.code} data-anomaly={a.code}>
                  {anomalyText(a, t, locale, o.status)}
                </li>
              ))}
            </ul>
          }
        />
      ) : null}

      <Card size="small" title={t('nextActions')} style={{ marginBottom: 16 }}>
        {o.nextEvents.length ? (
          <Space wrap data-testid="next-actions">
            {o.nextEvents.map((ev) => {
              const btn = (
                <Button
                  key={ev.event}
                  type={ev.event === 'approve' ? 'primary' : 'default'}
                  danger={ev.event === 'cancel' || ev.event === 'close'}
                  disabled={!ev.allowed}
                  loading={busy === ev.event}
                  data-action={ev.event}
                  onClick={() => (ev.needsReason ? setAsking(ev) : transition(ev))}
                >
                  {labelOf(EVENT_LABELS, ev.event, locale)}
                </Button>
              );
              return ev.allowed ? (
                btn
              ) : (
                <Tooltip key={ev.event} title={ev.blockedBy?.message}>
                  <span data-blocked={ev.event}>
                    {btn}
                    <Typography.Text type="danger" style={{ marginLeft: 6, fontSize: 12 }}>
                      {ev.blockedBy?.message}
                    </Typography.Text>
                  </span>
                </Tooltip>
              );
            })}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('noActions')}</Typography.Text>
        )}
        {actionError ? (
          <div style={{ marginTop: 12 }}>
            <ErrorAlert error={actionError} />
          </div>
        ) : null}
      </Card>

      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('externalOrderId')}>{o.externalOrderId}</Descriptions.Item>
              <Descriptions.Item label={t('channel')}>
                <ChannelName channel={o.channel} /> · {o.channelAccount}
              </Descriptions.Item>
              <Descriptions.Item label={t('placedAt')}>
                <Time at={o.placedAt} />
                {o.placedAtRaw ? (
                  <Typography.Text type="secondary"> ({o.placedAtRaw})</Typography.Text>
                ) : null}
              </Descriptions.Item>
              <Descriptions.Item label={t('paidAt')}>
                <Time at={o.paidAt} />
              </Descriptions.Item>
              <Descriptions.Item label={t('tags')}>
                {o.tags.map((tag) => (
                  <Tag key={tag}>{tag}</Tag>
                ))}
              </Descriptions.Item>
              {o.buyerRemark ? (
                <Descriptions.Item label={t('buyerRemark')}>{o.buyerRemark}</Descriptions.Item>
              ) : null}
              {o.sellerRemark ? (
                <Descriptions.Item label={t('sellerRemark')}>{o.sellerRemark}</Descriptions.Item>
              ) : null}
              <Descriptions.Item label={t('version')}>{o.version}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card
            size="small"
            title={t('receiver')}
            style={{ marginBottom: 16 }}
            extra={
              receiver.masked && can('pii:read') ? (
                <Button size="small" icon={<EyeOutlined />} onClick={reveal} data-testid="reveal">
                  {t('reveal')}
                </Button>
              ) : receiver.masked ? (
                <Tag>{t('masked')}</Tag>
              ) : (
                <Tag color="orange">{t('revealed')}</Tag>
              )
            }
          >
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('receiver')}>{receiver.name ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('phone')}>
                <span data-testid="receiver-phone">{receiver.phone ?? '—'}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('address')}>
                {[receiver.province, receiver.city, receiver.district, receiver.detail]
                  .filter(Boolean)
                  .join(' ')}
              </Descriptions.Item>
              {receiver.platformRef ? (
                <Descriptions.Item label="ref">{receiver.platformRef}</Descriptions.Item>
              ) : null}
            </Descriptions>
          </Card>
          {can('orders:amounts') ? (
            <Card size="small" title={t('amounts')} style={{ marginBottom: 16 }} data-testid="amounts">
              <Descriptions size="small" column={2}>
                <Descriptions.Item label={t('goodsAmount')}>
                  <Money minor={o.goodsAmount} currency={o.currency} />
                </Descriptions.Item>
                <Descriptions.Item label={t('shippingFee')}>
                  <Money minor={o.shippingFee} currency={o.currency} />
                </Descriptions.Item>
                <Descriptions.Item label={t('discount')}>
                  <Money minor={o.discount} currency={o.currency} />
                </Descriptions.Item>
                <Descriptions.Item label={t('tax')}>
                  <Money minor={o.tax} currency={o.currency} />
                </Descriptions.Item>
                <Descriptions.Item label={t('total')}>
                  <Typography.Text strong>
                    <Money minor={o.total} currency={o.currency} />
                  </Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('payments')}>
                  <Typography.Text type="secondary">{t('notRecorded')}</Typography.Text>
                </Descriptions.Item>
              </Descriptions>
            </Card>
          ) : null}
        </Col>
      </Row>

      <Card size="small" title={t('lines')} style={{ marginBottom: 16 }}>
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={o.lines}
          rowClassName={(l) => (l.sku ? '' : 'line-unmapped')}
          columns={[
            { title: '#', dataIndex: 'lineNo', width: 48 },
            { title: t('titleCol'), dataIndex: 'title' },
            { title: t('channelSku'), dataIndex: 'channelSku' },
            {
              title: t('masterSku'),
              dataIndex: 'sku',
              render: (sku: string | null) => sku ?? <Tag color="red">SKU_UNMAPPED</Tag>,
            },
            { title: t('quantity'), dataIndex: 'quantity', align: 'right' },
            ...(can('orders:amounts')
              ? [
                  {
                    title: t('unitPrice'),
                    align: 'right' as const,
                    render: (_: unknown, l: OrderDetailView['lines'][number]) => (
                      <Money minor={l.unitPrice} currency={o.currency} />
                    ),
                  },
                  {
                    title: t('lineAmount'),
                    align: 'right' as const,
                    render: (_: unknown, l: OrderDetailView['lines'][number]) => (
                      <Money minor={l.amount} currency={o.currency} />
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>

      <Card size="small" title={t('reservations')} style={{ marginBottom: 16 }}>
        <Reservations query={reservations} />
      </Card>

      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('customerTimeline')} data-testid="customer-timeline">
            <Timeline
              items={statusFlow(o.timeline).map((e) => ({
                color: e.toStatus === 'on_hold' || e.toStatus === 'cancelled' ? 'red' : 'blue',
                children: (
                  <div>
                    <StatusTag status={e.toStatus!} />
                    <div>
                      <Time at={e.at} />
                    </div>
                  </div>
                ),
              }))}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('systemTimeline')} data-testid="system-timeline">
            <Timeline items={o.timeline.map((e) => systemItem(e, t, locale))} />
          </Card>
        </Col>
      </Row>

      <ReasonModal
        event={asking}
        onCancel={() => setAsking(null)}
        onOk={(reason, note) => {
          const ev = asking!;
          setAsking(null);
          void transition(ev, reason, note);
        }}
      />
    </div>
  );
}

function anomalyText(a: Anomaly, t: TFunction, locale: 'zh-CN' | 'en-US', status: string): string {
  switch (a.code) {
    case 'SKU_UNMAPPED':
      return t('skuUnmapped', { lines: a.detail ?? '' });
    case 'PAYMENT_CALLBACK_FAILED':
      return t('callbackFailed');
    case 'ON_HOLD':
      return `${labelOf(ORDER_STATUS_LABELS, 'on_hold', locale)}: ${labelOf(HOLD_REASON_LABELS, a.detail, locale)}`;
    case 'STUCK':
      return t('stuck', {
        status: labelOf(ORDER_STATUS_LABELS, status, locale),
        age: formatDuration(a.ageSeconds, locale),
        sla: formatDuration(a.slaSeconds, locale),
      });
    default:
      return t('errorEntry', { code: a.detail ?? '' });
  }
}

function systemItem(e: TimelineEntryView, t: TFunction, locale: 'zh-CN' | 'en-US') {
  const code = entryErrorCode(e);
  return {
    color: code ? 'red' : e.fromStatus !== e.toStatus ? 'blue' : 'gray',
    children: (
      <div data-event={e.event} className={code ? 'timeline-error' : undefined}>
        <Space wrap size={4}>
          <Typography.Text strong>{labelOf(EVENT_LABELS, e.event, locale)}</Typography.Text>
          <Typography.Text type="secondary" code>
            {e.event}
          </Typography.Text>
          {e.fromStatus && e.toStatus && e.fromStatus !== e.toStatus ? (
            <Typography.Text type="secondary">
              {labelOf(ORDER_STATUS_LABELS, e.fromStatus, locale)} →{' '}
              {labelOf(ORDER_STATUS_LABELS, e.toStatus, locale)}
            </Typography.Text>
          ) : null}
          {e.reasonCode ? <Tag color="orange">{e.reasonCode}</Tag> : null}
          {code ? <Tag color="red">{code}</Tag> : null}
        </Space>
        <div style={{ fontSize: 12, color: '#888' }}>
          <Time at={e.at} /> · {t('actor')}: {e.actorName ?? e.actorType} · {t('source')}: {e.source}
          {e.ip ? ` · ${t('ip')}: ${e.ip}` : ''}
        </div>
        {e.note ? <div>{e.note}</div> : null}
        {e.details ? (
          <Typography.Paragraph
            type="secondary"
            style={{ fontSize: 12, marginBottom: 0 }}
            ellipsis={{ rows: 2, expandable: true }}
          >
            {JSON.stringify(e.details)}
          </Typography.Paragraph>
        ) : null}
      </div>
    ),
  };
}

function Reservations({ query }: { query: { data?: unknown; error: unknown; isPending: boolean } }) {
  const t = useT(messages);
  if (query.isPending) return <Spin size="small" />;
  if (query.error instanceof ApiError && query.error.code === 'NOT_FOUND')
    return <Typography.Text type="secondary">{t('unavailable')}</Typography.Text>;
  if (query.error) return <ErrorAlert error={query.error} />;
  const data = query.data as { items?: Record<string, unknown>[] } | Record<string, unknown>[] | undefined;
  const rows = Array.isArray(data) ? data : (data?.items ?? []);
  if (!rows.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('empty')} />;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter(
    (k) => typeof rows[0]?.[k] !== 'object',
  );
  return (
    <Table
      size="small"
      pagination={false}
      rowKey={(r) => String(r['id'] ?? JSON.stringify(r))}
      dataSource={rows}
      columns={keys.map((k) => ({ title: k, dataIndex: k, render: (v: unknown) => String(v ?? '') }))}
    />
  );
}

function ReasonModal({
  event,
  onOk,
  onCancel,
}: {
  event: NextEvent | null;
  onOk: (reason: string, note?: string) => void;
  onCancel: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [reason, setReason] = useState<string>();
  const [note, setNote] = useState('');
  return (
    <Modal
      open={event !== null}
      title={event ? labelOf(EVENT_LABELS, event.event, locale) : ''}
      onCancel={onCancel}
      okButtonProps={{ disabled: !reason }}
      onOk={() => reason && onOk(reason, note || undefined)}
      destroyOnHidden
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Select
          style={{ width: '100%' }}
          placeholder={t('chooseReason')}
          value={reason}
          onChange={setReason}
          data-testid="reason-select"
          options={(event?.needsReason ?? []).map((r) => ({
            value: r,
            label: `${labelOf(HOLD_REASON_LABELS, r, locale)}`,
          }))}
        />
        <Input.TextArea
          placeholder={t('note')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={1000}
        />
      </Space>
    </Modal>
  );
}
