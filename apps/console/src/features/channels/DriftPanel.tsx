import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Space, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../shared/api.ts';
import { useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert, Time } from '../../shared/ui.tsx';
import { type ChannelAlert, type DriftAnswer, KEYS } from './api.ts';
import { CodeBlock } from './bits.tsx';
import { messages } from './messages.ts';
import { driftChange, exampleText, valueAt } from './words.ts';

/** 接口变更预警: new, vanished or re-typed fields of the platforms' payloads, with an example. */
export function DriftPanel() {
  const t = useT(messages);
  const { locale } = useLocale();
  const [onlyOpen, setOnlyOpen] = useState(true);
  const drift = useQuery({
    queryKey: [...KEYS.drift, onlyOpen],
    queryFn: ({ signal }) =>
      api<DriftAnswer>('/api/channels/drift', { query: { open: onlyOpen || undefined }, signal }),
  });
  return (
    <Card size="small" data-testid="drift-panel">
      <Alert type="info" showIcon message={t('driftIntro')} style={{ marginBottom: 12 }} />
      <Space style={{ marginBottom: 12 }}>
        <Switch checked={onlyOpen} onChange={setOnlyOpen} />
        <span>{t('driftOnlyOpen')}</span>
      </Space>
      {drift.error ? <ErrorAlert error={drift.error} onRetry={() => drift.refetch()} /> : null}
      <Table<ChannelAlert>
        data-testid="drift-table"
        rowKey="id"
        size="middle"
        loading={drift.isPending}
        dataSource={drift.data?.alerts ?? []}
        locale={{ emptyText: t('driftEmpty') }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(a) =>
          ({ 'data-drift-field': a.field ?? '', 'data-drift-kind': a.kind }) as Record<string, string>
        }
        expandable={{
          expandedRowRender: (a) => <CodeBlock text={JSON.stringify(a.example, null, 2) ?? ''} />,
        }}
        columns={[
          {
            title: t('driftApi'),
            key: 'api',
            width: 150,
            render: (_, a) => (
              <Space direction="vertical" size={0}>
                <span>{a.platform ? t(`platform.${a.platform}`) : '—'}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {a.api}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t('driftField'),
            key: 'field',
            render: (_, a) => (
              <Space direction="vertical" size={4}>
                <Typography.Text code style={{ wordBreak: 'break-all' }}>
                  {a.field}
                </Typography.Text>
                <Tag
                  color={
                    a.kind === 'drift_new_field'
                      ? 'blue'
                      : a.kind === 'drift_vanished_field'
                        ? 'orange'
                        : 'red'
                  }
                >
                  {driftChange(a, locale)}
                </Tag>
              </Space>
            ),
          },
          {
            title: t('driftExample'),
            key: 'example',
            width: 140,
            render: (_, a) => {
              const v = valueAt(a.example, a.field);
              return v.found ? (
                <Typography.Text code data-testid="drift-example" style={{ wordBreak: 'break-all' }}>
                  {exampleText(v.value, 80)}
                </Typography.Text>
              ) : (
                <Typography.Text type="secondary">{t('fieldNotInExample')}</Typography.Text>
              );
            },
          },
          {
            title: t('driftLastSeen'),
            key: 'seen',
            render: (_, a) => (
              <Space direction="vertical" size={0} style={{ whiteSpace: 'nowrap' }}>
                <Time at={a.lastSeenAt} />
                <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="drift-first-seen">
                  {t('driftFirstSeen')} <Time at={a.firstSeenAt} seconds={false} />
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t('status'),
            key: 'status',
            render: (_, a) => (
              <Space direction="vertical" size={4} style={{ whiteSpace: 'nowrap' }}>
                {a.resolvedAt ? <Tag>{t('driftResolved')}</Tag> : <Tag color="gold">{t('driftOpen')}</Tag>}
                <Typography.Text type="secondary" style={{ fontSize: 12 }} data-occurrences={a.occurrences}>
                  {t('driftSeenTimes', { n: a.occurrences })}
                </Typography.Text>
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
