import { UploadOutlined } from '@ant-design/icons';
import type { CountView } from '@orderhub/contracts';
import { Alert, App, Button, Card, Space, Spin, Table, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { ApiError, api } from '../../shared/api.ts';
import { useApiMutation } from '../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { PROBLEM_LABELS } from './labels.ts';
import { messages } from './messages.ts';
import { type BadRow, badRowsOf, importErrorText, sheetFormatOf, toBase64 } from './sheet.ts';
import { ROWS_PER_PAGE, useCount } from './useCount.ts';

/** A refusal the console says in words (code kept in an attribute), or null. */
function refusalOf(code: string, details: unknown, locale: 'zh-CN' | 'en-US') {
  const words = importErrorText(code, details, locale);
  return words ? { code, words } : null;
}

/**
 * Count import: pick a CSV or XLSX sheet; a large one is read by the server's job while this shows
 * the rows read; then every difference, a page at a time (or every bad row, or why the sheet was
 * refused); apply on confirmation.
 */
export function CountImport() {
  const t = useT(messages);
  const { locale } = useLocale();
  const { modal } = App.useApp();
  const input = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState<string>();
  const [badRows, setBadRows] = useState<BadRow[]>([]);
  const [wrongFormat, setWrongFormat] = useState(false);
  const count = useCount();

  const read = useApiMutation(
    async (format: 'csv' | 'xlsx', file: File) => {
      const content = toBase64(new Uint8Array(await file.arrayBuffer()));
      return api<CountView>('/api/inventory/counts:preview', { method: 'POST', body: { format, content } });
    },
    {
      onSuccess: count.show,
      onError: (e) => {
        if (e instanceof ApiError) setBadRows(badRowsOf(e.details));
      },
    },
  );
  const applyCount = useApiMutation(
    (id: string) =>
      api<CountView>(`/api/inventory/counts/${encodeURIComponent(id)}/apply`, { method: 'POST', body: {} }),
    {
      success: t('applied'),
      invalidate: [
        ['inventory', 'levels'],
        ['inventory', 'movements'],
        ['inventory', 'alerts'],
        ['inventory', 'heatmap'],
      ],
      onSuccess: count.applied,
    },
  );

  const head = count.head.data;
  const failed = head?.status === 'failed' ? head.error : null;
  const failedBadRows = failed ? badRowsOf(failed.details) : [];
  const shownBadRows = badRows.length ? badRows : failedBadRows;
  const apiError = read.error ?? applyCount.error ?? count.head.error ?? count.rows.error;
  const refusal =
    apiError instanceof ApiError
      ? refusalOf(apiError.code, apiError.details, locale)
      : failed && !failedBadRows.length
        ? (refusalOf(failed.code, failed.details, locale) ?? { code: failed.code, words: t('readFailed') })
        : null;
  const showApiError = apiError && !refusal && !badRows.length;

  async function pick(file: File) {
    count.clear();
    setBadRows([]);
    read.reset();
    applyCount.reset();
    setFileName(file.name);
    const format = sheetFormatOf(file.name);
    setWrongFormat(!format);
    if (format) await read.run(format, file);
    if (input.current) input.current.value = '';
  }

  function apply() {
    if (!head) return;
    modal.confirm({
      title: t('apply'),
      content: t('applyConfirm', { diff: head.differences }),
      okButtonProps: { 'data-testid': 'count-apply-ok' } as never,
      onOk: () => applyCount.run(head.id),
    });
  }

  const total = head?.progress?.rowsTotal ?? 0;
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
          <Button
            icon={<UploadOutlined />}
            loading={read.busy}
            disabled={head?.status === 'processing'}
            onClick={() => input.current?.click()}
          >
            {t('pickFile')}
          </Button>
          {fileName ? <Typography.Text>{fileName}</Typography.Text> : null}
          <Typography.Text type="secondary">{t('fileHint')}</Typography.Text>
        </Space>
        {wrongFormat ? (
          <Alert type="error" showIcon message={t('wrongFormat')} data-testid="count-wrong-format" />
        ) : null}
        {head?.status === 'processing' ? (
          <Alert
            type="info"
            showIcon
            data-testid="count-processing"
            message={t('processing')}
            description={
              <Space>
                <Spin size="small" />
                <span data-testid="count-rows-read">
                  {t('rowsRead', { n: (head.progress?.rowsRead ?? 0).toLocaleString(locale) })}
                </span>
              </Space>
            }
          />
        ) : null}
        {refusal ? (
          <Alert
            type="error"
            showIcon
            data-testid="count-refused"
            data-error-code={refusal.code}
            message={t('refused')}
            description={refusal.words}
          />
        ) : null}
        {showApiError ? <ErrorAlert error={apiError} /> : null}
        {shownBadRows.length ? (
          <>
            <Alert type="error" showIcon message={t('badRows')} />
            <Table<BadRow>
              data-testid="count-bad-rows"
              size="small"
              rowKey={(r) => `${r.row}-${r.problem}`}
              pagination={{ pageSize: ROWS_PER_PAGE, hideOnSinglePage: true, showSizeChanger: false }}
              dataSource={shownBadRows}
              columns={[
                { title: t('row'), dataIndex: 'row' },
                { title: t('sku'), dataIndex: 'sku' },
                { title: t('warehouse'), dataIndex: 'warehouse' },
                {
                  title: t('problem'),
                  dataIndex: 'problem',
                  render: (v: string) => (
                    <Tag color="red" data-problem={v}>
                      {PROBLEM_LABELS[v] ? labelOf(PROBLEM_LABELS, v, locale) : t('problemOther')}
                    </Tag>
                  ),
                },
              ]}
            />
          </>
        ) : null}
        {head && (head.status === 'previewed' || head.status === 'applied') ? (
          <>
            <Space>
              <Typography.Text strong data-testid="count-summary">
                {t('differences', { rows: total, diff: head.differences })}
              </Typography.Text>
              {head.status === 'applied' ? (
                <Tag color="green" data-testid="count-applied">
                  {t('applied')}
                </Tag>
              ) : (
                <Button type="primary" onClick={apply} loading={applyCount.busy} data-testid="count-apply">
                  {t('apply')}
                </Button>
              )}
            </Space>
            <Table
              data-testid="count-preview"
              size="small"
              rowKey="row"
              loading={count.rows.isFetching}
              pagination={{
                current: count.page + 1,
                pageSize: ROWS_PER_PAGE,
                total,
                hideOnSinglePage: true,
                showSizeChanger: false,
                onChange: (p) => count.setPage(p - 1),
              }}
              dataSource={count.rows.data?.rows ?? []}
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
