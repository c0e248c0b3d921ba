import { Col, Row, Segmented } from 'antd';
import { useState } from 'react';
import { useLocale, useT } from '../../shared/i18n.tsx';
import { PageTitle } from '../../shared/ui.tsx';
import { ChannelPanel } from './ChannelPanel.tsx';
import { FunnelPanel } from './FunnelPanel.tsx';
import { HealthPanel, SyncHealthPanel } from './HealthPanel.tsx';
import { HoldsPanel } from './HoldsPanel.tsx';
import { LowStockPanel } from './LowStockPanel.tsx';
import { messages } from './messages.ts';
import { useDashboardRange } from './range.ts';
import { SalesPanel } from './SalesPanel.tsx';
import { StagesPanel } from './StagesPanel.tsx';

export default function Dashboard() {
  const t = useT(messages);
  const { tz } = useLocale();
  const [days, setDays] = useState(14);
  const range = useDashboardRange(days, tz);

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

      <SalesPanel range={range} />
      <HealthPanel range={range} />

      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <ChannelPanel range={range} />
        </Col>
        <Col xs={24} xl={10}>
          <StagesPanel />
        </Col>
      </Row>

      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <FunnelPanel range={range} />
        </Col>
        <Col xs={24} lg={8}>
          <HoldsPanel />
        </Col>
        <Col xs={24} lg={8}>
          <LowStockPanel />
          <SyncHealthPanel range={range} />
        </Col>
      </Row>
    </div>
  );
}
