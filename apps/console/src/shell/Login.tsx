import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, api } from '../shared/api.ts';
import { useLocale, useT } from '../shared/i18n.tsx';
import { ErrorAlert } from '../shared/ui.tsx';
import { safeNext } from './login-redirect.ts';

export default function Login() {
  const t = useT();
  const { locale, setLocale } = useLocale();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const expired = params.get('expired') === '1';
  // A 429 RATE_LIMITED: when the server lets this browser try again (epoch ms), counted down.
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);
  const waitSeconds = waitUntil === null ? 0 : Math.max(0, Math.ceil((waitUntil - now) / 1000));

  async function submit(values: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    setWaitUntil(null);
    try {
      await api('/api/auth/login', { method: 'POST', body: values, quiet401: true });
      qc.clear();
      navigate(safeNext(params.get('next')), { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'RATE_LIMITED') {
        const fromDetails = (e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
        const seconds = e.retryAfterSeconds ?? fromDetails ?? 60;
        setNow(Date.now());
        setWaitUntil(Date.now() + seconds * 1000);
      } else setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 380 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('appName')}
          </Typography.Title>
          <Segmented
            size="small"
            value={locale}
            onChange={(v) => setLocale(v as typeof locale)}
            options={[
              { label: '中文', value: 'zh-CN' },
              { label: 'EN', value: 'en-US' },
            ]}
          />
        </div>
        {expired ? (
          <Typography.Paragraph type="warning" style={{ marginTop: 12 }} data-testid="session-expired">
            {t('sessionExpired')}
          </Typography.Paragraph>
        ) : null}
        <Form layout="vertical" onFinish={submit} style={{ marginTop: 16 }} requiredMark={false}>
          <Form.Item name="username" label={t('username')} rules={[{ required: true }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus id="login-username" />
          </Form.Item>
          <Form.Item name="password" label={t('password')} rules={[{ required: true }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" id="login-password" />
          </Form.Item>
          {waitUntil !== null ? (
            <Alert
              style={{ marginBottom: 16 }}
              type={waitSeconds > 0 ? 'warning' : 'info'}
              showIcon
              data-testid="login-rate-limited"
              message={waitSeconds > 0 ? t('tooManyAttempts', { n: waitSeconds }) : t('tooManyAttemptsNow')}
            />
          ) : null}
          {error instanceof ApiError && error.code === 'INVALID_CREDENTIALS' ? (
            <Alert
              style={{ marginBottom: 16 }}
              type="error"
              showIcon
              data-testid="login-invalid"
              message={t('badCredentials')}
            />
          ) : error ? (
            <div style={{ marginBottom: 16 }}>
              <ErrorAlert error={error} />
            </div>
          ) : null}
          <Button
            type="primary"
            htmlType="submit"
            block
            loading={busy}
            disabled={waitSeconds > 0}
            data-testid="login-submit"
          >
            {t('login')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
