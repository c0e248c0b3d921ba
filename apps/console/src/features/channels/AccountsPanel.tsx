import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { formatDuration } from '../../shared/format.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { CHANNEL_LABELS } from '../../shared/messages.ts';
import { ErrorAlert, Time } from '../../shared/ui.tsx';
import { AccountDrawer } from './AccountDrawer.tsx';
import { AccountForm } from './AccountForm.tsx';
import { type ChannelAccount, useAccounts, useHealths } from './api.ts';
import { ErrorText, HealthBadge } from './bits.tsx';
import { messages } from './messages.ts';

/** Every shop with its sync health; add, edit, and a drawer with backfills and stock pushes. */
export function AccountsPanel({ mayManage }: { mayManage: boolean }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [params, setParams] = useSearchParams();
  const accounts = useAccounts();
  const healths = useHealths(accounts.data, 30_000);
  const openId = params.get('account');
  const editing = params.get('edit');
  const open = (id: string | null, edit = false) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (id) n.set('account', id);
        else n.delete('account');
        if (edit) n.set('edit', '1');
        else n.delete('edit');
        return n;
      },
      { replace: false },
    );
  const current = accounts.data?.find((a) => a.id === openId) ?? null;

  return (
    <Card
      size="small"
      title={<Typography.Text type="secondary">{t('refreshEvery')}</Typography.Text>}
      extra={
        mayManage ? (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => open('new', true)}
            data-action="add-account"
          >
            {t('addAccount')}
          </Button>
        ) : null
      }
    >
      {accounts.error ? <ErrorAlert error={accounts.error} onRetry={() => accounts.refetch()} /> : null}
      <Table<ChannelAccount>
        data-testid="accounts-table"
        rowKey="id"
        size="middle"
        loading={accounts.isFetching && !accounts.data}
        dataSource={accounts.data ?? []}
        pagination={false}
        onRow={(a) => ({ 'data-account': a.code }) as React.HTMLAttributes<HTMLElement>}
        // The platform under the shop, the lag under the health, the authorisation and the failures
        // under the last success: details and edit stay on a 1024 px screen in both languages.
        columns={[
          {
            title: t('account'),
            key: 'name',
            render: (_, a) => (
              <Space direction="vertical" size={0}>
                <Typography.Link onClick={() => open(a.id)} data-account-link={a.code}>
                  {a.name}
                </Typography.Link>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {a.code} · {labelOf(CHANNEL_LABELS, a.channel, locale)}
                  {a.active ? null : (
                    <Tag style={{ marginLeft: 6 }} color="default">
                      {t('inactive')}
                    </Tag>
                  )}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t('health'),
            key: 'health',
            width: 140,
            render: (_, a) => {
              if (a.connection.credentialFields.length === 0)
                return (
                  <Typography.Text type="secondary" data-health="none">
                    {t('noConnection')}
                  </Typography.Text>
                );
              const h = healths.get(a.id)?.data;
              return (
                <Space direction="vertical" size={0}>
                  <HealthBadge status={h?.status} />
                  {h ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('lag')} <span data-lag>{formatDuration(h.lagSeconds, locale)}</span>
                    </Typography.Text>
                  ) : null}
                </Space>
              );
            },
          },
          {
            title: t('syncAndAuth'),
            key: 'lastSuccess',
            width: 190,
            render: (_, a) => {
              const h = healths.get(a.id)?.data;
              if (!h) return '—';
              return (
                <Space direction="vertical" size={0}>
                  {h.lastSuccessAt ? (
                    <Time at={h.lastSuccessAt} />
                  ) : (
                    <Typography.Text type="secondary">{t('never')}</Typography.Text>
                  )}
                  {h.authExpiresAt ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('authExpiresAt')} <Time at={h.authExpiresAt} seconds={false} />
                    </Typography.Text>
                  ) : null}
                  {h.consecutiveFailures > 0 ? (
                    <Typography.Text
                      type="danger"
                      style={{ fontSize: 12 }}
                      data-failures={h.consecutiveFailures}
                    >
                      {t('failuresInRow', { n: h.consecutiveFailures })}
                    </Typography.Text>
                  ) : null}
                </Space>
              );
            },
          },
          {
            title: t('lastError'),
            key: 'lastError',
            render: (_, a) => {
              const h = healths.get(a.id);
              if (h?.error) return <ErrorAlert error={h.error} />;
              return <ErrorText raw={h?.data?.lastError} />;
            },
          },
          {
            title: t('actions'),
            key: 'actions',
            render: (_, a) => (
              <Space wrap size={4}>
                <Button size="small" onClick={() => open(a.id)} data-action="details">
                  {t('details')}
                </Button>
                {mayManage ? (
                  <Button size="small" onClick={() => open(a.id, true)} data-action="edit-account">
                    {t('edit')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      {current && !editing ? (
        <AccountDrawer
          account={current}
          health={healths.get(current.id)?.data}
          mayManage={mayManage}
          onEdit={() => open(current.id, true)}
          onClose={() => open(null)}
        />
      ) : null}
      {mayManage && editing && (openId === 'new' || current) ? (
        <AccountForm
          account={openId === 'new' ? null : current}
          onClose={(saved) => open(saved && openId !== 'new' ? saved.id : null)}
        />
      ) : null}
    </Card>
  );
}
