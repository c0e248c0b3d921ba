import { ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import {
  ADJUSTMENT_REASONS,
  type AlertView,
  type CountView,
  MOVEMENT_TYPE_LABELS,
  type MovementView,
  type StockLevelView,
  type WarehouseView,
} from '@orderhub/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Modal,
  Segmented,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, api } from '../../shared/api.ts';
import { EChart } from '../../shared/EChart.tsx';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { useSession } from '../../shared/session.tsx';
import { ErrorAlert, PageTitle, Time } from '../../shared/ui.tsx';
import { messages } from './messages.ts';
import { type BadRow, badRowsOf, type HeatmapData, heatmapGrid, sheetFormatOf, toBase64 } from './sheet.ts';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const TABS = ['levels', 'movements', 'alerts', 'heatmap', 'count'] as const;

export default function Inventory() {
  const t = useT(messages);
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? params.get('tab')! : 'levels';
  const mayAdjust = can('inventory:adjust');
  const items = [
    { key: 'levels', label: t('levels'), children: <Levels mayAdjust={mayAdjust} /> },
    { key: 'movements', label: t('movements'), children: <Movements /> },
    { key: 'alerts', label: t('alerts'), children: <Alerts /> },
    { key: 'heatmap', label: t('heatmap'), children: <Heatmap /> },
    ...(mayAdjust ? [{ key: 'count', label: t('count'), children: <CountImport /> }] : []),
  ];
  return (
    <div data-testid="inventory">
      <PageTitle>{t('title')}</PageTitle>
      {!mayAdjust ? (
        <Typography.Paragraph type="secondary" data-testid="inventory-read-only">
          {t('readOnly')}
        </Typography.Paragraph>
      ) : null}
      <Tabs
        activeKey={tab}
        destroyOnHidden
        onChange={(k) => setParams(k === 'levels' ? {} : { tab: k })}
        items={items}
      />
    </div>
  );
}

function useWarehouses() {
  return useQuery({
    queryKey: ['inventory', 'warehouses'],
    queryFn: () => api<WarehouseView[]>('/api/warehouses'),
    staleTime: 300_000,
  });
}

/** Keyset paging over a list endpoint: the cursor of every page seen so far. */
function useCursorPages() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: cursors.at(-1),
    reset: () => setCursors([undefined]),
    canPrev: cursors.length > 1,
    prev: () => setCursors((c) => c.slice(0, -1)),
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
  };
}

function Pager({
  pages,
  nextCursor,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor?: string | null;
}) {
  const t = useT(messages);
  return (
    <Space style={{ marginTop: 8 }}>
      <Button disabled={!pages.canPrev} onClick={pages.prev}>
        {t('prev')}
      </Button>
      <Button disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
        {t('next')}
      </Button>
    </Space>
  );
}

function Filters({
  onSearch,
  extra,
}: {
  onSearch: (v: { sku?: string; warehouse?: string; belowSafety?: boolean }) => void;
  extra?: boolean;
}) {
  const t = useT(messages);
  const warehouses = useWarehouses();
  return (
    <Form
      layout="inline"
      style={{ marginBottom: 12, rowGap: 8 }}
      onFinish={(v: { sku?: string; warehouse?: string; belowSafety?: boolean }) =>
        onSearch({
          ...(v.sku?.trim() ? { sku: v.sku.trim() } : {}),
          ...(v.warehouse ? { warehouse: v.warehouse } : {}),
          ...(v.belowSafety ? { belowSafety: true } : {}),
        })
      }
    >
      <Form.Item name="sku">
        <Input placeholder={t('filterSku')} allowClear style={{ width: 160 }} />
      </Form.Item>
      <Form.Item name="warehouse">
        <Select
          allowClear
          placeholder={t('filterWarehouse')}
          style={{ width: 160 }}
          options={(warehouses.data ?? []).map((w) => ({ value: w.code, label: `${w.code} ${w.name}` }))}
        />
      </Form.Item>
      {extra ? (
        <Form.Item name="belowSafety" valuePropName="checked">
          <Checkbox>{t('onlyBelow')}</Checkbox>
        </Form.Item>
      ) : null}
      <Button type="primary" htmlType="submit">
        {t('search')}
      </Button>
    </Form>
  );
}

function Levels({ mayAdjust }: { mayAdjust: boolean }) {
  const t = useT(messages);
  const [filter, setFilter] = useState<{ sku?: string; warehouse?: string; belowSafety?: boolean }>({});
  const pages = useCursorPages();
  const [adjusting, setAdjusting] = useState<StockLevelView | null>(null);
  const levels = useQuery({
    queryKey: ['inventory', 'levels', filter, pages.cursor],
    queryFn: ({ signal }) =>
      api<Page<StockLevelView>>('/api/inventory/levels', {
        query: { ...filter, limit: 50, cursor: pages.cursor },
        signal,
      }),
  });
  return (
    <Card size="small">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Filters
          extra
          onSearch={(f) => {
            setFilter(f);
            pages.reset();
          }}
        />
        <Space>
          {mayAdjust ? (
            <Button onClick={() => setAdjusting({} as StockLevelView)} data-testid="adjust-new">
              {t('adjust')}
            </Button>
          ) : null}
          <Button icon={<ReloadOutlined />} onClick={() => levels.refetch()}>
            {t('refresh')}
          </Button>
        </Space>
      </Space>
      {levels.error ? <ErrorAlert error={levels.error} onRetry={() => levels.refetch()} /> : null}
      <Table<StockLevelView>
        data-testid="levels-table"
        rowKey={(l) => `${l.sku}@${l.warehouse}`}
        size="middle"
        loading={levels.isFetching}
        dataSource={levels.data?.items ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        rowClassName={(l) => (l.belowSafety ? 'below-safety' : '')}
        columns={[
          { title: t('sku'), dataIndex: 'sku' },
          { title: t('warehouse'), dataIndex: 'warehouse' },
          { title: t('onHand'), dataIndex: 'onHand', align: 'right' },
          { title: t('available'), dataIndex: 'available', align: 'right' },
          { title: t('reserved'), dataIndex: 'reserved', align: 'right' },
          { title: t('frozen'), dataIndex: 'frozen', align: 'right' },
          { title: t('safety'), dataIndex: 'safetyStock', align: 'right' },
          { title: t('sellable'), dataIndex: 'sellable', align: 'right' },
          { title: t('inTransit'), dataIndex: 'inTransit', align: 'right' },
          {
            title: '',
            dataIndex: 'belowSafety',
            render: (v: boolean) => (v ? <Tag color="red">{t('belowSafety')}</Tag> : null),
          },
          { title: t('updatedAt'), dataIndex: 'updatedAt', render: (v: string) => <Time at={v} /> },
          ...(mayAdjust
            ? [
                {
                  title: '',
                  key: 'actions',
                  render: (_: unknown, l: StockLevelView) => (
                    <Button size="small" onClick={() => setAdjusting(l)} data-testid="adjust">
                      {t('adjust')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Pager pages={pages} nextCursor={levels.data?.nextCursor} />
      {adjusting ? <AdjustModal level={adjusting} onClose={() => setAdjusting(null)} /> : null}
    </Card>
  );
}

function AdjustModal({ level, onClose }: { level: Partial<StockLevelView>; onClose: () => void }) {
  const t = useT(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const warehouses = useWarehouses();
  const [form] = Form.useForm();
  const adjust = useMutation({
    mutationFn: (v: { sku: string; warehouse: string; delta: number; reasonCode: string; note?: string }) =>
      api('/api/inventory/adjustments', {
        method: 'POST',
        body: {
          warehouse: v.warehouse,
          lines: [{ sku: v.sku.trim(), delta: v.delta }],
          reasonCode: v.reasonCode,
          ...(v.note ? { note: v.note } : {}),
        },
      }),
    onSuccess: async () => {
      message.success(t('adjustDone'));
      await qc.invalidateQueries({ queryKey: ['inventory'] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t('adjust')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('submit')}
      confirmLoading={adjust.isPending}
    >
      {adjust.error ? <ErrorAlert error={adjust.error} /> : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ sku: level.sku, warehouse: level.warehouse, reasonCode: 'CORRECTION' }}
        onFinish={(v) => adjust.mutate(v)}
      >
        <Form.Item name="sku" label={t('sku')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="warehouse" label={t('warehouse')} rules={[{ required: true }]}>
          <Select
            options={(warehouses.data ?? []).map((w) => ({ value: w.code, label: `${w.code} ${w.name}` }))}
          />
        </Form.Item>
        <Form.Item
          name="delta"
          label={t('delta')}
          rules={[
            { required: true },
            { validator: async (_, v) => (v === 0 ? Promise.reject() : undefined) },
          ]}
        >
          <InputNumber precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="reasonCode" label={t('reason')} rules={[{ required: true }]}>
          <Select options={ADJUSTMENT_REASONS.map((r) => ({ value: r, label: r }))} />
        </Form.Item>
        <Form.Item name="note" label={t('note')}>
          <Input maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Movements() {
  const t = useT(messages);
  const { locale } = useLocale();
  const [filter, setFilter] = useState<{ sku?: string; warehouse?: string }>({});
  const pages = useCursorPages();
  const movements = useQuery({
    queryKey: ['inventory', 'movements', filter, pages.cursor],
    queryFn: ({ signal }) =>
      api<Page<MovementView>>('/api/inventory/movements', {
        query: { ...filter, limit: 50, cursor: pages.cursor },
        signal,
      }),
  });
  const signed = (n: number) => (n === 0 ? '' : n > 0 ? `+${n}` : String(n));
  return (
    <Card size="small">
      <Filters
        onSearch={({ sku, warehouse }) => {
          setFilter({ ...(sku ? { sku } : {}), ...(warehouse ? { warehouse } : {}) });
          pages.reset();
        }}
      />
      {movements.error ? <ErrorAlert error={movements.error} onRetry={() => movements.refetch()} /> : null}
      <Table<MovementView>
        data-testid="movements-table"
        rowKey="id"
        size="middle"
        loading={movements.isFetching}
        dataSource={movements.data?.items ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('at'), dataIndex: 'at', render: (v: string) => <Time at={v} /> },
          {
            title: t('type'),
            dataIndex: 'type',
            render: (v: string) => labelOf(MOVEMENT_TYPE_LABELS, v, locale),
          },
          { title: t('sku'), dataIndex: 'sku' },
          { title: t('warehouse'), dataIndex: 'warehouse' },
          { title: t('onHand'), dataIndex: 'onHand', align: 'right', render: signed },
          { title: t('reserved'), dataIndex: 'reserved', align: 'right', render: signed },
          { title: t('frozen'), dataIndex: 'frozen', align: 'right', render: signed },
          { title: t('inTransit'), dataIndex: 'inTransit', align: 'right', render: signed },
          { title: t('reason'), dataIndex: 'reasonCode' },
          { title: t('actor'), render: (_, m) => m.actor.name ?? m.actor.type },
          { title: t('source'), render: (_, m) => (m.source ? `${m.source.type} ${m.source.id ?? ''}` : '') },
          { title: t('note'), dataIndex: 'note' },
        ]}
      />
      <Pager pages={pages} nextCursor={movements.data?.nextCursor} />
    </Card>
  );
}

function Alerts() {
  const t = useT(messages);
  const alerts = useQuery({
    queryKey: ['inventory', 'alerts'],
    queryFn: () => api<AlertView[]>('/api/inventory/alerts', { query: { limit: 500 } }),
  });
  return (
    <Card size="small">
      {alerts.error ? <ErrorAlert error={alerts.error} onRetry={() => alerts.refetch()} /> : null}
      <Table<AlertView>
        data-testid="alerts-table"
        rowKey="id"
        size="middle"
        loading={alerts.isFetching}
        dataSource={alerts.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('sku'), dataIndex: 'sku' },
          { title: t('warehouse'), dataIndex: 'warehouse' },
          { title: t('available'), dataIndex: 'available', align: 'right' },
          { title: t('safety'), dataIndex: 'safetyStock', align: 'right' },
          { title: t('raisedAt'), dataIndex: 'raisedAt', render: (v: string) => <Time at={v} /> },
        ]}
      />
    </Card>
  );
}

function Heatmap() {
  const t = useT(messages);
  const [measure, setMeasure] = useState<'available' | 'sellable'>('available');
  const heat = useQuery({
    queryKey: ['inventory', 'heatmap', measure],
    queryFn: () => api<HeatmapData>('/api/inventory/heatmap', { query: { measure } }),
  });
  const option = useMemo(() => {
    if (!heat.data) return null;
    const g = heatmapGrid(heat.data, t('uncategorised'));
    return {
      tooltip: {
        position: 'top',
        formatter: (p: { value: [number, number, number] }) =>
          `${g.y[p.value[1]]} · ${g.x[p.value[0]]}<br/>${t(measure)}: ${p.value[2]} ${t('units')}`,
      },
      grid: { left: 90, right: 20, top: 10, bottom: 70 },
      xAxis: { type: 'category', data: g.x, splitArea: { show: true }, axisLabel: { rotate: 30 } },
      yAxis: { type: 'category', data: g.y, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: Math.max(1, g.max),
        calculable: true,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
      },
      series: [{ name: t(measure), type: 'heatmap', data: g.points, label: { show: true } }],
    };
  }, [heat.data, measure, t]);
  return (
    <Card
      size="small"
      extra={
        <Segmented
          value={measure}
          onChange={(v) => setMeasure(v as 'available' | 'sellable')}
          options={[
            { value: 'available', label: t('available') },
            { value: 'sellable', label: t('sellable') },
          ]}
        />
      }
      title={t('heatmap')}
    >
      {heat.error ? <ErrorAlert error={heat.error} onRetry={() => heat.refetch()} /> : null}
      {option && heat.data?.cells.length ? (
        <EChart
          option={option}
          testId="inventory-heatmap"
          height={Math.max(240, 60 + (heat.data.warehouses.length || 1) * 48)}
        />
      ) : heat.data ? (
        <Typography.Text type="secondary">{t('empty')}</Typography.Text>
      ) : null}
    </Card>
  );
}

function CountImport() {
  const t = useT(messages);
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState<string>();
  const [preview, setPreview] = useState<CountView | null>(null);
  const [badRows, setBadRows] = useState<BadRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function pick(file: File) {
    setPreview(null);
    setBadRows([]);
    setError(null);
    setFileName(file.name);
    const format = sheetFormatOf(file.name);
    if (!format) {
      setError(new ApiError(0, 'CLIENT_ERROR', t('wrongFormat')));
      return;
    }
    setBusy(true);
    try {
      const content = toBase64(new Uint8Array(await file.arrayBuffer()));
      setPreview(
        await api<CountView>('/api/inventory/counts:preview', { method: 'POST', body: { format, content } }),
      );
    } catch (e) {
      setError(e);
      if (e instanceof ApiError) setBadRows(badRowsOf(e.details));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  }

  function apply() {
    if (!preview) return;
    modal.confirm({
      title: t('apply'),
      content: t('applyConfirm', { diff: preview.differences }),
      okButtonProps: { 'data-testid': 'count-apply-ok' } as never,
      onOk: async () => {
        try {
          const done = await api<CountView>(`/api/inventory/counts/${encodeURIComponent(preview.id)}/apply`, {
            method: 'POST',
            body: {},
          });
          setPreview(done);
          message.success(t('applied'));
          await qc.invalidateQueries({ queryKey: ['inventory'] });
        } catch (e) {
          setError(e);
        }
      },
    });
  }

  return (
    <Card size="small" data-testid="count-import">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <input
            ref={input}
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            style={{ display: 'none' }}
            data-testid="count-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void pick(f);
            }}
          />
          <Button icon={<UploadOutlined />} loading={busy} onClick={() => input.current?.click()}>
            {t('pickFile')}
          </Button>
          {fileName ? <Typography.Text>{fileName}</Typography.Text> : null}
          <Typography.Text type="secondary">{t('fileHint')}</Typography.Text>
        </Space>
        {error ? <ErrorAlert error={error} /> : null}
        {badRows.length ? (
          <>
            <Alert type="error" showIcon message={t('badRows')} />
            <Table<BadRow>
              data-testid="count-bad-rows"
              size="small"
              rowKey={(r) => `${r.row}-${r.problem}`}
              pagination={false}
              dataSource={badRows}
              columns={[
                { title: t('row'), dataIndex: 'row' },
                { title: t('sku'), dataIndex: 'sku' },
                { title: t('warehouse'), dataIndex: 'warehouse' },
                {
                  title: t('problem'),
                  dataIndex: 'problem',
                  render: (v: string) => <Tag color="red">{v}</Tag>,
                },
                { title: t('reason'), dataIndex: 'message' },
              ]}
            />
          </>
        ) : null}
        {preview ? (
          <>
            <Space>
              <Typography.Text strong data-testid="count-summary">
                {t('differences', { rows: preview.rows.length, diff: preview.differences })}
              </Typography.Text>
              {preview.status === 'applied' ? (
                <Tag color="green" data-testid="count-applied">
                  {t('applied')}
                </Tag>
              ) : (
                <Button type="primary" onClick={apply} data-testid="count-apply">
                  {t('apply')}
                </Button>
              )}
            </Space>
            <Table
              data-testid="count-preview"
              size="small"
              rowKey="row"
              pagination={{ pageSize: 100, hideOnSinglePage: true }}
              dataSource={preview.rows}
              rowClassName={(r) => (r.difference !== 0 ? 'count-diff' : '')}
              columns={[
                { title: t('row'), dataIndex: 'row' },
                { title: t('sku'), dataIndex: 'sku' },
                { title: t('warehouse'), dataIndex: 'warehouse' },
                { title: t('expected'), dataIndex: 'expected', align: 'right' },
                { title: t('counted'), dataIndex: 'counted', align: 'right' },
                {
                  title: t('difference'),
                  dataIndex: 'difference',
                  align: 'right',
                  render: (v: number) =>
                    v === 0 ? (
                      '0'
                    ) : (
                      <Typography.Text type={v < 0 ? 'danger' : 'success'}>
                        {v > 0 ? `+${v}` : v}
                      </Typography.Text>
                    ),
                },
              ]}
            />
          </>
        ) : null}
      </Space>
    </Card>
  );
}
