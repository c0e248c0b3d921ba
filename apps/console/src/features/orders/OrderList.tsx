import { ReloadOutlined } from '@ant-design/icons';
import type { OrderView } from '@orderhub/contracts';
import { Button, Card, Select, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../../shared/api.ts';
import { type CursorPage, useCursorPager } from '../../shared/hooks.ts';
import { useLocale, useT } from '../../shared/i18n.tsx';
import { useSession } from '../../shared/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/ui.tsx';
import { filtersToSearch, type OrderFilters, parseFilters, toApiQuery } from './filters.ts';
import {
  AddTagModal,
  ApproveConfirmModal,
  BatchResultModal,
  HoldReasonModal,
  ShortcutHelpModal,
} from './list/BatchModals.tsx';
import { DEFAULT_COLUMNS, useOrderColumns } from './list/columns.tsx';
import { FilterBar } from './list/FilterBar.tsx';
import { ListToolbar } from './list/ListToolbar.tsx';
import { type BatchAction, useBatch } from './list/useBatch.ts';
import { ExportDialog, ExportModal, useExport } from './list/useExport.tsx';
import { useListShortcuts } from './list/useListShortcuts.ts';
import { messages } from './messages.ts';
import { loadColumns, saveColumns } from './views.ts';

const PAGE_SIZES = [20, 50, 100];

export default function OrderList() {
  const t = useT(messages);
  const { tz } = useLocale();
  const { me, can } = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseFilters(params), [params]);
  const filterKey = filtersToSearch(filters);
  const limit = PAGE_SIZES.includes(Number(params.get('limit'))) ? Number(params.get('limit')) : 20;
  const apiQuery = useMemo(() => toApiQuery(filters, tz), [filters, tz]);

  // Keyset paging: a new filter or page size starts again from the first page.
  const pager = useCursorPager<OrderView>({
    queryKey: ['orders', 'list', apiQuery, limit],
    fetchPage: (cursor, signal) =>
      api<CursorPage<OrderView>>('/api/orders', { query: { ...apiQuery, limit, cursor }, signal }),
    keepPrevious: true,
  });
  const list = pager.query;

  const [columns, setColumns] = useState(() =>
    // Views saved before order numbers named the first column "id".
    loadColumns(me.id, DEFAULT_COLUMNS).map((c) => (c === 'id' ? 'orderNo' : c)),
  );
  const [selected, setSelected] = useState<OrderView[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a selection belongs to the page it was made on
  useEffect(() => setSelected([]), [filterKey, pager.page]);
  const [ask, setAsk] = useState<'approve' | 'hold' | 'tag' | 'help' | null>(null);
  const orderNoRef = useRef<HTMLInputElement>(null);
  const batch = useBatch(() => setSelected([]));
  const exporter = useExport(apiQuery);
  const columnDefs = useOrderColumns();
  const review = can('orders:review');

  const applyFilters = useCallback(
    (f: OrderFilters) => {
      const search = new URLSearchParams(filtersToSearch(f));
      if (limit !== 20) search.set('limit', String(limit));
      setParams(search);
    },
    [limit, setParams],
  );
  const runAction = (action: BatchAction, arg?: string | string[]) => {
    if (selected.length) void batch.start(action, selected, arg);
  };

  useListShortcuts((a) => {
    if (a === 'focusSearch') orderNoRef.current?.focus();
    else if (a === 'refresh') void list.refetch();
    else if (a === 'nextPage') pager.next();
    else if (a === 'prevPage') pager.prev();
    else if (a === 'help') setAsk('help');
    else if (!review || !selected.length || batch.busy) return;
    // Approve always asks first: the confirmation says what will be skipped and why.
    else if (a === 'approve') setAsk('approve');
    else if (a === 'hold') setAsk('hold');
    else if (a === 'release') runAction('release');
  });

  return (
    <div>
      <PageTitle
        extra={
          <ListToolbar
            search={params.toString()}
            onOpenView={(search) => setParams(new URLSearchParams(search))}
            columns={columns}
            columnDefs={columnDefs}
            onColumns={(v) => {
              setColumns(v);
              saveColumns(me.id, v);
            }}
            onExport={exporter.choose}
            onHelp={() => setAsk('help')}
          />
        }
      >
        {t('title')}
      </PageTitle>

      <FilterBar filters={filters} onApply={applyFilters} orderNoRef={orderNoRef} />

      {list.error ? (
        <div style={{ marginBottom: 16 }}>
          <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        </div>
      ) : null}

      <Card size="small">
        <Space style={{ marginBottom: 12 }} wrap>
          <Typography.Text>{t('selected', { n: selected.length })}</Typography.Text>
          {review ? (
            <>
              <Button
                disabled={!selected.length || batch.busy}
                onClick={() => setAsk('approve')}
                data-testid="batch-approve"
              >
                {t('approve')}
              </Button>
              <Button
                disabled={!selected.length || batch.busy}
                onClick={() => setAsk('hold')}
                data-testid="batch-hold"
              >
                {t('hold')}
              </Button>
              <Button disabled={!selected.length || batch.busy} onClick={() => runAction('release')}>
                {t('release')}
              </Button>
              <Button
                disabled={!selected.length || batch.busy}
                onClick={() => setAsk('tag')}
                data-testid="batch-tag"
              >
                {t('addTag')}
              </Button>
            </>
          ) : null}
          <Button icon={<ReloadOutlined />} onClick={() => list.refetch()}>
            {t('refresh')}
          </Button>
        </Space>
        {list.error && !list.data ? null : (
          <Table<OrderView>
            rowKey="id"
            size="middle"
            loading={list.isFetching}
            dataSource={pager.items}
            columns={columnDefs.filter((c) => columns.includes(String(c.key)))}
            pagination={false}
            scroll={{ x: 'max-content' }}
            data-testid="order-table"
            rowSelection={
              review
                ? { selectedRowKeys: selected.map((o) => o.id), onChange: (_, rows) => setSelected(rows) }
                : undefined
            }
            onRow={(o) => ({ onDoubleClick: () => navigate(`/orders/${encodeURIComponent(o.id)}`) })}
          />
        )}
        <Space style={{ marginTop: 12, display: 'flex', justifyContent: 'flex-end' }}>
          <Typography.Text type="secondary">{t('page', { n: pager.page + 1 })}</Typography.Text>
          <Button disabled={!pager.canPrev} onClick={pager.first}>
            {t('firstPage')}
          </Button>
          <Button disabled={!pager.canPrev} onClick={pager.prev} data-testid="prev-page">
            {t('prevPage')}
          </Button>
          <Button disabled={!pager.canNext} onClick={pager.next} data-testid="next-page">
            {t('nextPage')}
          </Button>
          <Select
            value={limit}
            style={{ width: 110 }}
            options={PAGE_SIZES.map((n) => ({ value: n, label: `${n} / ${t('perPage')}` }))}
            onChange={(n) => {
              const p = new URLSearchParams(params);
              p.set('limit', String(n));
              setParams(p);
            }}
          />
        </Space>
      </Card>

      <ApproveConfirmModal
        open={ask === 'approve'}
        orders={selected}
        onCancel={() => setAsk(null)}
        onOk={(plan) => {
          setAsk(null);
          const chosen = selected.filter((o) => plan.approve.includes(o.id));
          void batch.start('approve', chosen, undefined, plan.skip);
        }}
      />
      <HoldReasonModal
        open={ask === 'hold'}
        onCancel={() => setAsk(null)}
        onOk={(reason) => {
          setAsk(null);
          runAction('hold', reason);
        }}
      />
      <AddTagModal
        open={ask === 'tag'}
        onCancel={() => setAsk(null)}
        onOk={(tags) => {
          setAsk(null);
          runAction('tag', tags);
        }}
      />
      <BatchResultModal run={batch.run} onClose={batch.close} />
      <ExportDialog
        open={exporter.choosing}
        onCancel={exporter.cancelChoice}
        onStart={(choice) => void exporter.start(choice)}
      />
      <ExportModal state={exporter.state} onClose={exporter.close} />
      <ShortcutHelpModal open={ask === 'help'} onClose={() => setAsk(null)} />
    </div>
  );
}
