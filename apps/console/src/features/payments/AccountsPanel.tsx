import { PlusOutlined } from '@ant-design/icons';
import { PAYMENT_PROVIDER_LABELS } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { KEYS, listAccounts, type PaymentAccountView } from '../../shared/payments/api.ts';
import { messages } from '../../shared/payments/messages.ts';
import { ErrorAlert, Time } from '../../shared/ui.tsx';
import { AccountDialog } from './AccountDialog.tsx';

/** Payment accounts with the notify URL to give each provider; secrets are never shown. */
export function AccountsPanel({ mayManage }: { mayManage: boolean }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const accounts = useQuery({ queryKey: KEYS.accounts, queryFn: listAccounts });
  const [editing, setEditing] = useState<PaymentAccountView | 'new' | null>(null);

  return (
    <Card
      size="small"
      extra={
        mayManage ? (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing('new')}
            data-action="add-payment-account"
          >
            {t('addAccount')}
          </Button>
        ) : null
      }
    >
      {accounts.error ? <ErrorAlert error={accounts.error} onRetry={() => accounts.refetch()} /> : null}
      <Table<PaymentAccountView>
        data-testid="payment-accounts"
        rowKey="id"
        size="middle"
        loading={accounts.isPending}
        dataSource={accounts.data ?? []}
        pagination={false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noAccounts')} /> }}
        onRow={(a) => ({ 'data-payment-account': a.code }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('name'),
            key: 'name',
            render: (_, a) => (
              <div>
                <div>{a.name}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {a.code}
                </Typography.Text>
              </div>
            ),
          },
          {
            title: t('provider'),
            dataIndex: 'provider',
            width: 110,
            render: (p: string) => labelOf(PAYMENT_PROVIDER_LABELS, p, locale),
          },
          {
            title: t('status'),
            dataIndex: 'active',
            width: 90,
            render: (active: boolean) =>
              active ? <Tag color="green">{t('active')}</Tag> : <Tag>{t('inactive')}</Tag>,
          },
          {
            title: t('notifyUrl'),
            dataIndex: 'notifyUrl',
            render: (url: string) => (
              // Broken anywhere, with its copy button: every column stays on a 1024 px screen.
              <Typography.Text
                copyable={{ text: url, tooltips: [t('copy'), t('copied')] }}
                style={{ fontSize: 12, wordBreak: 'break-all' }}
                data-notify-url
              >
                {url}
              </Typography.Text>
            ),
          },
          {
            title: t('settingsUpdated'),
            dataIndex: 'settingsUpdatedAt',
            width: 150,
            render: (at: string) => <Time at={at} seconds={false} />,
          },
          ...(mayManage
            ? [
                {
                  title: t('actions'),
                  key: 'actions',
                  width: 90,
                  render: (_: unknown, a: PaymentAccountView) => (
                    <Button size="small" onClick={() => setEditing(a)} data-action="edit-payment-account">
                      {t('edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <AccountDialog
        open={editing !== null}
        account={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
      />
    </Card>
  );
}
