import { DownloadOutlined, QuestionCircleOutlined, ReloadOutlined, SettingOutlined } from '@ant-design/icons';
import {
  CHANNELS,
  HOLD_REASON_LABELS,
  HOLD_REASONS,
  ORDER_STATUS_LABELS,
  ORDER_STATUSES,
  type OrderView,
} from '@orderhub/contracts';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Dropdown,
  Form,
  Input,
  Modal,
  Popover,
  Progress,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, apiFetch } from '../../shared/api.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { CHANNEL_LABELS } from '../../shared/messages.ts';
import { useSession } from '../../shared/session.tsx';
import {
  ChannelName,
  ErrorAlert,
  HoldReasonTag,
  Money,
  PageTitle,
  StatusTag,
  Time,
} from '../../shared/ui.tsx';
import { type BatchResult, runBatch } from './batch.ts';
import { emptyFilters, filtersToSearch, type OrderFilters, parseFilters, toApiQuery } from './filters.ts';
import { messages } from './messages.ts';
import { LIST_SHORTCUTS, type ListShortcut, shortcutFor } from './shortcuts.ts';
import { deleteView, loadColumns, loadViews, saveColumns, saveView } from './views.ts';

interface ListResponse {
  items: OrderView[];
  nextCursor: string | null;
}
interface Account {
  code: string;
  name: string;
  channel: string;
}

const ALL_COLUMNS = [
  'id',
  'externalOrderId',
  'channel',
  'status',
  'total',
  'receiver',
  'placedAt',
  'paidAt',
  'tags',
];
const DEFAULT_COLUMNS = [
  'id',
  'externalOrderId',
  'channel',
  'status',
  'total',
  'receiver',
  'placedAt',
  'tags',
];
const PAGE_SIZES = [20, 50, 100];

type BatchAction = 'approve' | 'hold' | 'release' | 'tag';

export default function OrderList() {
  const t = useT(messages);
  const { locale, tz } = useLocale();
  const { me, can } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseFilters(params), [params]);
  const filterKey = filtersToSearch(filters);
  const limit = PAGE_SIZES.includes(Number(params.get('limit'))) ? Number(params.get('limit')) : 20;

  // Keyset paging: the cursor of every page seen so far; a new filter starts again.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter or page size starts paging again
  useEffect(() => setCursors([undefined]), [filterKey, limit]);

  const apiQuery = useMemo(() => toApiQuery(filters, tz), [filters, tz]);
  const list = useQuery({
    queryKey: ['orders', 'list', apiQuery, limit, cursors.at(-1)],
    queryFn: ({ signal }) =>
      api<ListResponse>('/api/orders', { query: { ...apiQuery, limit, cursor: cursors.at(-1) }, signal }),
    placeholderData: keepPreviousData,
  });
  const accounts = useQuery({
    queryKey: ['channel-accounts'],
    queryFn: () => api<Account[]>('/api/channel-accounts'),
    enabled: can('channels:read'),
    staleTime: 300_000,
  });

  const [columns, setColumns] = useState(() => loadColumns(me.id, DEFAULT_COLUMNS));
  const [views, setViews] = useState(() => loadViews(me.id));
  const [selected, setSelected] = useState<OrderView[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a selection belongs to the page it was made on
  useEffect(() => setSelected([]), [filterKey, page]);
  const [batch, setBatch] = useState<{
    action: BatchAction;
    done: number;
    total: number;
    result?: BatchResult;
  } | null>(null);
  const [holdAsk, setHoldAsk] = useState(false);
  const [tagAsk, setTagAsk] = useState(false);
  const [help, setHelp] = useState(false);
  const [exporting, setExporting] = useState<{ rows: number; bytes: number; done: boolean } | null>(null);
  const orderNoRef = useRef<HTMLInputElement>(null);
  const [form] = Form.useForm();

  useEffect(() => {
    form.setFieldsValue({
      ...filters,
      day: filters.day ? dayjs(filters.day) : undefined,
      range:
        filters.from || filters.to
          ? [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null]
          : undefined,
    });
  }, [filters, form]);

  const applyFilters = useCallback(
    (f: OrderFilters) => {
      const search = new URLSearchParams(filtersToSearch(f));
      if (limit !== 20) search.set('limit', String(limit));
      setParams(search);
    },
    [limit, setParams],
  );

  function onSearch(values: Record<string, unknown>) {
    const range = values['range'] as [dayjs.Dayjs | null, dayjs.Dayjs | null] | undefined;
    const day = values['day'] as dayjs.Dayjs | undefined;
    const text = (k: string) => (values[k] as string | undefined)?.trim() || undefined;
    applyFilters({
      status: (values['status'] as string[]) ?? [],
      channel: (values['channel'] as string[]) ?? [],
      account: (values['account'] as string[]) ?? [],
      holdReason: (values['holdReason'] as string[]) ?? [],
      tag: (values['tag'] as string[]) ?? [],
      sku: text('sku'),
      orderNo: text('orderNo'),
      phone: text('phone'),
      day: day ? day.format('YYYY-MM-DD') : undefined,
      from: !day && range?.[0] ? range[0].format('YYYY-MM-DD') : undefined,
      to: !day && range?.[1] ? range[1].format('YYYY-MM-DD') : undefined,
    });
  }

  async function runAction(action: BatchAction, arg?: string | string[]) {
    const items = selected.map((o) => ({ id: o.id, label: o.externalOrderId, version: o.version }));
    if (!items.length) return;
    setBatch({ action, done: 0, total: items.length });
    const result = await runBatch(
      items,
      (o) =>
        action === 'tag'
          ? api(`/api/orders/${encodeURIComponent(o.id)}/tags`, {
              method: 'POST',
              body: { add: arg as string[], version: o.version },
            })
          : api(`/api/orders/${encodeURIComponent(o.id)}/transitions`, {
              method: 'POST',
              body: { event: action, version: o.version, ...(arg ? { reasonCode: arg as string } : {}) },
            }),
      { onProgress: (done, total) => setBatch({ action, done, total }) },
    );
    setBatch({ action, done: items.length, total: items.length, result });
    setSelected([]);
    await qc.invalidateQueries({ queryKey: ['orders'] });
    await qc.invalidateQueries({ queryKey: ['metrics'] });
  }

  async function exportAs(format: 'csv' | 'xlsx') {
    setExporting({ rows: 0, bytes: 0, done: false });
    try {
      const res = await apiFetch('/api/exports/orders', { query: { ...apiQuery, format } });
      const reader = res.body!.getReader();
      const chunks: Uint8Array[] = [];
      let rows = 0;
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.length;
        // CSV rows are counted as they arrive; XLSX is compressed, so its bytes show the progress.
        if (format === 'csv') for (const b of value) if (b === 10) rows++;
        setExporting({ rows: Math.max(0, rows - 1), bytes, done: false });
      }
      const name =
        /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `orders.${format}`;
      const url = URL.createObjectURL(
        new Blob(chunks as BlobPart[], { type: res.headers.get('content-type') ?? '' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExporting({ rows: Math.max(0, rows - 1), bytes, done: true });
    } catch (e) {
      setExporting(null);
      const err = e as { code?: string; detail?: string };
      message.error(`${err.code ?? ''} ${err.detail ?? String(e)}`);
    }
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: runAction reads the latest selection
  const onShortcut = useCallback(
    (a: ListShortcut) => {
      const can = list.data;
      switch (a) {
        case 'focusSearch':
          orderNoRef.current?.focus();
          break;
        case 'refresh':
          void list.refetch();
          break;
        case 'nextPage':
          if (can?.nextCursor) setCursors((c) => [...c, can.nextCursor!]);
          break;
        case 'prevPage':
          setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c));
          break;
        case 'approve':
        case 'release':
          if (selected.length) void runAction(a);
          break;
        case 'hold':
          if (selected.length) setHoldAsk(true);
          break;
        case 'help':
          setHelp(true);
          break;
      }
    },
    [list, selected],
  );
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const a = shortcutFor({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        targetTag: target?.tagName,
        editable: target?.isContentEditable,
      });
      if (!a || document.querySelector('.ant-modal-wrap:not([style*="display: none"])')) return;
      e.preventDefault();
      onShortcut(a);
    };
    document.addEventListener('keydown', h);
    return () => document.removeEventListener('keydown', h);
  }, [onShortcut]);

  const columnDefs: TableColumnsType<OrderView> = [
    {
      key: 'id',
      title: t('orderNo'),
      render: (_, o) => (
        <Link to={`/orders/${o.id}`} data-order-link={o.id}>
          {o.id}
        </Link>
      ),
    },
    { key: 'externalOrderId', title: t('externalOrderId'), dataIndex: 'externalOrderId' },
    {
      key: 'channel',
      title: t('channel'),
      render: (_, o) => (
        <Space direction="vertical" size={0}>
          <ChannelName channel={o.channel} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {o.channelAccount}
          </Typography.Text>
        </Space>
      ),
    },
    {
      key: 'status',
      title: t('status'),
      render: (_, o) => (
        <Space size={4} wrap>
          <StatusTag status={o.status} />
          <HoldReasonTag reason={o.holdReason} />
        </Space>
      ),
    },
    ...(can('orders:amounts')
      ? [
          {
            key: 'total',
            title: t('total'),
            align: 'right' as const,
            render: (_: unknown, o: OrderView) => <Money minor={o.total} currency={o.currency} />,
          },
        ]
      : []),
    {
      key: 'receiver',
      title: t('receiver'),
      render: (_, o) => (
        <span>
          {o.receiver.name} {o.receiver.phone}
        </span>
      ),
    },
    { key: 'placedAt', title: t('placedAt'), render: (_, o) => <Time at={o.placedAt} /> },
    { key: 'paidAt', title: t('paidAt'), render: (_, o) => <Time at={o.paidAt} /> },
    {
      key: 'tags',
      title: t('tags'),
      render: (_, o) => o.tags.map((tag) => <Tag key={tag}>{tag}</Tag>),
    },
  ];
  const shown = columnDefs.filter((c) => columns.includes(String(c.key)));
  const review = can('orders:review');

  return (
    <div>
      <PageTitle
        extra={
          <Space>
            <Dropdown
              menu={{
                items: views.length
                  ? views.map((v) => ({
                      key: v.name,
                      label: (
                        <Space>
                          <Typography.Link onClick={() => setParams(new URLSearchParams(v.search))}>
                            {v.name}
                          </Typography.Link>
                          <Typography.Link onClick={() => setViews(deleteView(me.id, v.name))}>
                            ×
                          </Typography.Link>
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
                    if (name.trim())
                      setViews(saveView(me.id, { name: name.trim(), search: params.toString() }));
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
                  options={ALL_COLUMNS.map((k) => ({
                    value: k,
                    label: String(columnDefs.find((c) => c.key === k)?.title ?? k),
                  })).filter((o) => columnDefs.some((c) => c.key === o.value))}
                  onChange={(v) => {
                    setColumns(v as string[]);
                    saveColumns(me.id, v as string[]);
                  }}
                />
              }
            >
              <Button icon={<SettingOutlined />}>{t('columns')}</Button>
            </Popover>
            <Dropdown
              menu={{
                items: [
                  { key: 'csv', label: 'CSV', onClick: () => exportAs('csv') },
                  { key: 'xlsx', label: 'Excel (XLSX)', onClick: () => exportAs('xlsx') },
                ],
              }}
            >
              <Button icon={<DownloadOutlined />} data-testid="export">
                {t('export')}
              </Button>
            </Dropdown>
            <Button icon={<QuestionCircleOutlined />} onClick={() => setHelp(true)} title={t('shortcuts')} />
          </Space>
        }
      >
        {t('title')}
      </PageTitle>

      <Card size="small" style={{ marginBottom: 16 }}>
        <Form form={form} layout="inline" onFinish={onSearch} style={{ rowGap: 8 }}>
          <Form.Item name="orderNo">
            <Input
              ref={(el) => {
                orderNoRef.current = el?.input ?? null;
              }}
              placeholder={t('filterOrderNo')}
              allowClear
              style={{ width: 220 }}
              data-testid="filter-orderNo"
            />
          </Form.Item>
          <Form.Item name="phone">
            <Input
              placeholder={t('filterPhone')}
              allowClear
              style={{ width: 160 }}
              data-testid="filter-phone"
            />
          </Form.Item>
          <Form.Item name="sku">
            <Input placeholder={t('sku')} allowClear style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="status">
            <Select
              mode="multiple"
              allowClear
              placeholder={t('status')}
              style={{ minWidth: 160 }}
              options={ORDER_STATUSES.map((s) => ({
                value: s,
                label: labelOf(ORDER_STATUS_LABELS, s, locale),
              }))}
              data-testid="filter-status"
            />
          </Form.Item>
          <Form.Item name="channel">
            <Select
              mode="multiple"
              allowClear
              placeholder={t('channel')}
              style={{ minWidth: 140 }}
              options={CHANNELS.map((c) => ({ value: c, label: labelOf(CHANNEL_LABELS, c, locale) }))}
            />
          </Form.Item>
          <Form.Item name="account">
            <Select
              mode="multiple"
              allowClear
              placeholder={t('shop')}
              style={{ minWidth: 140 }}
              options={(accounts.data ?? []).map((a) => ({ value: a.code, label: `${a.name} (${a.code})` }))}
            />
          </Form.Item>
          <Form.Item name="holdReason">
            <Select
              mode="multiple"
              allowClear
              placeholder={t('holdReason')}
              style={{ minWidth: 140 }}
              options={HOLD_REASONS.map((r) => ({ value: r, label: labelOf(HOLD_REASON_LABELS, r, locale) }))}
            />
          </Form.Item>
          <Form.Item name="tag">
            <Select mode="tags" allowClear placeholder={t('tags')} style={{ minWidth: 120 }} open={false} />
          </Form.Item>
          <Form.Item name="day">
            <DatePicker placeholder={t('localDay')} />
          </Form.Item>
          <Form.Item name="range">
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" data-testid="filter-submit">
                {t('search')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  applyFilters(emptyFilters());
                }}
              >
                {t('reset')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>

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
                disabled={!selected.length}
                onClick={() => runAction('approve')}
                data-testid="batch-approve"
              >
                {t('approve')}
              </Button>
              <Button disabled={!selected.length} onClick={() => setHoldAsk(true)} data-testid="batch-hold">
                {t('hold')}
              </Button>
              <Button disabled={!selected.length} onClick={() => runAction('release')}>
                {t('release')}
              </Button>
              <Button disabled={!selected.length} onClick={() => setTagAsk(true)} data-testid="batch-tag">
                {t('addTag')}
              </Button>
            </>
          ) : null}
          <Button icon={<ReloadOutlined />} onClick={() => list.refetch()}>
            {t('refresh')}
          </Button>
        </Space>
        <Table<OrderView>
          rowKey="id"
          size="middle"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          columns={shown}
          pagination={false}
          scroll={{ x: 'max-content' }}
          data-testid="order-table"
          rowSelection={
            review
              ? {
                  selectedRowKeys: selected.map((o) => o.id),
                  onChange: (_, rows) => setSelected(rows),
                }
              : undefined
          }
          onRow={(o) => ({ onDoubleClick: () => navigate(`/orders/${o.id}`) })}
        />
        <Space style={{ marginTop: 12, display: 'flex', justifyContent: 'flex-end' }}>
          <Typography.Text type="secondary">{t('page', { n: page + 1 })}</Typography.Text>
          <Button disabled={page === 0} onClick={() => setCursors([undefined])}>
            {t('firstPage')}
          </Button>
          <Button
            disabled={page === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
            data-testid="prev-page"
          >
            {t('prevPage')}
          </Button>
          <Button
            disabled={!list.data?.nextCursor}
            onClick={() => setCursors((c) => [...c, list.data!.nextCursor!])}
            data-testid="next-page"
          >
            {t('nextPage')}
          </Button>
          <Select
            value={limit}
            style={{ width: 100 }}
            options={PAGE_SIZES.map((n) => ({ value: n, label: `${n} / ${t('perPage')}` }))}
            onChange={(n) => {
              const p = new URLSearchParams(params);
              p.set('limit', String(n));
              setParams(p);
            }}
          />
        </Space>
      </Card>

      <HoldReasonModal
        open={holdAsk}
        onCancel={() => setHoldAsk(false)}
        onOk={(reason) => {
          setHoldAsk(false);
          void runAction('hold', reason);
        }}
      />

      <AddTagModal
        open={tagAsk}
        onCancel={() => setTagAsk(false)}
        onOk={(tags) => {
          setTagAsk(false);
          void runAction('tag', tags);
        }}
      />

      <Modal
        open={batch !== null}
        title={t('batchResult')}
        onCancel={() => batch?.result && setBatch(null)}
        closable={Boolean(batch?.result)}
        footer={
          batch?.result ? (
            <Button type="primary" onClick={() => setBatch(null)}>
              {t('close')}
            </Button>
          ) : null
        }
      >
        {batch ? (
          <div data-testid="batch-result">
            <Progress percent={Math.round((batch.done / Math.max(1, batch.total)) * 100)} />
            {batch.result ? (
              <>
                <Typography.Paragraph strong>
                  {t('batchSummary', {
                    ok: batch.result.succeeded.length,
                    failed: batch.result.failed.length,
                  })}
                </Typography.Paragraph>
                {batch.result.failed.length ? (
                  <Table
                    size="small"
                    rowKey="id"
                    pagination={false}
                    dataSource={batch.result.failed}
                    columns={[
                      {
                        title: t('orderNo'),
                        dataIndex: 'label',
                        render: (v, r) => <Link to={`/orders/${r.id}`}>{v}</Link>,
                      },
                      { title: t('errorCode'), dataIndex: 'code', render: (v) => <Tag color="red">{v}</Tag> },
                      { title: t('reason'), dataIndex: 'message' },
                    ]}
                  />
                ) : null}
              </>
            ) : (
              <Typography.Text>{t('batchRunning', { done: batch.done, total: batch.total })}</Typography.Text>
            )}
          </div>
        ) : null}
      </Modal>

      <Modal
        open={exporting !== null}
        title={t('export')}
        footer={exporting?.done ? <Button onClick={() => setExporting(null)}>{t('close')}</Button> : null}
        closable={Boolean(exporting?.done)}
        onCancel={() => exporting?.done && setExporting(null)}
      >
        {exporting ? (
          <div data-testid="export-progress">
            <Progress
              percent={exporting.done ? 100 : 50}
              status={exporting.done ? 'success' : 'active'}
              showInfo={false}
            />
            {t(exporting.done ? 'exported' : 'exporting', {
              rows: exporting.rows || `${Math.ceil(exporting.bytes / 1024)} kB`,
            })}
          </div>
        ) : null}
      </Modal>

      <Modal open={help} title={t('shortcuts')} footer={null} onCancel={() => setHelp(false)}>
        <Table
          size="small"
          pagination={false}
          rowKey="key"
          dataSource={LIST_SHORTCUTS}
          columns={[
            {
              title: 'Key',
              dataIndex: 'key',
              render: (k) => <Typography.Text keyboard>{k}</Typography.Text>,
            },
            {
              title: '',
              dataIndex: 'action',
              render: (a: string) => t(`sc${a.charAt(0).toUpperCase()}${a.slice(1)}`),
            },
          ]}
        />
      </Modal>
    </div>
  );
}

/** Tags to add to every selected order (1–32 characters each, as the server accepts). */
function AddTagModal({
  open,
  onOk,
  onCancel,
}: {
  open: boolean;
  onOk: (tags: string[]) => void;
  onCancel: () => void;
}) {
  const t = useT(messages);
  const [tags, setTags] = useState<string[]>([]);
  const clean = [...new Set(tags.map((x) => x.trim()).filter((x) => x.length > 0 && x.length <= 32))];
  return (
    <Modal
      open={open}
      title={t('addTag')}
      onCancel={onCancel}
      okButtonProps={{ disabled: !clean.length, 'data-testid': 'batch-tag-ok' } as never}
      onOk={() => {
        onOk(clean);
        setTags([]);
      }}
      destroyOnHidden
    >
      <div data-testid="batch-tag-input">
        <Select
          mode="tags"
          style={{ width: '100%' }}
          placeholder={t('tagPlaceholder')}
          value={tags}
          onChange={setTags}
          open={false}
        />
      </div>
    </Modal>
  );
}

function HoldReasonModal({
  open,
  onOk,
  onCancel,
  reasons = HOLD_REASONS as readonly string[],
}: {
  open: boolean;
  onOk: (reason: string) => void;
  onCancel: () => void;
  reasons?: readonly string[];
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [reason, setReason] = useState<string>();
  return (
    <Modal
      open={open}
      title={t('hold')}
      onCancel={onCancel}
      okButtonProps={{ disabled: !reason }}
      onOk={() => reason && onOk(reason)}
    >
      <Select
        style={{ width: '100%' }}
        placeholder={t('chooseReason')}
        value={reason}
        onChange={setReason}
        options={reasons.map((r) => ({ value: r, label: labelOf(HOLD_REASON_LABELS, r, locale) }))}
      />
    </Modal>
  );
}
