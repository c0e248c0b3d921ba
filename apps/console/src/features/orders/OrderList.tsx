import { ReloadOutlined } from '@ant-design/icons';
import type { OrderCountsResponse, OrderView } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Select, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../../shared/api.ts';
import { type CursorPage, useCursorPager } from '../../shared/hooks.ts';
import { useLocale, useT } from '../../shared/i18n.tsx';
import { useSession } from '../../shared/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/ui.tsx';
import { SellerNoteModal } from './detail/SellerNote.tsx';
import { filtersToSearch, type OrderFilters, parseFilters, toApiQuery, toCountsQuery } from './filters.ts';
import {
  AddTagModal,
  ApproveConfirmModal,
  BatchResultModal,
  CancelConfirmModal,
  HoldReasonModal,
  ShortcutHelpModal,
} from './list/BatchModals.tsx';
import { arrangeColumns, DEFAULT_COLUMNS, SORTABLE, useOrderColumns } from './list/columns.tsx';
import { FilterBar } from './list/FilterBar.tsx';
import { ListToolbar } from './list/ListToolbar.tsx';
import { useDefaultView } from './list/SavedViews.tsx';
import { StatusTabs } from './list/StatusTabs.tsx';
import { type BatchAction, useBatch } from './list/useBatch.ts';
import { ExportDialog, ExportModal, useExport } from './list/useExport.tsx';
import { useListShortcuts } from './list/useListShortcuts.ts';
import { ManualOrderButton } from './manual/ManualOrderButton.tsx';
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
  // No filter in the URL on opening: the user's default view, if he set one.
  useDefaultView(params.toString(), setParams);
  const limit = PAGE_SIZES.includes(Number(params.get('limit'))) ? Number(params.get('limit')) : 20;
  const apiQuery = useMemo(() => toApiQuery(filters, tz), [filters, tz]);
  const countsQuery = useMemo(() => toCountsQuery(filters, tz), [filters, tz]);
  const counts = useQuery({
    queryKey: ['orders', 'counts', countsQuery],
    queryFn: ({ signal }) => api<OrderCountsResponse>('/api/orders/counts', { query: countsQuery, signal }),
    placeholderData: (prev) => prev,
  });

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
  const [ask, setAsk] = useState<'approve' | 'cancel' | 'hold' | 'tag' | 'help' | null>(null);
  const [noteFor, setNoteFor] = useState<OrderView | null>(null);
  const orderNoRef = useRef<HTMLTextAreaElement>(null);
  const batch = useBatch(() => setSelected([]));
  const exporter = useExport(apiQuery);
  const columnDefs = useOrderColumns({ sort: filters.sort, onEditNote: setNoteFor });
  const review = can('orders:review');
  const cancelling = can('orders:cancel');
  const shownColumns = arrangeColumns(
    columns,
    columnDefs.map((c) => String(c.key)),
  );

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
        aside={<ManualOrderButton />}
        extra={
          <ListToolbar
            search={params.toString()}
            onOpenView={(search) => setParams(new URLSearchParams(search))}
            columns={shownColumns}
            columnDefs={columnDefs}
            onColumns={(v) => {
              const next = arrangeColumns(
                v,
                columnDefs.map((c) => String(c.key)),
              );
              setColumns(next);
              saveColumns(me.id, next);
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
        <StatusTabs
          filters={filters}
          counts={counts.data}
          countsError={counts.error}
          onApply={applyFilters}
        />
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
          {cancelling ? (
            <Button
              danger
              disabled={!selected.length || batch.busy}
              onClick={() => setAsk('cancel')}
              data-testid="batch-cancel"
            >
              {t('cancelOrders')}
            </Button>
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
            columns={shownColumns.map((k) => columnDefs.find((c) => String(c.key) === k)!)}
            pagination={false}
            scroll={{ x: 'max-content' }}
            data-testid="order-table"
            rowSelection={
              review || cancelling
                ? {
                    fixed: 'left',
                    columnWidth: 40,
                    selectedRowKeys: selected.map((o) => o.id),
                    onChange: (_, rows) => setSelected(rows),
                  }
                : undefined
            }
            onChange={(_p, _f, sorter) => {
              const one = Array.isArray(sorter) ? sorter[0] : sorter;
              const field = String(one?.columnKey ?? '');
              const sort =
                SORTABLE.includes(field) && one?.order
                  ? `${field}:${one.order === 'ascend' ? 'asc' : 'desc'}`
                  : undefined;
              applyFilters({ ...filters, sort: sort === 'placedAt:desc' ? undefined : sort });
            }}
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
            style={{ minWidth: 120 }}
            popupMatchSelectWidth={false}
            aria-label={t('perPage')}
            data-testid="page-size"
            options={PAGE_SIZES.map((n) => ({ value: n, label: t('perPageOption', { n }) }))}
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
      <CancelConfirmModal
        open={ask === 'cancel'}
        orders={selected}
        onCancel={() => setAsk(null)}
        onOk={(plan, reason) => {
          setAsk(null);
          const chosen = selected.filter((o) => plan.cancel.includes(o.id));
          void batch.start('cancel', chosen, reason, plan.skip);
        }}
      />
      <SellerNoteModal order={noteFor} onClose={() => setNoteFor(null)} />
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
