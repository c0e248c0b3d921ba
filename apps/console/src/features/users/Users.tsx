import {
  type Permission,
  ROLE_LABELS,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
  type UserScope,
  type UserView,
} from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, Modal, Select, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { api } from '../../shared/api.ts';
import { useApiMutation } from '../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { useSession } from '../../shared/session.tsx';
import { ErrorAlert, PageTitle, Time } from '../../shared/ui.tsx';
import { ChangeModal, type UserChange, type UserChangeBody } from './ChangeModal.tsx';
import { PERMISSION_LABELS } from './labels.ts';
import { messages } from './messages.ts';
import { type NamedRef, ScopeModal, ScopeText } from './ScopeModal.tsx';

/** What the server accepts as a username (CreateUserBody), told to the user in words. */
const USERNAME = /^[A-Za-z0-9_.@-]{2,64}$/;

export default function Users() {
  const t = useT(messages);
  const { me } = useSession();
  const [change, setChange] = useState<UserChange | null>(null);
  const { locale } = useLocale();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<UserView[]>('/api/users') });
  const [creating, setCreating] = useState(false);
  const [scoping, setScoping] = useState<UserView | null>(null);
  // Shops and warehouses by name, for the data scopes.
  const shops = useQuery({
    queryKey: ['channel-accounts'],
    queryFn: () => api<NamedRef[]>('/api/channel-accounts'),
  });
  const warehouses = useQuery({
    queryKey: ['warehouses'],
    queryFn: () => api<NamedRef[]>('/api/warehouses'),
  });
  const setScope = useApiMutation(
    (id: string, scope: UserScope) =>
      api(`/api/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: { scope } }),
    { invalidate: [['users']], success: () => t('scopeSaved'), onSuccess: () => setScoping(null) },
  );
  const [form] = Form.useForm();

  const update = useApiMutation(
    (id: string, body: UserChangeBody) =>
      api(`/api/users/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    {
      invalidate: [['users']],
      success: (_r, [, body]) => (body.active === true ? t('activated') : t('saved')),
      onSuccess: () => setChange(null),
    },
  );
  const create = useApiMutation(
    (values: Record<string, string>) =>
      api('/api/users', {
        method: 'POST',
        body: { ...values, displayName: values['displayName'] || undefined },
      }),
    {
      invalidate: [['users']],
      onSuccess: () => {
        setCreating(false);
        form.resetFields();
      },
    },
  );
  const error = update.error ?? create.error ?? setScope.error;

  return (
    <div>
      <PageTitle
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('newUser')}
          </Button>
        }
      >
        {t('title')}
      </PageTitle>
      {users.error || error ? <ErrorAlert error={users.error ?? error} /> : null}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Table<UserView>
          size="small"
          rowKey="id"
          loading={users.isPending}
          dataSource={users.data ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: t('username'), dataIndex: 'username' },
            { title: t('displayName'), dataIndex: 'displayName' },
            {
              title: t('role'),
              render: (_, u) => (
                <Select
                  size="small"
                  value={u.role}
                  style={{ width: 180 }}
                  disabled={u.id === me.id}
                  data-user-role={u.username}
                  onChange={(role: Role) => setChange({ kind: 'role', user: u, role })}
                  options={ROLES.map((r) => ({ value: r, label: labelOf(ROLE_LABELS, r, locale) }))}
                />
              ),
            },
            {
              title: t('active'),
              render: (_, u) => (
                <Switch
                  size="small"
                  checked={u.active}
                  disabled={u.id === me.id}
                  data-user-active={u.username}
                  onChange={(active) =>
                    active ? void update.run(u.id, { active }) : setChange({ kind: 'deactivate', user: u })
                  }
                />
              ),
            },
            {
              title: t('scope'),
              onCell: () => ({ style: { minWidth: 190, whiteSpace: 'nowrap' } }),
              render: (_, u) => (
                <div data-user-scope={u.username}>
                  <ScopeText scope={u.scope} shops={shops.data ?? []} warehouses={warehouses.data ?? []} />
                </div>
              ),
            },
            {
              title: t('actions'),
              onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
              render: (_, u) => (
                <span style={{ display: 'inline-flex', gap: 8 }}>
                  <Button
                    size="small"
                    data-user-password={u.username}
                    onClick={() => setChange({ kind: 'password', user: u })}
                  >
                    {t('setPassword')}
                  </Button>
                  <Button size="small" data-user-set-scope={u.username} onClick={() => setScoping(u)}>
                    {t('setScope')}
                  </Button>
                </span>
              ),
            },
            {
              title: t('createdAt'),
              onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
              render: (_, u) => <Time at={u.createdAt} />,
            },
          ]}
        />
      </Card>
      <Card size="small" title={t('rolesTitle')}>
        <Table
          size="small"
          rowKey="role"
          pagination={false}
          dataSource={ROLES.map((role: Role) => ({ role, perms: ROLE_PERMISSIONS[role] }))}
          columns={[
            {
              title: t('role'),
              dataIndex: 'role',
              onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
              render: (r: Role) => labelOf(ROLE_LABELS, r, locale),
            },
            {
              title: t('permissions'),
              dataIndex: 'perms',
              render: (p: readonly Permission[]) =>
                p.map((x) => (
                  <Tag key={x} data-permission={x} style={{ marginBottom: 4 }}>
                    {labelOf(PERMISSION_LABELS, x, locale)}
                  </Tag>
                )),
            },
          ]}
        />
      </Card>
      <ChangeModal
        change={change}
        busy={update.busy}
        onCancel={() => setChange(null)}
        onOk={(body) => change && void update.run(change.user.id, body)}
      />
      <ScopeModal
        user={scoping}
        shops={shops.data ?? []}
        warehouses={warehouses.data ?? []}
        busy={setScope.busy}
        onCancel={() => setScoping(null)}
        onOk={(scope) => scoping && void setScope.run(scoping.id, scope)}
      />
      <Modal
        open={creating}
        title={t('newUser')}
        data-testid="new-user"
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        confirmLoading={create.busy}
      >
        <Form form={form} layout="vertical" onFinish={(v) => void create.run(v)}>
          <Form.Item
            name="username"
            label={t('username')}
            extra={t('usernameRule')}
            rules={[
              { required: true, whitespace: true, message: t('usernameRequired') },
              {
                validator: (_, v: string | undefined) =>
                  !v || USERNAME.test(v)
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('usernameInvalid'))),
              },
            ]}
          >
            <Input autoComplete="off" data-testid="new-user-username" />
          </Form.Item>
          <Form.Item
            name="displayName"
            label={t('displayName')}
            rules={[{ max: 100, message: t('displayNameTooLong') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="role" label={t('role')} rules={[{ required: true, message: t('roleRequired') }]}>
            <Select options={ROLES.map((r) => ({ value: r, label: labelOf(ROLE_LABELS, r, locale) }))} />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('password')}
            extra={t('passwordRule')}
            rules={[
              { required: true, message: t('passwordRequired') },
              { min: 10, max: 256, message: t('passwordInvalid') },
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="new-user-password" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
