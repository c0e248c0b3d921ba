import { HOLD_REASON_LABELS, ORDER_STATUS_LABELS } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Empty, Row, Segmented, Space, Statistic, Table, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, api } from '../../shared/api.ts';
import { EChart } from '../../shared/EChart.tsx';
import { addDays, formatDuration, formatPercent, localDayOf } from '../../shared/format.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { CHANNEL_LABELS } from '../../shared/messages.ts';
import { ErrorAlert, PageTitle } from '../../shared/ui.tsx';
import { messages } from './messages.ts';

interface Figure {
  key: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  target: { op: string; value: number };
  reason: string | null;
}
interface Stage {
  status: string;
  count: number;
  avgAgeSeconds: number | null;
  maxAgeSeconds: number | null;
}

export default function Dashboard() {
  const t = useT(messages);
  const { locale, tz } = useLocale();
  const navigate = useNavigate();
  const [days, setDays] = useState(14);
  const range = useMemo(() => {
    const to = new Date();
    const from = new Date(to.getTime() - days * 86_400_000);
    return { from: from.toISOString(), to: to.toISOString() };
  }, [days]);
  const fromDay = localDayOf(range.from, tz);
  const toDay = localDayOf(range.to, tz);

  const health = useQuery({
    queryKey: ['metrics', 'health', days],
    queryFn: () => api<{ figures: Figure[] }>('/api/metrics/health', { query: range }),
  });
  const byChannel = useQuery({
    queryKey: ['metrics', 'orders-by-channel', days, tz],
    queryFn: () =>
      api<{ buckets: { day: string; channel: string; count: number }[] }>('/api/metrics/orders-by-channel', {
        query: { ...range, tz },
      }),
  });
  const stages = useQuery({
    queryKey: ['metrics', 'stages'],
    queryFn: () => api<{ stages: Stage[] }>('/api/metrics/stages'),
  });
  const funnel = useQuery({
    queryKey: ['metrics', 'funnel', days],
    queryFn: () =>
      api<{ placed: number; steps: { status: string; count: number }[] }>('/api/metrics/funnel', {
        query: range,
      }),
  });
  const holds = useQuery({
    queryKey: ['metrics', 'holds'],
    queryFn: () => api<{ total: number; reasons: { reason: string; count: number }[] }>('/api/orders/holds'),
  });
  const lowStock = useQuery({
    queryKey: ['metrics', 'low-stock'],
    queryFn: () => api<unknown>('/api/inventory/alerts'),
    retry: false,
  });

  const channelOption = useMemo(() => {
    const buckets = byChannel.data?.buckets ?? [];
    const dayList: string[] = [];
    for (let d = fromDay; d <= toDay; d = addDays(d, 1)) dayList.push(d);
    const channels = [...new Set(buckets.map((b) => b.channel))];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: channels.map((c) => labelOf(CHANNEL_LABELS, c, locale)) },
      grid: { left: 40, right: 16, bottom: 30, top: 40 },
      xAxis: { type: 'category', data: dayList.map((d) => d.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: channels.map((c) => ({
        id: c,
        name: labelOf(CHANNEL_LABELS, c, locale),
        type: 'bar',
        stack: 'orders',
        data: dayList.map((d) => buckets.find((b) => b.day === d && b.channel === c)?.count ?? 0),
      })),
      _days: dayList,
    };
  }, [byChannel.data, fromDay, toDay, locale]);

  const funnelOption = useMemo(() => {
    const steps = funnel.data?.steps ?? [];
    return {
      tooltip: { trigger: 'item' },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          left: '10%',
          width: '80%',
          label: { formatter: '{b}: {c}' },
          data: steps.map((s) => ({
            name: labelOf(ORDER_STATUS_LABELS, s.status, locale),
            value: s.count,
            id: s.status,
          })),
        },
      ],
    };
  }, [funnel.data, locale]);

  const holdOption = useMemo(() => {
    const reasons = (holds.data?.reasons ?? []).filter((r) => r.count > 0);
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 110, right: 24, top: 10, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: reasons.map((r) => labelOf(HOLD_REASON_LABELS, r.reason, locale)) },
      series: [
        {
          type: 'bar',
          data: reasons.map((r) => ({ value: r.count, id: r.reason })),
          itemStyle: { color: '#fa541c' },
        },
      ],
      _reasons: reasons.map((r) => r.reason),
    };
  }, [holds.data, locale]);

  const figureLink = (key: string) =>
    key === 'exceptionClosureRate72h'
      ? '/exceptions'
      : key === 'channelAttributionCompleteness'
        ? `/orders?channel=api&from=${fromDay}&to=${toDay}`
        : key === 'stateDriftRate'
          ? `/orders?from=${fromDay}&to=${toDay}`
          : null;

  return (
    <div data-testid="dashboard">
      <PageTitle
        extra={
          <Segmented
            value={days}
            onChange={(v) => setDays(Number(v))}
            options={[7, 14, 30].map((n) => ({ value: n, label: t('days', { n }) }))}
          />
        }
      >
        {t('title')}
      </PageTitle>

      <Card size="small" title={t('health')} style={{ marginBottom: 16 }}>
        {health.error ? <ErrorAlert error={health.error} /> : null}
        <Row gutter={16}>
          {(health.data?.figures ?? []).map((f) => {
            const link = figureLink(f.key);
            const value = f.value === null ? '—' : formatPercent(f.value, locale);
            return (
              <Col key={f.key} xs={12} md={8} xl={4} style={{ marginBottom: 8 }} data-figure={f.key}>
                <Statistic
                  title={t(f.key)}
                  valueRender={() =>
                    link && f.value !== null ? <Link to={link}>{value}</Link> : <span>{value}</span>
                  }
                />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {f.value === null ? (
                    <Tooltip title={f.reason}>{f.reason ? t(`reason_${f.key}`) : t('noData')}</Tooltip>
                  ) : (
                    <>
                      {f.numerator}/{f.denominator} ·{' '}
                      {t('target', { op: f.target.op, value: formatPercent(f.target.value, locale, 2) })}
                    </>
                  )}
                </Typography.Text>
              </Col>
            );
          })}
        </Row>
      </Card>

      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card
            size="small"
            title={t('ordersByChannel')}
            extra={<Typography.Text type="secondary">{t('clickHint')}</Typography.Text>}
            style={{ marginBottom: 16 }}
          >
            {byChannel.error ? (
              <ErrorAlert error={byChannel.error} />
            ) : (
              <EChart
                testId="chart-channels"
                option={channelOption}
                onClick={(p) => {
                  const idx = channelOption.xAxis.data.indexOf(p.name);
                  const day = channelOption._days[idx];
                  if (day && p.seriesId) navigate(`/orders?channel=${p.seriesId}&day=${day}`);
                }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('stages')} style={{ marginBottom: 16 }}>
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
        </Col>
      </Row>

      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('funnel')} style={{ marginBottom: 16 }}>
            {funnel.error ? <ErrorAlert error={funnel.error} /> : null}
            <Typography.Text type="secondary">
              {t('placed')}:{' '}
              <Link to={`/orders?from=${fromDay}&to=${toDay}`}>{funnel.data?.placed ?? '—'}</Link>
            </Typography.Text>
            <EChart
              testId="chart-funnel"
              option={funnelOption}
              height={240}
              onClick={(p) => {
                const id = (p.data as { id?: string } | undefined)?.id;
                if (id) navigate(`/orders?status=${id}&from=${fromDay}&to=${toDay}`);
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('exceptions')} style={{ marginBottom: 16 }}>
            {holds.error ? <ErrorAlert error={holds.error} /> : null}
            <Space wrap style={{ marginBottom: 8 }}>
              {(holds.data?.reasons ?? [])
                .filter((r) => r.count > 0)
                .map((r) => (
                  <Link key={r.reason} to={`/exceptions?reason=${r.reason}`} data-hold-count={r.reason}>
                    {labelOf(HOLD_REASON_LABELS, r.reason, locale)} {r.count}
                  </Link>
                ))}
            </Space>
            {holdOption._reasons.length ? (
              <EChart
                option={holdOption}
                height={200}
                onClick={(p) => {
                  const id = (p.data as { id?: string } | undefined)?.id;
                  if (id) navigate(`/exceptions?reason=${id}`);
                }}
              />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noData')} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('lowStock')} style={{ marginBottom: 16 }}>
            <LowStock query={lowStock} />
          </Card>
          <Card size="small" title={t('syncHealth')} style={{ marginBottom: 16 }}>
            <Typography.Text type="secondary">
              {health.data?.figures.some((f) => f.key === 'channelSyncHealth' && f.value === null)
                ? t('reason_channelSyncHealth')
                : t('noData')}
            </Typography.Text>
          </Card>
        </Col>
      </Row>
    </div>
  );
}

function LowStock({ query }: { query: { data?: unknown; error: unknown; isPending: boolean } }) {
  const t = useT(messages);
  if (query.isPending) return null;
  if (query.error instanceof ApiError && (query.error.code === 'NOT_FOUND' || query.error.status === 403))
    return <Typography.Text type="secondary">{t('unavailable')}</Typography.Text>;
  if (query.error) return <ErrorAlert error={query.error} />;
  const data = query.data as { items?: Record<string, unknown>[] } | Record<string, unknown>[];
  const rows = Array.isArray(data) ? data : (data?.items ?? []);
  if (!rows.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noData')} />;
  return (
    <ul style={{ paddingLeft: 18, margin: 0 }}>
      {rows.slice(0, 10).map((r) => (
        <li key={JSON.stringify(r)}>
          <Link to={`/inventory?sku=${encodeURIComponent(String(r['sku'] ?? ''))}`}>
            {String(r['sku'] ?? '')}
          </Link>{' '}
          {String(r['warehouse'] ?? r['warehouseCode'] ?? '')} · {String(r['available'] ?? '')}
        </li>
      ))}
    </ul>
  );
}
