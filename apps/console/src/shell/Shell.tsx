import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { ROLE_LABELS } from '@orderhub/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dropdown, Layout, Menu, Result, Segmented, Space, Spin, Typography } from 'antd';
import { createElement, Suspense, useEffect, useMemo } from 'react';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import type { Me } from '../shared/access.ts';
import { ApiError, api, setUnauthenticatedHandler } from '../shared/api.ts';
import { timeZoneLabel } from '../shared/format.ts';
import { labelOf, useLocale, useT } from '../shared/i18n.tsx';
import { SessionProvider, useSession } from '../shared/session.tsx';
import { ErrorAlert } from '../shared/ui.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import type { FeatureDef } from './feature.ts';
import { homePath, loadFeatures, visibleFeatures } from './registry.ts';

const ALL_FEATURES = loadFeatures();

/** Sends an expired or missing session to the log-in page, remembering where the user was. */
function useLoginRedirect() {
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      const here = window.location.pathname + window.location.search;
      if (window.location.pathname.startsWith('/login')) return;
      qc.cancelQueries();
      navigate(`/login?expired=1&next=${encodeURIComponent(here)}`, { replace: true });
    });
  }, [navigate, qc]);
  return location;
}

export default function Shell() {
  const location = useLoginRedirect();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: () => api<Me>('/api/auth/me', { quiet401: true }),
    retry: false,
    staleTime: 60_000,
  });
  if (me.isPending) return <Spin fullscreen />;
  if (me.error) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      const next = location.pathname + location.search;
      return <Navigate to={`/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`} replace />;
    }
    return (
      <div style={{ padding: 48 }}>
        <ErrorAlert error={me.error} onRetry={() => me.refetch()} />
      </div>
    );
  }
  return (
    <SessionProvider me={me.data}>
      <Frame />
    </SessionProvider>
  );
}

function menuItems(features: FeatureDef[], locale: 'zh-CN' | 'en-US', adminLabel: string) {
  const entry = (f: FeatureDef) => ({
    key: f.menu!.path,
    icon: f.menu!.icon ? createElement(f.menu!.icon) : undefined,
    label: (
      <Link to={f.menu!.path} data-menu={f.key}>
        {f.menu!.label[locale]}
      </Link>
    ),
  });
  const main = features.filter((f) => f.menu && f.menu.group !== 'admin').map(entry);
  const admin = features.filter((f) => f.menu?.group === 'admin').map(entry);
  return admin.length
    ? [...main, { type: 'group' as const, key: 'admin', label: adminLabel, children: admin }]
    : main;
}

function Frame() {
  const { me, perms } = useSession();
  const { locale, setLocale, tz } = useLocale();
  const t = useT();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const features = useMemo(() => visibleFeatures(ALL_FEATURES, perms), [perms]);
  const selected = features
    .filter(
      (f) => f.menu && (location.pathname === f.menu.path || location.pathname.startsWith(`${f.menu.path}/`)),
    )
    .map((f) => f.menu!.path);

  async function logout() {
    await api('/api/auth/logout', { method: 'POST', quiet401: true }).catch(() => undefined);
    qc.clear();
    navigate('/login', { replace: true });
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} theme="dark" width={200}>
        <div style={{ color: '#fff', fontWeight: 600, fontSize: 16, padding: '16px 20px' }}>
          {t('appName')}
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={selected}
          items={menuItems(features, locale, locale === 'zh-CN' ? '系统管理' : 'Administration')}
          data-testid="main-menu"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 24px',
            display: 'flex',
            justifyContent: 'flex-end',
            gap: 16,
          }}
        >
          <Space size="large">
            <Typography.Text type="secondary" title={`${t('timeZone')}: ${tz}`} data-time-zone={tz}>
              {timeZoneLabel(tz, locale)}
            </Typography.Text>
            <Segmented
              data-testid="locale-switch"
              value={locale}
              onChange={(v) => setLocale(v as typeof locale)}
              options={[
                { label: '中文', value: 'zh-CN' },
                { label: 'EN', value: 'en-US' },
              ]}
            />
            <Dropdown
              menu={{
                items: [{ key: 'logout', icon: <LogoutOutlined />, label: t('logout'), onClick: logout }],
              }}
            >
              <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
                {me.displayName || me.username} · {labelOf(ROLE_LABELS, me.role, locale)}
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }}>
          {features.map((f) =>
            f.banner ? (
              <Suspense key={`banner:${f.key}`} fallback={null}>
                {createElement(f.banner)}
              </Suspense>
            ) : null,
          )}
          <ErrorBoundary resetKey={location.pathname}>
            <Suspense fallback={<Spin style={{ display: 'block', margin: 48 }} />}>
              <Routes>
                {features.flatMap((f) =>
                  f.routes.map((r) => (
                    <Route key={`${f.key}:${r.path}`} path={r.path} element={createElement(r.component)} />
                  )),
                )}
                <Route path="/" element={<Navigate to={homePath(features)} replace />} />
                <Route path="*" element={<Missing features={features} />} />
              </Routes>
            </Suspense>
          </ErrorBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/** A path that belongs to a feature the user may not use is "forbidden", anything else "not found". */
function Missing({ features }: { features: FeatureDef[] }) {
  const t = useT();
  const location = useLocation();
  const hidden = ALL_FEATURES.some(
    (f) => !features.includes(f) && f.menu && location.pathname.startsWith(f.menu.path),
  );
  return (
    <Result
      status={hidden ? '403' : '404'}
      title={hidden ? t('forbidden') : t('notFound')}
      extra={
        <Link to="/">
          <Button type="primary">{t('backHome')}</Button>
        </Link>
      }
    />
  );
}
