import { useQuery } from '@tanstack/react-query';
import { Card, Segmented, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { api } from '../../shared/api.ts';
import { EChart } from '../../shared/EChart.tsx';
import { useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { messages } from './messages.ts';
import { type HeatmapData, heatmapGrid } from './sheet.ts';

/** Warehouse × SKU category, available or sellable units. */
export function Heatmap() {
  const t = useT(messages);
  const [measure, setMeasure] = useState<'available' | 'sellable'>('available');
  const heat = useQuery({
    queryKey: ['inventory', 'heatmap', measure],
    queryFn: () => api<HeatmapData>('/api/inventory/heatmap', { query: { measure } }),
  });
  const option = useMemo(() => {
    if (!heat.data) return null;
    const g = heatmapGrid(heat.data, t('uncategorised'));
    return {
      tooltip: {
        position: 'top',
        formatter: (p: { value: [number, number, number] }) =>
          `${g.y[p.value[1]]} · ${g.x[p.value[0]]}<br/>${t(measure)}: ${p.value[2]} ${t('units')}`,
      },
      grid: { left: 90, right: 20, top: 10, bottom: 70 },
      xAxis: { type: 'category', data: g.x, splitArea: { show: true }, axisLabel: { rotate: 30 } },
      yAxis: { type: 'category', data: g.y, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: Math.max(1, g.max),
        calculable: true,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
      },
      series: [{ name: t(measure), type: 'heatmap', data: g.points, label: { show: true } }],
    };
  }, [heat.data, measure, t]);
  return (
    <Card
      size="small"
      extra={
        <Segmented
          value={measure}
          onChange={(v) => setMeasure(v as 'available' | 'sellable')}
          options={[
            { value: 'available', label: t('available') },
            { value: 'sellable', label: t('sellable') },
          ]}
        />
      }
      title={t('heatmap')}
    >
      {heat.error ? <ErrorAlert error={heat.error} onRetry={() => heat.refetch()} /> : null}
      {option && heat.data?.cells.length ? (
        <EChart
          option={option}
          testId="inventory-heatmap"
          height={Math.max(240, 60 + (heat.data.warehouses.length || 1) * 48)}
        />
      ) : heat.data ? (
        <Typography.Text type="secondary">{t('empty')}</Typography.Text>
      ) : null}
    </Card>
  );
}
