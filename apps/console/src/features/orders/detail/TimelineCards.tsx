import type { OrderDetailView, TimelineEntryView } from '@orderhub/contracts';
import { Card, Col, Row, Space, Tag, Timeline, Typography } from 'antd';
import { useLocale, useT } from '../../../shared/i18n.tsx';
import { useSession } from '../../../shared/session.tsx';
import { StatusTag, Time } from '../../../shared/ui.tsx';
import { entryErrorCode, statusFlow } from '../anomalies.ts';
import { messages } from '../messages.ts';
import { actorText, sourceText, statusChangeText, timelineSentence } from '../timeline.ts';

/** The customer's status flow beside the system's timeline, every entry as a sentence. */
export function TimelineCards({
  order,
  warehouseName,
}: {
  order: OrderDetailView;
  warehouseName: (code: string) => string | undefined;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const { can } = useSession();
  const ctx = { locale, orderNo: order.orderNo, showAmounts: can('orders:amounts'), warehouseName };

  const systemItem = (e: TimelineEntryView) => {
    const code = entryErrorCode(e);
    const change = statusChangeText(e, locale);
    return {
      key: e.id,
      color: code ? 'red' : change ? 'blue' : 'gray',
      children: (
        <div data-event={e.event} className={code ? 'timeline-error' : undefined}>
          <Space wrap size={4}>
            <Typography.Text strong data-testid="timeline-sentence">
              {timelineSentence(e, ctx)}
            </Typography.Text>
            {change ? <Typography.Text type="secondary">{change}</Typography.Text> : null}
            {code ? <Tag color="red">{code}</Tag> : null}
          </Space>
          <div style={{ fontSize: 12, color: '#888' }}>
            <Time at={e.at} /> · {t('actor')}: {actorText(e, locale)} · {t('source')}:{' '}
            {sourceText(e.source, locale)}
            {e.ip ? ` · ${t('ip')}: ${e.ip}` : ''}
          </div>
        </div>
      ),
    };
  };

  return (
    <Row gutter={16}>
      <Col xs={24} lg={10}>
        <Card size="small" title={t('customerTimeline')} data-testid="customer-timeline">
          <Timeline
            items={statusFlow(order.timeline).map((e) => ({
              key: e.id,
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
          <Timeline items={order.timeline.map(systemItem)} />
        </Card>
      </Col>
    </Row>
  );
}
