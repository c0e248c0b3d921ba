import { useQuery } from '@tanstack/react-query';
import { Card, Typography } from 'antd';
import { useMemo } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../shared/api.ts';
import { EChart } from '../../shared/EChart.tsx';
import { addDays } from '../../shared/format.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { CHANNEL_LABELS } from '../../shared/messages.ts';
import { ErrorAlert } from '../../shared/ui.tsx';
import { messages } from './messages.ts';
import type { DashboardRange } from './range.ts';

/** Orders per channel and local day, stacked; a bar opens the list of that channel and day. */
export function ChannelPanel({ range }: { range: DashboardRange }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const navigate = useNavigate();
  const { fromDay, toDay, tz } = range;
  const byChannel = useQuery({
    queryKey: ['metrics', 'orders-by-channel', range.days, tz],
    queryFn: () =>
      api<{ buckets: { day: string; channel: string; count: number }[] }>('/api/metrics/orders-by-channel', {
        query: { from: range.from, to: range.to, tz },
      }),
  });
  const option = useMemo(() => {
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
  return (
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
          option={option}
          onClick={(p) => {
            const idx = option.xAxis.data.indexOf(p.name);
            const day = option._days[idx];
            if (day && p.seriesId) navigate(`/orders?channel=${p.seriesId}&day=${day}`);
          }}
        />
      )}
    </Card>
  );
}
