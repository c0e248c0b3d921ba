import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Statistic, Typography } from 'antd';
import { useMemo } from 'react';
import { api } from '../../shared/api.ts';
import { EChart } from '../../shared/EChart.tsx';
import { addDays, formatMoney } from '../../shared/format.ts';
import { useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { messages } from './messages.ts';
import type { DashboardRange } from './range.ts';

interface SalesTotals {
  currency: string;
  orders: number;
  paidOrders: number;
  gmv: number | null;
  paid: number | null;
}

interface SalesAnswer {
  buckets: (SalesTotals & { day: string; channel: string })[];
  totals: SalesTotals[];
}

/**
 * Sales over the range with the server's one definition (orders placed, their GMV, the paid part),
 * per currency; a chart of GMV and paid per day in the main currency. Amounts only for readers who
 * may see them (the server sends null otherwise).
 */
export function SalesPanel({ range }: { range: DashboardRange }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const { fromDay, toDay, tz } = range;
  const sales = useQuery({
    queryKey: ['metrics', 'sales', range.days, tz],
    queryFn: () => api<SalesAnswer>('/api/metrics/sales', { query: { from: range.from, to: range.to, tz } }),
  });
  const totals = [...(sales.data?.totals ?? [])].sort((a, b) => b.orders - a.orders);
  const main = totals[0];
  const withMoney = main ? main.gmv !== null : true;
  const option = useMemo(() => {
    const buckets = (sales.data?.buckets ?? []).filter((b) => b.currency === main?.currency);
    const days: string[] = [];
    for (let d = fromDay; d <= toDay; d = addDays(d, 1)) days.push(d);
    const sum = (d: string, k: 'gmv' | 'paid') =>
      buckets.filter((b) => b.day === d).reduce((n, b) => n + (b[k] ?? 0), 0) / 100;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('salesGmv'), t('salesPaid')] },
      grid: { left: 56, right: 16, bottom: 30, top: 40 },
      xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
      yAxis: { type: 'value' },
      series: [
        { name: t('salesGmv'), type: 'line', smooth: true, data: days.map((d) => sum(d, 'gmv')) },
        { name: t('salesPaid'), type: 'bar', data: days.map((d) => sum(d, 'paid')) },
      ],
    };
  }, [sales.data, main?.currency, fromDay, toDay, t]);
  const money = (minor: number | null, currency: string) =>
    minor === null ? '—' : formatMoney(minor, currency, locale);
  return (
    <Card size="small" title={t('sales')} style={{ marginBottom: 16 }} data-testid="sales-panel">
      {sales.error ? <ErrorAlert error={sales.error} /> : null}
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Statistic
            title={t('salesOrders')}
            value={main?.orders ?? 0}
            data-testid="sales-orders"
            suffix={
              <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                {t('salesPaidOrders', { n: main?.paidOrders ?? 0 })}
              </Typography.Text>
            }
          />
        </Col>
        {withMoney ? (
          <>
            <Col xs={12} md={8}>
              <Statistic
                title={t('salesGmv')}
                valueRender={() => (
                  <span data-testid="sales-gmv">{main ? money(main.gmv, main.currency) : '—'}</span>
                )}
              />
            </Col>
            <Col xs={12} md={8}>
              <Statistic
                title={t('salesPaid')}
                valueRender={() => (
                  <span data-testid="sales-paid">{main ? money(main.paid, main.currency) : '—'}</span>
                )}
              />
            </Col>
          </>
        ) : null}
      </Row>
      {totals.length > 1 && withMoney ? (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
          {t('otherCurrencies')}:{' '}
          {totals
            .slice(1)
            .map((x) => `${money(x.gmv, x.currency)} / ${money(x.paid, x.currency)}`)
            .join(locale === 'zh-CN' ? '；' : '; ')}
        </Typography.Paragraph>
      ) : null}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('salesHint')}
      </Typography.Paragraph>
      {withMoney ? <EChart testId="chart-sales" option={option} height={220} /> : null}
    </Card>
  );
}
