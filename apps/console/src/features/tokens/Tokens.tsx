import type { TokenView } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../shared/api.ts';
import { useApiMutation } from '../../shared/hooks.ts';
import { useT } from '../../shared/i18n.tsx';
import { useSession } from '../../shared/session.tsx';
import { ErrorAlert, PageTitle, Time } from '../../shared/ui.tsx';

const M = {
  'zh-CN': {
    title: 'API 令牌',
    name: '名称',
    owner: '所属用户',
    prefix: '前缀',
    expires: '过期时间',
    lastUsed: '最近使用',
    revoke: '吊销',
    revoked: '已吊销',
    revokeQ: '吊销令牌「{name}」？',
    revokeHint: '使用它的集成（用户 {user}）会立即失效，吊销后不能恢复。',
    revokedDone: '令牌已吊销',
    newToken: '新建令牌',
    secret: '令牌只显示这一次，请立即保存：',
    nameRequired: '请输入令牌名称',
    nameTooLong: '名称最多 100 个字符',
    ownerHint: '留空则属于你自己',
  },
  'en-US': {
    title: 'API tokens',
    name: 'Name',
    owner: 'User',
    prefix: 'Prefix',
    expires: 'Expires',
    lastUsed: 'Last used',
    revoke: 'Revoke',
    revoked: 'revoked',
    revokeQ: 'Revoke the token “{name}”?',
    revokeHint: 'Integrations using it (user {user}) stop at once; this cannot be undone.',
    revokedDone: 'Token revoked',
    newToken: 'New token',
    secret: 'The token is shown only now; store it:',
    nameRequired: 'Enter a name for the token',
    nameTooLong: 'A name has at most 100 characters',
    ownerHint: 'Leave empty for a token of your own',
  },
};

export default function Tokens() {
  const t = useT(M);
  const { can } = useSession();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => api<TokenView[]>('/api/tokens') });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm();

  const create = useApiMutation(
    (values: { name: string; username?: string }) =>
      api<{ token: string }>('/api/tokens', {
        method: 'POST',
        body: { name: values.name, ...(values.username ? { username: values.username } : {}) },
      }),
    {
      invalidate: [['tokens']],
      onSuccess: (res) => {
        setSecret(res.token);
        setCreating(false);
        form.resetFields();
      },
    },
  );
  const revoke = useApiMutation(
    (id: string) => api(`/api/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    { invalidate: [['tokens']], success: t('revokedDone') },
  );
  const error = create.error ?? revoke.error;

  return (
    <div>
      <PageTitle
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('newToken')}
          </Button>
        }
      >
        {t('title')}
      </PageTitle>
      {tokens.error || error ? <ErrorAlert error={tokens.error ?? error} /> : null}
      {secret ? (
        <Alert
          type="success"
          closable
          onClose={() => setSecret(null)}
          style={{ marginBottom: 16 }}
          message={t('secret')}
          description={
            <Typography.Text copyable code>
              {secret}
            </Typography.Text>
          }
        />
      ) : null}
      <Card size="small">
        <Table<TokenView>
          size="small"
          rowKey="id"
          loading={tokens.isPending}
          dataSource={tokens.data ?? []}
          pagination={false}
          columns={[
            { title: t('name'), dataIndex: 'name' },
            { title: t('owner'), dataIndex: 'username' },
            {
              title: t('prefix'),
              dataIndex: 'prefix',
              render: (p: string) => <Typography.Text code>{p}…</Typography.Text>,
            },
            { title: t('expires'), render: (_, k) => <Time at={k.expiresAt} /> },
            { title: t('lastUsed'), render: (_, k) => <Time at={k.lastUsedAt} /> },
            {
              title: t('actions'),
              render: (_, k) =>
                k.revokedAt ? (
                  <Tag>{t('revoked')}</Tag>
                ) : (
                  <Popconfirm
                    title={t('revokeQ', { name: k.name })}
                    description={t('revokeHint', { user: k.username })}
                    okText={t('revoke')}
                    okButtonProps={{ danger: true, 'data-testid': 'token-revoke-ok' } as never}
                    onConfirm={() => revoke.run(k.id)}
                  >
                    <Button size="small" danger>
                      {t('revoke')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <Modal
        open={creating}
        title={t('newToken')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        confirmLoading={create.busy}
      >
        <Form form={form} layout="vertical" onFinish={(v) => void create.run(v)}>
          <Form.Item
            name="name"
            label={t('name')}
            rules={[
              { required: true, whitespace: true, message: t('nameRequired') },
              { max: 100, message: t('nameTooLong') },
            ]}
          >
            <Input />
          </Form.Item>
          {can('users:manage') ? (
            <Form.Item name="username" label={t('owner')} extra={t('ownerHint')}>
              <Input />
            </Form.Item>
          ) : null}
        </Form>
      </Modal>
    </div>
  );
}
