import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  DownloadOutlined,
  QuestionCircleOutlined,
  SettingOutlined,
} from '@ant-design/icons';
import type { OrderView } from '@orderhub/contracts';
import { Button, Checkbox, Popover, Space, type TableColumnsType, Tooltip } from 'antd';
import { useT } from '../../../shared/i18n.tsx';
import { messages } from '../messages.ts';
import { ALL_COLUMNS, moveColumn } from './columns.tsx';
import { SavedViewsMenu } from './SavedViews.tsx';

/** Saved views (kept on the server), the column chooser, export and the shortcut help, above the list. */
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
  return (
    <Space wrap>
      <SavedViewsMenu search={search} onOpenView={onOpenView} />
      <Popover
        trigger="click"
        title={t('columns')}
        content={<ColumnChooser columns={columns} columnDefs={columnDefs} onColumns={onColumns} />}
      >
        <Button icon={<SettingOutlined />} data-testid="columns">
          {t('columns')}
        </Button>
      </Popover>
      <Button icon={<DownloadOutlined />} data-testid="export" onClick={onExport}>
        {t('export')}
      </Button>
      <Button icon={<QuestionCircleOutlined />} onClick={onHelp} title={t('shortcuts')} />
    </Space>
  );
}

/**
 * Which columns show and in what order: ticked ones first, in the order shown, each movable up and
 * down; the last ticked column cannot be unticked.
 */
function ColumnChooser({
  columns,
  columnDefs,
  onColumns,
}: {
  columns: string[];
  columnDefs: TableColumnsType<OrderView>;
  onColumns: (columns: string[]) => void;
}) {
  const t = useT(messages);
  const available = ALL_COLUMNS.filter((k) => columnDefs.some((c) => c.key === k));
  const shown = columns.filter((k) => available.includes(k));
  const rows = [...shown, ...available.filter((k) => !shown.includes(k))];
  // The order number stays first: it is fixed to the left while the table scrolls.
  const pinned = shown[0] === 'orderNo' ? 1 : 0;
  const title = (k: string) => String(columnDefs.find((c) => c.key === k)?.title ?? k);
  return (
    <div data-testid="column-chooser" style={{ minWidth: 220 }}>
      {rows.map((k) => {
        const on = shown.includes(k);
        const i = shown.indexOf(k);
        const last = on && shown.length === 1;
        return (
          <div key={k} data-column={k} style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
            <Tooltip title={last ? t('columnsKeepOne') : undefined}>
              <Checkbox
                checked={on}
                disabled={last}
                style={{ flex: 1, whiteSpace: 'nowrap' }}
                onChange={(e) => onColumns(e.target.checked ? [...shown, k] : shown.filter((c) => c !== k))}
              >
                {title(k)}
              </Checkbox>
            </Tooltip>
            <Button
              type="text"
              size="small"
              icon={<ArrowUpOutlined />}
              aria-label={t('moveUp')}
              title={t('moveUp')}
              data-move-up={k}
              disabled={!on || k === 'orderNo' || i <= pinned}
              onClick={() => onColumns(moveColumn(shown, k, -1))}
            />
            <Button
              type="text"
              size="small"
              icon={<ArrowDownOutlined />}
              aria-label={t('moveDown')}
              title={t('moveDown')}
              data-move-down={k}
              disabled={!on || k === 'orderNo' || i >= shown.length - 1}
              onClick={() => onColumns(moveColumn(shown, k, 1))}
            />
          </div>
        );
      })}
    </div>
  );
}
