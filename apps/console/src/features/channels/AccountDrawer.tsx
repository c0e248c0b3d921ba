import { Button, Descriptions, Drawer, Space, Tabs, Tag, Typography } from 'antd';
import { formatDuration } from '../../shared/format.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { CHANNEL_LABELS } from '../../shared/messages.ts';
import { Time } from '../../shared/ui.tsx';
import { type AccountHealth, type ChannelAccount, pushUrlOf } from './api.ts';
import { BackfillPanel } from './BackfillPanel.tsx';
import { ErrorText, HealthBadge } from './bits.tsx';
import { messages } from './messages.ts';
import { StockPushPanel } from './StockPushPanel.tsx';

/** One shop: its health in full, its connection (names of the credentials only), backfills, stock pushes. */
export function AccountDrawer({
  account,
  health,
  mayManage,
  onEdit,
  onClose,
}: {
  account: ChannelAccount;
  health: AccountHealth | undefined;
  mayManage: boolean;
  onEdit: () => void;
  onClose: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const c = account.connection;
  return (
    <Drawer
      open
      width={Math.min(960, window.innerWidth - 80)}
      title={`${account.name} · ${labelOf(CHANNEL_LABELS, account.channel, locale)}`}
      onClose={onClose}
      extra={
        mayManage ? (
          <Button onClick={onEdit} data-action="edit-account">
            {t('edit')}
          </Button>
        ) : null
      }
    >
      <div data-testid="account-drawer" data-account={account.code}>
        <Descriptions size="small" bordered column={2} title={t('health')}>
          <Descriptions.Item label={t('health')}>
            {c.credentialFields.length ? <HealthBadge status={health?.status} /> : t('noConnection')}
          </Descriptions.Item>
          <Descriptions.Item label={t('lag')}>{formatDuration(health?.lagSeconds, locale)}</Descriptions.Item>
          <Descriptions.Item label={t('lastSuccess')}>
            {health?.lastSuccessAt ? <Time at={health.lastSuccessAt} /> : t('never')}
          </Descriptions.Item>
          <Descriptions.Item label={t('lastAttempt')}>
            <Time at={health?.lastAttemptAt} />
          </Descriptions.Item>
          <Descriptions.Item label={t('failures')}>{health?.consecutiveFailures ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('ordersPulled')}>{health?.ordersPulled ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('nextRun')}>
            <Time at={health?.nextRunAt} />
          </Descriptions.Item>
          <Descriptions.Item label={t('authExpiresAt')}>
            <Time at={health?.authExpiresAt} seconds={false} />
          </Descriptions.Item>
          <Descriptions.Item label={t('lastError')} span={2}>
            <ErrorText raw={health?.lastError} testId="drawer-last-error" />
          </Descriptions.Item>
          <Descriptions.Item label={t('secretsOnFile')} span={2}>
            <Space wrap data-testid="credential-fields">
              {c.credentialFields.length
                ? c.credentialFields.map((f) => <Tag key={f}>{t(`cred.${f}`)}</Tag>)
                : t('none')}
              {c.baseUrlSet ? <Tag color="blue">{t('baseUrl')}</Tag> : null}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('syncIntervalLabel')}>
            {t('syncEvery', { d: formatDuration(c.syncIntervalSeconds, locale) })}
          </Descriptions.Item>
          <Descriptions.Item label={t('active')}>
            {account.active ? t('active') : t('inactive')}
          </Descriptions.Item>
          <Descriptions.Item label={t('pushUrl')} span={2}>
            <Typography.Text
              code
              data-testid="drawer-push-url"
              copyable={{ text: pushUrlOf(account.code), tooltips: [t('copy'), t('copied')] }}
            >
              {pushUrlOf(account.code)}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
        <Tabs
          style={{ marginTop: 16 }}
          destroyOnHidden
          items={[
            {
              key: 'backfill',
              label: <span data-tab="backfill">{t('backfill')}</span>,
              children: <BackfillPanel account={account} mayManage={mayManage} />,
            },
            {
              key: 'stock',
              label: <span data-tab="stock-pushes">{t('stockPushes')}</span>,
              children: <StockPushPanel account={account} />,
            },
          ]}
        />
      </div>
    </Drawer>
  );
}
