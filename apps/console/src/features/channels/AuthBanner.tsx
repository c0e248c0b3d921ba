import { Alert, Button, Space } from 'antd';
import { Link } from 'react-router';
import { formatDuration, formatTime } from '../../shared/format.ts';
import { useLocale, useT } from '../../shared/i18n.tsx';
import { useAccounts, useHealths } from './api.ts';
import { messages } from './messages.ts';

/** Authorisation that ends within this many days is announced ahead. */
export const EXPIRY_NOTICE_DAYS = 7;

/**
 * Shown above every page (the shell's banner slot): shops whose platform authorisation has expired
 * (pulls stopped) or ends within a week, each with a link to update its credentials.
 */
export default function AuthBanner() {
  const t = useT(messages);
  const { locale, tz } = useLocale();
  const accounts = useAccounts();
  const active = (accounts.data ?? []).filter((a) => a.active && a.connection.credentialFields.length > 0);
  const healths = useHealths(active, 5 * 60_000);
  const now = Date.now();
  const notices = active.flatMap((a) => {
    const h = healths.get(a.id)?.data;
    if (!h) return [];
    const expiresAt = h.authExpiresAt ? Date.parse(h.authExpiresAt) : null;
    if (h.status === 'expired' || (expiresAt !== null && expiresAt <= now))
      return [{ account: a, expired: true, text: t('bannerExpired', { name: a.name }) }];
    if (expiresAt !== null && expiresAt - now < EXPIRY_NOTICE_DAYS * 86_400_000)
      return [
        {
          account: a,
          expired: false,
          text: t('bannerExpiring', {
            name: a.name,
            at: formatTime(h.authExpiresAt, tz, false),
            left: formatDuration((expiresAt - now) / 1000, locale),
          }),
        },
      ];
    return [];
  });
  if (notices.length === 0) return null;
  const anyExpired = notices.some((n) => n.expired);
  return (
    <Alert
      data-testid="channel-auth-banner"
      type={anyExpired ? 'error' : 'warning'}
      showIcon
      style={{ marginBottom: 16 }}
      message={t('bannerTitle')}
      description={
        <Space direction="vertical" size={4}>
          {notices.map((n) => (
            <Space key={n.account.id} wrap data-banner-account={n.account.code} data-expired={n.expired}>
              <span>{n.text}</span>
              <Link to={`/channels?account=${encodeURIComponent(n.account.id)}&edit=1`}>
                <Button size="small" type="link">
                  {t('bannerAction')}
                </Button>
              </Link>
            </Space>
          ))}
        </Space>
      }
    />
  );
}
