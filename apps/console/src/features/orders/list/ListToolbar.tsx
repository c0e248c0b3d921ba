import { DownloadOutlined, QuestionCircleOutlined, SettingOutlined } from '@ant-design/icons';
import type { OrderView } from '@orderhub/contracts';
import {
  Button,
  Checkbox,
  Dropdown,
  Input,
  Modal,
  Popover,
  Space,
  type TableColumnsType,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useT } from '../../../shared/i18n.tsx';
import { useSession } from '../../../shared/session.tsx';
import { messages } from '../messages.ts';
import { deleteView, loadViews, saveView } from '../views.ts';
import { ALL_COLUMNS } from './columns.tsx';

/** Saved views, the column chooser, export and the shortcut help, above the list. */
export function ListToolbar({
  search,
  onOpenView,
  columns,
  columnDefs,
  onColumns,
  onExport,
  onHelp,
}: {
  search: string;
  onOpenView: (search: string) => void;
  columns: string[];
  columnDefs: TableColumnsType<OrderView>;
  onColumns: (columns: string[]) => void;
  onExport: () => void;
  onHelp: () => void;
}) {
  const t = useT(messages);
  const { me } = useSession();
  const [views, setViews] = useState(() => loadViews(me.id));
  return (
    <Space wrap>
      <Dropdown
        menu={{
          items: views.length
            ? views.map((v) => ({
                key: v.name,
                label: (
                  <Space>
                    <Typography.Link onClick={() => onOpenView(v.search)}>{v.name}</Typography.Link>
                    <Typography.Link onClick={() => setViews(deleteView(me.id, v.name))}>×</Typography.Link>
                  </Space>
                ),
              }))
            : [{ key: 'none', label: t('noViews'), disabled: true }],
        }}
      >
        <Button data-testid="views">{t('views')}</Button>
      </Dropdown>
      <Button
        onClick={() => {
          let name = '';
          Modal.confirm({
            title: t('saveView'),
            content: (
              <Input placeholder={t('viewName')} onChange={(e) => (name = e.target.value)} autoFocus />
            ),
            onOk: () => {
              if (name.trim()) setViews(saveView(me.id, { name: name.trim(), search }));
            },
          });
        }}
      >
        {t('saveView')}
      </Button>
      <Popover
        trigger="click"
        title={t('columns')}
        content={
          <Checkbox.Group
            style={{ display: 'flex', flexDirection: 'column' }}
            value={columns}
            options={ALL_COLUMNS.filter((k) => columnDefs.some((c) => c.key === k)).map((k) => ({
              value: k,
              label: String(columnDefs.find((c) => c.key === k)?.title ?? k),
            }))}
            onChange={(v) => onColumns(v as string[])}
          />
        }
      >
        <Button icon={<SettingOutlined />}>{t('columns')}</Button>
      </Popover>
      <Button icon={<DownloadOutlined />} data-testid="export" onClick={onExport}>
        {t('export')}
      </Button>
      <Button icon={<QuestionCircleOutlined />} onClick={onHelp} title={t('shortcuts')} />
    </Space>
  );
}
