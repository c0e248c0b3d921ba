import { ROLE_LABELS, type Role, type UserView } from '@orderhub/contracts';
import { Alert, Form, Input, Modal, Radio, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { PERMISSION_LABELS, permissionsLost } from './labels.ts';
import { messages } from './messages.ts';

/** A change to a user that ends their sessions (and may revoke their API tokens): asked first. */
export type UserChange =
  | { kind: 'role'; user: UserView; role: Role }
  | { kind: 'deactivate'; user: UserView }
  | { kind: 'password'; user: UserView };

export interface UserChangeBody {
  role?: Role;
  active?: boolean;
  password?: string;
  keepTokens?: boolean;
}

/** Whether the change revokes API tokens unless asked to keep them: a new password, a reduced role. */
export function asksAboutTokens(change: UserChange): boolean {
  if (change.kind === 'password') return true;
  if (change.kind === 'role') return permissionsLost(change.user.role as Role, change.role).length > 0;
  return false;
}

/**
 * The confirmation: what ends, and — for a new password or a role that takes permissions away —
 * "同时吊销其 API 令牌？", revoking by default.
 */
export function ChangeModal({
  change,
  busy,
  onCancel,
  onOk,
}: {
  change: UserChange | null;
  busy: boolean;
  onCancel: () => void;
  onOk: (body: UserChangeBody) => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [revoke, setRevoke] = useState(true);
  const [form] = Form.useForm<{ password: string }>();
  useEffect(() => {
    if (change) {
      setRevoke(true);
      form.resetFields();
    }
  }, [change, form]);
  if (!change) return null;
  const u = change.user;
  const name = !u.displayName
    ? u.username
    : locale === 'zh-CN'
      ? `${u.displayName}（${u.username}）`
      : `${u.displayName} (${u.username})`;
  const tokensQuestion = asksAboutTokens(change);
  const lost = change.kind === 'role' ? permissionsLost(u.role as Role, change.role) : [];

  function submit(password?: string) {
    if (!change) return;
    const keep = tokensQuestion ? { keepTokens: !revoke } : {};
    if (change.kind === 'role') onOk({ role: change.role, ...keep });
    else if (change.kind === 'deactivate') onOk({ active: false });
    else if (password) onOk({ password, ...keep });
  }

  const title =
    change.kind === 'role'
      ? t('confirmRole', {
          user: name,
          from: labelOf(ROLE_LABELS, u.role, locale),
          to: labelOf(ROLE_LABELS, change.role, locale),
        })
      : change.kind === 'deactivate'
        ? t('confirmDeactivate', { user: name })
        : t('setPasswordFor', { user: name });

  return (
    <Modal
      open
      title={title}
      onCancel={onCancel}
      confirmLoading={busy}
      okButtonProps={{ danger: change.kind !== 'password', 'data-testid': 'user-change-ok' } as never}
      okText={t('confirm')}
      onOk={() => (change.kind === 'password' ? form.submit() : submit())}
      destroyOnHidden
    >
      <Space direction="vertical" style={{ width: '100%' }} data-testid="user-change">
        {change.kind === 'password' ? (
          <Form form={form} layout="vertical" onFinish={(v) => submit(v.password)}>
            <Form.Item
              name="password"
              label={t('newPassword')}
              extra={t('passwordRule')}
              rules={[
                { required: true, message: t('passwordRequired') },
                { min: 10, max: 256, message: t('passwordInvalid') },
              ]}
            >
              <Input.Password autoComplete="new-password" data-testid="user-new-password" />
            </Form.Item>
          </Form>
        ) : null}
        {lost.length ? (
          <Typography.Paragraph style={{ marginBottom: 0 }}>
            {t('loses')}
            {lost.map((p) => labelOf(PERMISSION_LABELS, p, locale)).join(t('sep'))}
          </Typography.Paragraph>
        ) : null}
        <Alert
          type="warning"
          showIcon
          message={change.kind === 'deactivate' ? t('endsAll') : t('endsSessions')}
        />
        {tokensQuestion ? (
          <div data-testid="revoke-tokens-question">
            <Typography.Text strong>{t('revokeTokensQ')}</Typography.Text>
            <Radio.Group
              style={{ display: 'flex', flexDirection: 'column', marginTop: 8, gap: 4 }}
              value={revoke}
              onChange={(e) => setRevoke(e.target.value as boolean)}
            >
              <Radio value={true} data-testid="revoke-tokens-yes">
                {t('revokeTokensYes')}
              </Radio>
              <Radio value={false} data-testid="revoke-tokens-no">
                {t('revokeTokensNo')}
              </Radio>
            </Radio.Group>
          </div>
        ) : null}
      </Space>
    </Modal>
  );
}
