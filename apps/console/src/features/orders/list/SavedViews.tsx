import { EllipsisOutlined, StarFilled, TeamOutlined } from '@ant-design/icons';
import { ROLE_LABELS, ROLES, type Role } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Checkbox, Dropdown, Form, Input, Modal, Popover, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SetURLSearchParams } from 'react-router';
import { useApiMutation } from '../../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import { useSession } from '../../../shared/session.tsx';
import { ErrorAlert } from '../../../shared/ui.tsx';
import { viewMessages } from '../viewMessages.ts';
import {
  createView,
  fetchViews,
  migrateLegacyViews,
  removeView,
  type SavedView,
  setDefaultView,
  shareView,
  updateView,
  VIEWS_QUERY_KEY,
  viewQuery,
} from '../views.ts';

/** The caller's views of the order list; the browser's old views move to the server first. */
export function useSavedViews() {
  const { me } = useSession();
  return useQuery({
    queryKey: VIEWS_QUERY_KEY,
    queryFn: async ({ signal }) => {
      const moved = await migrateLegacyViews(me.id);
      return { ...(await fetchViews(signal)), moved };
    },
    staleTime: 30_000,
  });
}

/**
 * Opening the list with no filter in the URL applies the user's default view (own or shared), once:
 * clearing the filters afterwards shows all orders.
 */
export function useDefaultView(search: string, setParams: SetURLSearchParams) {
  const views = useSavedViews();
  const pending = useRef(search === '');
  useEffect(() => {
    if (!pending.current || !views.data) return;
    pending.current = false;
    if (search !== '') return;
    const v = views.data.items.find((x) => x.id === views.data.defaultViewId);
    if (v?.query) setParams(new URLSearchParams(v.query), { replace: true });
  }, [views.data, search, setParams]);
}

const roleText = (roles: readonly string[], locale: 'zh-CN' | 'en-US') =>
  roles.map((r) => labelOf(ROLE_LABELS, r, locale)).join(locale === 'zh-CN' ? '、' : ', ');

type Dialog = { kind: 'save' } | { kind: 'rename' | 'share'; view: SavedView } | null;

/** The views button (open, rename, share, default, delete) and 保存为视图, above the order list. */
export function SavedViewsMenu({
  search,
  onOpenView,
}: {
  search: string;
  onOpenView: (query: string) => void;
}) {
  const t = useT(viewMessages);
  const { locale } = useLocale();
  const { can } = useSession();
  const { modal, message } = App.useApp();
  const views = useSavedViews();
  const [open, setOpen] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const items = views.data?.items ?? [];
  const current = viewQuery(search).query;
  const active = current ? items.find((v) => v.query === current) : undefined;

  const moved = views.data?.moved ?? 0;
  useEffect(() => {
    if (moved > 0) message.success(t('viewsMigrated', { count: moved }));
  }, [moved, message, t]);

  const setDefault = useApiMutation((v: SavedView, on: boolean) => setDefaultView(on ? v.id : null), {
    invalidate: [VIEWS_QUERY_KEY],
    toastError: true,
    success: (_r, [v, on]) => (on ? t('viewDefaultSet', { name: v.name }) : t('viewDefaultCleared')),
  });
  const remove = useApiMutation((v: SavedView) => removeView(v.id), {
    invalidate: [VIEWS_QUERY_KEY],
    toastError: true,
    success: (_r, [v]) => t('viewDeleted', { name: v.name }),
  });

  const overwrite = useApiMutation(
    (v: SavedView) => updateView(v.id, { query: current, version: v.version }),
    {
      invalidate: [VIEWS_QUERY_KEY],
      toastError: true,
      success: (r) => t('viewOverwritten', { name: r.name }),
    },
  );
  const confirmOverwrite = (v: SavedView) => {
    setOpen(false);
    modal.confirm({
      title: t('viewOverwriteTitle', { name: v.name }),
      content: v.sharedWith.length
        ? t('viewOverwriteShared', { roles: roleText(v.sharedWith, locale) })
        : null,
      okText: t('ok'),
      cancelText: t('cancel'),
      onOk: () => overwrite.run(v),
    });
  };

  const confirmDelete = (v: SavedView) => {
    setOpen(false);
    modal.confirm({
      title: t('viewDeleteTitle', { name: v.name }),
      content: v.sharedWith.length
        ? t('viewDeleteShared', { roles: roleText(v.sharedWith, locale) })
        : t('viewDeleteBody'),
      okText: t('viewDeleteOk'),
      okButtonProps: { danger: true, 'data-testid': 'view-delete-ok' } as never,
      cancelText: t('cancel'),
      onOk: () => remove.run(v),
    });
  };

  const row = (v: SavedView) => {
    const mayDelete = v.mine || can('users:manage');
    return (
      <div
        key={v.id}
        data-view={v.name}
        data-view-default={v.isDefault ? 'true' : undefined}
        style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '4px 0', minWidth: 280 }}
      >
        <div style={{ flex: 1, minWidth: 0 }}>
          <Space size={4} wrap>
            <Typography.Link
              data-view-open={v.name}
              onClick={() => {
                setOpen(false);
                onOpenView(v.query);
              }}
              style={{ fontWeight: active?.id === v.id ? 600 : undefined }}
            >
              {v.name}
            </Typography.Link>
            {v.isDefault ? (
              <Tag color="gold" icon={<StarFilled />} data-testid="view-default-tag">
                {t('defaultTag')}
              </Tag>
            ) : null}
            {v.mine && v.sharedWith.length ? (
              <Tag
                icon={<TeamOutlined />}
                title={t('sharedWithRoles', { roles: roleText(v.sharedWith, locale) })}
              >
                {roleText(v.sharedWith, locale)}
              </Tag>
            ) : null}
          </Space>
          {!v.mine ? (
            <div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-view-owner={v.owner.name}>
                {t('sharedBy', { name: v.owner.name })}
              </Typography.Text>
            </div>
          ) : null}
        </div>
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              ...(v.mine
                ? [
                    { key: 'rename', label: t('viewRename') },
                    { key: 'overwrite', label: t('viewOverwrite'), disabled: v.query === current },
                    { key: 'share', label: t('viewShare') },
                  ]
                : []),
              v.isDefault
                ? { key: 'clearDefault', label: t('viewClearDefault') }
                : { key: 'setDefault', label: t('viewSetDefault') },
              ...(mayDelete
                ? [{ type: 'divider' as const }, { key: 'delete', label: t('viewDelete'), danger: true }]
                : []),
            ],
            onClick: ({ key }) => {
              if (key === 'rename' || key === 'share') {
                setOpen(false);
                setDialog({ kind: key, view: v });
              } else if (key === 'setDefault') void setDefault.run(v, true);
              else if (key === 'clearDefault') void setDefault.run(v, false);
              else if (key === 'overwrite') confirmOverwrite(v);
              else if (key === 'delete') confirmDelete(v);
            },
          }}
        >
          <Button
            type="text"
            size="small"
            icon={<EllipsisOutlined />}
            aria-label={t('viewActions')}
            title={t('viewActions')}
            data-view-actions={v.name}
          />
        </Dropdown>
      </div>
    );
  };

  const mine = items.filter((v) => v.mine);
  const shared = items.filter((v) => !v.mine);
  const content = (
    <div data-testid="views-menu" style={{ maxHeight: 420, overflowY: 'auto', maxWidth: 420 }}>
      {views.error ? <ErrorAlert error={views.error} onRetry={() => views.refetch()} /> : null}
      {!items.length && !views.isLoading ? (
        <Typography.Text type="secondary">{t('noViews')}</Typography.Text>
      ) : null}
      {mine.length ? (
        <>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('myViews')}
          </Typography.Text>
          {mine.map(row)}
        </>
      ) : null}
      {shared.length ? (
        <div style={{ marginTop: mine.length ? 8 : 0 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('sharedViews')}
          </Typography.Text>
          {shared.map(row)}
        </div>
      ) : null}
    </div>
  );

  return (
    <>
      <Popover trigger="click" open={open} onOpenChange={setOpen} content={content} placement="bottomLeft">
        <Button data-testid="views" loading={views.isLoading}>
          {active ? (
            <span
              style={{
                maxWidth: 180,
                overflow: 'hidden',
                textOverflow: 'ellipsis',
                display: 'inline-block',
                verticalAlign: 'bottom',
              }}
            >
              {t('viewActive', { name: active.name })}
            </span>
          ) : (
            t('views')
          )}
        </Button>
      </Popover>
      <Button data-testid="save-view" onClick={() => setDialog({ kind: 'save' })}>
        {t('saveView')}
      </Button>
      {dialog ? <ViewDialog dialog={dialog} search={search} onClose={() => setDialog(null)} /> : null}
    </>
  );
}

/** Save (name and roles), rename (name) or share (roles): one dialog, errors shown inside it. */
function ViewDialog({
  dialog,
  search,
  onClose,
}: {
  dialog: NonNullable<Dialog>;
  search: string;
  onClose: () => void;
}) {
  const t = useT(viewMessages);
  const { locale } = useLocale();
  const [form] = Form.useForm<{ name: string; roles: Role[] }>();
  const { query, dropped } = useMemo(() => viewQuery(search), [search]);
  const view = dialog.kind === 'save' ? null : dialog.view;
  const save = useApiMutation(
    async (v: { name: string; roles: Role[] }) => {
      if (dialog.kind === 'save') return createView({ name: v.name, query, sharedWith: v.roles });
      if (dialog.kind === 'rename')
        return updateView(dialog.view.id, { name: v.name, version: dialog.view.version });
      return shareView(dialog.view.id, { roles: v.roles, version: dialog.view.version });
    },
    {
      invalidate: [VIEWS_QUERY_KEY],
      success: (r) =>
        dialog.kind === 'save'
          ? t('viewSaved', { name: r.name })
          : dialog.kind === 'rename'
            ? t('viewRenamed', { name: r.name })
            : t('viewShared'),
      onSuccess: onClose,
    },
  );
  const title =
    dialog.kind === 'save'
      ? t('saveView')
      : dialog.kind === 'rename'
        ? t('viewRenameTitle')
        : t('viewShareTitle', { name: dialog.view.name });
  return (
    <Modal
      open
      title={title}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={save.busy}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'view-dialog-ok' } as never}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        data-testid="view-dialog"
        initialValues={{ name: view?.name ?? '', roles: (view?.sharedWith ?? []) as Role[] }}
        onFinish={(v) => void save.run({ name: v.name ?? view?.name ?? '', roles: v.roles ?? [] })}
      >
        {dialog.kind !== 'share' ? (
          <Form.Item
            name="name"
            label={t('viewName')}
            rules={[{ required: true, whitespace: true, message: t('viewNameRequired') }]}
          >
            <Input
              maxLength={60}
              showCount
              placeholder={t('viewNamePlaceholder')}
              autoFocus
              data-testid="view-name"
            />
          </Form.Item>
        ) : null}
        {dialog.kind !== 'rename' ? (
          <Form.Item name="roles" label={t('viewShareWith')} extra={t('viewShareHint')}>
            <Checkbox.Group data-testid="view-roles" style={{ display: 'flex', flexWrap: 'wrap', rowGap: 4 }}>
              {ROLES.map((r) => (
                <Checkbox key={r} value={r} data-role={r} style={{ marginInlineStart: 0, minWidth: 110 }}>
                  {labelOf(ROLE_LABELS, r, locale)}
                </Checkbox>
              ))}
            </Checkbox.Group>
          </Form.Item>
        ) : null}
        {dialog.kind === 'save' && dropped.length ? (
          <Typography.Paragraph type="secondary" data-testid="view-personal-dropped">
            {t('viewPersonalDropped')}
          </Typography.Paragraph>
        ) : null}
        {save.error ? <ErrorAlert error={save.error} /> : null}
      </Form>
    </Modal>
  );
}
