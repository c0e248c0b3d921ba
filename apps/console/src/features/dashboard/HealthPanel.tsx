import { Card, Col, Row, Statistic, Tag, Tooltip, Typography } from 'antd';
import { Link } from 'react-router';
import { formatPercent } from '../../shared/format.ts';
import { useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { messages } from './messages.ts';
import { type DashboardRange, useHealth } from './range.ts';

function figureLink(key: string, range: DashboardRange): string | null {
  if (key === 'exceptionClosureRate72h') return '/exceptions';
  if (key === 'channelAttributionCompleteness')
    return `/orders?channel=api&from=${range.fromDay}&to=${range.toDay}`;
  if (key === 'stateDriftRate') return `/orders?from=${range.fromDay}&to=${range.toDay}`;
  if (key === 'channelSyncHealth') return '/channels';
  return null;
}

/** Order-health figures, each with its numerator, denominator and target, or why it has no value. */
export function HealthPanel({ range }: { range: DashboardRange }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const health = useHealth(range);
  return (
    <Card size="small" title={t('health')} style={{ marginBottom: 16 }}>
      {health.error ? <ErrorAlert error={health.error} /> : null}
      <Row gutter={16}>
        {(health.data?.figures ?? []).map((f) => {
          const link = figureLink(f.key, range);
          const value = f.value === null ? '—' : formatPercent(f.value, locale);
          const target = t('target', { op: f.target.op, value: formatPercent(f.target.value, locale, 2) });
          return (
            <Col
              key={f.key}
              xs={12}
              md={8}
              xl={4}
              style={{ marginBottom: 8 }}
              data-figure={f.key}
              data-missed={f.missed}
            >
              <Statistic
                title={
                  <Tooltip title={t(`explain_${f.key}`)}>
                    <span>{t(f.key)}</span>
                  </Tooltip>
                }
                valueStyle={f.missed ? { color: '#cf1322' } : undefined}
                valueRender={() =>
                  link && f.value !== null ? (
                    <Link to={link} style={f.missed ? { color: '#cf1322' } : undefined}>
                      {value}
                    </Link>
                  ) : (
                    <span>{value}</span>
                  )
                }
              />
              <div>
                {f.value === null ? null : f.missed ? (
                  <Tag color="red">{t('missed')}</Tag>
                ) : (
                  <Tag color="green">{t('met')}</Tag>
                )}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {target}
                  {f.value !== null ? ` · ${f.numerator}/${f.denominator}` : ''}
                </Typography.Text>
              </div>
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 0' }}>
                {f.value === null ? (f.reason ? t(`reason_${f.key}`) : t('noData')) : t(`explain_${f.key}`)}
              </Typography.Paragraph>
            </Col>
          );
        })}
      </Row>
    </Card>
  );
}

/**
 * Channel sync health: how many connected shops synchronise normally (the same green as on the
 * channels page), against its target, red when it misses, with a way to the shops behind it.
 */
export function SyncHealthPanel({ range }: { range: DashboardRange }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const health = useHealth(range);
  const f = health.data?.figures.find((x) => x.key === 'channelSyncHealth');
  const red = f?.missed ? { color: '#cf1322' } : undefined;
  return (
    <Card
      size="small"
      title={t('syncHealth')}
      extra={<Link to="/channels">{t('syncHealthOpen')}</Link>}
      style={{ marginBottom: 16 }}
      data-figure="channelSyncHealthPanel"
      data-missed={f?.missed ?? false}
    >
      {health.error ? <ErrorAlert error={health.error} /> : null}
      {!f || f.value === null ? (
        <Typography.Text type="secondary">
          {f?.reason ? t('reason_channelSyncHealth') : t('noData')}
        </Typography.Text>
      ) : (
        <>
          <Statistic title={t('channelSyncHealth')} value={formatPercent(f.value, locale)} valueStyle={red} />
          <div>
            {f.missed ? <Tag color="red">{t('missed')}</Tag> : <Tag color="green">{t('met')}</Tag>}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('target', { op: f.target.op, value: formatPercent(f.target.value, locale, 2) })}
            </Typography.Text>
          </div>
          <Typography.Paragraph style={{ margin: '8px 0 0', ...red }}>
            {t('syncHealthLine', { green: f.numerator ?? 0, total: f.denominator ?? 0 })}
          </Typography.Paragraph>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 0' }}>
            {t('explain_channelSyncHealth')}
          </Typography.Paragraph>
        </>
      )}
    </Card>
  );
}
